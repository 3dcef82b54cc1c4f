"""The Mixer & Swin page under AppTest: every tab draws (the Idea's formulas, the untrained Mixer's
token- and channel-mixing weights, Swin's windows block by block, the pyramid, the bias tables, the graph);
ten steps change the drawn bias tables; a window or patch size that does not tile the map is a sentence in
the page, in the labs and in the Architectures form, never a traceback."""

from __future__ import annotations

import numpy as np

from tests.apptest import chart, errors, on_tab, open_page, plotly_values

PAGE = "pages/modern_vision.py"
TABS = ["Idea", "Mixer", "Swin", "Architectures"]


def _tab(tab: str, **state):
    return on_tab(PAGE, "modern_vision.tab", tab, **state)


def _bias(at) -> np.ndarray:
    fig = chart(at, "modern_vision.swin.train.view.bias")
    assert fig is not None and len(fig["data"]) == 3  # three heads in stage 1
    return np.stack([plotly_values(d["z"]) for d in fig["data"]])


def test_every_tab_draws_with_the_untrained_weights_windows_pyramid_and_bias():
    at = open_page(PAGE, timeout=300)
    assert set(TABS) | {"Graph", "Summary"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 3
    assert at.selectbox(key="modern_vision.arch").value.name == "swin_t"
    token = chart(at, "modern_vision.mixer.train.view.token")
    assert token is not None and plotly_values(token["data"][0]["z"]).shape[1] > 8
    assert chart(at, "modern_vision.mixer.train.view.channel") is not None
    windows = chart(at, "modern_vision.swin.windows")
    assert len(windows["data"]) == 2 * 4  # the digit and its windows, for each of the four blocks
    assert chart(at, "modern_vision.swin.pyramid") is not None
    assert _bias(at).shape == (3, 3, 3)  # 3 heads, (2·2 − 1)² offsets
    assert not errors(at)


def _open(at, tab: str, **state):
    at.query_params["modern_vision.tab"] = tab
    at.session_state["modern_vision.tab"] = tab
    for k, v in state.items():
        at.session_state[k.replace("__", ".")] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_ten_steps_change_the_bias_and_sizes_that_do_not_tile_the_map_are_sentences():
    at = _tab("Swin")
    before = _bias(at)
    at.selectbox(key="modern_vision.swin.train.nstep").set_value(10).run()
    at.button(key="modern_vision.swin.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not np.allclose(_bias(at), before)
    at.select_slider(key="modern_vision.swin.window").set_value(3).run()
    assert any("window_size (3) does not divide stage 1's 4×4 map" in e for e in errors(at)), errors(at)
    at.select_slider(key="modern_vision.swin.window").set_value(2).run()
    at.select_slider(key="modern_vision.swin.patch").set_value(3).run()
    assert any("patch_size (3) must divide image_size (16)" in e for e in errors(at)), errors(at)
    _open(at, "Mixer", modern_vision__mixer__patch=3)
    assert any("patch_size (3) must divide image_size (16)" in e for e in errors(at)), errors(at)
    _open(at, "Architectures", modern_vision__swin_t__tiny__window_size=5)
    assert any("window_size (5) does not divide" in e for e in errors(at)), errors(at)
