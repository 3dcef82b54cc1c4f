"""The Transformers page renders every tab under AppTest, draws attention grids, and answers bad input
with sentences (never a traceback)."""

import pytest
from streamlit.testing.v1 import AppTest

import archs
from tests.apptest import app_test, errors
from tests.conftest import ROOT

PAGE = str(ROOT / "pages/transformers.py")


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = app_test(PAGE, timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_tabs_explainer_and_graph(page):
    labels = [t.label for t in page.tabs]
    for want in (
        "Attention explained",
        "Encoder · decoder · both",
        "Architectures",
        "Graph",
        "Summary",
        "Attention",
        "Train",
    ):
        assert want in labels
    assert page.selectbox(key="tx.arch").value.name == "gpt2_small"
    assert len(page.latex) >= 3
    assert len(page.get("plotly_chart")) >= 25  # explainer heatmaps, masks, graphs, attention grid
    assert not errors(page)


def test_explainer_bad_input_and_causal_mask(page):
    page.text_input(key="tx.ex.text").input("   ").run()
    assert any("empty" in e for e in errors(page))
    page.text_input(key="tx.ex.text").input(
        "one two three four five six seven eight nine ten a b c d e f g"
    ).run()
    assert any("at most 16" in e for e in errors(page))
    page.text_input(key="tx.ex.text").input("the cat sat").run()
    page.toggle(key="tx.ex.causal").set_value(True).run()
    assert not page.exception and not errors(page)


def test_bad_hyperparameters_and_long_text(page):
    page.slider(key="tx.gpt2_small.tiny.num_heads").set_value(3).run()
    assert any("must be divisible by num_heads (3)" in e for e in errors(page))
    page.slider(key="tx.gpt2_small.tiny.num_heads").set_value(4).run()
    page.text_input(key="tx.a.text").input("x" * 80).run()
    assert any("context is 64" in e for e in errors(page))
    page.text_input(key="tx.a.text").input("").run()
    assert any("empty" in e for e in errors(page))
    assert not page.exception


def test_vit_attention_and_canonical_gpt3_graph():
    at = app_test(PAGE, timeout=300)
    at.run()
    at.selectbox(key="tx.arch").set_value(archs.get_arch("vit_b_16")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="tx.arch").value.name == "vit_b_16"
    assert any("input" in str(c.proto.spec) for c in at.get("plotly_chart"))  # the patch overlay
    at.selectbox(key="tx.arch").set_value(archs.get_arch("gpt3")).run()
    at.selectbox(key="tx.gpt3.preset").set_value("canonical").run()
    assert not at.exception
    assert any("too large" in i.value for i in at.info)
    assert any("174,604,259,328" in s.value for s in at.success)


def test_train_tab_steps_and_bad_inputs(page):
    page.button(key="tx.t.char_gpt.step").click().run()
    assert not page.exception, [e.value for e in page.exception]
    assert any("step 1 /" in p.proto.text for p in page.get("progress"))
    assert any("A sample" in m.value for m in page.markdown)
    page.text_input(key="tx.t.prompt").input("naïve").run()
    assert any("no character 'ï'" in e for e in errors(page))
    page.select_slider(key="tx.t.heads").set_value(3).run()
    page.text_input(key="tx.t.prompt").input("The ").run()
    page.button(key="tx.t.char_gpt.step").click().run()
    assert any("divisible by num_heads (3)" in e for e in errors(page))
    page.select_slider(key="tx.t.heads").set_value(4).run()
    for name in ("bert_mlm", "t5_toy", "vit_digits"):
        page.selectbox(key="tx.t.recipe").set_value(name).run()
        page.button(key=f"tx.t.{name}.step").click().run()
        assert not page.exception, (name, [e.value for e in page.exception])
        assert any("step 1 /" in p.proto.text for p in page.get("progress")), name
        if name == "t5_toy":
            page.text_input(key="tx.t.src").input("translate: abc").run()
            assert any("reverse" in e for e in errors(page))
