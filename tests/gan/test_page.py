"""The GANs page under AppTest: every tab renders, the 2-D lab is drawn and steps, bad input is explained."""

import json

from streamlit.testing.v1 import AppTest

import archs
from tests.apptest import app_test
from tests.conftest import ROOT


def _page() -> AppTest:
    at = app_test(str(ROOT / "pages/gans.py"), timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _lab_drawn(at: AppTest) -> bool:
    return any(
        '"generated samples"' in c.proto.spec and '"D(x)"' in c.proto.spec for c in at.get("plotly_chart")
    )


def test_gans_page_tabs_lab_and_bad_input():
    at = _page()
    labels = [t.label for t in at.tabs]
    assert {"Idea", "2-D lab", "Images", "Image-to-image", "Architectures", "Graph", "Summary"} <= set(labels)
    assert len(at.latex) >= 5
    assert _lab_drawn(at), "the 2-D lab (points, D's heatmap) is drawn before training"
    assert any("Modes covered" in m.label for m in at.metric)

    at.button(key="gan.lab.train.step").click().run()  # one step of the lab, drawn again
    assert not at.exception
    assert any("step 1 /" in p.proto.text for p in at.get("progress"))
    assert _lab_drawn(at)

    at.number_input(key="gan.lab.lr").set_value(0.0).run()
    at.number_input(key="gan.lab.kd").set_value(0).run()
    at.number_input(key="gan.lab.kg").set_value(0).run()
    at.number_input(key="gan.lab.zdim").set_value(0).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "learning rate must be positive" in errors
    assert "noise dimension must be at least 1" in errors
    assert "$k_D = k_G = 0$" in errors


def test_architectures_tab_shows_both_players_and_stylegan_internals():
    at = _page()
    at.selectbox(key="gan.arch").set_value(archs.get_arch("cyclegan")).run()
    assert not at.exception
    at.selectbox(key="gan.img.arch").set_value("stylegan").run()
    assert not at.exception
    assert any("Layers from A" in s.label for s in at.slider)
    at.selectbox(key="gan.img.arch").set_value("sagan").run()
    assert not at.exception and any("γ =" in c.value for c in at.caption)


def test_the_labs_show_pills_hide_and_show_layers():
    """The layers are pills (they wrap in a narrow column, where a multiselect's chips overflowed at
    1024 px): hiding D's output removes the heatmap from the lab's picture."""
    at = _page()
    pills = at.button_group(key="gan.lab.show")
    assert set(pills.value) == {"heat", "real", "fake", "grid", "arrows"}
    before = next(
        json.loads(c.proto.spec) for c in at.get("plotly_chart") if '"generated samples"' in c.proto.spec
    )
    assert "heatmap" in [t.get("type") for t in before["data"]]
    pills.set_value(["real", "fake"]).run()
    assert not at.exception
    spec = next(
        json.loads(c.proto.spec) for c in at.get("plotly_chart") if '"generated samples"' in c.proto.spec
    )
    types = [t.get("type") for t in spec["data"]]
    assert "heatmap" not in types and "contour" not in types, types  # D's output is gone
    assert any(t.get("name") == "generated samples" for t in spec["data"])
