"""Figures for the energy-based and classic networks: arrays in, Plotly figures out.

DSN: accuracy per block as blocks are added. SOM: the map's weights (a colour image, or a mosaic of digit
prototypes) beside its U-matrix, and its errors over training. ESN: the forecast against the series and
the naive persistence forecast, the echo-state property (the distance between two reservoir runs), and the
forecast error against the spectral radius. RBF/ELM: centres drawn on the house's decision boundary.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE
from viz.images import rgb_image

# ---- DSN, SOM, RBF, ELM, ESN (helper B)

SERIES_GREY = "#495057"


def dsn_blocks_figure(rows: Sequence[dict], height: int = 320) -> go.Figure:
    """Accuracy per block: ``rows`` of {"block", "train_acc", "test_acc"}; the top block is the network's
    output."""
    blocks = [r["block"] for r in rows]
    fig = go.Figure()
    for key, name, colour in (("train_acc", "train", PALETTE[0]), ("test_acc", "test", PALETTE[1])):
        fig.add_trace(
            go.Scatter(
                x=blocks,
                y=[r[key] for r in rows],
                mode="lines+markers+text",
                name=name,
                line=dict(color=colour, width=2),
                text=[f"{r[key]:.1%}" for r in rows] if key == "test_acc" else None,
                textposition="bottom center",
                hovertemplate=f"block %{{x}}<br>{name} accuracy %{{y:.2%}}<extra></extra>",
            )
        )
    lo = min(min(r["train_acc"], r["test_acc"]) for r in rows) if rows else 0.9
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(title="blocks stacked", dtick=1),
        yaxis=dict(title="accuracy", tickformat=".0%", range=[max(0.0, lo - 0.03), 1.005]),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig


def _mosaic(weights: np.ndarray, side: int) -> np.ndarray:
    """(R, C, side²) prototypes -> one grey image (R·(side+1), C·(side+1)) with 1-pixel gaps."""
    r, c, _ = weights.shape
    img = np.full((r * (side + 1), c * (side + 1)), np.nan)
    for i in range(r):
        for j in range(c):
            img[i * (side + 1) : i * (side + 1) + side, j * (side + 1) : j * (side + 1) + side] = weights[
                i, j
            ].reshape(side, side)
    return img


def som_map_figure(weights: np.ndarray, umatrix: np.ndarray, title: str = "", height: int = 400) -> go.Figure:
    """The map (R, C, D) beside its U-matrix (R, C). Three numbers per unit are drawn as its colour;
    a square number (64) as the unit's image; the U-matrix as a heatmap (dark: far from its neighbours)."""
    r, c, d = weights.shape
    fig = make_subplots(
        1,
        2,
        subplot_titles=("each unit's weights", "U-matrix: distance to grid neighbours"),
        horizontal_spacing=0.12,
    )
    if d == 3:
        rgb = (np.clip(weights, 0, 1) * 255).astype(np.uint8)
        fig.add_trace(rgb_image(rgb, name="map"), 1, 1)
    else:
        side = int(round(d**0.5))
        img = _mosaic(weights, side) if side * side == d else weights.mean(-1)
        fig.add_trace(
            go.Heatmap(z=img, colorscale="gray_r", showscale=False, hoverinfo="skip", name="map"), 1, 1
        )
    fig.add_trace(
        go.Heatmap(
            z=umatrix,
            colorscale="Greys",
            colorbar=dict(thickness=10, len=0.85, x=1.0),
            hovertemplate="row %{y}, column %{x}<br>mean distance %{z:.3f}<extra></extra>",
            name="U-matrix",
        ),
        1,
        2,
    )
    for k in (1, 2):
        fig.update_xaxes(showticklabels=False, constrain="domain", row=1, col=k)
        fig.update_yaxes(
            showticklabels=False, autorange="reversed", scaleanchor=f"x{'' if k == 1 else 2}", row=1, col=k
        )
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=50, b=10), title=dict(text=title, font=dict(size=14))
    )
    return fig


def som_curve_figure(
    steps: Sequence[int], qe: Sequence[float], te: Sequence[float], height: int = 280
) -> go.Figure:
    """Quantisation error and topographic error against the training step."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(x=list(steps), y=list(qe), name="quantisation error", mode="lines+markers"),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=list(steps), y=list(te), name="topographic error", mode="lines+markers", line=dict(dash="dot")
        ),
        secondary_y=True,
    )
    fig.update_xaxes(title="step")
    fig.update_yaxes(title="mean distance to the winner", secondary_y=False, rangemode="tozero")
    fig.update_yaxes(title="share", tickformat=".0%", secondary_y=True, range=[0, 1.02])
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.02, yanchor="bottom"),
    )
    return fig


def esn_forecast_figure(f: dict[str, np.ndarray], show: int = 300, height: int = 340) -> go.Figure:
    """The test span: the series, the one-step forecast, persistence (the last value), and the
    free-running forecast (fed its own outputs) over its horizon."""
    n = min(show, len(f["target"]))
    t = np.arange(n)
    fig = go.Figure()
    lines = (
        ("target", "Mackey–Glass series", dict(color=SERIES_GREY, width=3)),
        ("persistence", "persistence (last value)", dict(color=PALETTE[3], width=1.5, dash="dot")),
        ("one_step", "one step ahead", dict(color=PALETTE[0], width=1.5)),
    )
    for key, name, line in lines:
        fig.add_trace(go.Scatter(x=t, y=f[key][:n, 0], name=name, line=line, mode="lines"))
    h = min(len(f["free"]), n)
    fig.add_trace(
        go.Scatter(x=t[:h], y=f["free"][:h, 0], name="free-running", line=dict(color=PALETTE[1], width=2))
    )
    fig.add_vline(x=h - 1, line=dict(color="#adb5bd", dash="dash"), annotation_text="end of free run")
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="time step of the test span",
        yaxis_title="value (standardised)",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig


def esn_divergence_figure(curves: dict[str, np.ndarray], height: int = 320) -> go.Figure:
    """‖xₐ(t) − x_b(t)‖ / √N per step for each spectral radius (name -> curve), on a log scale: falling to
    0 is the echo-state property."""
    fig = go.Figure()
    for i, (name, d) in enumerate(curves.items()):
        fig.add_trace(
            go.Scatter(
                x=np.arange(1, len(d) + 1),
                y=np.maximum(d, 1e-12),
                name=name,
                mode="lines",
                line=dict(color=PALETTE[i % len(PALETTE)], width=2),
            )
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="time step (same input, two different initial states)",
        yaxis=dict(title="distance between the two states", type="log", exponentformat="power"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig


def esn_sweep_figure(rows: Sequence[dict], current: float | None = None, height: int = 320) -> go.Figure:
    """Forecast error (NRMSE) against the spectral radius: one step ahead and free-running, each with its
    persistence baseline; a vertical line at ρ = 1 and at the chosen radius."""
    rho = [r["rho"] for r in rows]
    fig = go.Figure()
    for key, name, colour, dash in (
        ("test_nrmse", "one step ahead", PALETTE[0], None),
        ("persistence_nrmse", "persistence, one step", PALETTE[0], "dot"),
        ("free_nrmse", "free-running", PALETTE[1], None),
        ("free_persistence_nrmse", "persistence, held", PALETTE[1], "dot"),
    ):
        fig.add_trace(
            go.Scatter(
                x=rho,
                y=[r[key] for r in rows],
                name=name,
                mode="lines+markers" if dash is None else "lines",
                line=dict(color=colour, dash=dash),
            )
        )
    fig.add_vline(x=1.0, line=dict(color="#868e96", dash="dash"), annotation_text="ρ = 1")
    if current is not None:
        fig.add_vline(
            x=current, line=dict(color="#e03131", width=1), annotation_text="yours", annotation_y=0.1
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="spectral radius ρ",
        yaxis=dict(title="NRMSE (1: no better than the mean)", type="log", exponentformat="power"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig


def centers_overlay(fig: go.Figure, centers: np.ndarray, widths: np.ndarray | None = None) -> go.Figure:
    """Draw an RBF network's centres (K, 2), in the plot's coordinates, as crosses on a boundary figure,
    each with a dotted circle of its width."""
    if widths is not None:
        a = np.linspace(0, 2 * np.pi, 33)
        xs, ys = [], []
        for (cx, cy), w in zip(centers, widths, strict=True):
            xs += [*(cx + w * np.cos(a)), None]
            ys += [*(cy + w * np.sin(a)), None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name="widths",
                line=dict(color="black", width=0.7, dash="dot"),
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=centers[:, 0],
            y=centers[:, 1],
            mode="markers",
            name="centres",
            marker=dict(symbol="x", size=9, color="black"),
            hovertemplate="centre (%{x:.2f}, %{y:.2f})<extra></extra>",
        )
    )
    return fig
