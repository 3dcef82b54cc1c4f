"""Figures of the flows page: the learned density and samples beside the data, each layer's warp of the
plane, the log-likelihood curve against a Gaussian's, and image samples. Arrays in, Plotly figures out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

DATA, SAMPLE, GRID, BASE = "#1c7ed6", "#e8590c", "rgba(60, 60, 60, 0.55)", "#ae3ec9"


def _f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def density_figure(lab: dict, height: int = 430) -> go.Figure:
    """Left: the learned density p(x) as a heat map with the training points over it. Right: samples of the
    flow (x = f⁻¹(z), z ~ N(0, I)) beside the data."""
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.08,
        subplot_titles=("learned density p(x) and the data", "samples x = f⁻¹(z) and the data"),
    )
    xs, data, smp = _f32(lab["xs"]), _f32(lab["data"]), _f32(lab["samples"])
    fig.add_trace(
        go.Heatmap(
            x=xs,
            y=xs,
            z=_f32(lab["density"]),
            colorscale="Blues",
            name="density",
            colorbar=dict(title="p(x)", len=0.8, x=0.44),
            hovertemplate="x₁=%{x:.2f}, x₂=%{y:.2f}<br>p=%{z:.3f}<extra></extra>",
        ),
        1,
        1,
    )
    for col in (1, 2):
        fig.add_trace(
            go.Scatter(
                x=data[:, 0],
                y=data[:, 1],
                mode="markers",
                name="data",
                legendgroup="data",
                showlegend=col == 2,
                marker=dict(color=DATA if col == 2 else "rgba(255, 255, 255, 0.7)", size=3),
                hoverinfo="skip",
            ),
            1,
            col,
        )
    fig.add_trace(
        go.Scatter(
            x=smp[:, 0],
            y=smp[:, 1],
            mode="markers",
            name="samples",
            marker=dict(color=SAMPLE, size=3, opacity=0.8),
            hoverinfo="skip",
        ),
        1,
        2,
    )
    lim = float(xs[-1])
    fig.update_xaxes(range=[-lim, lim], showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(range=[-lim, lim], showgrid=False, zeroline=False, scaleanchor="x")
    fig.update_yaxes(scaleanchor="x2", row=1, col=2)
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.05, x=0.6),
        uirevision="flows-density",
    )
    return fig


def _segments(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L, n, 2) polylines -> x and y arrays with a gap (NaN) between lines: one trace draws them all."""
    pad = np.full((lines.shape[0], 1, 2), np.nan, dtype=np.float32)
    flat = np.concatenate([_f32(lines), pad], 1).reshape(-1, 2)
    return flat[:, 0], flat[:, 1]


def warp_figure(w: dict, data: np.ndarray | None = None, ncols: int = 5, lim: float = 3.0) -> go.Figure:
    """One small panel per layer: the latent grid and Gaussian samples (purple) after each inverse layer,
    from z ~ N(0, I) to x; the data (blue) in the last panel."""
    n = len(w["titles"])
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig = make_subplots(
        rows=nrows,
        cols=ncols,
        subplot_titles=[t if len(t) <= 34 else t[:33] + "…" for t in w["titles"]],
        horizontal_spacing=0.03,
        vertical_spacing=0.12 / max(1, nrows - 1) if nrows > 1 else 0.0,
    )
    for i in range(n):
        r, c = divmod(i, ncols)
        gx, gy = _segments(w["lines"][i])
        fig.add_trace(
            go.Scatter(
                x=gx,
                y=gy,
                mode="lines",
                line=dict(color=GRID, width=1),
                name="latent grid",
                legendgroup="grid",
                showlegend=i == 0,
                hoverinfo="skip",
            ),
            r + 1,
            c + 1,
        )
        p = _f32(w["points"][i])
        fig.add_trace(
            go.Scatter(
                x=p[:, 0],
                y=p[:, 1],
                mode="markers",
                marker=dict(color=BASE, size=2.5, opacity=0.8),
                name="Gaussian samples",
                legendgroup="pts",
                showlegend=i == 0,
                hoverinfo="skip",
            ),
            r + 1,
            c + 1,
        )
        if i == n - 1 and data is not None:
            d = _f32(data)
            fig.add_trace(
                go.Scatter(
                    x=d[:, 0],
                    y=d[:, 1],
                    mode="markers",
                    marker=dict(color=DATA, size=2, opacity=0.5),
                    name="data",
                    hoverinfo="skip",
                ),
                r + 1,
                c + 1,
            )
    fig.update_xaxes(range=[-lim, lim], showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(range=[-lim, lim], showticklabels=False, showgrid=False, zeroline=False)
    for i in range(n):
        axis = "" if i == 0 else str(i + 1)
        fig.layout[f"yaxis{axis}"].scaleanchor = f"x{axis}"
    fig.update_annotations(font_size=11)
    fig.update_layout(
        height=70 + 210 * nrows,
        margin=dict(l=10, r=10, t=30, b=40),
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="top", y=-0.02, x=0),
        uirevision="flows-warp",
    )
    return fig


def ll_figure(history: list[dict], baseline: float | None = None, height: int = 300) -> go.Figure:
    """Training and held-out log-likelihood (nats per example) per evaluation, and the Gaussian fit's."""
    fig = go.Figure()
    rows = [h for h in history if "test_ll" in h]
    steps = [h["step"] for h in rows]
    fig.add_trace(
        go.Scatter(
            x=[h["step"] for h in history if "loss" in h],
            y=[-h["loss"] for h in history if "loss" in h],
            mode="lines",
            line=dict(color="#1c7ed6", width=1),
            opacity=0.3,
            name="batch log-likelihood",
        )
    )
    for key, color, label in (("train_ll", "#1c7ed6", "train"), ("test_ll", "#e8590c", "held-out")):
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=[h[key] for h in rows],
                mode="lines+markers",
                line=dict(color=color),
                name=f"{label} log-likelihood",
            )
        )
    if baseline is not None:
        fig.add_hline(
            y=baseline,
            line=dict(color="#495057", dash="dash"),
            annotation_text=f"Gaussian fit, held out ({baseline:.2f})",
            annotation_position="bottom right",
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="step",
        yaxis_title="log p(x), nats per example",
        legend=dict(orientation="h", y=1.12, x=0),
    )
    return fig
