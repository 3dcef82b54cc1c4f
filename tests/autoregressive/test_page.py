"""The PixelCNN & WaveNet page under AppTest: every tab draws (the masks, the gradient-measured field with
its blind spot, the dilated stack with the formula and the measured field, μ-law, both labs' untrained
views); a training step on each lab redraws without an exception; impossible settings show a sentence."""

from __future__ import annotations

import numpy as np

import archs
from tests.apptest import chart, errors, on_tab, open_page, plotly_values

PAGE = "pages/autoregressive.py"
TABS = ["Idea", "PixelCNN", "WaveNet", "Architectures"]


def test_every_tab_draws_and_a_step_on_each_lab_redraws():
    at = open_page(PAGE, timeout=300)
    assert set(TABS) | {"Graph", "Summary"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 3 and not errors(at)
    dep = plotly_values(chart(at, "autoregressive.px.dep")["data"][0]["z"])
    assert dep.shape == (16, 16) and (dep == 1).sum() > 0  # the blind spot is drawn
    rf = chart(at, "autoregressive.wn.rf")["data"]
    assert np.array_equal(plotly_values(rf[0]["y"]), plotly_values(rf[1]["y"]))  # formula = gradients
    assert chart(at, "autoregressive.wn.train.view.cont") is not None
    for key in ("autoregressive.px.train.step", "autoregressive.wn.train.step"):
        at.button(key=key).click().run()
        assert not at.exception, [e.value for e in at.exception]
    assert chart(at, "autoregressive.px.train.view.samples") is not None
    assert (
        chart(at, "autoregressive.px.stepview") is not None and chart(at, "autoregressive.wn.gen") is not None
    )


def test_impossible_settings_show_a_sentence():
    at = on_tab(PAGE, "autoregressive.tab", "PixelCNN", autoregressive__px__fk=6)
    assert any("must be odd" in e for e in errors(at)), errors(at)
    at = on_tab(PAGE, "autoregressive.tab", "Architectures", autoregressive__arch=archs.get_arch("wavenet"))
    for value, words in ((0, "at least 1"), (4, "exceeds num_layers"), (9, "multiple of dilation_cycle")):
        at.slider(key="autoregressive.wavenet.tiny.num_layers").set_value(value).run()
        assert not at.exception
        assert any(words in e for e in errors(at)), (value, errors(at))
