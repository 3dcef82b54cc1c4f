"""The Recurrent networks page renders every tab, trains both experiments, and refuses bad input clearly."""

import pytest
import torch
from streamlit.testing.v1 import AppTest

from tests.apptest import app_test, progress
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _page() -> AppTest:
    at = app_test(str(ROOT / "pages/rnn.py"), timeout=240)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_tabs_formulas_graph_and_internals():
    at = _page()
    labels = [t.label for t in at.tabs]
    assert labels[:5] == ["Idea", "Graph", "Summary", "Internals", "Train / Experiments"]
    assert len(at.latex) >= 5
    assert at.selectbox(key="rnn.arch").value.name == "lstm"
    # unrolled graph, layer graph, hidden-state heatmap, gates, gradient flow
    assert len(at.get("plotly_chart")) >= 5
    assert any("Parameters" in m.label for m in at.metric)
    at.select_slider(key="rnn.gf.scale").set_value(6.0).run()
    at.selectbox(key="rnn.gf.nl").set_value("relu").run()
    assert not at.exception
    assert not at.exception


def test_every_architecture_renders_and_impossible_settings_are_explained():
    import archs

    at = _page()
    for spec in archs.list_archs("rnn"):
        at.selectbox(key="rnn.arch").set_value(spec).run()
        assert not at.exception, (spec.name, [e.value for e in at.exception])
    at.selectbox(key="rnn.arch").set_value(archs.get_arch("text_cnn")).run()
    at.number_input(key="rnn.text_cnn.tiny.seq_len").set_value(3).run()
    assert any("widest window" in e.value for e in at.error), [e.value for e in at.error]


def test_memory_experiment_steps_side_by_side():
    at = _page()
    at.select_slider(key="rnn.m.lag").set_value(10).run()
    at.selectbox(key="rnn.m.train.nstep").set_value(10).run()
    at.button(key="rnn.m.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("step 10 /" in t for t in progress(at)), progress(at)
    at.multiselect(key="rnn.m.who").set_value([]).run()
    assert any("at least one cell" in e.value for e in at.error)


def test_dates_translation_with_attention_and_unknown_characters():
    at = _page()
    at.radio(key="rnn.exp").set_value("Dates with attention").run()
    at.selectbox(key="rnn.d.train.nstep").set_value(10).run()
    at.button(key="rnn.d.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("step 10 /" in t for t in progress(at)), progress(at)
    assert any("→" in m.value for m in at.markdown)  # the typed date and its translation
    n_charts = len(at.get("plotly_chart"))
    at.text_input(key="rnn.d.text").input("7 march 2024 ♥").run()
    assert not at.exception
    assert any("never seen the character" in e.value for e in at.error), [e.value for e in at.error]
    assert len(at.get("plotly_chart")) == n_charts - 1  # no alignment for unreadable input


def test_an_impossible_date_is_remarked_on():
    at = _page()
    at.radio(key="rnn.exp").set_value("Dates with attention").run()
    at.text_input(key="rnn.d.text").input("31 February 1999").run()
    assert not at.exception
    assert any("not a real date (February 1999 has 28 days)" in w.value for w in at.warning)
    at.text_input(key="rnn.d.text").input("7 March 2024").run()
    assert not at.warning


def test_every_rendering_of_a_training_date_passes_without_remark():
    import datetime as dt

    from data.sequences import DATE_FORMATS, date_remark, render_date

    days = [dt.date(1950, 1, 1) + dt.timedelta(days=37 * i) for i in range(987)]  # to 2049
    assert all(date_remark(render_date(d, f)) is None for d in days for f in range(len(DATE_FORMATS)))
