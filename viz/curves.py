"""Training curves: per-step loss (raw and smoothed) and evaluation metrics, several runs overlaid."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

PALETTE = ["#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f03e3e", "#1098ad", "#f59f00", "#495057"]


def ema(values: Sequence[float], alpha: float = 0.05) -> np.ndarray:
    """Exponential moving average with bias correction, so the first points are not dragged to 0."""
    v = np.asarray(values, dtype=float)
    out = np.empty_like(v)
    m, w = 0.0, 0.0
    for i, x in enumerate(v):
        if np.isfinite(x):
            m = (1 - alpha) * m + alpha * x
            w = (1 - alpha) * w + alpha
        out[i] = m / w if w else np.nan
    return out


def light_chart(fig: go.Figure, height: int, legend_y: float = -0.25) -> go.Figure:
    """The house look of a chart of curves: white plot, light grid, tight margins, the legend in a row
    below the plot (``legend_y``, in plot heights)."""
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=legend_y),
    )
    fig.update_xaxes(gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee")
    return fig


def training_curves(
    runs: dict[str, list[dict]], *, metric: str | None = None, log_y: bool = False, height: int = 330
) -> go.Figure:
    """``runs`` maps a run's name to its Trainer history. Left: the per-step training loss (faint)
    with its moving average, and each evaluation's train and test (or validation) loss. Right: the
    headline metric (``acc`` or ``r2``) at each evaluation, if any run has one.

    One run: training curves blue, held-out (test or validation) curves orange, so the two read apart at
    a glance. Several runs: one colour per run, held-out curves dashed."""
    if metric is None:
        keys = {k for h in runs.values() for row in h for k in row}
        metric = (
            "acc"
            if "test_acc" in keys
            else "r2"
            if "test_r2" in keys
            else "return"
            if "eval_return" in keys
            else None
        )
    fig = make_subplots(
        rows=1,
        cols=2 if metric else 1,
        horizontal_spacing=0.1,
        subplot_titles=(
            "loss",
            {"acc": "accuracy", "r2": "R²", "return": "evaluation return"}.get(metric, metric),
        )
        if metric
        else ("loss",),
    )
    for i, (name, hist) in enumerate(runs.items()):
        color = PALETTE[i % len(PALETTE)]
        held_color = PALETTE[1] if len(runs) == 1 else color
        tag = f"{name} · " if len(runs) > 1 else ""
        steps = np.array([r["step"] for r in hist if "loss" in r], dtype=float)
        loss = np.array([r["loss"] for r in hist if "loss" in r], dtype=float)
        if len(steps) > 2000:  # plenty for a chart; keeps the JSON small
            keep = np.linspace(0, len(steps) - 1, 2000).astype(int)
            sm = ema(loss)[keep]
            steps, loss = steps[keep], loss[keep]
        else:
            sm = ema(loss)
        fig.add_trace(
            go.Scattergl(
                x=steps,
                y=loss,
                mode="lines",
                line=dict(color=color, width=1),
                opacity=0.25,
                name=f"{tag}batch loss",
                showlegend=False,
                hoverinfo="skip",
            ),
            1,
            1,
        )
        fig.add_trace(
            go.Scattergl(
                x=steps,
                y=sm,
                mode="lines",
                line=dict(color=color, width=2),
                name=f"{tag}train loss (smoothed)",
            ),
            1,
            1,
        )
        ev = [r for r in hist if "test_loss" in r]
        if metric == "return":  # an agent: its greedy evaluations' return (there is no held-out loss)
            rl = [r for r in hist if "eval_return" in r]
            fig.add_trace(
                go.Scatter(
                    x=[r["step"] for r in rl],
                    y=[r["eval_return"] for r in rl],
                    mode="lines+markers",
                    line=dict(color=held_color),
                    marker=dict(size=5),
                    name=f"{tag}evaluation return",
                ),
                1,
                2,
            )
        if ev:
            es = [r["step"] for r in ev]
            held = "val" if "val_loss" in ev[0] else "test"
            fig.add_trace(
                go.Scatter(
                    x=es,
                    y=[r[f"{held}_loss"] for r in ev],
                    mode="lines+markers",
                    line=dict(color=held_color, dash="dash"),
                    marker=dict(size=5),
                    name=f"{tag}{'validation' if held == 'val' else 'test'} loss",
                ),
                1,
                1,
            )
            if metric:
                for split, dash in (("train", "solid"), (held, "dash")):
                    if f"{split}_{metric}" in ev[0]:
                        fig.add_trace(
                            go.Scatter(
                                x=es,
                                y=[r[f"{split}_{metric}"] for r in ev],
                                mode="lines+markers",
                                line=dict(color=color if split == "train" else held_color, dash=dash),
                                marker=dict(size=5),
                                name=f"{tag}{'validation' if split == 'val' else split} {metric}",
                                showlegend=True,
                            ),
                            1,
                            2,
                        )
    fig.update_xaxes(title_text="step")
    # A run with one evaluation (or one step) would otherwise get Plotly's ±1 autorange around that point
    # ("step 99-101", "accuracy 0.99-1.0"): start the step axis at 0, and put a lone accuracy on 0-100 %.
    last = max((r["step"] for h in runs.values() for r in h if "step" in r), default=0)
    fig.update_xaxes(range=[0, max(1, last) * 1.03])
    if metric == "acc":
        accs = [r[k] for h in runs.values() for r in h for k in r if k.endswith("_acc")]
        fig.update_yaxes(tickformat=".0%", row=1, col=2)
        if accs and max(accs) - min(accs) < 0.02:
            fig.update_yaxes(range=[0, 1.03], row=1, col=2)
    if log_y:
        fig.update_yaxes(type="log", row=1, col=1)
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=-0.25),
        plot_bgcolor="white",
    )
    fig.update_xaxes(gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee")
    return fig
