"""Charts in presenter mode (ui/charts.py): every text size of a figure grows, the figure passed in stays
as it was, a page's chart really reaches the browser larger, and every chart of ui/ and pages/ goes through
the wrapper."""

from __future__ import annotations

import json
import re

import plotly
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tests.apptest import open_page
from tests.conftest import ROOT
from ui import state
from ui.charts import AXIS_TITLE_FONT, BASE_FONT, TITLE_FONT, scale_text, subscript
from ui.style import PRESENTER_SCALE

# Modules other work is changing right now; they switch to ui.charts.plotly_chart with their owners.
PENDING: set[str] = set()  # every page draws its charts through ui.charts.plotly_chart


def _figure() -> go.Figure:
    fig = make_subplots(1, 2, subplot_titles=("left", "right"))  # subplot titles: annotations, size 16
    fig.add_trace(go.Scatter(x=[0, 1], y=[1, 0], text=["a", "b"], textfont=dict(size=10)), 1, 1)
    fig.add_trace(go.Heatmap(z=[[0, 1], [1, 0]]), 1, 2)
    fig.update_layout(
        title=dict(text="t", font=dict(size=13)), height=300, margin=dict(l=10, r=20, t=36, b=10)
    )
    fig.update_xaxes(title="x")
    return fig


def test_scale_text_enlarges_every_text_of_a_figure():
    fig = _figure()
    before = fig.to_plotly_json()
    big = scale_text(fig, 1.5).to_plotly_json()
    lay = big["layout"]
    assert lay["font"]["size"] == BASE_FONT * 1.5
    assert lay["title"]["font"]["size"] == 13 * 1.5  # an explicit size is scaled
    assert lay["legend"]["font"]["size"] == BASE_FONT * 1.5
    assert lay["hoverlabel"]["font"]["size"] == BASE_FONT * 1.5
    for axis in ("xaxis", "xaxis2", "yaxis", "yaxis2"):
        assert lay[axis]["tickfont"]["size"] == BASE_FONT * 1.5
        assert lay[axis]["title"]["font"]["size"] == AXIS_TITLE_FONT * 1.5
    assert [a["font"]["size"] for a in lay["annotations"]] == [16 * 1.5, 16 * 1.5]
    assert big["data"][0]["textfont"]["size"] == 10 * 1.5
    assert big["data"][1]["colorbar"]["tickfont"]["size"] == BASE_FONT * 1.5
    assert lay["height"] == 450 and lay["margin"] == dict(l=15, r=30, t=54, b=15)
    assert fig.to_plotly_json() == before  # the caller's (maybe cached) figure is untouched


def test_scale_text_sets_a_title_size_even_when_the_figure_has_none():
    lay = scale_text(go.Figure(go.Bar(y=[1, 2])), 2.0).to_plotly_json()["layout"]
    assert lay["title"]["font"]["size"] == TITLE_FONT * 2.0 and "height" not in lay


def test_subscript_uses_unicode_where_it_exists_else_sub_markup():
    assert subscript("x", 0) == "x₀" and subscript("x", 250) == "x₂₅₀" and subscript("x", "t") == "xₜ"
    assert subscript("W", "Q") == "W<sub>Q</sub>"


def _fonts(at) -> list[float | None]:
    sizes = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if any(t.get("name") == "sigmoid" for t in spec["data"]):  # the Idea tab's activation curves
            sizes.append(spec["layout"].get("font", {}).get("size"))
    return sizes


def test_presenter_mode_enlarges_a_page_charts():
    at = open_page("pages/feedforward.py")
    assert _fonts(at) == [None]  # Streamlit's theme default (12 px)
    at.session_state[state.PRESENTER] = True
    at.run()
    assert not at.exception
    assert _fonts(at) == [BASE_FONT * PRESENTER_SCALE]


def test_every_chart_goes_through_the_presenter_wrapper():
    direct = re.compile(r"\bst\.plotly_chart\(|\b\w+(\[[^\]]*\])?\.plotly_chart\(")
    offenders = []
    for path in sorted([*ROOT.glob("ui/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "ui/charts.py" or rel in PENDING:
            continue
        offenders += [
            f"{rel}:{i}" for i, line in enumerate(path.read_text().splitlines(), 1) if direct.search(line)
        ]
    assert not offenders, "use ui.charts.plotly_chart (presenter mode) instead of st.plotly_chart: " + str(
        offenders
    )


def _live_script():
    import plotly.graph_objects as go
    import streamlit as st

    from ui.charts import plotly_chart
    from ui.live_chart import live

    y = st.session_state.setdefault("y", 1)
    with live():
        plotly_chart(go.Figure(go.Scatter(y=[0, y])), key="t.live")
    plotly_chart(go.Figure(go.Scatter(y=[0, y])), key="t.plain")


def test_a_live_chart_keeps_its_identity_while_its_figure_changes():
    """Streamlit names a plain chart by its figure, so a new figure is a new element that the browser
    mounts afresh (blank until drawn); a live chart is named by its key alone and gets the new figure."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_live_script).run()
    live, plain = at.main.children[0].proto, at.main.children[1].proto
    at.session_state["y"] = 2
    at.run()
    live2, plain2 = at.main.children[0].proto, at.main.children[1].proto
    assert not at.exception
    assert live2.component_name == "archatlas_live_plot"
    assert live2.id == live.id and live2.id.endswith("t.live")

    def shown(proto) -> list:
        return json.loads(json.loads(proto.json)["spec"])["data"][0]["y"]

    assert shown(live) == [0, 1] and shown(live2) == [0, 2]
    assert plain2.id != plain.id  # why the live charts exist: a plain chart's name follows its figure


def test_live_charts_drop_streamlit_placeholder_template_but_keep_the_figure_settings():
    from ui.live_chart import themed

    fig = go.Figure(go.Scatter(y=[1, 2]))
    fig.update_layout(height=300, font=dict(size=20))
    spec = themed(fig)
    assert "#0000" not in json.dumps(spec)  # Streamlit's template colours are placeholders only it fills
    assert spec["layout"]["height"] == 300 and spec["layout"]["font"]["size"] == 20
    assert spec["layout"]["xaxis"]["automargin"] and spec["layout"]["uirevision"]
    assert fig.layout.template is not None and fig.to_plotly_json()["layout"].get("uirevision") is None


def test_every_chart_saves_a_sharp_png_or_an_svg_named_after_it():
    from ui.charts import image_config

    cfg = image_config("cnn.family chart", "png")
    want = {"format": "png", "scale": 2, "filename": "archatlas_cnn.family_chart"}
    assert cfg["toImageButtonOptions"] == want
    assert image_config(None, "png")["toImageButtonOptions"]["filename"] == "archatlas_chart"
    assert image_config("x", "svg")["toImageButtonOptions"] == {
        "format": "svg",
        "scale": 1,
        "filename": "archatlas_x",
    }


def test_the_sidebars_chart_format_reaches_every_chart_of_the_page():
    from tests.apptest import app_test
    from ui.state import FIGURE_FORMAT

    at = app_test("pages/feedforward.py")
    at.session_state[FIGURE_FORMAT] = "SVG"
    at.run()
    assert not at.exception
    configs = [json.loads(c.proto.config) for c in at.get("plotly_chart")]
    assert configs and all(c["toImageButtonOptions"]["format"] == "svg" for c in configs)
    at.session_state[FIGURE_FORMAT] = "PNG"
    at.run()
    assert all(
        json.loads(c.proto.config)["toImageButtonOptions"]["scale"] == 2 for c in at.get("plotly_chart")
    )


def test_a_live_chart_takes_a_figures_plain_json_and_never_changes_it():
    """The live training panel sends its curves as plain JSON (viz.curves.training_curves_spec): themed and
    presenter-scaled, it must draw as the same go.Figure would (numeric arrays as base64 typed arrays too),
    and leave the caller's dict as it was."""
    import copy

    from ui.charts import scale_spec
    from ui.live_chart import themed
    from viz.curves import training_curves, training_curves_spec

    hist = [{"step": i, "loss": 1 / (i + 1)} for i in range(60)]
    for r in hist[::20]:
        r.update(test_loss=0.5, train_loss=0.4, test_acc=0.8, train_acc=0.9)
    spec = training_curves_spec({"run": hist})
    before = copy.deepcopy(spec)
    fig = training_curves({"run": hist})
    as_json = json.loads(json.dumps(themed(spec), cls=plotly.utils.PlotlyJSONEncoder))
    assert as_json == json.loads(json.dumps(themed(fig), cls=plotly.utils.PlotlyJSONEncoder))
    big = json.loads(json.dumps(themed(scale_spec(spec, 1.5)), cls=plotly.utils.PlotlyJSONEncoder))
    assert big == json.loads(json.dumps(themed(scale_spec(fig, 1.5)), cls=plotly.utils.PlotlyJSONEncoder))
    assert big["layout"]["height"] == round(1.5 * spec["layout"]["height"])
    assert "bdata" in as_json["data"][0]["x"]
    assert json.dumps(spec, cls=plotly.utils.PlotlyJSONEncoder) == json.dumps(
        before, cls=plotly.utils.PlotlyJSONEncoder
    )
