"""The Timeline's figure: every registered architecture as a point at its paper's year, one band per
family. Rows (name, title, family, family_title, year, paper) in, a Plotly figure out; each point carries
its registry name (``customdata``) so a click can open it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import plotly.graph_objects as go

from viz.curves import PALETTE, light_chart

EXTRA = ["#0ca678", "#d6336c", "#5c940d", "#7048e8", "#c2255c", "#e67700"]  # beyond the house palette


def offsets(rows: Sequence[dict]) -> list[float]:
    """A vertical offset per row, so that architectures of one family and one year sit side by side in
    the family's band (within ±0.4 of its centre) instead of on top of each other."""
    cells: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        cells[(r["family"], r["year"])].append(i)
    out = [0.0] * len(rows)
    for members in cells.values():
        n = len(members)
        gap = min(0.22, 0.8 / n)
        for k, i in enumerate(members):
            out[i] = (k - (n - 1) / 2) * gap
    return out


def timeline_figure(
    rows: Sequence[dict], families: Sequence[str], selected: str | None = None, height: int = 560
) -> go.Figure:
    """One marker per row at (year, family band), colour by family, hover: title, year, paper. ``families``
    (keys, top to bottom) fixes the bands' order; ``selected`` (a registry name) is ringed and labelled."""
    band = {f: len(families) - 1 - i for i, f in enumerate(families)}  # first family on top
    colours = PALETTE + EXTRA
    dy = offsets(rows)
    fig = go.Figure()
    titles = {}
    for fam in families:
        idx = [i for i, r in enumerate(rows) if r["family"] == fam]
        if not idx:
            continue
        titles[fam] = rows[idx[0]]["family_title"]
        fig.add_trace(
            go.Scatter(
                x=[rows[i]["year"] for i in idx],
                y=[band[fam] + dy[i] for i in idx],
                mode="markers",
                name=titles[fam],
                marker=dict(size=11, color=colours[families.index(fam) % len(colours)], line=dict(width=0)),
                customdata=[rows[i]["name"] for i in idx],
                text=[f"<b>{rows[i]['title']}</b> ({rows[i]['year']})<br>{rows[i]['paper']}" for i in idx],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    for i, r in enumerate(rows):
        if r["name"] == selected:
            y = band[r["family"]] + dy[i]
            fig.add_trace(
                go.Scatter(
                    x=[r["year"]],
                    y=[y],
                    mode="markers+text",
                    name="selected",
                    marker=dict(size=20, color="rgba(0,0,0,0)", line=dict(width=2.5, color="#212529")),
                    text=[r["title"]],
                    textposition="top center",
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    fig.update_yaxes(
        tickvals=[band[f] for f in titles],
        ticktext=list(titles.values()),
        range=[-0.6, len(families) - 0.4],
        zeroline=False,
    )
    fig.update_xaxes(title="year of the paper", dtick=5 if _span(rows) <= 40 else 10)
    light_chart(fig, height)
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(l=10, r=10, t=10, b=10))
    return fig


def _span(rows: Sequence[dict]) -> int:
    years = [r["year"] for r in rows]
    return max(years) - min(years) if years else 0
