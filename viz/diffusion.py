"""Figures of the diffusion page: schedules, point clouds with noise fields and trajectories, image strips,
RGB samples and per-word cross-attention maps. Arrays in, Plotly figures out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE
from viz.images import histogram_bars, rgb_image


def schedule_figure(
    curves: dict[str, dict[str, np.ndarray]], t_mark: int | None = None, height=300
) -> go.Figure:
    """β_t, ᾱ_t and log10 SNR_t against t for each named schedule; a dashed line at ``t_mark``."""
    fig = make_subplots(
        1, 3, subplot_titles=("βₜ (noise added per step, log scale)", "ᾱₜ (signal kept)", "log₁₀ SNRₜ")
    )
    for i, (name, c) in enumerate(curves.items()):
        color = PALETTE[i % len(PALETTE)]
        for col, y in enumerate((c["beta"], c["alpha_bar"], np.log10(np.maximum(c["snr"], 1e-12))), 1):
            fig.add_trace(
                go.Scatter(
                    x=c["t"], y=y, name=name, line=dict(color=color), showlegend=col == 1, legendgroup=name
                ),
                1,
                col,
            )
    if t_mark is not None:
        for col in (1, 2, 3):
            fig.add_vline(x=t_mark, line_dash="dash", line_color="#868e96", row=1, col=col)
    fig.update_yaxes(type="log", row=1, col=1)  # cosine β_t climbs to 0.999 at the very end
    fig.update_xaxes(title_text="t")
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.25)
    )
    return fig


def _square(fig: go.Figure, lim: float) -> go.Figure:
    fig.update_xaxes(range=[-lim, lim], zeroline=False)
    fig.update_yaxes(range=[-lim, lim], scaleanchor="x", zeroline=False)
    return fig


def points_figure(
    layers: dict[str, np.ndarray], lim: float = 2.5, height: int = 420, title: str = ""
) -> go.Figure:
    """Several point clouds overlaid (e.g. data and samples), each (N, 2)."""
    fig = go.Figure()
    for i, (name, p) in enumerate(layers.items()):
        fig.add_trace(
            go.Scattergl(
                x=p[:, 0],
                y=p[:, 1],
                mode="markers",
                name=name,
                marker=dict(size=4, color=PALETTE[i % len(PALETTE)], opacity=0.6),
            )
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30 if title else 10, b=10),
        title=title or None,
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.1),
    )
    return _square(fig, lim)


def field_figure(
    pts: np.ndarray,
    vec: np.ndarray,
    data: np.ndarray | None = None,
    trajectories: np.ndarray | None = None,
    lim: float = 2.0,
    height: int = 480,
    title: str = "",
) -> go.Figure:
    """Arrows ``vec`` at grid points ``pts`` (each arrow scaled to the grid spacing), the data faintly
    behind, and reverse trajectories (S, K, 2) as lines from x_T (open circle) to x_0 (dot)."""
    fig = go.Figure()
    if data is not None:
        fig.add_trace(
            go.Scattergl(
                x=data[:, 0],
                y=data[:, 1],
                mode="markers",
                name="data",
                marker=dict(size=3, color="#adb5bd", opacity=0.5),
            )
        )
    n = int(round(np.sqrt(len(pts))))
    spacing = 2 * lim / max(1, n - 1)
    norm = np.linalg.norm(vec, axis=1, keepdims=True)
    v = vec / max(float(norm.max()), 1e-9) * spacing * 0.9
    xs, ys = [], []
    for (x0, y0), (dx, dy) in zip(pts, v, strict=True):
        # a shaft and a two-stroke head
        hx, hy = x0 + dx, y0 + dy
        ang = np.arctan2(dy, dx)
        L = 0.3 * np.hypot(dx, dy)
        xs += [x0, hx, None, hx, hx - L * np.cos(ang - 0.5), None, hx, hx - L * np.cos(ang + 0.5), None]
        ys += [y0, hy, None, hy, hy - L * np.sin(ang - 0.5), None, hy, hy - L * np.sin(ang + 0.5), None]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name="−ε̂ (toward the data)",
            line=dict(color="#1c7ed6", width=1.2),
            hoverinfo="skip",
        )
    )
    if trajectories is not None:
        for k in range(trajectories.shape[1]):
            tr = trajectories[:, k]
            c = PALETTE[(k + 1) % len(PALETTE)]
            fig.add_trace(
                go.Scatter(
                    x=tr[:, 0],
                    y=tr[:, 1],
                    mode="lines",
                    line=dict(color=c, width=1.5),
                    showlegend=k == 0,
                    name="reverse trajectory",
                    legendgroup="traj",
                )
            )
            fig.add_trace(
                go.Scatter(
                    x=[tr[0, 0], tr[-1, 0]],
                    y=[tr[0, 1], tr[-1, 1]],
                    mode="markers",
                    marker=dict(color=c, size=[8, 8], symbol=["circle-open", "circle"]),
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30 if title else 10, b=10),
        title=title or None,
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.1),
    )
    return _square(fig, lim * 1.1)


def marginal_figure(values: np.ndarray, mean: float, std: float, title: str, height: int = 260) -> go.Figure:
    """A histogram of values at step t against the closed-form Gaussian N(mean, std²)."""
    v = np.asarray(values, float).ravel()
    fig = go.Figure(histogram_bars(v, 60, density=True, name="samples of xₜ", opacity=0.7))
    xs = np.linspace(v.min() - 0.5, v.max() + 0.5, 200)
    pdf = np.exp(-((xs - mean) ** 2) / (2 * std**2)) / (std * np.sqrt(2 * np.pi))
    fig.add_trace(go.Scatter(x=xs, y=pdf, name="closed form", line=dict(color="#e8590c")))
    fig.update_layout(
        height=height,
        title=title,
        margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.25),
        bargap=0.02,
    )
    return fig


def rgb_grid(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    height: int | None = None,
    scale: int = 8,
) -> go.Figure:
    """(N, 3, H, W) images in [0, 1] as one mosaic (go.Image), tiles captioned."""
    images = np.clip(np.asarray(images, np.float32), 0, 1)
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
    big = np.kron(canvas, np.ones((scale, scale, 1), np.float32))  # crisp pixels at any zoom
    fig = go.Figure(rgb_image((big * 255).astype(np.uint8)))
    ann = []
    for i, t in enumerate(titles or []):
        r, c = divmod(i, ncols)
        ann.append(
            dict(
                x=(c * (w + gap) + w / 2) * scale,
                y=(r * (h + gap) + h) * scale,
                text=str(t),
                showarrow=False,
                yshift=-8,
                font=dict(size=11),
            )
        )
    fig.update_layout(
        annotations=ann,
        height=height or 60 + nrows * (120 if titles else 100),
        margin=dict(l=5, r=5, t=5, b=20),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
    )
    return fig


def attention_figure(
    image: np.ndarray, maps: np.ndarray, words: Sequence[str], height: int = 230
) -> go.Figure:
    """The sample, then one heatmap per word: where the image attended to that word."""
    k = len(words)
    fig = make_subplots(1, k + 1, subplot_titles=["sample", *words], horizontal_spacing=0.01)
    fig.add_trace(rgb_image((np.clip(image, 0, 1).transpose(1, 2, 0) * 255).astype(np.uint8)), 1, 1)
    vmax = float(np.max(maps[:k])) or 1.0
    for i in range(k):
        fig.add_trace(
            go.Heatmap(
                z=maps[i],
                colorscale="Viridis",
                zmin=0,
                zmax=vmax,
                showscale=i == k - 1,
                hovertemplate=f"{words[i]}: %{{z:.2f}}<extra></extra>",
            ),
            1,
            i + 2,
        )
    fig.update_xaxes(visible=False)
    for i in range(1, k + 2):  # square pixels in every panel
        fig.update_yaxes(
            visible=False, autorange="reversed", scaleanchor=f"x{i if i > 1 else ''}", row=1, col=i
        )
    fig.update_layout(height=height, margin=dict(l=5, r=5, t=30, b=5))
    return fig
