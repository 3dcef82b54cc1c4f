"""Figures of the autoregressive family: PixelCNN's masks, its measured receptive field and blind spot,
digits drawn pixel by pixel; WaveNet's dilated causal stack, μ-law companding and continued waveforms."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, ema, light_chart
from viz.images import rgb_image

SEEN, BLIND, FUTURE, SELF, OUT = 0, 1, 2, 3, 4
DEP_COLORS = ("#1c7ed6", "#f59f00", "#f8f9fa", "#e03131", "#ced4da")
DEP_NAMES = (
    "seen (gradient ≠ 0)",
    "blind spot (before, in reach, unseen)",
    "after (must not be seen)",
    "the pixel",
    "before, out of reach",
)


def _square(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), plot_bgcolor="white")
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed")
    return fig


def mask_figure(mask_a: np.ndarray, mask_b: np.ndarray, height: int = 300) -> go.Figure:
    """Two k×k masks (1 = weight kept, 0 = zeroed) side by side, the centre outlined."""
    fig = make_subplots(1, 2, subplot_titles=("mask A (first layer)", "mask B (every later layer)"))
    for i, m in enumerate((mask_a, mask_b), start=1):
        k = m.shape[0]
        text = [["1" if v else "0" for v in row] for row in m]
        fig.add_trace(
            go.Heatmap(
                z=m.astype(float),
                text=text,
                texttemplate="%{text}",
                colorscale=[[0, "#f1f3f5"], [1, "#1c7ed6"]],
                zmin=0,
                zmax=1,
                showscale=False,
                xgap=2,
                ygap=2,
                hovertemplate="row %{y}, column %{x}: %{text}<extra></extra>",
            ),
            1,
            i,
        )
        c = k // 2
        fig.add_shape(
            type="rect", x0=c - 0.5, x1=c + 0.5, y0=c - 0.5, y1=c + 0.5, line=dict(color="#e03131", width=3),
            row=1, col=i,
        )  # fmt: skip
    fig.update_yaxes(scaleanchor="x")
    fig.update_yaxes(scaleanchor="x2", row=1, col=2)
    return _square(fig, height)


def dependency_classes(dep: np.ndarray, row: int, col: int, reach: int | None = None) -> np.ndarray:
    """(H, W) classes from a gradient map: SEEN, BLIND, FUTURE, SELF, OUT. Pixels before (row, col) in
    raster order with a zero gradient are OUT when farther than ``reach`` rows above or columns aside
    (the stack's kernels cannot reach that far in any direction), BLIND otherwise."""
    H, W = dep.shape
    idx = np.arange(H * W).reshape(H, W)
    before = idx < row * W + col
    r, c = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
    near = (row - r <= reach) & (np.abs(c - col) <= reach) if reach is not None else np.ones_like(before)
    out = np.full((H, W), FUTURE)
    out[before & near] = BLIND
    out[before & ~near] = OUT
    out[before & (dep > 0)] = SEEN
    out[row, col] = SELF
    return out


def dependency_figure(
    dep: np.ndarray, row: int, col: int, reach: int | None = None, title: str = "", height: int = 440
) -> go.Figure:
    """The grid coloured by what output pixel (row, col) depends on, measured from gradients."""
    cls = dependency_classes(dep, row, col, reach)
    n = len(DEP_COLORS)
    scale = []
    for i, c in enumerate(DEP_COLORS):
        scale += [[i / n, c], [(i + 1) / n, c]]
    names = np.array(DEP_NAMES)[cls]
    fig = go.Figure(
        go.Heatmap(
            z=cls,
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            showscale=False,
            xgap=1,
            ygap=1,
            customdata=names,
            hovertemplate="row %{y}, column %{x}: %{customdata}<extra></extra>",
        )
    )
    for c, n in zip(DEP_COLORS, DEP_NAMES, strict=True):  # a legend for the colours
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(color=c, size=12), name=n))
    fig.update_layout(title=title, legend=dict(orientation="h", y=-0.02), showlegend=True)
    fig.update_yaxes(scaleanchor="x")
    return _square(fig, height)


def _tile(levels: np.ndarray, n_levels: int, drawn: int, scale: int) -> np.ndarray:
    """(H·scale, W·scale, 3) uint8: drawn pixels as ink (dark = high level), the rest pale blue, the next
    pixel red."""
    H, W = levels.shape
    grey = 255 - (levels.astype(float) / max(1, n_levels - 1) * 255)
    rgb = np.repeat(grey[..., None], 3, -1)
    flat = rgb.reshape(H * W, 3)
    flat[drawn:] = (208, 235, 255)
    if drawn < H * W:
        flat[drawn] = (224, 49, 49)
    return np.kron(rgb, np.ones((scale, scale, 1))).astype(np.uint8)


def sampling_figure(
    levels: np.ndarray, n_levels: int, drawn: int, titles: Sequence[str] | None = None, scale: int = 16
) -> go.Figure:
    """Images (N, H, W) with their first ``drawn`` pixels (raster order) shown, as one PNG mosaic."""
    n = len(levels)
    gap = max(2, scale // 3)
    tiles = [_tile(lv, n_levels, drawn, scale) for lv in levels]
    h, w = tiles[0].shape[:2]
    mosaic = np.full((h, n * (w + gap) - gap, 3), 173, np.uint8)  # grey gaps: the tiles are white-backed
    for i, t in enumerate(tiles):
        mosaic[:, i * (w + gap) : i * (w + gap) + w] = t
    fig = go.Figure(rgb_image(mosaic))
    if titles:
        for i, t in enumerate(titles):
            fig.add_annotation(x=i * (w + gap) + w / 2, y=-4, text=t, showarrow=False, yanchor="bottom")
    fig.update_layout(height=int(h * 1.6) + 40, margin=dict(l=0, r=0, t=30, b=0))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return fig


def next_value_figure(probs: np.ndarray, chosen: int | None, title: str = "", height: int = 240) -> go.Figure:
    """The softmax over levels a value was drawn from, the drawn level in red."""
    L = len(probs)
    colors = ["#e03131" if i == chosen else PALETTE[0] for i in range(L)]
    fig = go.Figure(go.Bar(x=list(range(L)), y=probs, marker_color=colors))
    fig.update_layout(title=title, xaxis_title="level", yaxis_title="probability", yaxis_range=[0, 1])
    fig.update_xaxes(dtick=1)
    return light_chart(fig, height)


def bits_curves(
    history: Sequence[dict], baseline: float, height: int = 320, unit: str = "pixel"
) -> go.Figure:
    """Training loss and each evaluation's NLL in bits per value, with the baseline as a line."""
    fig = go.Figure()
    rows = [r for r in history if "loss" in r]
    if rows:
        bits = np.array([r["loss"] for r in rows]) / np.log(2)
        fig.add_trace(go.Scatter(x=[r["step"] for r in rows], y=ema(bits), name="train (smoothed)"))
    for split, color in (("val", PALETTE[2]), ("test", PALETTE[1])):
        ev = [r for r in history if f"{split}_bits" in r]
        if ev:
            fig.add_trace(
                go.Scatter(
                    x=[r["step"] for r in ev],
                    y=[r[f"{split}_bits"] for r in ev],
                    name=split,
                    mode="lines+markers",
                    line=dict(color=color),
                )
            )
    fig.add_hline(y=baseline, line=dict(color="#495057", dash="dash"), annotation_text="baseline")
    fig.update_layout(xaxis_title="step", yaxis_title=f"bits per {unit}")
    return light_chart(fig, height)


# ------------------------------------------------------------------------------------------ WaveNet


def dilation_tree(dilations: Sequence[int], k: int = 2) -> list[np.ndarray]:
    """For the last output of a causal stack (input conv of width k, then dilated layers): the time
    offsets (0 = now, negative = past) each level reads, from the output down to the input."""
    offs = np.array([0])
    out = [offs]
    for d in [*reversed(list(dilations)), 1]:
        offs = np.unique((offs[:, None] - d * np.arange(k)[None, :]).ravel())
        out.append(offs)
    return out  # [output, layer L, …, layer 1, causal-conv input]


def dilation_figure(
    dilations: Sequence[int], k: int = 2, height: int = 380, max_edges: int = 1500
) -> go.Figure:
    """The stack drawn as in the paper's Figure 3: one row of dots per layer, the connections that feed
    the last output (edges only while there are few enough to read)."""
    tree = dilation_tree(dilations, k)
    depth = len(tree) - 1
    fig = go.Figure()
    n_edges = sum(len(t) * k for t in tree[:-1])
    if n_edges <= max_edges:
        ds = [*reversed(list(dilations)), 1]
        xs, ys = [], []
        for lvl, (offs, d) in enumerate(zip(tree[:-1], ds, strict=True)):
            for o in offs:
                for j in range(k):
                    xs += [o, o - d * j, None]
                    ys += [depth - lvl, depth - lvl - 1, None]
        fig.add_trace(
            go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="#adb5bd", width=1), hoverinfo="skip")
        )
    names = ["output", *[f"dilation {d}" for d in reversed(list(dilations))], "input"]
    for lvl, offs in enumerate(tree):
        run = len(offs) > 200 and offs.max() - offs.min() + 1 == len(offs)
        if run:  # a solid run of positions: drawn as a bar between its two ends
            offs = np.array([offs.min(), offs.max()])
        fig.add_trace(
            go.Scatter(
                x=offs,
                y=np.full(len(offs), depth - lvl),
                mode="lines+markers" if run else "markers",
                marker=dict(size=6 if len(offs) < 200 else 3, color=PALETTE[3] if lvl == 0 else PALETTE[0]),
                line=dict(color=PALETTE[0], width=4),
                name=names[lvl],
                hovertemplate=f"{names[lvl]}: t%{{x}}<extra></extra>",
            )
        )
    fig.update_layout(
        showlegend=False,
        xaxis_title=f"time (samples before the output; the field spans {len(tree[-1])})",
        yaxis=dict(tickvals=list(range(depth, -1, -1)), ticktext=names),
    )
    return light_chart(fig, height)


def receptive_field_figure(
    layers: Sequence[int], formula: Sequence[int], measured: Sequence[int]
) -> go.Figure:
    """Receptive field against depth: the formula 1 + (k − 1)(1 + Σ d) and the count from gradients."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=layers, y=formula, name="formula 1 + (k − 1)(1 + Σd)", mode="lines"))
    fig.add_trace(
        go.Scatter(
            x=layers, y=measured, name="measured from gradients", mode="markers",
            marker=dict(color=PALETTE[1], size=9),
        )
    )  # fmt: skip
    fig.update_layout(xaxis_title="dilated layers", yaxis_title="samples seen", yaxis_type="log")
    fig.update_xaxes(dtick=1)
    return light_chart(fig, 300)


def mu_law_figure(x: np.ndarray, mu_y: np.ndarray, lin_y: np.ndarray, levels: int) -> go.Figure:
    """The companding curve and the two quantisers' steps: level against amplitude."""
    fig = make_subplots(1, 2, subplot_titles=("companding f(x)", f"level of x, {levels} levels"))
    f = np.sign(x) * np.log1p((levels - 1) * np.abs(x)) / np.log1p(levels - 1)
    fig.add_trace(go.Scatter(x=x, y=f, name="μ-law f(x)", line=dict(color=PALETTE[0])), 1, 1)
    fig.add_trace(go.Scatter(x=x, y=x, name="identity", line=dict(color="#adb5bd", dash="dot")), 1, 1)
    fig.add_trace(go.Scatter(x=x, y=mu_y, name="μ-law levels", line=dict(color=PALETTE[0], shape="hv")), 1, 2)
    fig.add_trace(
        go.Scatter(x=x, y=lin_y, name="linear levels", line=dict(color=PALETTE[1], shape="hv")), 1, 2
    )
    fig.update_xaxes(title="amplitude x")
    return light_chart(fig, 320)


def waves_figure(
    t: np.ndarray, series: dict[str, np.ndarray], title: str = "", cut: float | None = None, height: int = 300
) -> go.Figure:
    """Waveforms over time (ms); ``cut`` draws a vertical line (where generation starts)."""
    fig = go.Figure()
    styles = [dict(color="#495057"), dict(color=PALETTE[1], dash="dash"), dict(color=PALETTE[0])]
    for i, (name, y) in enumerate(series.items()):
        x = t[: len(y)] if len(y) <= len(t) else t
        fig.add_trace(go.Scatter(x=x, y=y, name=name, line=styles[i % 3], mode="lines"))
    if cut is not None:
        fig.add_vline(x=cut, line=dict(color="#adb5bd"))
    fig.update_layout(title=title, xaxis_title="time (ms)", yaxis_title="amplitude")
    return light_chart(fig, height)
