"""Figures of the Mixer & Swin page: a Mixer's token-mixing weights on the patch grid against its
channel-mixing weights; Swin's windows and shifted windows drawn on an image, block by block; the learned
relative position bias tables, one heatmap per head; the patch-merging pyramid of map sizes and widths.
Arrays in, Plotly figures out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.images import image_grid

# distinct, light colours for the windows of one block (qualitative, repeated when there are more windows)
WINDOW_COLORS = (
    "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a6761d", "#f781bf", "#1b9e77",
    "#66a61e", "#e7298a", "#7570b3", "#d95f02", "#17becf", "#bcbd22", "#8c564b", "#7f7f7f",
)  # fmt: skip


def token_mixing_figure(w: np.ndarray, n: int = 16) -> go.Figure:
    """(D_S, g, g) token-mixing weights: the first ``n`` hidden units, each a map of the patch grid (red
    positive, blue negative), as in Tolstikhin et al.'s Figure 5."""
    w = np.asarray(w, dtype=np.float32)[:n]
    lim = float(np.abs(w).max()) or 1.0
    fig = image_grid(
        w, [f"unit {i}" for i in range(len(w))], ncols=8, colorscale="RdBu_r", zmin=-lim, zmax=lim
    )
    fig.update_layout(height=230)
    return fig


def channel_mixing_figure(w: np.ndarray, n: int = 32) -> go.Figure:
    """(D_C, C) channel-mixing weights: how the first ``n`` hidden units read the C channels of a patch."""
    w = np.asarray(w, dtype=np.float32)[:n]
    lim = float(np.abs(w).max()) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=w,
            colorscale="RdBu_r",
            zmin=-lim,
            zmax=lim,
            colorbar=dict(thickness=10),
            hovertemplate="unit %{y}, channel %{x}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=300,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis_title="channel c",
        yaxis_title="hidden unit",
        yaxis=dict(autorange="reversed"),
    )
    return fig


def window_ids(side: int, m: int, shift: int) -> np.ndarray:
    """(side, side): which window each token of the map falls into, in the map's own coordinates. With a
    shift, the map is rolled by −shift before the partition, so a window's pieces may lie at opposite
    edges of the map."""
    r = (np.arange(side) - shift) % side  # where each row (column) lands after the roll
    per_row = side // m
    return (r[:, None] // m) * per_row + (r[None, :] // m)


def windows_figure(image: np.ndarray, blocks: Sequence[dict]) -> go.Figure:
    """The image once per block, its tokens coloured by the window they attend within. ``blocks``: dicts
    with stage, block, side (tokens per side), m (window), shift, pixels (pixels per token side)."""
    img = np.asarray(image, dtype=np.float32)
    n = len(blocks)
    cols = min(4, n)
    rows = int(np.ceil(n / cols))
    titles = [
        f"stage {b['stage']}, block {b['block']}: " + (f"shifted by {b['shift']}" if b["shift"] else "plain")
        for b in blocks
    ]
    fig = make_subplots(rows, cols, subplot_titles=titles, horizontal_spacing=0.03, vertical_spacing=0.08)
    H = img.shape[0]
    for i, b in enumerate(blocks):
        r, c = divmod(i, cols)
        ids = window_ids(b["side"], b["m"], b["shift"])
        ids_px = np.kron(ids, np.ones((b["pixels"], b["pixels"]), dtype=int))[:H, :H]
        k = len(WINDOW_COLORS)
        scale = [[j / (k - 1), WINDOW_COLORS[j]] for j in range(k)]
        fig.add_trace(go.Heatmap(z=img, colorscale="gray_r", showscale=False, hoverinfo="skip"), r + 1, c + 1)
        fig.add_trace(
            go.Heatmap(
                z=ids_px % k,
                zmin=0,
                zmax=k - 1,
                colorscale=scale,
                opacity=0.35,
                showscale=False,
                customdata=ids_px,
                hovertemplate="window %{customdata}<extra></extra>",
            ),
            r + 1,
            c + 1,
        )
        step = b["pixels"]
        for p in range(0, H + 1, step):  # the token grid, thin
            for x0, y0, x1, y1 in ((p - 0.5, -0.5, p - 0.5, H - 0.5), (-0.5, p - 0.5, H - 0.5, p - 0.5)):
                fig.add_shape(
                    type="line", x0=x0, y0=y0, x1=x1, y1=y1, line=dict(color="white", width=0.5),
                    row=r + 1, col=c + 1,
                )  # fmt: skip
        cuts = {(b["shift"] + k * b["m"]) % b["side"] for k in range(b["side"] // b["m"])}
        for t in cuts:  # the window borders, thick: where the (rolled) partition cuts the map
            p = t * step - 0.5
            for x0, y0, x1, y1 in ((p, -0.5, p, H - 0.5), (-0.5, p, H - 0.5, p)):
                fig.add_shape(
                    type="line", x0=x0, y0=y0, x1=x1, y1=y1, line=dict(color="black", width=2.5),
                    row=r + 1, col=c + 1,
                )  # fmt: skip
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed")
    for i in range(n):
        fig.update_yaxes(scaleanchor=f"x{i + 1 if i else ''}", row=i // cols + 1, col=i % cols + 1)
    fig.update_layout(height=40 + rows * 260, margin=dict(l=5, r=5, t=40, b=5))
    fig.update_annotations(font_size=12)
    return fig


def bias_tables_figure(tables: np.ndarray) -> go.Figure:
    """(nh, 2M − 1, 2M − 1) relative position bias tables, one heatmap per head; the centre is the offset
    (0, 0), a token and itself."""
    t = np.asarray(tables, dtype=np.float32)
    nh, k, _ = t.shape
    m = (k + 1) // 2
    lim = float(np.abs(t).max()) or 1.0
    fig = make_subplots(1, nh, subplot_titles=[f"head {h + 1}" for h in range(nh)], horizontal_spacing=0.04)
    offs = list(range(-(m - 1), m))
    for h in range(nh):
        fig.add_trace(
            go.Heatmap(
                z=t[h],
                x=offs,
                y=offs,
                zmin=-lim,
                zmax=lim,
                colorscale="RdBu_r",
                showscale=h == nh - 1,
                colorbar=dict(thickness=10),
                hovertemplate="Δrow %{y}, Δcol %{x}: %{z:.3f}<extra></extra>",
            ),
            1,
            h + 1,
        )
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{h + 1 if h else ''}", row=1, col=h + 1)
        fig.update_xaxes(title_text="Δcol", row=1, col=h + 1)
    fig.update_yaxes(title_text="Δrow", row=1, col=1)
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10))
    return fig


def pyramid_figure(stages: Sequence[dict]) -> go.Figure:
    """Each stage's token map as a square (side drawn to scale, window grid inside), labelled with its
    size, width and windows; patch merging between them. ``stages``: dicts with side, channels, m."""
    fig = go.Figure()
    largest = max(s["side"] for s in stages)
    x = 0.0
    for i, s in enumerate(stages):
        size = 4.0 * s["side"] / largest
        y0 = (4.0 - size) / 2
        fig.add_shape(type="rect", x0=x, y0=y0, x1=x + size, y1=y0 + size, fillcolor="#c6dbef",
                      line=dict(color="#08519c", width=2))  # fmt: skip
        m = min(s["m"], s["side"])
        for k in range(1, s["side"] // m):  # window borders
            p = k * size * m / s["side"]
            fig.add_shape(type="line", x0=x + p, y0=y0, x1=x + p, y1=y0 + size, line=dict(color="#08519c"))
            fig.add_shape(type="line", x0=x, y0=y0 + p, x1=x + size, y1=y0 + p, line=dict(color="#08519c"))
        nwin = (s["side"] // m) ** 2
        fig.add_annotation(
            x=x + size / 2,
            y=-0.35,
            showarrow=False,
            text=f"<b>stage {i + 1}</b><br>{s['side']}×{s['side']} tokens<br>{s['channels']} channels"
            f"<br>{nwin} window{'s' if nwin > 1 else ''} of {m}×{m}",
            yanchor="top",
        )
        if i < len(stages) - 1:
            fig.add_annotation(
                x=x + size + 0.75, y=2.0, text="patch<br>merging<br>→", showarrow=False, font=dict(size=11)
            )
        x += size + 1.5
    fig.update_xaxes(visible=False, range=[-0.3, x - 1.2])
    fig.update_yaxes(visible=False, range=[-2.2, 4.3], scaleanchor="x")
    fig.update_layout(height=320, margin=dict(l=5, r=5, t=5, b=5), plot_bgcolor="white")
    return fig
