"""Figures of the recurrent networks page: the network unrolled over time, hidden states and gates over
a sequence, gradient norms through time, attention alignments, and side-by-side training curves."""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE

KIND_COLORS = {"rnn": "#e8590c", "lstm": "#1c7ed6", "gru": "#2f9e44"}
_ROLE_COLORS = {"input": "#adb5bd", "state": "#1c7ed6", "backward": "#ae3ec9", "output": "#2f9e44"}


def unrolled_graph(
    T: int, num_layers: int = 1, bidirectional: bool = False, readout: str = "last"
) -> nx.DiGraph:
    """A graph whose nodes are time steps: x_t, the state h_t of each layer (and direction), y_t.
    Arrows are what each computation reads; the horizontal arrows are the recurrence."""
    G = nx.DiGraph()
    dirs = ("→", "←") if bidirectional else ("",)
    for t in range(T):
        G.add_node(("x", t), role="input", label=f"x{t + 1}", pos=(t, 0))
    row = 1
    below = [("x", t) for t in range(T)]
    for layer in range(num_layers):
        cur = []
        for d, arrow in enumerate(dirs):
            for t in range(T):
                n = ("h", layer, d, t)
                G.add_node(
                    n, role="backward" if d else "state", label=f"h{arrow}{layer + 1},{t + 1}", pos=(t, row)
                )
                for src in below:
                    if src[-1] == t:
                        G.add_edge(src, n)
                prev = t + 1 if d else t - 1
                if 0 <= prev < T:
                    G.add_edge(("h", layer, d, prev), n)
            cur += [("h", layer, d, t) for t in range(T)]
            row += 1
        below = cur
    steps = range(T) if readout == "sequence" else [T - 1]
    for t in steps:
        G.add_node(("y", t), role="output", label=f"y{t + 1}", pos=(t, row))
        for src in below:
            if src[-1] == t or (readout == "last" and src[2] == 1 and src[-1] == 0):
                G.add_edge(src, ("y", t))
    return G


def unrolled_figure(G: nx.DiGraph, height: int | None = None) -> go.Figure:
    pos = nx.get_node_attributes(G, "pos")
    ex, ey = [], []
    for u, v in G.edges:
        (x0, y0), (x1, y1) = pos[u], pos[v]
        ex += [x0, x1, None]
        ey += [y0, y1, None]
    fig = go.Figure(
        go.Scatter(
            x=ex,
            y=ey,
            mode="lines",
            line=dict(color="#ced4da", width=1.5),
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for role, color in _ROLE_COLORS.items():
        nodes = [n for n, d in G.nodes(data=True) if d["role"] == role]
        if not nodes:
            continue
        fig.add_trace(
            go.Scatter(
                x=[pos[n][0] for n in nodes],
                y=[pos[n][1] for n in nodes],
                mode="markers+text",
                text=[G.nodes[n]["label"] for n in nodes],
                textposition="middle center",
                textfont=dict(size=10, color="white"),
                marker=dict(size=34, color=color, symbol="square" if role != "input" else "circle"),
                name={
                    "input": "inputs xₜ",
                    "state": "hidden state (forward)",
                    "backward": "hidden state (backward)",
                    "output": "outputs",
                }[role],
                hoverinfo="text",
                hovertext=[G.nodes[n]["label"] for n in nodes],
            )
        )
    rows = max(p[1] for p in pos.values()) + 1
    fig.update_layout(
        height=height or 90 + 70 * rows,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False, range=[-0.6, rows - 0.4]),
        legend=dict(orientation="h", y=-0.05),
        showlegend=True,
    )
    return fig


def state_heatmap(h: np.ndarray, tokens: Sequence[str] | None = None, title: str = "") -> go.Figure:
    """h (T, H): one column per time step, one row per hidden unit."""
    T, H = h.shape
    x = [f"{t + 1}:{tok}" for t, tok in enumerate(tokens)] if tokens is not None else list(range(1, T + 1))
    fig = go.Figure(
        go.Heatmap(
            z=h.T,
            x=x,
            y=[f"unit {i}" for i in range(H)],
            colorscale="RdBu",
            zmid=0,
            hovertemplate="%{y}, step %{x}: %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or None,
        height=min(560, 140 + 12 * H),
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        xaxis_title="time step",
        yaxis=dict(autorange="reversed", showticklabels=H <= 32),
    )
    return fig


def gates_figure(gates: dict[str, np.ndarray], tokens: Sequence[str] | None = None) -> go.Figure:
    """One heatmap per gate (T, H) (units × time), sigmoid gates on a 0…1 scale, the rest on −1…1."""
    names = list(gates)
    fig = make_subplots(
        rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.04, subplot_titles=names
    )
    for i, name in enumerate(names, 1):
        g = gates[name]
        T, H = g.shape
        x = (
            [f"{t + 1}:{tok}" for t, tok in enumerate(tokens)]
            if tokens is not None
            else list(range(1, T + 1))
        )
        sig = name in ("input", "forget", "output", "reset", "update")
        fig.add_trace(
            go.Heatmap(
                z=g.T,
                x=x,
                y=list(range(H)),
                colorscale="Viridis" if sig else "RdBu",
                zmin=0 if sig else None,
                zmax=1 if sig else None,
                zmid=None if sig else 0,
                showscale=False,
                hovertemplate=f"{name}, unit %{{y}}, step %{{x}}: %{{z:.3f}}<extra></extra>",
            ),
            row=i,
            col=1,
        )
        fig.update_yaxes(autorange="reversed", showticklabels=False, title_text="units", row=i, col=1)
    fig.update_layout(height=150 + 150 * len(names), margin=dict(l=10, r=10, t=30, b=10))
    return fig


def gradient_flow_figure(flows: dict[str, dict], clip: float | None = None) -> go.Figure:
    """‖∂L/∂x_t‖ against the number of steps back from the loss, log scale; dashed: after clipping."""
    fig = go.Figure()
    for i, (kind, f) in enumerate(flows.items()):
        color = KIND_COLORS.get(kind, PALETTE[i % len(PALETTE)])
        fig.add_trace(
            go.Scatter(
                x=f["steps_back"],
                y=np.maximum(f["norm"], 1e-30),
                mode="lines",
                name=f"{kind.upper()}",
                line=dict(color=color, width=2),
            )
        )
        if clip:
            fig.add_trace(
                go.Scatter(
                    x=f["steps_back"],
                    y=np.maximum(f["clipped"], 1e-30),
                    mode="lines",
                    name=f"{kind.upper()} clipped at {clip:g} (×{f['clip_factor']:.2g})",
                    line=dict(color=color, width=2, dash="dash"),
                )
            )
    fig.update_layout(
        height=380,
        margin=dict(l=10, r=10, t=30, b=10),
        yaxis_type="log",
        xaxis_title="steps back from the loss (t = T − k)",
        yaxis_title="‖∂L/∂xₜ‖ (log scale)",
        legend=dict(orientation="h", y=1.12),
    )
    return fig


def attention_figure(alpha: np.ndarray, src: Sequence[str], tgt: Sequence[str]) -> go.Figure:
    """The alignment matrix α (Tt, Ts): row i is where the decoder looked to write output i."""
    fig = go.Figure(
        go.Heatmap(
            z=alpha,
            x=[f"{j}:{c}" for j, c in enumerate(src)],
            y=[f"{i}:{c}" for i, c in enumerate(tgt)],
            colorscale="Greys",
            zmin=0,
            zmax=1,
            hovertemplate="output %{y} ← input %{x}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=120 + 28 * len(tgt),
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis_title="source characters",
        yaxis_title="output characters",
        yaxis=dict(autorange="reversed"),
    )
    return fig


def compare_curves(history: list[dict], names: Sequence[str], metric: str = "acc") -> go.Figure:
    """Side-by-side training: each model's batch loss (smoothed) and its test metric at each evaluation."""
    from viz.curves import ema

    fig = make_subplots(rows=1, cols=2, subplot_titles=("training loss (smoothed)", f"test {metric}"))
    for name in names:
        color = KIND_COLORS.get(name, "#495057")
        rows = [r for r in history if f"{name}_loss" in r and "loss" in r]
        if rows:
            fig.add_trace(
                go.Scatter(
                    x=[r["step"] for r in rows],
                    y=ema([r[f"{name}_loss"] for r in rows]),
                    name=name.upper(),
                    line=dict(color=color),
                    legendgroup=name,
                ),
                1,
                1,
            )
        ev = [r for r in history if f"test_{name}_{metric}" in r]
        if ev:
            fig.add_trace(
                go.Scatter(
                    x=[r["step"] for r in ev],
                    y=[r[f"test_{name}_{metric}"] for r in ev],
                    mode="lines+markers",
                    name=f"{name.upper()} test",
                    line=dict(color=color),
                    legendgroup=name,
                    showlegend=False,
                ),
                1,
                2,
            )
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_xaxes(title_text="step")
    fig.update_layout(height=330, margin=dict(l=10, r=10, t=30, b=10))
    return fig
