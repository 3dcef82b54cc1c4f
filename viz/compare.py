"""Figures of the Compare page: the chosen models' costs side by side, and every canonical model of the
atlas on one map of parameters against mult-adds. Rows (``archs.catalog.cost_row``) in, figures out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE
from viz.summary import human

FAMILY_COLOURS = {  # one colour per family, the same on every chart of the page
    "feedforward": "#495057",
    "cnn": "#1c7ed6",
    "rnn": "#2f9e44",
    "forecasting": "#66a80f",
    "transformer": "#e8590c",
    "autoencoder": "#ae3ec9",
    "gan": "#f03e3e",
    "diffusion": "#0ca678",
}


def family_colour(family: str) -> str:
    return FAMILY_COLOURS.get(family, PALETTE[hash(family) % len(PALETTE)])


def _score(r: dict) -> str:
    return f"<br>{r['score']:g} % {r['benchmark']}<br><i>{r['score_source']}</i>" if r.get("score") else ""


def landscape_figure(rows: Sequence[dict], highlight: Sequence[str] = (), height: int = 560) -> go.Figure:
    """Parameters against mult-adds per example, log-log, one colour per family; the models named in
    ``highlight`` (registry names) are ringed and labelled. Hovering a point gives its input and, where
    the registry cites one, its published score."""
    fig = go.Figure()
    for fam in dict.fromkeys(r["family"] for r in rows):
        rs = [r for r in rows if r["family"] == fam]
        fig.add_trace(
            go.Scatter(
                x=[r["mult_adds"] for r in rs],
                y=[r["params"] for r in rs],
                mode="markers",
                name=rs[0]["family_title"],
                marker=dict(
                    size=[13 if r.get("score") else 10 for r in rs],
                    color=family_colour(fam),
                    symbol=["diamond" if r.get("score") else "circle" for r in rs],
                    line=dict(width=1, color="white"),
                ),
                customdata=[r["name"] for r in rs],
                text=[
                    f"<b>{r['title']}</b> ({r['year']})<br>{human(r['params'])} parameters<br>"
                    f"{human(r['mult_adds'])} mult-adds per example of {r['input']}{_score(r)}"
                    for r in rs
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    picked = [r for r in rows if r["name"] in set(highlight)]
    if picked:
        fig.add_trace(
            go.Scatter(
                x=[r["mult_adds"] for r in picked],
                y=[r["params"] for r in picked],
                mode="markers+text",
                text=[r["title"] for r in picked],
                textposition="top center",
                textfont=dict(size=13, color="#212529"),
                marker=dict(size=22, color="rgba(0,0,0,0)", line=dict(width=2.5, color="#212529")),
                name="compared",
                hoverinfo="skip",
            )
        )
    xs = [r["mult_adds"] for r in rows if r["mult_adds"] > 0]
    ys = [r["params"] for r in rows if r["params"] > 0]
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.16, x=0),
        xaxis=dict(
            type="log",
            title="mult-adds per example (at the model's own input)",
            range=[np.log10(min(xs)) - 0.3, np.log10(max(xs)) + 0.3] if xs else None,
            gridcolor="#eee",
        ),
        yaxis=dict(
            type="log",
            title="parameters",
            range=[np.log10(min(ys)) - 0.3, np.log10(max(ys)) + 0.4] if ys else None,
            gridcolor="#eee",
        ),
    )
    return fig


def cost_bars(rows: Sequence[dict], height: int | None = None) -> go.Figure:
    """The chosen models side by side on three log scales (a tiny model beside a giant stays visible):
    parameters, mult-adds per example and the training-memory estimate; each bar in its family's
    colour, labelled with its value."""
    labels = [r["label"] for r in rows]
    panels = (
        ("parameters", [r["params"] for r in rows], human),
        ("mult-adds / example", [r["mult_adds"] for r in rows], human),
        ("training memory (MB)", [r["train_mb"] for r in rows], lambda v: f"{v:,.1f}"),
    )
    fig = make_subplots(rows=1, cols=3, subplot_titles=[p[0] for p in panels], horizontal_spacing=0.08)
    colours = [family_colour(r["family"]) for r in rows]
    for i, (_, values, fmt) in enumerate(panels, start=1):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=[max(v, 1e-9) for v in values],
                orientation="h",
                marker_color=colours,
                text=[fmt(v) for v in values],
                textposition="auto",
                hovertemplate="%{y}: %{text}<extra></extra>",
                showlegend=False,
            ),
            1,
            i,
        )
        # each bar carries its value: a log axis without tick labels (they crowd within a decade)
        fig.update_xaxes(type="log", showticklabels=False, showgrid=False, row=1, col=i)
        fig.update_yaxes(showticklabels=i == 1, autorange="reversed", row=1, col=i)
    fig.update_layout(
        height=height or 120 + 48 * len(rows),
        margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white",
        bargap=0.25,
    )
    return fig
