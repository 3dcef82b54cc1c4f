"""Every Plotly chart of the app goes through ``plotly_chart``: ``st.plotly_chart`` that, in presenter mode,
draws the figure with all its text larger.

Plotly sizes its text in pixels inside the figure, so the page-wide CSS that enlarges the rest of the app
in presenter mode (``ui/style.py``) cannot reach it. ``scale_text`` makes every text size of a figure
explicit and multiplies it: the base font, the title, axis tick labels and titles, legends, hover labels,
colour bars, annotations (subplot titles included) and the text drawn on traces. The unset sizes start
from what Streamlit's chart theme uses (12 px for text and ticks, 14 px for axis titles, 16 px for the
title). Heights and explicit margins grow by the same factor, so the plot keeps its share of the figure.
The figure passed in is never changed (figures may be cached and shared between sessions).
"""

from __future__ import annotations

import re
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ui import live_chart, state
from ui.live_chart import copy_spec
from ui.style import PRESENTER_SCALE

BASE_FONT, AXIS_TITLE_FONT, TITLE_FONT = 12, 14, 16
_SUBSCRIPTS = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_AXIS = re.compile(r"^[xy]axis\d*$")
_COLORBAR_TRACES = {"heatmap", "contour", "histogram2d", "histogram2dcontour", "surface", "choropleth"}


def plotly_chart(fig: go.Figure | dict, **kwargs: Any):
    """``st.plotly_chart(fig, **kwargs)``, with every text of the figure enlarged in presenter mode.
    ``fig`` may also be a figure's plain JSON (a dict): a live view built that way skips plotly's
    validating objects, which cost more of the server's time per tick than the rest of the view."""
    if live_chart.is_live() and kwargs.get("key") and not kwargs.get("on_select"):
        spec = scale_spec(fig, PRESENTER_SCALE) if state.presenter() else fig
        return live_chart.live_chart(spec, kwargs["key"], image_config(kwargs["key"]))  # redrawn in place
    if isinstance(fig, dict):
        fig = go.Figure(fig)
    if state.presenter():
        fig = scale_text(fig, PRESENTER_SCALE)
    kwargs["config"] = {**image_config(kwargs.get("key")), **(kwargs.get("config") or {})}
    return st.plotly_chart(fig, **kwargs)


def image_config(key: str | None, fmt: str | None = None) -> dict:
    """Plotly's modebar camera saves the chart, named after it, in the sidebar's format (``fmt`` if
    given): a PNG at twice the screen's resolution (sharp on a slide), or an SVG."""
    name = re.sub(r"[^\w.-]+", "_", str(key or "chart")).strip("_") or "chart"
    fmt = fmt or state.figure_format()
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": fmt,
            "scale": 2 if fmt == "png" else 1,
            "filename": f"archatlas_{name}",
        },
    }


def subscript(symbol: str, index: object) -> str:
    """``symbol`` with ``index`` as a subscript, for chart text (Plotly shows no LaTeX): Unicode subscript
    characters where all exist (x₀, xₜ, x₂₀₀), else Plotly's ``<sub>`` markup (W<sub>Q</sub>)."""
    text = str(index)
    small = text.translate(_SUBSCRIPTS)
    if all(c != o or not c.strip() for c, o in zip(small, text, strict=True)):
        return symbol + small
    return f"{symbol}<sub>{text}</sub>"


def scale_text(fig: go.Figure, factor: float) -> go.Figure:
    """A copy of ``fig`` whose every text size (set or inherited) is ``factor`` times larger."""
    return go.Figure(scale_spec(fig, factor))


def scale_spec(fig: go.Figure | dict, factor: float) -> dict:
    """``scale_text`` as a figure's plain JSON (``fig``: a figure or its JSON, which is not changed)."""
    spec = copy_spec(fig) if isinstance(fig, dict) else fig.to_plotly_json()
    layout = spec.setdefault("layout", {})
    _scale_fonts(spec, factor)
    _default_size(layout, "font", BASE_FONT * factor)
    _default_size(layout.setdefault("title", {}), "font", TITLE_FONT * factor)
    _default_size(layout.setdefault("legend", {}), "font", BASE_FONT * factor)
    _default_size(layout["legend"].setdefault("title", {}), "font", BASE_FONT * factor)
    _default_size(layout.setdefault("hoverlabel", {}), "font", BASE_FONT * factor)
    for key in {"xaxis", "yaxis", *(k for k in layout if _AXIS.match(k))}:
        axis = layout.setdefault(key, {})
        _default_size(axis, "tickfont", BASE_FONT * factor)
        _default_size(axis.setdefault("title", {}), "font", AXIS_TITLE_FONT * factor)
    for key in (k for k in layout if k.startswith("coloraxis")):
        _colorbar(layout[key].setdefault("colorbar", {}), factor)
    for trace in spec.get("data", []):
        if trace.get("type") in _COLORBAR_TRACES:
            _colorbar(trace.setdefault("colorbar", {}), factor)
        marker = trace.get("marker")
        if isinstance(marker, dict) and ("colorbar" in marker or marker.get("showscale")):
            _colorbar(marker.setdefault("colorbar", {}), factor)
    if isinstance(layout.get("height"), (int, float)):
        layout["height"] = round(layout["height"] * factor)
    margin = layout.get("margin")
    if isinstance(margin, dict):
        for side in ("l", "r", "t", "b", "pad"):
            if isinstance(margin.get(side), (int, float)):
                margin[side] = round(margin[side] * factor)
    return spec


def _colorbar(bar: dict, factor: float) -> None:
    _default_size(bar, "tickfont", BASE_FONT * factor)
    _default_size(bar.setdefault("title", {}), "font", AXIS_TITLE_FONT * factor)


def _default_size(parent: dict, key: str, size: float) -> None:
    """Give ``parent[key]`` (a font) a size where it has none; sizes already there were scaled."""
    font = parent.setdefault(key, {})
    if font.get("size") is None:
        font["size"] = round(size, 1)


def _scale_fonts(node: Any, factor: float) -> None:
    """Multiply the size of every font (any key that ends in ``font``) found anywhere in ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and value.get("size") is not None:
                size = value["size"]
                many = isinstance(size, (list, tuple))
                value["size"] = [round(s * factor, 1) for s in size] if many else round(size * factor, 1)
            _scale_fonts(value, factor)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _scale_fonts(item, factor)
