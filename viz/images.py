"""Image grids, confusion matrices, histograms and labelled heatmaps, reused by every family."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image


def rgb_image(rgb: np.ndarray, **kwargs) -> go.Image:
    """An RGB picture (H, W, 3) of uint8 as a Plotly image trace that carries a PNG (a data URI) instead
    of every pixel as JSON numbers: a 200×300 mosaic is ~20 KB instead of ~700 KB, which matters for
    views redrawn at every tick of a run. Pixels are exact (PNG is lossless); no per-pixel hover."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise ValueError(f"expected an (H, W, 3) picture, got {rgb.shape}")
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, format="PNG", optimize=False, compress_level=6)
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    return go.Image(source=uri, hoverinfo="skip", **kwargs)


def decode_rgb_image(trace: go.Image) -> np.ndarray:
    """The pixels of an ``rgb_image`` trace (for tests and exports)."""
    data = base64.b64decode(trace.source.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def image_grid(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    colorscale="gray_r",
    height: int | None = None,
    zmin=None,
    zmax=None,
) -> go.Figure:
    """(N, H, W) grayscale images as one heatmap mosaic with a caption above each tile."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 4:
        images = images[:, 0]
    n, h, w = images.shape
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    gap = max(1, h // 6)
    top = max(2, h // 3) if titles else 0
    Ht, Wt = nrows * (h + gap + top), ncols * (w + gap)
    z = np.full((Ht, Wt), np.nan, dtype=np.float32)
    ann = []
    for i in range(n):
        r, c = divmod(i, ncols)
        r0, c0 = r * (h + gap + top) + top, c * (w + gap)
        z[r0 : r0 + h, c0 : c0 + w] = images[i]
        if titles:
            ann.append(
                dict(
                    x=c0 + w / 2 - 0.5,
                    y=r0 - top / 2 - 0.5,
                    text=str(titles[i]),
                    showarrow=False,
                    font=dict(size=11),
                )
            )
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale=colorscale,
            showscale=False,
            zmin=zmin,
            zmax=zmax,
            hovertemplate="%{z:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        annotations=ann,
        height=height or int(min(900, 40 + nrows * 120)),
        margin=dict(l=5, r=5, t=5, b=5),
        plot_bgcolor="white",
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(visible=False, autorange="reversed", scaleanchor="x"),
    )
    return fig


def confusion_figure(cm: np.ndarray, class_names: Sequence[str], height: int = 420) -> go.Figure:
    """Rows: true class; columns: predicted class; counts written in the cells."""
    cm = np.asarray(cm)
    norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    names = [str(c) for c in class_names]
    fig = go.Figure(
        go.Heatmap(
            z=norm,
            x=names,
            y=names,
            colorscale="Blues",
            zmin=0,
            zmax=1,
            text=cm,
            texttemplate="%{text}",
            showscale=False,
            hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis=dict(title="predicted", type="category", side="top"),
        yaxis=dict(title="true", type="category", autorange="reversed"),
    )
    return fig


def histogram_bars(values: np.ndarray, nbins: int = 50, density: bool = False, **kwargs) -> go.Bar:
    """A histogram counted here and drawn as bars: the figure holds ``nbins`` numbers, not every value
    (a layer of a million weights would otherwise ship a million numbers to the browser)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    counts, edges = np.histogram(v, bins=nbins, density=density) if v.size else (np.zeros(0), np.zeros(1))
    kwargs.setdefault("marker_color", "#1c7ed6")
    what = "density" if density else "values"
    return go.Bar(
        x=(edges[:-1] + edges[1:]) / 2,
        y=counts,
        width=np.diff(edges),
        hovertemplate=f"%{{x:.4g}}: %{{y:.4g}} {what}<extra></extra>",
        **kwargs,
    )


def histogram(values: np.ndarray, title: str = "", nbins: int = 50, height: int = 260) -> go.Figure:
    fig = go.Figure(histogram_bars(values, nbins))
    fig.update_layout(
        title=title or None,
        height=height,
        margin=dict(l=10, r=10, t=30 if title else 10, b=10),
        bargap=0.02,
        plot_bgcolor="white",
        xaxis_title="value",
        yaxis_title="count",
    )
    return fig


def heatmap(
    z: np.ndarray,
    *,
    x: Sequence | None = None,
    y: Sequence | None = None,
    title: str = "",
    colorscale="RdBu",
    zmid: float | None = 0.0,
    height: int = 300,
    xlabel="",
    ylabel="",
) -> go.Figure:
    """A labelled heatmap (activations, weights, attention), values on hover."""
    z = np.asarray(z, dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            colorscale=colorscale,
            zmid=zmid,
            hovertemplate="%{y}, %{x}: %{z:.3g}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or None,
        height=height,
        margin=dict(l=10, r=10, t=30 if title else 10, b=10),
        xaxis_title=xlabel,
        yaxis_title=ylabel,
        yaxis=dict(autorange="reversed"),
    )
    return fig
