"""Figures of the GAN page: the 2-D lab (GAN Lab's view), adversarial loss curves, image grids, attention."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import ema
from viz.images import rgb_image

REAL, FAKE, GRID, ARROW = "#2f9e44", "#ae3ec9", "rgba(80, 80, 80, 0.45)", "#e8590c"


def lab_figure(
    lab: dict,
    show: Sequence[str] = ("heat", "real", "fake", "grid", "arrows"),
    height: int = 560,
    arrow_len: float = 0.5,
) -> go.Figure:
    """D's output as a heatmap, real (green) and generated (purple) points, G's mapping of the noise
    grid as warped lines, and arrows along −∂L_G/∂x on generated points (scaled to ``arrow_len`` at
    the largest gradient)."""
    fig = go.Figure()
    xs = lab["xs"]
    if "heat" in show:
        prob = lab["heat_is_prob"]
        fig.add_trace(
            go.Heatmap(
                x=xs,
                y=xs,
                z=lab["heat"],
                colorscale="RdYlGn" if prob else "Viridis",
                zmin=0 if prob else None,
                zmax=1 if prob else None,
                opacity=0.55,
                name="D(x)",
                colorbar=dict(title="D(x)" if prob else "critic", len=0.6),
                hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>D=%{z:.3f}<extra></extra>",
            )
        )
    if "grid" in show:
        for i, line in enumerate(lab["lines"]):
            fig.add_trace(
                go.Scatter(
                    x=line[:, 0],
                    y=line[:, 1],
                    mode="lines",
                    line=dict(color=GRID, width=1),
                    name="G's mapping of the noise grid",
                    legendgroup="grid",
                    showlegend=i == 0,
                    hoverinfo="skip",
                )
            )
    if "real" in show:
        r = lab["real"]
        fig.add_trace(
            go.Scatter(
                x=r[:, 0],
                y=r[:, 1],
                mode="markers",
                name="real samples",
                marker=dict(color=REAL, size=4, opacity=0.6),
            )
        )
    if "fake" in show:
        f = lab["fake"]
        fig.add_trace(
            go.Scatter(
                x=f[:, 0],
                y=f[:, 1],
                mode="markers",
                name="generated samples",
                marker=dict(color=FAKE, size=5, opacity=0.85),
            )
        )
    if "arrows" in show:
        f, a = lab["fake"], lab["arrows"]
        norm = np.linalg.norm(a, axis=1).max() or 1.0
        tip = f + a / norm * arrow_len
        xx = np.stack([f[:, 0], tip[:, 0], np.full(len(f), np.nan)], 1).ravel()
        yy = np.stack([f[:, 1], tip[:, 1], np.full(len(f), np.nan)], 1).ravel()
        fig.add_trace(
            go.Scatter(
                x=xx,
                y=yy,
                mode="lines",
                line=dict(color=ARROW, width=1.2),
                name="gradient on generated points",
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=tip[:, 0],
                y=tip[:, 1],
                mode="markers",
                showlegend=False,
                hoverinfo="skip",
                marker=dict(color=ARROW, size=3),
            )
        )
    lim = float(xs[-1])
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=1.06, x=0),
        uirevision="lab",
    )
    fig.update_xaxes(range=[-lim, lim], showgrid=False, zeroline=False)
    fig.update_yaxes(range=[-lim, lim], showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1)
    return fig


def gan_curves(history: list[dict], height: int = 320) -> go.Figure:
    """Left: D's and G's losses per step (faint) with moving averages. Right: mean D(x) on real and on
    generated samples, and, where measured, modes covered and the share of high-quality samples."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("losses", "discriminator and coverage"),
        horizontal_spacing=0.1,
        specs=[[{}, {"secondary_y": True}]],
    )
    rows = [h for h in history if "d_loss" in h]
    steps = [h["step"] for h in rows]
    for key, color, label in (("d_loss", "#1c7ed6", "D loss"), ("g_loss", "#e8590c", "G loss")):
        v = [h[key] for h in rows]
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=v,
                mode="lines",
                line=dict(color=color, width=1),
                opacity=0.25,
                showlegend=False,
                hoverinfo="skip",
            ),
            1,
            1,
        )
        fig.add_trace(
            go.Scatter(x=steps, y=ema(v), mode="lines", line=dict(color=color, width=2), name=label), 1, 1
        )
    for key, color, label in (("d_real", REAL, "D on real"), ("d_fake", FAKE, "D on generated")):
        fig.add_trace(
            go.Scatter(
                x=steps, y=ema([h[key] for h in rows]), mode="lines", line=dict(color=color), name=label
            ),
            1,
            2,
        )
    ev = [h for h in history if "test_modes_covered" in h]
    if ev:
        fig.add_trace(
            go.Scatter(
                x=[h["step"] for h in ev],
                y=[h["test_high_quality"] for h in ev],
                mode="lines+markers",
                line=dict(color="#f59f00", dash="dot"),
                name="high-quality share",
            ),
            1,
            2,
        )
        fig.add_trace(
            go.Scatter(
                x=[h["step"] for h in ev],
                y=[h["test_modes_covered"] for h in ev],
                mode="lines+markers",
                line=dict(color="#495057", dash="dash"),
                name="modes covered",
            ),
            1,
            2,
            secondary_y=True,
        )
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=-0.2)
    )
    fig.update_xaxes(title_text="step")
    return fig


def to_rgb(images: np.ndarray) -> np.ndarray:
    """(N, C, H, W) in [-1, 1] → (N, H, W, 3) uint8."""
    x = np.clip((np.asarray(images, dtype=np.float32) + 1) / 2, 0, 1)
    if x.shape[1] == 1:
        x = np.repeat(x, 3, axis=1)
    return (x.transpose(0, 2, 3, 1) * 255).round().astype(np.uint8)


def rgb_grid(
    images: np.ndarray,
    ncols: int = 8,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    height: int | None = None,
    pad: int = 1,
) -> go.Figure:
    """Images (N, C, H, W) in [-1, 1] (grey or colour) as one mosaic; optional row and column labels."""
    rgb = to_rgb(images)
    n, h, w, _ = rgb.shape
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    canvas = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, 3), 255, np.uint8)
    for i in range(n):
        r, c = divmod(i, ncols)
        canvas[
            pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w
        ] = rgb[i]
    fig = go.Figure(rgb_image(canvas))
    ticks = {}
    if row_labels:
        ticks["yaxis"] = dict(
            tickvals=[pad + r * (h + pad) + h / 2 for r in range(nrows)],
            ticktext=list(row_labels),
            showticklabels=True,
        )
    if col_labels:
        ticks["xaxis"] = dict(
            tickvals=[pad + c * (w + pad) + w / 2 for c in range(ncols)],
            ticktext=list(col_labels),
            showticklabels=True,
            side="top",
        )
    scale = max(4, min(20, 640 // max(1, ncols * (w + pad))))
    fig.update_layout(
        height=height or int(nrows * (h + pad) * scale * 0.9 + 60), margin=dict(l=40, r=5, t=30, b=5)
    )
    fig.update_xaxes(showticklabels=False, showgrid=False)
    fig.update_yaxes(showticklabels=False, showgrid=False)
    if ticks:
        fig.update_layout(**{k: {**v} for k, v in ticks.items()})
    return fig


def attention_figure(image: np.ndarray, attention: np.ndarray, pixel: tuple[int, int]) -> go.Figure:
    """A generated image beside the attention of one pixel of the attention grid (marked ×)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("generated image", f"where pixel {pixel} looks"))
    fig.add_trace(rgb_image(to_rgb(image[None])[0]), 1, 1)
    side = attention.shape[0]
    fig.add_trace(
        go.Heatmap(
            z=attention,
            colorscale="Magma",
            showscale=True,
            hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>",
        ),
        1,
        2,
    )
    fig.add_trace(
        go.Scatter(
            x=[pixel[1]],
            y=[pixel[0]],
            mode="markers",
            marker=dict(symbol="x", size=14, color="#1c7ed6"),
            showlegend=False,
        ),
        1,
        2,
    )
    fig.update_yaxes(autorange="reversed", scaleanchor="x2", row=1, col=2)
    fig.update_xaxes(range=[-0.5, side - 0.5], row=1, col=2)
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=30, b=10))
    return fig
