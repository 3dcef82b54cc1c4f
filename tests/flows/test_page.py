"""The Normalizing flows page under AppTest: every tab draws (the change of variables, the untrained
flow's density and warp, digits samples, graph and summary); ten steps change the plotted density;
impossible settings (no coupling layers, an image size the levels cannot halve, a channel mask on an odd
number of channels) are sentences in the page, never exceptions."""

from __future__ import annotations

import numpy as np

from tests.apptest import chart, errors, on_tab, open_page, plotly_values

PAGE = "pages/flows.py"
DENSITY = "flows.lab.train.view.density"


def _density(at) -> np.ndarray:
    fig = chart(at, DENSITY)
    assert fig is not None
    heat = next(d for d in fig["data"] if d.get("name") == "density")
    return plotly_values(heat["z"])


def test_page_draws_every_tab_with_the_untrained_density_and_warp():
    at = open_page(PAGE, timeout=300)
    assert {"Idea", "2-D lab", "Digits", "Architectures", "Graph", "Summary"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 3
    assert at.selectbox(key="flows.arch").value.name == "glow"
    z = _density(at)
    assert z.shape == (60, 60) and np.isfinite(z).all()
    warp = chart(at, "flows.lab.train.view.warp")
    assert sum(d["type"] == "scatter" for d in warp["data"]) >= 2 * 7  # grid and points in 7 panels
    assert chart(at, "flows.digits.train.view.samples") is not None
    assert not errors(at)


def test_ten_steps_change_the_density():
    at = on_tab(PAGE, "flows.tab", "2-D lab")
    before = _density(at)
    at.selectbox(key="flows.lab.train.nstep").set_value(10).run()
    at.button(key="flows.lab.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not np.allclose(_density(at), before)
    assert any(
        "held-out log-likelihood" in (d.get("name") or "")
        for d in chart(at, "flows.lab.train.live.curves")["data"]
    )


def test_no_coupling_layer_is_a_sentence_in_the_lab():
    at = on_tab(PAGE, "flows.tab", "2-D lab", flows__lab__layers=0)
    assert any("at least one coupling layer" in e for e in errors(at)), errors(at)
    assert chart(at, DENSITY) is None


def test_impossible_image_flows_are_sentences_in_the_form():
    at = on_tab(
        PAGE,
        "flows.tab",
        "Architectures",
        **{"flows.glow.tiny.data": "image", "flows.glow.tiny.image_size": 12, "flows.glow.tiny.levels": 3},
    )
    assert any(
        "Impossible configuration" in e and "divisible by 8, 2 to the power of levels" in e
        for e in errors(at)
    ), errors(at)
    at = on_tab(
        PAGE,
        "flows.tab",
        "Architectures",
        **{
            "flows.arch": __import__("archs").get_arch("realnvp"),
            "flows.realnvp.tiny.data": "image",
            "flows.realnvp.tiny.mask": "channel",
            "flows.realnvp.tiny.in_channels": 3,
        },
    )
    assert any("3 channels do not split evenly" in e for e in errors(at)), errors(at)
