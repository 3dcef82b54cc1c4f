"""Figures of the continuous family: the spiral's phase plane with the learned vector field and the two
models' paths, evaluations of f against the solver's tolerance, a KAN's learned edge functions as a grid
of small curves (with the symbolic function read back from each), and images stored by coordinate MLPs
with their PSNR curves. Arrays in, Plotly figures out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import ema, light_chart
from viz.images import rgb_image

TRUE, ODE, RES, FIELD, FIT = "#2f9e44", "#1c7ed6", "#e8590c", "rgba(120,120,120,0.55)", "#e8590c"


def _series(history: Sequence[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [(r["step"], r[key]) for r in history if key in r]
    return np.array([s for s, _ in rows]), np.array([v for _, v in rows], dtype=float)


def spiral_figure(paths: dict[str, np.ndarray], field: dict[str, np.ndarray] | None, height: int = 420):
    """The phase plane: f's learned field as short arrows, the true spiral, the neural ODE's path and the
    ResNet's from the same start z(0)."""
    fig = go.Figure()
    if field is not None:
        xy, d = np.asarray(field["xy"]), np.asarray(field["dxy"])
        n = np.linalg.norm(d, axis=1, keepdims=True)
        tip = xy + 0.14 * d / np.maximum(n, 1e-9)  # every arrow the same length: the direction reads
        seg = np.full((len(xy) * 3, 2), np.nan)
        seg[0::3], seg[1::3] = xy, tip
        fig.add_trace(
            go.Scatter(x=seg[:, 0], y=seg[:, 1], mode="lines", line=dict(color=FIELD, width=1), name="f(z)")
        )
        fig.add_trace(
            go.Scatter(
                x=tip[:, 0],
                y=tip[:, 1],
                mode="markers",
                marker=dict(color=FIELD, size=3),
                showlegend=False,
                hoverinfo="skip",
            )
        )
    for key, name, color, dash in (
        ("true", "true spiral", TRUE, "solid"),
        ("ode", "neural ODE", ODE, "dash"),
        ("resnet", "ResNet, same parameters", RES, "dot"),
    ):
        p = np.asarray(paths[key])
        fig.add_trace(
            go.Scatter(x=p[:, 0], y=p[:, 1], mode="lines", name=name, line=dict(color=color, dash=dash))
        )
    fig.update_xaxes(range=[-2.3, 2.3], title_text="z₁", zeroline=False, constrain="domain")
    fig.update_yaxes(range=[-2.3, 2.3], title_text="z₂", scaleanchor="x", zeroline=False)
    return light_chart(fig, height, legend_y=-0.18)


def ode_curves(history: Sequence[dict], height: int = 300) -> go.Figure:
    """Left: the training loss (mean |ẑ − z| on segments) of both models; right: the error along the whole
    trajectory from z(0) at each evaluation."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("loss on segments", "error on the whole path"))
    for key, name, color in (("loss", "neural ODE", ODE), ("twin_loss", "ResNet", RES)):
        x, y = _series(history, key)
        if len(x):
            fig.add_trace(go.Scatter(x=x, y=ema(y), mode="lines", line=dict(color=color), name=name), 1, 1)
    for key, name, color in (("test_err", "neural ODE", ODE), ("test_twin_err", "ResNet", RES)):
        x, y = _series(history, key)
        if len(x):
            fig.add_trace(
                go.Scatter(
                    x=x, y=y, mode="lines+markers", line=dict(color=color), name=name, showlegend=False
                ),
                1,
                2,
            )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(type="log")
    return light_chart(fig, height)


def nfe_figure(rows: Sequence[dict], mark: dict | None = None, height: int = 320) -> go.Figure:
    """Evaluations of f (left) and the solver's own error (right) against the tolerance, log-log;
    ``mark`` ({"tol", "nfe"}) is the user's setting."""
    tol = np.array([r["tol"] for r in rows])
    fig = make_subplots(rows=1, cols=2, subplot_titles=("evaluations of f (NFE)", "solver error"))
    fig.add_trace(
        go.Scatter(x=tol, y=[r["nfe"] for r in rows], mode="lines+markers", name="NFE", line=dict(color=ODE)),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=tol,
            y=[max(r["err"], 1e-12) for r in rows],
            mode="lines+markers",
            name="mean |z − z*|, z* solved at rtol 1e-8",
            line=dict(color=RES),
        ),
        1,
        2,
    )
    if mark is not None:
        fig.add_trace(
            go.Scatter(
                x=[mark["tol"]],
                y=[mark["nfe"]],
                mode="markers",
                name="your rtol",
                marker=dict(size=13, color="#f03e3e", symbol="star"),
            ),
            1,
            1,
        )
    fig.update_xaxes(
        type="log", title_text="rtol (atol = rtol / 10)", autorange="reversed", exponentformat="power"
    )
    fig.update_yaxes(type="log", row=1, col=2, exponentformat="power")
    return light_chart(fig, height)


def kan_edges_figure(
    edges: Sequence[dict], readback: Sequence | None = None, height_per_row: int = 120
) -> go.Figure:
    """One small plot per edge, a row per layer: φ (blue) over the range its input took on the data, and
    where ``readback`` is given the best symbolic function (dashed), titled with its name and R²."""
    cols = max(e["phi"].shape[0] * e["phi"].shape[1] for e in edges)
    titles, cells = [], []
    for li, e in enumerate(edges):
        n_out, n_in = e["phi"].shape[:2]
        for o in range(n_out):
            for i in range(n_in):
                t = f"L{li}: {i}→{o}"
                if readback is not None:
                    fit = readback[li][o][i]
                    t += f"<br>{fit['name']} R²={fit['r2']:.2f}"
                titles.append(t)
                cells.append((li, o, i))
        titles += [""] * (cols - n_out * n_in)
    fig = make_subplots(
        rows=len(edges), cols=cols, subplot_titles=titles, horizontal_spacing=0.02, vertical_spacing=0.2
    )
    k = {}
    for li, o, i in cells:
        k[li] = k.get(li, 0) + 1
        x, y = edges[li]["x"][i], edges[li]["phi"][o, i]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line=dict(color=ODE, width=2),
                showlegend=False,
                hovertemplate="x=%{x:.2f}<br>φ=%{y:.3f}<extra></extra>",
            ),
            li + 1,
            k[li],
        )
        if readback is not None:
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=readback[li][o][i]["fit"],
                    mode="lines",
                    showlegend=False,
                    line=dict(color=FIT, width=1.5, dash="dash"),
                    hoverinfo="skip",
                ),
                li + 1,
                k[li],
            )
    fig.update_xaxes(showticklabels=False, gridcolor="#eee")
    fig.update_yaxes(showticklabels=False, gridcolor="#eee")
    fig.update_annotations(font_size=10)
    fig.update_layout(
        height=height_per_row * len(edges) + 60, margin=dict(l=5, r=5, t=40, b=5), plot_bgcolor="white"
    )
    return fig


def image_trio_figure(image: np.ndarray, recon: np.ndarray, twin: np.ndarray, psnr: tuple | None = None):
    """The target and the two reconstructions side by side (PNG traces: small JSON at every tick)."""
    a = f" ({psnr[0]:.1f} dB)" if psnr else ""
    b = f" ({psnr[1]:.1f} dB)" if psnr else ""
    fig = make_subplots(
        rows=1, cols=3, subplot_titles=("target", "with γ(p)" + a, "raw (x, y)" + b), horizontal_spacing=0.03
    )
    for j, img in enumerate((image, recon, twin)):
        fig.add_trace(rgb_image(img), 1, j + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=300, margin=dict(l=5, r=5, t=30, b=5))
    return fig


def psnr_curves(history: Sequence[dict], height: int = 300) -> go.Figure:
    """PSNR of both networks at each evaluation, and their training losses."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("PSNR (dB), higher is better", "training loss (MSE)"))
    for key, name, color in (("test_psnr", "with γ(p)", ODE), ("test_twin_psnr", "raw (x, y)", RES)):
        x, y = _series(history, key)
        if len(x):
            fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=name, line=dict(color=color)), 1, 1)
    for key, color in (("loss", ODE), ("twin_loss", RES)):
        x, y = _series(history, key)
        if len(x):
            fig.add_trace(
                go.Scatter(x=x, y=ema(y), mode="lines", line=dict(color=color), showlegend=False), 1, 2
            )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(type="log", row=1, col=2)
    return light_chart(fig, height)
