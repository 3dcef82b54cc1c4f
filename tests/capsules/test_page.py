"""The Capsule networks page under AppTest: every tab draws (the Idea's formulas, the untrained model's
digits and lengths, its routing and its dimension sweep); ten training steps change the views, the routing
tab's coupling coefficients sum to 1 over the parents in every iteration, the sweep is a grid of 16
dimensions; impossible hyperparameters are a sentence in the page, not a traceback."""

from __future__ import annotations

import numpy as np

from tests.apptest import chart, errors, on_tab, open_page, plotly_values

TABS = ["Idea", "Train", "Routing", "Dimensions", "Architectures"]
PAGE = "pages/capsules.py"


def test_page_draws_every_tab_from_the_untrained_model():
    at = open_page(PAGE, timeout=300)
    assert set(TABS) | {"Graph", "Summary"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 3
    assert at.selectbox(key="capsules.arch").value.name == "capsnet"
    for key in ("capsules.lab.train.view.probes", "capsules.route.coupling", "capsules.dims.sweep"):
        assert chart(at, key) is not None, key
    assert not errors(at)


def _switch(at, tab: str):
    at.query_params["capsules.tab"] = tab
    at.session_state["capsules.tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_ten_steps_change_the_views_and_routing_and_sweep_read_that_model():
    at = on_tab(PAGE, "capsules.tab", "Train")
    before = chart(at, "capsules.lab.train.view.probes")["data"][1]["z"]
    at.selectbox(key="capsules.lab.train.nstep").set_value(10).run()
    at.button(key="capsules.lab.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = chart(at, "capsules.lab.train.view.probes")["data"][1]["z"]
    assert not np.allclose(plotly_values(after), plotly_values(before))
    _switch(at, "Routing")
    heat = [d for d in chart(at, "capsules.route.coupling")["data"] if d["type"] == "heatmap"]
    assert len(heat) == 3  # one panel per routing iteration
    for h in heat:
        z = plotly_values(h["z"])
        assert z.shape == (24, 10) and np.allclose(z.sum(1), 1, atol=1e-4)
    assert np.allclose(plotly_values(heat[0]["z"]), 0.1)  # iteration 1 is uniform
    bars = chart(at, "capsules.route.lengths")["data"][0]
    assert len(plotly_values(bars["y"])) == 10
    at.selectbox(key="capsules.route.digit").set_value(3).run()
    assert not at.exception
    _switch(at, "Dimensions")
    sweep = chart(at, "capsules.dims.sweep")
    assert sweep["data"][0]["type"] == "image" and len(sweep["layout"]["yaxis"]["ticktext"]) == 16


def test_impossible_hyperparameters_are_a_sentence_in_the_page():
    at = on_tab(PAGE, "capsules.tab", "Architectures")
    at.slider(key="capsules.capsnet.tiny.routing_iters").set_value(0).run()
    assert any("routing_iters (0) must be at least 1" in e for e in errors(at)), errors(at)
    at.slider(key="capsules.capsnet.tiny.routing_iters").set_value(3).run()
    at.slider(key="capsules.capsnet.tiny.conv1_kernel").set_value(12).run()
    assert any("conv1_kernel (12) is larger than the image (8 px)" in e for e in errors(at)), errors(at)
    assert not at.exception
