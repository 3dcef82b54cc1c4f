"""flow_2d beats a Gaussian fit's held-out log-likelihood on the toy sets within 100 steps (fixed seeds),
from no better than it at step 0; flow_digits passes a uniform guess over the 17 pixel levels in 30 steps; a
trained flow's samples and warp are finite and in the data's range."""

from __future__ import annotations

import math

import numpy as np
import pytest

from training.flows.probes import image_samples, lab_probe
from training.recipes import get_recipe

RUNS = [
    ("realnvp", "moons", 0.5),
    ("realnvp", "circle", 0.05),
    ("realnvp", "spiral", 0.05),
    ("glow", "moons", 0.5),
]
STEPS = 100


@pytest.fixture(scope="module")
def trained():
    out = {}
    for arch, name, _ in RUNS:
        t = get_recipe("flow_2d").trainer(arch=arch, name=name, num_steps=STEPS, eval_every=STEPS, seed=0)
        before = t.evaluate()["test_ll"]
        t.step(STEPS)
        out[arch, name] = (t, before)
    return out


@pytest.mark.parametrize(("arch", "name", "margin"), RUNS)
def test_flow_beats_the_gaussian_fit_on_held_out_points(trained, arch, name, margin):
    t, before = trained[arch, name]
    gauss = t.data.meta["gaussian_ll"]
    assert t.status == "done", t.message
    assert before < gauss + 0.01  # untrained, the flow is no better than the Gaussian
    assert t.last_eval()["test_ll"] > gauss + margin, (t.last_eval()["test_ll"], gauss)


def test_the_lab_probe_draws_a_density_samples_and_every_layer(trained):
    t, _ = trained["realnvp", "moons"]
    lab = t.snapshot({"lab": lab_probe(t.data.x_train[:100])})["lab"]
    assert lab["density"].shape == (60, 60) and np.isfinite(lab["density"]).all()
    # the density integrates to about 1 over the plotted square (most of the mass lies inside it)
    cell = float(lab["xs"][1] - lab["xs"][0]) ** 2
    assert 0.8 < lab["density"].sum() * cell < 1.05
    assert np.abs(lab["samples"]).max() < 10 and lab["samples"].std(0).min() > 0.3
    w = lab["warp"]
    assert len(w["titles"]) == 7 and w["lines"].shape[0] == 7 and w["titles"][0].startswith("z")
    assert not np.allclose(w["points"][0], w["points"][-1])


def test_flow_digits_beats_a_uniform_guess_of_the_pixels():
    t = get_recipe("flow_digits").trainer(num_steps=30, eval_every=30, seed=0)
    before = t.evaluate()["test_bpd"]
    t.step(30)
    uniform = math.log2(17)
    assert before > uniform and t.last_eval()["test_bpd"] < uniform - 0.3, (before, t.last_eval())
    s = t.snapshot({"s": image_samples(4)})["s"]
    assert s.shape == (4, 8, 8) and np.isfinite(s).all()
