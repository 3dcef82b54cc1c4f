"""Transfer-learning figures: the strategies' test accuracy overlaid, trainable parameters per strategy,
accuracy against labels per class, LoRA's trainable share and its update's singular values and heat map,
and first-layer filters pre-trained against random ones. Arrays in, Plotly figures out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, light_chart


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def strategy_curves(runs: Mapping[str, list[dict]], height: int = 360) -> go.Figure:
    """Test accuracy at each evaluation of every run (one colour each), on one chart."""
    fig = go.Figure()
    for i, (name, hist) in enumerate(runs.items()):
        rows = [r for r in hist if "test_acc" in r]
        fig.add_scatter(
            x=[r["step"] for r in rows], y=[r["test_acc"] for r in rows], name=name, mode="lines+markers",
            line=dict(color=_colour(i)),
        )  # fmt: skip
    fig.update_layout(xaxis_title="step", yaxis_title="test accuracy", title="Same budget, side by side")
    return light_chart(fig, height)


def trainable_figure(counts: Mapping[str, int], total: int, height: int = 300) -> go.Figure:
    """Trainable parameters of each strategy (log scale), with its share of the whole network."""
    names = list(counts)
    vals = [counts[n] for n in names]
    fig = go.Figure(
        go.Bar(
            x=names, y=vals, marker_color=[_colour(i) for i in range(len(names))],
            text=[f"{v:,} ({v / total:.1%})" for v in vals], textposition="outside",
        )
    )  # fmt: skip
    fig.update_layout(
        yaxis_type="log", yaxis_title="trainable parameters", title=f"Of {total:,} in the network"
    )
    return light_chart(fig, height)


def labels_figure(
    sweep: Mapping[str, Sequence[float]], per_class: Sequence[int], height: int = 340
) -> go.Figure:
    """Test accuracy against labelled images per class (0 is drawn as "all"), one line per strategy."""
    ticks = [str(n) if n else "all" for n in per_class]
    fig = go.Figure()
    for i, (name, accs) in enumerate(sweep.items()):
        fig.add_scatter(x=ticks, y=list(accs), name=name, mode="lines+markers", line=dict(color=_colour(i)))
    fig.update_layout(xaxis_title="labelled images per class", yaxis_title="test accuracy")
    fig.update_xaxes(type="category")
    return light_chart(fig, height)


def lora_share_figure(ranks: Sequence[int], shares: Sequence[float], height: int = 280) -> go.Figure:
    """Trainable share of the network against the LoRA rank, with the 5 % line."""
    fig = go.Figure(go.Scatter(x=list(ranks), y=[100 * s for s in shares], mode="lines+markers", name="LoRA"))
    fig.add_hline(y=5, line_dash="dot", annotation_text="5 %")
    fig.update_layout(xaxis_title="rank r", yaxis_title="trainable share (%)")
    return light_chart(fig, height)


def singular_figure(updates: Mapping[str, Mapping[str, np.ndarray]], height: int = 300) -> go.Figure:
    """Singular values of each layer's learned update ΔW = (α / r) B A on a log axis: r of them are of the
    update's size, the rest are rounding error (drawn at 10⁻⁸ at least), so the drop after σ_r is seen."""
    fig = go.Figure()
    for i, (name, u) in enumerate(updates.items()):
        s = np.maximum(np.asarray(u["singular"], float)[:8], 1e-8)
        fig.add_bar(x=[f"σ{k + 1}" for k in range(len(s))], y=s, name=name, marker_color=_colour(i))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="singular value of ΔW", type="log", exponentformat="power")
    return light_chart(fig, height)


def delta_heatmap(delta: np.ndarray, title: str = "", height: int = 300) -> go.Figure:
    """The update ΔW as a heat map (rows: output units, columns: inputs), centred at zero."""
    m = float(np.abs(delta).max()) or 1.0
    fig = go.Figure(go.Heatmap(z=delta, colorscale="RdBu", zmin=-m, zmax=m, colorbar=dict(title="ΔW")))
    fig.update_layout(title=title, xaxis_title="input", yaxis_title="output", yaxis_autorange="reversed")
    return light_chart(fig, height)


def filters_figure(filters: Mapping[str, np.ndarray], height: int = 260) -> go.Figure:
    """First-layer filters, one row per kind (pre-trained, random), each filter scaled to its own range."""
    rows = list(filters)
    n = max(len(f) for f in filters.values())
    fig = make_subplots(
        rows=len(rows), cols=n, row_titles=rows, horizontal_spacing=0.01, vertical_spacing=0.06
    )
    for r, name in enumerate(rows):
        for c, w in enumerate(filters[name]):
            w = np.asarray(w, float)
            w = (w - w.min()) / (np.ptp(w) or 1.0)
            fig.add_heatmap(z=w, colorscale="gray", showscale=False, row=r + 1, col=c + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(height=height, margin=dict(l=10, r=60, t=20, b=10))
    return fig
