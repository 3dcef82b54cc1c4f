"""Curves of elementwise functions: activations and their derivatives."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

_ERF = np.vectorize(math.erf)


def activation_values(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(σ(z), σ'(z)) for an activation by name."""
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        return s, s * (1 - s)
    if name == "tanh":
        t = np.tanh(z)
        return t, 1 - t * t
    if name == "relu":
        return np.maximum(z, 0), (z > 0).astype(float)
    if name == "leaky_relu":
        return np.where(z > 0, z, 0.01 * z), np.where(z > 0, 1.0, 0.01)
    if name == "gelu":
        cdf = 0.5 * (1 + _ERF(z / math.sqrt(2)))
        pdf = np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        return z * cdf, cdf + z * pdf
    if name == "linear":
        return z.copy(), np.ones_like(z)
    raise ValueError(f"unknown activation {name!r}")


def activation_figure(
    names=("sigmoid", "tanh", "relu", "leaky_relu", "gelu"), height: int = 300
) -> go.Figure:
    z = np.linspace(-4, 4, 241)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("σ(z)", "σ′(z): how much gradient passes back"))
    colors = ["#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f03e3e", "#495057"]
    for i, n in enumerate(names):
        f, d = activation_values(n, z)
        fig.add_trace(go.Scatter(x=z, y=f, name=n, line=dict(color=colors[i % 6]), legendgroup=n), 1, 1)
        fig.add_trace(
            go.Scatter(x=z, y=d, name=n, line=dict(color=colors[i % 6]), legendgroup=n, showlegend=False),
            1,
            2,
        )
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white")
    fig.update_xaxes(title_text="z", gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee")
    return fig
