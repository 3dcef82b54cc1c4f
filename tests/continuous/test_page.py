"""The Neural ODEs, KAN & NeRF page under AppTest: every tab draws (the untrained views of the three
labs, the NFE sweep, the graph and the summary); Step trains; a tolerance of 0, a grid of 0 and an order of
0 are answered with sentences, in the labs and in the form."""

from __future__ import annotations

import numpy as np

import archs
from tests.apptest import chart, errors, on_tab, open_page, plotly_values

TABS = ["Idea", "Neural ODE", "Tolerance & NFE", "KAN", "NeRF", "Architectures"]
PAGE = "pages/continuous.py"


def _tab(tab: str, **state):
    return on_tab(PAGE, "continuous.tab", tab, timeout=240, **state)


def test_page_draws_every_tab_with_the_untrained_views():
    at = open_page(PAGE, timeout=300)
    assert set(TABS) | {"Graph", "Summary"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 5
    assert at.selectbox(key="continuous.arch").value.name == "neural_ode"
    for key in ("ode.train.view.spiral", "kan.train.view.edges", "nerf.train.view.images", "nfe.sweep"):
        assert chart(at, f"continuous.{key}") is not None, key
    nfe = plotly_values(chart(at, "continuous.nfe.sweep")["data"][0]["y"])
    assert len(nfe) == 6 and np.all(np.diff(nfe) >= 0) and nfe[-1] > nfe[0]  # tighter costs more
    assert not errors(at)


def test_a_step_trains_the_kan_and_its_edges_read_back():
    at = _tab("KAN", continuous__kan__symbolic=True)
    before = plotly_values(chart(at, "continuous.kan.train.view.edges")["data"][0]["y"])
    assert at.dataframe and len(at.dataframe[0].value) == 15  # [2, 5, 1]: 15 edges, each with its reading
    at.selectbox(key="continuous.kan.train.nstep").set_value(10).run()
    at.button(key="continuous.kan.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = plotly_values(chart(at, "continuous.kan.train.view.edges")["data"][0]["y"])
    assert before.shape == after.shape == (60,) and not np.allclose(before, after)  # the edge learned
    fit = chart(at, "continuous.kan.train.view.edges")["data"][1]
    assert fit["line"]["dash"] == "dash"  # the symbolic reading drawn beside the curve
    assert at.dataframe and len(at.dataframe[0].value) == 15


def test_bad_settings_are_sentences_in_the_page():
    at = _tab("Tolerance & NFE")
    at.number_input(key="continuous.nfe.rtol").set_value(0.0).run()
    assert any("must be greater than 0" in e for e in errors(at)), errors(at)
    assert not at.exception
    at = _tab("KAN")
    at.slider(key="continuous.kan.grid").set_value(0).run()
    assert any("grid_size (0) must be at least 1" in e for e in errors(at)), errors(at)
    at.slider(key="continuous.kan.grid").set_value(5).run()
    at.slider(key="continuous.kan.order").set_value(0).run()
    assert any("spline_order (0) must be at least 1" in e for e in errors(at)), errors(at)
    assert not at.exception
    at = _tab("Architectures")
    at.selectbox(key="continuous.arch").set_value(archs.get_arch("kan")).run()
    grid = next(s for s in at.slider if s.key and s.key.endswith(".grid_size"))
    grid.set_value(0).run()
    assert any("Impossible configuration" in e and "grid_size (0)" in e for e in errors(at)), errors(at)
    assert not at.exception
