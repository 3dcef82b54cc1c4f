"""Figures of the Architecture search page: every candidate of a search as a point of accuracy against
cost (parameters or mult-adds) with each strategy's Pareto front; the best accuracy found against the
budget spent; DARTS's operation weights softmax(α) over training; a derived cell drawn as a graph.
Arrays and lists in, Plotly figures out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from training.nas import pareto_front
from viz.curves import PALETTE, light_chart

COST_TITLES = {"params": "parameters", "madds": "mult-adds per image"}


def pareto_figure(runs: Mapping[str, Sequence[dict]], cost: str = "params", height: int = 400) -> go.Figure:
    """One colour per strategy: each candidate a point (validation accuracy against ``cost``, log x), and
    the strategy's Pareto front as a step line: no candidate is both cheaper and more accurate."""
    fig = go.Figure()
    for i, (name, samples) in enumerate(runs.items()):
        color = PALETTE[i % len(PALETTE)]
        acc = np.array([s["val_acc"] for s in samples], float)
        c = np.array([s[cost] for s in samples], float)
        text = [f"{s['label']} ({s['origin']}, #{s['index'] + 1})" for s in samples]
        fig.add_scatter(
            x=c, y=acc, mode="markers", name=name, marker=dict(color=color, size=8, opacity=0.6),
            text=text, hovertemplate="%{text}<br>%{x:,.0f}, accuracy %{y:.1%}<extra></extra>",
        )  # fmt: skip
        if len(acc):
            f = pareto_front(acc, c)
            fig.add_scatter(
                x=c[f], y=acc[f], mode="lines+markers", line=dict(color=color, shape="hv", width=2),
                marker=dict(size=11, symbol="diamond"), name=f"{name}: Pareto front", hoverinfo="skip",
            )  # fmt: skip
    fig.update_xaxes(title=COST_TITLES.get(cost, cost), type="log")
    fig.update_yaxes(title="validation accuracy", tickformat=".0%")
    return light_chart(fig, height)


def space_figure(space: Sequence[dict], height: int = 360) -> go.Figure:
    """The whole search space before any search: each architecture's parameters against its mult-adds,
    one colour per depth; a search only trains the few it picks."""
    fig = go.Figure()
    for i, n in enumerate(sorted({s["genome"][0] for s in space})):
        pts = [s for s in space if s["genome"][0] == n]
        fig.add_scatter(
            x=[s["params"] for s in pts], y=[s["madds"] for s in pts], mode="markers",
            name=f"{n} block{'s' if n > 1 else ''} per stage", text=[s["label"] for s in pts],
            marker=dict(color=PALETTE[i % len(PALETTE)], size=8, opacity=0.7),
            hovertemplate="%{text}<br>%{x:,} parameters, %{y:,} mult-adds<extra></extra>",
        )  # fmt: skip
    fig.update_xaxes(title="parameters", type="log")
    fig.update_yaxes(title="mult-adds per image", type="log")
    return light_chart(fig, height)


def best_so_far_figure(runs: Mapping[str, Sequence[dict]], height: int = 300) -> go.Figure:
    """The best validation accuracy found after each candidate: what a budget buys."""
    fig = go.Figure()
    for i, (name, samples) in enumerate(runs.items()):
        acc = np.array([s["val_acc"] for s in samples], float)
        fig.add_scatter(
            x=np.arange(1, len(acc) + 1), y=np.maximum.accumulate(acc) if len(acc) else acc,
            mode="lines+markers", name=name, line=dict(color=PALETTE[i % len(PALETTE)], shape="hv"),
        )  # fmt: skip
        fig.add_scatter(
            x=np.arange(1, len(acc) + 1), y=acc, mode="markers", showlegend=False, hoverinfo="skip",
            marker=dict(color=PALETTE[i % len(PALETTE)], size=5, opacity=0.35),
        )  # fmt: skip
    fig.update_xaxes(title="architectures evaluated")
    fig.update_yaxes(title="validation accuracy (best so far)", tickformat=".0%")
    return light_chart(fig, height)


def alpha_figure(history: Sequence[dict], primitives: Sequence[str], cell: str = "normal", height: int = 360):
    """softmax(α) of each primitive averaged over the cell's edges, at each recorded step."""
    fig = go.Figure()
    steps = [h["step"] for h in history]
    w = np.array([h[cell] for h in history], float)  # (T, edges, primitives)
    for k, name in enumerate(primitives):
        fig.add_scatter(
            x=steps, y=w[:, :, k].mean(1) if len(w) else [], mode="lines+markers", name=name,
            line=dict(color=PALETTE[k % len(PALETTE)], dash="dot" if name == "none" else "solid"),
        )  # fmt: skip
    fig.update_xaxes(title="search step")
    fig.update_yaxes(title=f"mean softmax(α), {cell} cell")
    return light_chart(fig, height)


def alpha_heatmap(
    weights: Sequence[Sequence[float]], primitives: Sequence[str], nodes: int, height: int = 360
):
    """The last softmax(α) of one cell: one row per edge (node ← input), one column per primitive."""
    rows = [f"node {i} ← {_input_name(j)}" for i in range(nodes) for j in range(2 + i)]
    fig = go.Figure(
        go.Heatmap(
            z=np.asarray(weights, float), x=list(primitives), y=rows, colorscale="Blues", zmin=0,
            hovertemplate="%{y}, %{x}: %{z:.3f}<extra></extra>", colorbar=dict(title="weight"),
        )
    )  # fmt: skip
    fig.update_yaxes(autorange="reversed")
    return light_chart(fig, height)


def _input_name(j: int) -> str:
    return {0: "c(k−2)", 1: "c(k−1)"}.get(j, f"node {j - 2}")


def cell_figure(cell: Sequence[tuple[str, int]], title: str = "", height: int = 400) -> go.Figure:
    """A derived cell as a graph: the two inputs on the left, the nodes in the middle, the concatenated
    output on the right; each edge labelled with its operation."""
    n = len(cell) // 2
    pos = {0: (0.0, 1.0), 1: (0.0, -1.0)}
    for i in range(n):
        pos[2 + i] = (1.0 + i, 1.2 * ((i % 2) * 2 - 1) * (0.5 + 0.15 * i))
    out = (2.0 + n, 0.0)
    fig = go.Figure()
    for k, (op, j) in enumerate(cell):
        (x0, y0), (x1, y1) = pos[j], pos[2 + k // 2]
        fig.add_annotation(
            x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", showarrow=True,
            arrowhead=2, arrowwidth=1.5, arrowcolor=PALETTE[k % len(PALETTE)], standoff=14, startstandoff=14,
        )  # fmt: skip
        f = 0.4 if k % 2 else 0.62  # a node's two incoming labels sit at different points of their edges
        fig.add_annotation(
            x=x0 + f * (x1 - x0), y=y0 + f * (y1 - y0), text=op, showarrow=False,
            font=dict(size=11, color=PALETTE[k % len(PALETTE)]), bgcolor="rgba(255,255,255,0.8)",
        )  # fmt: skip
    for i in range(n):
        x0, y0 = pos[2 + i]
        fig.add_annotation(
            x=out[0], y=out[1], ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", showarrow=True,
            arrowhead=2, arrowcolor="#bbb", standoff=14, startstandoff=14,
        )  # fmt: skip
    names = ["c(k−2)", "c(k−1)", *[str(i) for i in range(n)], "c(k) = concat"]
    pts = [pos[i] for i in range(2 + n)] + [out]
    fig.add_scatter(
        x=[p[0] for p in pts], y=[p[1] for p in pts], mode="markers+text", text=names,
        textposition="bottom center",
        marker=dict(size=26, color=["#8ecae6"] * 2 + ["#ffd166"] * n + ["#90be6d"]),
        hoverinfo="text", showlegend=False,
    )  # fmt: skip
    fig.update_xaxes(visible=False, range=[-0.6, out[0] + 0.8])
    fig.update_yaxes(visible=False, range=[-2.0, 2.0])
    fig.update_layout(title=title)
    return light_chart(fig, height)


def scaling_figure(phi_max: int = 7, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15, height=300):
    """EfficientNet's compound scaling: depth α^φ, width β^φ, resolution γ^φ and the FLOPs, ≈ 2^φ."""
    phi = np.arange(phi_max + 1)
    fig = go.Figure()
    for i, (name, v) in enumerate(
        (("depth α<sup>φ</sup>", alpha**phi), ("width β<sup>φ</sup>", beta**phi),
         ("resolution γ<sup>φ</sup>", gamma**phi),
         ("FLOPs (α·β²·γ²)<sup>φ</sup>", (alpha * beta**2 * gamma**2) ** phi))
    ):  # fmt: skip
        fig.add_scatter(x=phi, y=v, mode="lines+markers", name=name, line=dict(color=PALETTE[i]))
    fig.update_xaxes(title="φ (B0 → B7)")
    fig.update_yaxes(title="multiple of B0", type="log")
    return light_chart(fig, height)
