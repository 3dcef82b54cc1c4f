"""The Forecasting page under AppTest: every tab renders; training, comparison, sweep and uploads work
through the page; bad input shows a sentence, never a traceback."""

import json

import pytest
import torch
from streamlit.testing.v1 import AppTest

import archs
from tests.apptest import app_test, poll
from tests.conftest import ROOT

PAGE = str(ROOT / "pages/forecasting.py")


@pytest.fixture(autouse=True)
def one_thread():
    """A loaded 2-core machine runs these small models far faster on one intra-op thread."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture
def at() -> AppTest:
    at = app_test(PAGE, timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe]


def _has_table(at: AppTest, row: str) -> bool:
    return any(row in list(getattr(df, "index", [])) or row in str(df) for df in _frames(at))


def test_every_tab_renders(at):
    labels = [t.label for t in at.tabs]
    assert labels == [
        "Idea",
        "Data",
        "Architectures",
        "Graph",
        "Summary",
        "Internals",
        "Train",
        "Compare",
        "Sweep",
    ]
    assert len(at.latex) >= 6  # Idea: the forecasting map, AR, LSTM, attention, metrics
    assert at.selectbox(key="fc.arch").value.name == "forecast_lstm"
    assert len(at.get("plotly_chart")) >= 2  # the series (Data) and the layer graph (Graph)
    assert any("Parameters" == m.label for m in at.metric)  # Summary
    assert at.slider(key="fc.i.idx").max == 120  # Internals: one of the 120 test windows
    assert any("hidden state hₜ" in str(json.loads(c.proto.spec)) for c in at.get("plotly_chart"))
    assert at.button(key="fc.train.play").label == "Train"  # Train
    assert at.button(key="fc.c.run").label == "Run comparison"  # Compare
    assert at.button(key="fc.w.run").label == "Run sweep"  # Sweep
    assert not at.error


def test_price_series_shows_candlesticks_and_fixes_four_inputs_and_outputs(at):
    at.selectbox(key="fc.d.series").set_value("price").run()
    assert not at.exception and not at.error
    # dictated by the data, not editable (a label may break after an underscore: a zero-width space)
    fixed = {s.label.replace("\u200b", ""): s for s in at.slider if s.disabled}
    assert fixed["in_features"].value == 4 and fixed["num_outputs"].value == 4
    assert any("candlestick" in str(c.proto.spec) for c in at.get("plotly_chart"))


def test_train_tab_steps_and_draws_the_forecast(at):
    at.selectbox(key="fc.train.nstep").set_value(10).run()
    at.button(key="fc.train.step").click().run()
    assert not at.exception
    assert any("step 10 / 600" in p.proto.text for p in at.get("progress"))
    assert _has_table(at, "model being trained") and _has_table(at, "persistence (last value)")
    at.run()  # the Internals tab (drawn before Train) picks up the new job on the next run
    assert any("Weights of the model trained in the Train tab" in c.value for c in at.caption)


def test_compare_runs_queued_models_and_tabulates_them(at):
    at.multiselect(key="fc.c.models").set_value(["forecast_linear_ar", "forecast_gru"]).run()
    at.select_slider(key="fc.c.steps").set_value(50).run()
    at.button(key="fc.c.run").click().run()
    gru, ar = "GRU forecaster", "Linear autoregression (AR)"  # models are named by title, not registry name
    at = poll(at, lambda a: _has_table(a, gru) and _has_table(a, ar), timeout=90)
    df = next(df for df in _frames(at) if gru in list(getattr(df, "index", [])))
    assert list(df.columns) == ["RMSE", "MSE", "MAE", "MAPE"]
    assert list(df.index) == ["persistence (last value)", ar, gru]
    assert (df["RMSE"] ** 2 - df["MSE"]).abs().max() < 1e-9


def test_sweep_plots_the_metric_against_the_value(at):
    at.selectbox(key="fc.w.arch").set_value("forecast_linear_ar").run()
    at.selectbox(key="fc.w.hp").set_value("lr").run()
    at.text_input(key="fc.w.vals.forecast_linear_ar.lr").input("0.001, 0.01, 0.03").run()
    at.select_slider(key="fc.w.steps").set_value(50).run()
    at.button(key="fc.w.run").click().run()
    at = poll(at, lambda a: any("Lowest test RMSE at lr" in c.value for c in a.caption), timeout=90)
    df = next(df for df in _frames(at) if "lr" in getattr(df, "columns", []))
    assert sorted(df["lr"]) == [0.001, 0.01, 0.03]


def test_sweep_needs_three_to_five_numbers(at):
    key = "fc.w.vals.forecast_lstm.lr"
    at.text_input(key=key).input("0.001, 0.01").run()
    assert any("3 to 5 values" in e.value for e in at.error)
    at.text_input(key=key).input("0.001, fast, 0.1").run()
    assert any("numbers separated by commas" in e.value for e in at.error)
    assert at.button(key="fc.w.run").disabled
    for bad in ("-1, 0.01, 0.1", "0, 0.01, 0.1", "1e11, 0.01, 0.1", "inf, 0.01, 0.1"):
        at.text_input(key=key).input(bad).run()
        assert any("Every value of lr must lie between" in e.value for e in at.error), bad
        assert at.button(key="fc.w.run").disabled


def test_model_pickers_show_titles(at):
    assert at.selectbox(key="fc.w.arch").format_func("forecast_lstm") == "LSTM forecaster"
    assert "GRU forecaster" in at.multiselect(key="fc.c.models").options


def test_bad_window_or_horizon_shows_a_sentence(at):
    at.number_input(key="fc.d.window").set_value(1500).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("The window (1500 steps) is longer than the series (800 points)" in e for e in errors), errors
    assert any("Fix the data settings" in i.value for i in at.info)
    at.number_input(key="fc.d.window").set_value(48).run()
    at.number_input(key="fc.d.horizon").set_value(0).run()
    assert not at.exception
    assert any("The horizon must be at least 1 step (got 0)" in e.value for e in at.error)


def _upload(at: AppTest, body: bytes, name: str = "mine.csv") -> AppTest:
    if at.selectbox(key="fc.d.series").value != "upload":
        at.selectbox(key="fc.d.series").set_value("upload").run()
    at.get("file_uploader")[0].set_value((name, body, "text/csv"))
    return at.run()


BAD_UPLOADS = [
    (b"day,sales\n" + b"".join(b"d,%d\n" % i for i in range(50)) + b"d,lots\n", "text ('lots') in row 51"),
    (b"day,sales\nmonday,12\n", "has 1 row; at least 30"),
    (b"day,city\nmonday,paris\n", "no numeric column"),
]


def test_uploaded_csv_is_forecast_and_bad_files_are_refused(at):
    rows = "\n".join(f"2024-{i // 28 + 1:02d}-{i % 28 + 1:02d},{20 + (i % 7)}" for i in range(200))
    at = _upload(at, f"day,sales\n{rows}".encode())
    assert not at.exception and not at.error
    assert at.selectbox(key="fc.d.col").value == "sales"
    assert "uploaded: sales" in str(at.get("plotly_chart")[0].proto.spec)
    for body, message in BAD_UPLOADS:
        at = _upload(at, body)
        assert not at.exception
        assert any(message in e.value for e in at.error), (message, [e.value for e in at.error])


def test_attention_and_ar_coefficients_are_drawn(at):
    for name, title in (
        ("forecast_transformer", "attention (mean over heads)"),
        ("forecast_linear_ar", "AR coeff"),
    ):
        at.selectbox(key="fc.arch").set_value(archs.get_arch(name)).run()
        assert not at.exception and not at.error
        assert any(title in str(c.proto.spec) for c in at.get("plotly_chart")), name


def test_a_csv_with_bad_cells_says_why_and_does_not_default_to_the_row_counter(at):
    """An index column and a value column with an infinite and an empty cell: the picker does not quietly
    offer the index; it says what is wrong with each column, and choosing the value column is refused
    with the row of the bad cell."""
    rows = "\n".join(f"{i},{'inf' if i == 5 else '' if i == 9 else 20 + i % 7}" for i in range(60))
    at = _upload(at, f"t,value\n{rows}".encode())
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "**t**: counts up by 1 from 0, like a row number" in captions, captions
    assert "1 empty cell (row 10)" in captions and "1 infinite value (row 6)" in captions, captions
    assert at.selectbox(key="fc.d.col").value == "value"  # the column one would forecast, not the counter
    assert any("row 10" in e.value or "infinite" in e.value for e in at.error), [e.value for e in at.error]
