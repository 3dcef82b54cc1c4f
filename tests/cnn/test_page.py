"""The CNN page under AppTest: every tab renders, the explainer refuses bad settings with a sentence,
and another architecture (with concatenations) draws its graph and receptive field."""

import pytest
from streamlit.testing.v1 import AppTest

import archs
from tests.apptest import app_test
from tests.conftest import ROOT

PAGE = str(ROOT / "pages/cnn.py")


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = app_test(PAGE, timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_tab_renders(page):
    labels = [t.label for t in page.tabs]
    expected = [
        "Idea",
        "Convolution",
        "Architectures",
        "Degradation",
        "Family chart",
        "Graph",
        "Summary",
        "Receptive field",
        "Train",
        "Internals",
    ]
    assert set(expected) <= set(labels), labels
    assert len(page.latex) >= 6  # convolution, layer, pooling, residual, compound scaling, output size
    assert page.selectbox(key="cnn.arch").value.name == "resnet18"
    assert page.button(key="cnn.train.play").label == "Train"
    assert page.button(key="cnn.deg.play").label == "Train"
    assert len(page.get("plotly_chart")) >= 10  # explainer, graph, RF, filters, maps, attributions, family
    assert not page.error


def test_bad_explainer_settings_show_sentences(page):
    page.number_input(key="cnn.x.stride").set_value(0).run()
    assert not page.exception
    assert any("stride must be at least 1" in e.value for e in page.error)
    page.number_input(key="cnn.x.stride").set_value(1)
    page.number_input(key="cnn.x.pad").set_value(0)
    page.selectbox(key="cnn.x.kernel").set_value("blur (Gaussian 5×5)")
    page.number_input(key="cnn.x.dil").set_value(8).run()
    assert not page.exception
    errors = [e.value for e in page.error]
    assert len(errors) == 1 and "padded input is only 28×28" in errors[0], errors
    page.number_input(key="cnn.x.dil").set_value(1)  # back to a valid setting for the next test


def test_impossible_config_then_another_architecture(page):
    page.text_input(key="cnn.resnet18.tiny.layers").input("2, 2, 2").run()
    assert not page.exception
    assert any("four stages" in e.value for e in page.error)
    page.text_input(key="cnn.resnet18.tiny.layers").input("1, 1, 1, 1")
    page.selectbox(key="cnn.arch").set_value(archs.get_arch("googlenet")).run()
    assert not page.exception, [e.value for e in page.exception]
    assert page.selectbox(key="cnn.arch").value.name == "googlenet"
    assert not page.error
    assert any("traced with torch.fx" in c.value for c in page.caption)  # the graph of the new choice


def test_cnn_page_rerun_reuses_attributions_until_the_digit_changes(monkeypatch):
    import ui.cnn.panels as panels

    calls = []
    real = panels.attribute

    def counting(*args, **kw):
        calls.append(args[2])
        return real(*args, **kw)

    monkeypatch.setattr(panels, "attribute", counting)
    at = app_test(str(ROOT / "pages/cnn.py"), timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    first = len(calls)
    assert first == len(panels.METHODS)
    at.run()  # nothing changed: nothing recomputed, the same figure drawn
    assert len(calls) == first
    at.slider(key="cnn.int.idx").set_value(3).run()
    assert not at.exception
    assert len(calls) == 2 * first
