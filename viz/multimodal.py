"""Figures of the multimodal family: arrays in, Plotly figures out."""

from __future__ import annotations

# --- DALL-E ---
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.images import rgb_image


def _as_float(images: np.ndarray) -> np.ndarray:
    """uint8 (as snapshots carry them) or [0, 1] floats -> float32 in [0, 1]."""
    a = np.asarray(images)
    return a.astype(np.float32) / 255 if a.dtype == np.uint8 else np.clip(a.astype(np.float32), 0, 1)


def dalle_image_row(
    images: np.ndarray, titles: Sequence[str] | None = None, ncols: int = 8, scale: int = 8, height=None
) -> go.Figure:
    """(N, 3, H, W) images (uint8 or [0, 1]) as one mosaic with a caption under each tile."""
    images = _as_float(images)
    n, _, h, w = images.shape
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    gap = max(1, h // 8)
    canvas = np.ones((nrows * (h + gap), ncols * (w + gap), 3), np.float32)
    for i in range(n):
        r, c = divmod(i, ncols)
        canvas[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = images[i].transpose(
            1, 2, 0
        )
    big = np.kron(canvas, np.ones((scale, scale, 1), np.float32))  # crisp pixels
    fig = go.Figure(rgb_image((big * 255).round().astype(np.uint8)))
    ann = [
        dict(
            x=(divmod(i, ncols)[1] * (w + gap) + w / 2) * scale,
            y=(divmod(i, ncols)[0] * (h + gap) + h) * scale,
            text=str(t),
            showarrow=False,
            yshift=-9,
            font=dict(size=11),
        )
        for i, t in enumerate(titles or [])
    ]
    fig.update_layout(
        annotations=ann,
        height=height or 40 + nrows * (h * scale // 2 + (30 if titles else 10)),
        margin=dict(l=5, r=5, t=5, b=24),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
    )
    return fig


def codebook_usage_figure(counts: np.ndarray, height: int = 260) -> go.Figure:
    """How many test-image tokens use each code, commonest first: a few codes for the black background,
    the rest for pieces of shapes; codes no token uses are dead."""
    counts = np.asarray(counts)
    order = np.argsort(-counts, kind="stable")
    used = int((counts > 0).sum())
    fig = go.Figure(
        go.Bar(
            x=np.arange(len(counts)),
            y=counts[order],
            customdata=order,
            hovertemplate="code %{customdata}: %{y} tokens<extra></extra>",
            marker_color="#4c78a8",
        )
    )
    fig.update_layout(
        title=f"Codebook usage: {used} of {len(counts)} codes used",
        xaxis_title="codes, commonest first",
        yaxis_title="tokens (test images)",
        height=height,
        margin=dict(l=50, r=10, t=40, b=40),
    )
    return fig


def token_grid_figure(tokens: np.ndarray, title: str = "", height: int = 300) -> go.Figure:
    """The (h, w) grid of image codes as numbers on a heat map; -1 (not drawn yet) left blank."""
    t = np.asarray(tokens)
    z = np.where(t < 0, np.nan, t).astype(float)
    text = np.where(t < 0, "", t.astype(str))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            text=text,
            texttemplate="%{text}",
            colorscale="Viridis",
            showscale=False,
            hovertemplate="row %{y}, column %{x}: code %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=40, r=10, t=40, b=30),
        xaxis=dict(title="column", dtick=1),
        yaxis=dict(title="row", autorange="reversed", dtick=1, scaleanchor="x"),
    )
    return fig
