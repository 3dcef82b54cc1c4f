"""The self-organising map: Kohonen's rule moves the winner and its neighbours, the colour map's
quantisation error falls by more than half and its topology organises, the U-matrix has the grid's shape,
and the lab shows the map at every snapshot."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import archs
from archs import ConfigError
from tests.apptest import app_test
from training import get_recipe
from training.energy.som import u_matrix


def test_winner_and_neighbours_move_towards_the_input():
    t = get_recipe("som_colors").trainer(rows=5, cols=5, batch_size=1, num_steps=10, seed=0)
    x = torch.tensor([[1.0, 0.0, 0.0]])
    t._batch = lambda: (x, torch.zeros(1, dtype=torch.long))
    before = t.model.weight.detach().clone()
    c = int(t.model.bmu(x))
    t.step(1)
    moved = (t.model.weight.detach() - before).norm(dim=1)
    far = int((t.model.grid - t.model.grid[c]).abs().sum(1).argmax())
    assert moved[c] > moved[far] > 0  # the winner most, the far corner least
    d_before, d_after = (before[c] - x).norm(), (t.model.weight[c].detach() - x).norm()
    assert d_after < d_before


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_som_colors_halves_the_quantisation_error(seed):
    """Measured with seeds 0-4: quantisation error 0.41-0.43 before, 0.124-0.139 after (ratio ≤ 0.33);
    topographic error 95-100 % → 3-5 %."""
    t = get_recipe("som_colors").trainer(seed=seed)
    before = t.evaluate()
    t.step(t.num_steps)
    after = t.last_eval()
    assert t.status == "done", t.message
    assert after["test_qe"] < 0.5 * before["test_qe"], (before, after)
    assert after["test_te"] < 0.15 < before["test_te"], (before, after)


def test_u_matrix_has_the_grid_shape_and_sees_a_boundary():
    m = archs.build_model("som", rows=4, cols=6, in_features=3)
    with torch.no_grad():
        m.weight.zero_()
        m.weight_grid()[:, 3:] = 1.0  # two flat halves: a ridge between columns 2 and 3
    u = u_matrix(m)
    assert u.shape == (4, 6)
    assert np.allclose(u[:, 0], 0) and (u[:, 2] > 0).all() and (u[:, 3] > 0).all()


def test_bad_settings_are_sentences():
    with pytest.raises(ConfigError, match="at most 1"):
        get_recipe("som_colors").trainer(lr=2.0)
    with pytest.raises(ConfigError, match="colors or digits"):
        get_recipe("som_colors").trainer(source="faces")


def test_lab_shows_the_map_organising_live():
    """The untrained map first (a grey clump), then, trained in the panel, a map whose colours spread out
    and whose quantisation error falls; the digits source draws too."""
    import json

    from tests.apptest import poll, progress

    at = app_test("pages/energy.py", every_tab=False, timeout=300)
    at.query_params["energy.tab"] = "SOM"
    at.session_state["energy.som.steps"] = 200
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception]

    def title(a) -> str:
        spec = next(
            json.loads(c.proto.spec)
            for c in a.get("plotly_chart")
            if "energy.som.train.view.map" in c.proto.id
        )
        return spec["layout"]["title"]["text"]

    assert "untrained" in title(at)
    at.button(key="energy.som.train.play").click().run()
    at = poll(at, lambda a: any(t.startswith("**done**") for t in progress(a)), timeout=120)
    assert title(at).startswith("step 200: σ =")
    assert any("energy.som.train.live.curves" in c.proto.id for c in at.get("plotly_chart"))
    said = next(m.value for m in at.markdown if m.value.startswith("Quantisation error"))
    before, after = (float(v) for v in said.split(") ")[1].split(";")[0].split(" → "))
    assert after < 0.7 * before, said
    at.radio(key="energy.som.data").set_value("digits (8×8)").run()
    assert not at.exception and not at.error
