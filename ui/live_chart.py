"""Live charts that redraw in place while a model trains.

``st.plotly_chart`` names a chart by its key *and its figure*, and the browser draws a new figure only
in a new chart element: a live view whose figure changes at every tick is thrown away and mounted afresh
at every tick, and is blank until Plotly has drawn it again. Measured in Chromium on the Playground: the
decision boundary was unpainted in 57 % of the samples taken while training on a loaded 2-core machine.

Here a live chart is a small ``st.components.v2`` component (``ui/live_plot/live_plot.js``), mounted in the
page itself (no frame) under its key: it stays mounted, and hands each new figure to ``Plotly.react``,
which redraws in place; the last drawing stays on screen until the next is ready. Plotly.js is the
plotly package's own ``plotly.min.js``, loaded once per page from a folder that Streamlit serves (a
components.v1 path, used only for that file).

``plotly_chart`` (ui/charts.py) sends a keyed chart here while ``live()`` is in effect: the training
panel turns it on around the views it redraws while a job runs. Every other chart stays a plain
``st.plotly_chart`` (selections, AppTest's chart protos).
"""

from __future__ import annotations

import contextlib
import contextvars
import shutil
import tempfile
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit.components.v1 as components_v1
import streamlit.components.v2 as components_v2
from _plotly_utils.utils import convert_to_base64  # plotly's own, as go.Figure.to_dict uses it

_JS = Path(__file__).parent / "live_plot" / "live_plot.js"
_PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_LIVE = contextvars.ContextVar("archatlas_live_charts", default=False)
_component = None
_src = ""

# What Streamlit's own chart theme sets, so that a chart looks the same while it trains and after.
_COLORWAY = [
    "#0068c9",
    "#83c9ff",
    "#ff2b2b",
    "#ffabab",
    "#29b09d",
    "#7defa1",
    "#ff8700",
    "#ffd16a",
    "#6d3fc0",
]
_GRID = "#e6eaf1"
DEFAULT_HEIGHT = 450


@contextlib.contextmanager
def live():
    """Within this block, keyed charts redraw in place instead of being replaced."""
    token = _LIVE.set(True)
    try:
        yield
    finally:
        _LIVE.reset(token)


def is_live() -> bool:
    return _LIVE.get()


def _plotly_folder() -> Path:
    """A folder holding a copy of the plotly package's plotly.min.js, named by its version (the
    repository holds no copy of plotly.js)."""
    folder = Path(tempfile.gettempdir()) / f"archatlas-plotly-{plotly.__version__}"
    if not (folder / "plotly.min.js").exists():
        part = Path(tempfile.mkdtemp(prefix="archatlas-plotly-"))
        shutil.copy(_PLOTLY_JS, part / "plotly.min.js")
        try:
            part.rename(folder)
        except OSError:  # another process made it first
            shutil.rmtree(part, ignore_errors=True)
    return folder


def themed(fig: go.Figure | dict) -> dict:
    """The figure as a plain dict, with Streamlit's chart look where the figure does not set its own
    (``fig``: a figure, or its plain JSON, which is not changed)."""
    if isinstance(fig, go.Figure):
        spec = fig.to_plotly_json()
    else:  # as go.Figure does: numeric arrays travel as typed arrays (base64), not as lists of numbers
        spec = copy_spec(fig)
        convert_to_base64(spec)
    layout = spec.setdefault("layout", {})
    # Streamlit's template holds placeholder colours (#000011, ...) that only its own chart element
    # replaces: drop it and use Plotly's plain defaults with the settings below
    layout.pop("template", None)
    layout.setdefault("height", DEFAULT_HEIGHT)
    layout.setdefault("paper_bgcolor", "rgba(0,0,0,0)")
    layout.setdefault("plot_bgcolor", "rgba(0,0,0,0)")
    layout.setdefault("colorway", _COLORWAY)
    font = layout.setdefault("font", {})
    font.setdefault("family", "inherit")  # the page's font
    font.setdefault("color", "#31333F")
    font.setdefault("size", 12)
    layout.setdefault("uirevision", "keep")  # zoom and hidden legend entries survive each redraw
    for key in [k for k in layout if k.startswith(("xaxis", "yaxis"))] or ["xaxis", "yaxis"]:
        axis = layout.setdefault(key, {})
        if isinstance(axis, dict):
            axis.setdefault("automargin", True)  # tick labels never cut (Streamlit's theme does the same)
            axis.setdefault("gridcolor", _GRID)
            axis.setdefault("zerolinecolor", _GRID)
    return spec


def copy_spec(node: Any) -> Any:
    """A copy of a figure's plain JSON whose dicts and lists are new (arrays and values are shared)."""
    if isinstance(node, dict):
        return {k: copy_spec(v) for k, v in node.items()}
    if isinstance(node, list):
        return [copy_spec(v) for v in node]
    return node


def live_chart(fig: go.Figure | dict, key: str, config: dict | None = None) -> None:
    """Draw ``fig`` in the live chart called ``key``: mounted once, redrawn in place after that.
    ``config`` is Plotly's (the camera button's format and file name: ``ui.charts.image_config``)."""
    global _component, _src
    if _component is None:
        served = components_v1.declare_component("plotly_js", path=str(_plotly_folder()))
        _src = f"component/{served.name}/plotly.min.js"  # Streamlit serves the folder at /component/<name>/
        _component = components_v2.component("archatlas_live_plot", js=_JS.read_text(), isolate_styles=False)
    spec = themed(fig)
    height = int(spec["layout"]["height"])
    _component(
        key=key,
        # relative to the page, so that it also holds behind a proxy's path prefix
        data={
            "spec": pio.to_json(spec, validate=False),
            "height": height,
            "src": _src,
            "config": config or {},
        },
        height=height,
    )
