"""Figures of attention: small labelled heatmaps, layers × heads grids, rollout, ViT patch overlays,
positional encodings and the √d_k saturation plot. Arrays in, Plotly figures out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots


def _labels(tokens: Sequence[str]) -> list[str]:
    """Unique axis labels (plotly merges equal category labels): '3:e' style for repeats."""
    shown = [t.replace(" ", "␣").replace("\n", "⏎") for t in tokens]
    return [f"{i}:{t}" if shown.count(t) > 1 else t for i, t in enumerate(shown)]


def matrix(
    z: np.ndarray,
    rows: Sequence[str] | None = None,
    cols: Sequence[str] | None = None,
    title: str = "",
    colorscale: str = "RdBu",
    zmid: float | None = 0.0,
    zmin: float | None = None,
    zmax: float | None = None,
    height: int = 260,
    text: bool = True,
) -> go.Figure:
    """A small heatmap with its numbers written in the cells (when small enough) and on hover."""
    z = np.asarray(z, dtype=float)
    y = _labels(rows) if rows is not None else [str(i) for i in range(z.shape[0])]
    x = _labels(cols) if cols is not None else [str(j) for j in range(z.shape[1])]
    show_text = text and z.size <= 144
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            colorscale=colorscale,
            zmid=zmid,
            zmin=zmin,
            zmax=zmax,
            showscale=False,
            text=np.round(z, 2) if show_text else None,
            texttemplate="%{text}" if show_text else None,
            hovertemplate="%{y} → %{x}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=dict(text=title, font=dict(size=13)) if title else None,
        height=height,
        margin=dict(l=10, r=10, t=32 if title else 8, b=10),
        yaxis=dict(autorange="reversed", type="category"),
        xaxis=dict(type="category", side="bottom"),
    )
    return fig


def attention_map(att: np.ndarray, q_tokens, k_tokens, title: str = "", height: int = 360) -> go.Figure:
    """One head's weights: rows are queries, columns keys, each row sums to 1."""
    return matrix(
        att,
        q_tokens,
        k_tokens,
        title,
        colorscale="Blues",
        zmid=None,
        zmin=0,
        zmax=float(att.max()),
        height=height,
    )


def head_grid(att: np.ndarray, title: str = "", cell: int = 120, row_names: Sequence[str] | None = None):
    """All layers × heads of (L, H, Tq, Tk) weights as a grid of small heatmaps (hover for values)."""
    L, H = att.shape[:2]
    fig = make_subplots(
        L,
        H,
        horizontal_spacing=0.012,
        vertical_spacing=0.02 if L > 1 else 0.0,
        column_titles=[f"head {h}" for h in range(H)],
        row_titles=list(row_names) if row_names else [f"layer {i}" for i in range(L)],
    )
    for i in range(L):
        for h in range(H):
            fig.add_trace(
                go.Heatmap(
                    z=att[i, h],
                    colorscale="Blues",
                    zmin=0,
                    zmax=1,
                    showscale=False,
                    hovertemplate=f"layer {i} head {h}<br>query %{{y}} → key %{{x}}: "
                    "%{z:.3f}<extra></extra>",
                ),
                i + 1,
                h + 1,
            )
    fig.update_yaxes(autorange="reversed", showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(
        height=int(min(1400, (70 if title else 40) + L * cell)),
        margin=dict(l=10, r=30, t=70 if title else 40, b=10),  # the title above the column titles
        title=dict(text=title, y=1, yanchor="top", pad=dict(t=8)) if title else None,
    )
    return fig


def attention_rollout(layers: Sequence[np.ndarray], residual: float = 0.5) -> np.ndarray:
    """Abnar & Zuidema (2020): average the heads, mix in the residual path (A' = r·I + (1−r)·A, rows
    renormalised) and multiply through the layers: how much each output token draws on each input token."""
    out = None
    for a in layers:  # (H, T, T)
        m = a.mean(0)
        m = residual * np.eye(m.shape[0]) + (1 - residual) * m
        m = m / m.sum(-1, keepdims=True)
        out = m if out is None else m @ out
    return out


def patch_overlay(image: np.ndarray, maps: Sequence[np.ndarray], titles: Sequence[str], height: int = 240):
    """The image with each (g, g) attention map over its patch grid, side by side."""
    n = len(maps)
    fig = make_subplots(1, n + 1, subplot_titles=["input", *titles], horizontal_spacing=0.01)
    size = image.shape[0]
    fig.add_trace(go.Heatmap(z=image, colorscale="gray_r", showscale=False, hoverinfo="skip"), 1, 1)
    for i, m in enumerate(maps):
        g = m.shape[0]
        up = np.kron(m, np.ones((size // g, size // g)))  # each patch's weight over its pixels
        fig.add_trace(go.Heatmap(z=image, colorscale="gray_r", showscale=False, hoverinfo="skip"), 1, i + 2)
        fig.add_trace(
            go.Heatmap(
                z=up,
                colorscale="Hot",
                opacity=0.55,
                showscale=False,
                hovertemplate="attention %{z:.3f}<extra></extra>",
            ),
            1,
            i + 2,
        )
    fig.update_yaxes(autorange="reversed", showticklabels=False, scaleanchor=None)
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(height=height, margin=dict(l=5, r=5, t=30, b=5))
    return fig


def positional_figure(table: np.ndarray, title: str, xlabel: str = "dimension") -> go.Figure:
    """A (positions, dims) encoding as a heatmap."""
    fig = go.Figure(
        go.Heatmap(
            z=table,
            colorscale="RdBu",
            zmid=0,
            hovertemplate="position %{y}, " + xlabel + " %{x}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=300,
        margin=dict(l=10, r=10, t=36, b=10),
        xaxis_title=xlabel,
        yaxis_title="position",
        yaxis=dict(autorange="reversed"),
    )
    return fig


def similarity_figure(curves: dict[str, np.ndarray], title: str) -> go.Figure:
    """Lines over relative distance (e.g. how q·k of the same vector falls off with distance)."""
    fig = go.Figure()
    for name, y in curves.items():
        fig.add_trace(go.Scatter(y=y, mode="lines", name=name))
    fig.update_layout(
        title=title,
        height=300,
        margin=dict(l=10, r=10, t=36, b=10),
        xaxis_title="distance between positions",
        yaxis_title="similarity",
    )
    return fig


def saturation_figure(dims: Sequence[int], scaled: np.ndarray, unscaled: np.ndarray) -> go.Figure:
    """Mean largest softmax weight over random q·k scores, with and without dividing by √d_k."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(dims), y=unscaled, mode="lines+markers", name="softmax(QKᵀ)"))
    fig.add_trace(go.Scatter(x=list(dims), y=scaled, mode="lines+markers", name="softmax(QKᵀ/√dₖ)"))
    fig.update_layout(
        height=300,
        margin=dict(l=10, r=10, t=36, b=10),
        xaxis_type="log",
        title="Largest attention weight of a row (1 = saturated, one-hot)",
        xaxis_title="dₖ",
        yaxis_title="max weight",
        yaxis_range=[0, 1.02],
    )
    return fig


def probability_bars(
    labels: Sequence[str], probs: np.ndarray, title: str = "", height: int = 260
) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=_labels(labels), y=probs, marker_color="#1c7ed6", hovertemplate="%{x}: %{y:.3f}<extra></extra>"
        )
    )
    fig.update_layout(
        title=title or None,
        height=height,
        margin=dict(l=10, r=10, t=32 if title else 8, b=10),
        yaxis_title="probability",
        xaxis=dict(type="category"),
    )
    return fig


def mask_figure(mask: np.ndarray, title: str, height: int = 220) -> go.Figure:
    """A boolean attention mask: dark where a query (row) may look at a key (column)."""
    fig = go.Figure(
        go.Heatmap(
            z=mask.astype(float),
            colorscale=[[0, "#f1f3f5"], [1, "#1c7ed6"]],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=1,
            ygap=1,
            hovertemplate="query %{y} → key %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        title=dict(text=title, font=dict(size=13)),
        height=height,
        margin=dict(l=10, r=10, t=32, b=10),
        yaxis=dict(autorange="reversed"),
    )
    return fig
