"""Figures for graph neural networks: a data graph (not a model's layer graph: that is viz/model_graph.py)
coloured by class or prediction, with edge widths from attention or an explanation's mask; a node's
receptive field hop by hop; the messages that reach a node; node or graph embeddings in the plane; and
over-smoothing against depth.

Every function takes numpy arrays (node positions, an ``edge_index`` of shape (2, E) as torch-geometric
writes it) and returns a Plotly figure. Edges are drawn as few traces as possible: one for all plain edges
(NaN-separated segments), one per width class where edges carry weights. A graph's layout is computed
once by ``layout`` and passed in, so that a graph keeps its shape while a model trains.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import networkx as nx
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE

EDGE_GREY = "rgba(120,120,120,0.45)"
HOP_COLOURS = ["#c92a2a", "#e8590c", "#f59f00", "#2f9e44", "#1098ad", "#1c7ed6", "#7048e8", "#ae3ec9"]
WIDTH_CLASSES = (0.6, 1.6, 3.0, 5.0)  # px: edge weights are drawn in these four widths


def class_colour(k: int) -> str:
    return PALETTE[int(k) % len(PALETTE)]


def undirected_edges(edge_index: np.ndarray) -> np.ndarray:
    """Each undirected edge once, as (u, v) rows with u < v (torch-geometric stores both directions);
    self-loops are dropped (they draw nothing)."""
    ei = np.asarray(edge_index).reshape(2, -1)
    u, v = np.minimum(ei[0], ei[1]), np.maximum(ei[0], ei[1])
    keep = u != v
    return np.unique(np.stack([u[keep], v[keep]], 1), axis=0) if keep.any() else np.zeros((0, 2), int)


def layout(num_nodes: int, edge_index: np.ndarray, seed: int = 0) -> np.ndarray:
    """Node positions (num_nodes, 2) in [-1, 1]²: Kamada–Kawai for small graphs (the karate club reads
    best that way), a seeded spring layout otherwise. Isolated nodes get places too. Compute it once per
    graph and cache it: a few hundred nodes take about a second."""
    g = nx.Graph()
    g.add_nodes_from(range(num_nodes))
    g.add_edges_from(map(tuple, undirected_edges(edge_index).tolist()))
    if num_nodes == 0:
        return np.zeros((0, 2))
    if num_nodes <= 80 and nx.is_connected(g):
        p = nx.kamada_kawai_layout(g)
    else:
        p = nx.spring_layout(g, seed=seed, k=1.5 / np.sqrt(num_nodes), iterations=80)
    pos = np.array([p[i] for i in range(num_nodes)], dtype=float)
    pos -= pos.mean(0)
    scale = np.abs(pos).max()
    return pos / scale if scale > 0 else pos


def _segments(pos: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of every edge as one NaN-separated polyline (one Plotly trace for all of them)."""
    if len(edges) == 0:
        return np.zeros(0), np.zeros(0)
    a, b = pos[edges[:, 0]], pos[edges[:, 1]]
    gap = np.full(len(edges), np.nan)
    return np.stack([a[:, 0], b[:, 0], gap], 1).ravel(), np.stack([a[:, 1], b[:, 1], gap], 1).ravel()


def edge_trace(pos: np.ndarray, pairs: np.ndarray, name: str, **line) -> go.Scatter:
    """All ``pairs`` (E, 2) as one line trace of NaN-separated segments; ``line`` styles it (colour,
    width, dash)."""
    x, y = _segments(pos, pairs)
    return go.Scatter(x=x, y=y, mode="lines", line=line, hoverinfo="skip", name=name)


def edge_weights(
    edge_index: np.ndarray, weights: np.ndarray, reduce: str = "max"
) -> tuple[np.ndarray, np.ndarray]:
    """Per-direction weights (an attention coefficient or a mask value for each column of ``edge_index``)
    as one weight per undirected edge: the larger of the two directions (``max``) or their mean."""
    ei = np.asarray(edge_index).reshape(2, -1)
    w = np.asarray(weights, dtype=float).reshape(-1)
    if w.shape[0] != ei.shape[1]:
        raise ValueError(f"{w.shape[0]} weights for {ei.shape[1]} edges")
    u, v = np.minimum(ei[0], ei[1]), np.maximum(ei[0], ei[1])
    keep = u != v
    pairs, inv = np.unique(np.stack([u[keep], v[keep]], 1), axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    out = np.full(len(pairs), -np.inf if reduce == "max" else 0.0)
    if reduce == "max":
        np.maximum.at(out, inv, w[keep])
    else:
        np.add.at(out, inv, w[keep])
        out /= np.maximum(np.bincount(inv, minlength=len(pairs)), 1)
    return pairs, out


def _weighted_edges(
    fig: go.Figure, pos: np.ndarray, pairs: np.ndarray, w: np.ndarray, colour: str, name: str
):
    """Edges in four width classes by weight (relative to the largest), one trace per class."""
    top = float(np.max(w)) if len(w) else 0.0
    rel = w / top if top > 0 else np.zeros_like(w)
    cls = np.digitize(rel, [0.25, 0.5, 0.75])
    for c, width in enumerate(WIDTH_CLASSES):
        sel = pairs[cls == c]
        if len(sel) == 0:
            continue
        label = f"{name} {'≤' if c < 3 else '>'} {[0.25, 0.5, 0.75, 0.75][c]:.0%} of the largest"
        trace = edge_trace(pos, sel, label, color=colour, width=width)
        fig.add_trace(trace.update(opacity=0.35 + 0.2 * c, showlegend=True, legendgroup="edges"))


def _class_points(
    fig: go.Figure,
    xy: np.ndarray,
    groups: np.ndarray,
    class_names: Sequence[str],
    *,
    wrong: np.ndarray,
    size: float,
    ring: tuple[float, float],
    customdata: np.ndarray,
    hover: Callable[[str], str],
    symbol: np.ndarray | None = None,
    prefix: str = "",
) -> None:
    """One marker trace per class (``groups`` (N,) class ids pick the colour and the legend entry), a
    black ring of width ``ring[0]`` where ``wrong``, a thin white one (``ring[1]``) elsewhere."""
    for k, cname in enumerate(class_names):
        idx = np.flatnonzero(groups == k)
        if len(idx) == 0:
            continue
        marker = dict(
            size=size,
            color=class_colour(k),
            line=dict(color=np.where(wrong[idx], "black", "white"), width=np.where(wrong[idx], *ring)),
        )
        if symbol is not None:
            marker["symbol"] = symbol[idx]
        fig.add_trace(
            go.Scatter(
                x=xy[idx, 0],
                y=xy[idx, 1],
                mode="markers",
                marker=marker,
                customdata=customdata[idx],
                name=prefix + str(cname),
                hovertemplate=hover(str(cname)),
            )
        )


def _axes(fig: go.Figure, height: int, title: str) -> go.Figure:
    fig.update_xaxes(visible=False, scaleanchor="y", scaleratio=1)
    fig.update_yaxes(visible=False)
    fig.update_layout(
        height=height,
        title=title or None,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.02, x=0),
        plot_bgcolor="white",
        clickmode="event+select",
    )
    return fig


def graph_figure(
    pos: np.ndarray,
    edge_index: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    *,
    predicted: np.ndarray | None = None,
    train_mask: np.ndarray | None = None,
    edge_weight: np.ndarray | None = None,
    edge_label: str = "attention",
    selected: int | None = None,
    title: str = "",
    height: int = 520,
    node_size: float | None = None,
) -> go.Figure:
    """The data graph. Nodes are coloured by ``predicted`` class where given (the model's current
    answer), else by their true ``labels``; a wrong prediction has a thick black ring, a labelled
    training node a square. ``edge_weight`` (one per column of ``edge_index``, e.g. GAT's attention
    averaged over heads) draws edges in four widths. Nodes carry their id as customdata, so that a click
    selects one; ``selected`` is drawn as a large star."""
    pos = np.asarray(pos, dtype=float)
    n = len(pos)
    labels = np.asarray(labels).reshape(-1)
    colour_by = np.asarray(predicted).reshape(-1) if predicted is not None else labels
    fig = go.Figure()
    if edge_weight is None:
        fig.add_trace(edge_trace(pos, undirected_edges(edge_index), "edges", color=EDGE_GREY, width=1))
    else:
        pairs, w = edge_weights(edge_index, edge_weight)
        _weighted_edges(fig, pos, pairs, w, "#495057", edge_label)
    size = node_size or float(np.clip(520 / np.sqrt(max(n, 1)), 6, 22))
    wrong = (colour_by != labels) if predicted is not None else np.zeros(n, bool)
    train = np.asarray(train_mask, bool).reshape(-1) if train_mask is not None else np.zeros(n, bool)
    names = np.asarray([str(c) for c in class_names], dtype=object)
    true = names[np.clip(labels, 0, len(names) - 1)]
    _class_points(
        fig,
        pos,
        colour_by,
        class_names,
        wrong=wrong,
        size=size,
        ring=(3, 1),
        symbol=np.where(train, "square", "circle"),
        customdata=np.stack([np.arange(n).astype(object), true], 1),
        prefix="predicted " if predicted is not None else "",
        hover=lambda c: (
            "node %{customdata[0]}<br>true: %{customdata[1]}"
            + (f"<br>predicted: {c}" if predicted is not None else "")
            + "<extra></extra>"
        ),
    )
    if selected is not None and 0 <= selected < n:
        fig.add_trace(
            go.Scatter(
                x=[pos[selected, 0]],
                y=[pos[selected, 1]],
                mode="markers+text",
                marker=dict(
                    size=size * 1.9, symbol="star", color="gold", line=dict(color="black", width=1.5)
                ),
                text=[str(selected)],
                textposition="top center",
                name=f"node {selected}",
                hoverinfo="skip",
            )
        )
    return _axes(fig, height, title)


def hops(num_nodes: int, edge_index: np.ndarray, node: int) -> np.ndarray:
    """Hop distance of every node from ``node`` (-1 where unreachable), by breadth-first search."""
    if not 0 <= node < num_nodes:
        raise ValueError(f"node {node} does not exist: the graph has nodes 0 to {num_nodes - 1}")
    pairs = undirected_edges(edge_index)
    nbrs: list[list[int]] = [[] for _ in range(num_nodes)]
    for u, v in pairs.tolist():
        nbrs[u].append(v)
        nbrs[v].append(u)
    dist = np.full(num_nodes, -1)
    dist[node], frontier, d = 0, [node], 0
    while frontier:
        d += 1
        nxt = []
        for u in frontier:
            for v in nbrs[u]:
                if dist[v] < 0:
                    dist[v] = d
                    nxt.append(v)
        frontier = nxt
    return dist


def receptive_field_figure(
    pos: np.ndarray, edge_index: np.ndarray, node: int, k: int, *, title: str = "", height: int = 480
) -> go.Figure:
    """What ``k`` rounds of message passing let ``node`` see: nodes within k hops coloured by their
    distance (the node itself red), the edges that carry messages towards it drawn thick, the rest of the
    graph faint. One round is one layer: a K-layer GNN's output at a node depends on its K-hop field."""
    pos = np.asarray(pos, dtype=float)
    dist = hops(len(pos), edge_index, node)
    pairs = undirected_edges(edge_index)
    inside = (dist[pairs[:, 0]] >= 0) & (dist[pairs[:, 1]] >= 0)
    near = inside & (np.minimum(dist[pairs[:, 0]], dist[pairs[:, 1]]) < k)
    fig = go.Figure()
    for sel, colour, width, name in (
        (~near, "rgba(150,150,150,0.25)", 0.8, "outside"),
        (near, "#343a40", 2.4, "that carry messages"),
    ):
        fig.add_trace(edge_trace(pos, pairs[sel], f"edges {name}", color=colour, width=width))
    size = float(np.clip(520 / np.sqrt(max(len(pos), 1)), 6, 22))
    out = np.flatnonzero((dist < 0) | (dist > k))
    fig.add_trace(
        go.Scatter(
            x=pos[out, 0],
            y=pos[out, 1],
            mode="markers",
            marker=dict(size=size * 0.8, color="#dee2e6"),
            customdata=out,
            name=f"beyond {k} hop{'s' if k != 1 else ''}",
            hovertemplate="node %{customdata}<extra></extra>",
        )
    )
    for h in range(k + 1):
        idx = np.flatnonzero(dist == h)
        if len(idx) == 0:
            continue
        fig.add_trace(
            go.Scatter(
                x=pos[idx, 0],
                y=pos[idx, 1],
                mode="markers",
                marker=dict(
                    size=size * (1.6 if h == 0 else 1),
                    color=HOP_COLOURS[h % len(HOP_COLOURS)],
                    line=dict(color="white", width=1),
                ),
                customdata=idx,
                name="the node" if h == 0 else f"{h} hop{'s' if h > 1 else ''} (layer {h})",
                hovertemplate=f"node %{{customdata}} · {h} hop(s)<extra></extra>",
            )
        )
    return _axes(fig, height, title)


def message_figure(
    rows: dict[str, np.ndarray], *, title: str = "", height: int | None = None, zmid: float = 0.0
) -> go.Figure:
    """One layer's computation at one node as a heat map, one row per vector: each neighbour's message,
    then the aggregate, then the node's updated state (``rows`` in that order, names as labels). Values
    share one colour scale centred on ``zmid``."""
    names = list(rows)
    width = max((np.asarray(v).size for v in rows.values()), default=0)
    z = np.full((len(names), width), np.nan)
    for i, v in enumerate(rows.values()):
        v = np.asarray(v, dtype=float).reshape(-1)
        z[i, : len(v)] = v
    lim = float(np.nanmax(np.abs(z - zmid))) if np.isfinite(z).any() else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"{j}" for j in range(width)],
            y=names,
            colorscale="RdBu",
            reversescale=True,
            zmid=zmid,
            zmin=zmid - lim,
            zmax=zmid + lim,
            hovertemplate="%{y} · feature %{x}: %{z:.3f}<extra></extra>",
            colorbar=dict(thickness=12),
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title="feature", type="category")
    fig.update_layout(
        height=height or 80 + 26 * len(names),
        title=title or None,
        margin=dict(l=10, r=10, t=40 if title else 10, b=40),
    )
    return fig


def embedding_figure(
    xy: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    *,
    predicted: np.ndarray | None = None,
    title: str = "",
    axis_titles: tuple[str, str] = ("PC 1", "PC 2"),
    height: int = 420,
) -> go.Figure:
    """Node (or whole-graph) embeddings projected to the plane, coloured by true class; a wrong
    prediction has a black ring. Points carry their index as customdata."""
    xy = np.asarray(xy, dtype=float)
    labels = np.asarray(labels).reshape(-1)
    wrong = (
        (np.asarray(predicted).reshape(-1) != labels) if predicted is not None else np.zeros(len(xy), bool)
    )
    fig = go.Figure()
    _class_points(
        fig,
        xy,
        labels,
        class_names,
        wrong=wrong,
        size=9,
        ring=(2.5, 0.8),
        customdata=np.arange(len(xy)),
        hover=lambda c: "#%{customdata}<extra>" + str(c) + "</extra>",
    )
    fig.update_xaxes(title=axis_titles[0], zeroline=False)
    fig.update_yaxes(title=axis_titles[1], zeroline=False)
    fig.update_layout(
        height=height, title=title or None, margin=dict(l=10, r=10, t=40 if title else 10, b=10)
    )
    return fig


def pca2(h: np.ndarray) -> np.ndarray:
    """The first two principal components of the rows of ``h`` (fewer columns are padded with zeros)."""
    h = np.asarray(h, dtype=float)
    h = h - h.mean(0, keepdims=True)
    if h.shape[1] == 0 or not np.isfinite(h).all():
        return np.zeros((len(h), 2))
    _, _, vt = np.linalg.svd(h, full_matrices=False)
    out = h @ vt[:2].T
    return np.pad(out, ((0, 0), (0, 2 - out.shape[1]))) if out.shape[1] < 2 else out


def oversmoothing_figure(
    depths: Sequence[int], runs: dict[str, dict[str, Sequence[float]]], *, height: int = 360
) -> go.Figure:
    """Held-out accuracy (left) and the spread of node embeddings (right, log scale) against depth, one
    line per variant (``runs[name] = {"acc": [...], "spread": [...]}``, e.g. plain and residual)."""
    fig = make_subplots(
        rows=1, cols=2, horizontal_spacing=0.12, subplot_titles=("held-out accuracy", "embedding spread")
    )
    for i, (name, r) in enumerate(runs.items()):
        colour = PALETTE[i % len(PALETTE)]
        for col, key in ((1, "acc"), (2, "spread")):
            fig.add_trace(
                go.Scatter(
                    x=list(depths),
                    y=list(r[key]),
                    mode="lines+markers",
                    line=dict(color=colour),
                    name=name,
                    legendgroup=name,
                    showlegend=col == 1,
                ),
                1,
                col,
            )
    fig.update_xaxes(title="layers")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=1)
    fig.update_yaxes(type="log", row=1, col=2)
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=-0.2)
    )
    return fig


def explanation_figure(
    pos: np.ndarray | None,
    edge_index: np.ndarray,
    edge_mask: np.ndarray,
    node: int,
    *,
    labels: np.ndarray | None = None,
    class_names: Sequence[str] = (),
    top_k: int = 12,
    truth_edges: np.ndarray | None = None,
    title: str = "",
    height: int = 480,
) -> go.Figure:
    """An explanation of one node's prediction: the graph around it with each edge's importance (the
    explainer's mask, one value per column of ``edge_index``) as its width, the ``top_k`` edges red, and
    where known the edges that truly explain it (``truth_edges`` (M, 2), e.g. the node's house motif)
    dotted green. Only the node's 3-hop neighbourhood is drawn; ``pos=None`` lays it out on its own."""
    n = len(pos) if pos is not None else int(np.asarray(edge_index).max()) + 1
    pairs, w = edge_weights(edge_index, edge_mask)
    dist = hops(n, edge_index, node)
    show_node = (dist >= 0) & (dist <= 3)
    if pos is None:  # lay out the neighbourhood on its own: a whole graph's layout squeezes a small motif
        idx = np.flatnonzero(show_node)
        sub = pairs[show_node[pairs[:, 0]] & show_node[pairs[:, 1]]]
        local = np.full(n, -1)
        local[idx] = np.arange(len(idx))
        p = layout(len(idx), local[sub].T, seed=0)
        pos = np.zeros((n, 2))
        pos[idx] = p
    pos = np.asarray(pos, dtype=float)
    show = show_node[pairs[:, 0]] & show_node[pairs[:, 1]]
    pairs, w = pairs[show], w[show]
    fig = go.Figure()
    order = np.argsort(-w)
    top = order[: min(top_k, len(order))]
    rest = np.setdiff1d(np.arange(len(pairs)), top)
    if len(rest):
        _weighted_edges(fig, pos, pairs[rest], w[rest], "#868e96", "importance")
    fig.add_trace(edge_trace(pos, pairs[top], f"top {len(top)} edges", color="#e03131", width=4))
    if truth_edges is not None and len(truth_edges):
        t = undirected_edges(np.asarray(truth_edges).T)
        fig.add_trace(edge_trace(pos, t, "the motif (truth)", color="#2f9e44", width=2, dash="dot"))
    idx = np.flatnonzero(show_node)
    lab = np.asarray(labels).reshape(-1) if labels is not None else np.zeros(len(pos), int)
    fig.add_trace(
        go.Scatter(
            x=pos[idx, 0],
            y=pos[idx, 1],
            mode="markers",
            marker=dict(
                size=11, color=[class_colour(lab[i]) for i in idx], line=dict(color="white", width=1)
            ),
            customdata=idx,
            name="nodes",
            hovertemplate="node %{customdata}<extra></extra>",
            text=[class_names[lab[i]] if class_names else "" for i in idx],
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[pos[node, 0]],
            y=[pos[node, 1]],
            mode="markers",
            marker=dict(size=22, symbol="star", color="gold", line=dict(color="black", width=1.5)),
            name=f"node {node} (explained)",
            hoverinfo="skip",
        )
    )
    lo, hi = pos[idx].min(0), pos[idx].max(0)
    pad = (hi - lo) * 0.08 + 1e-3
    fig.update_xaxes(range=[lo[0] - pad[0], hi[0] + pad[0]])
    fig.update_yaxes(range=[lo[1] - pad[1], hi[1] + pad[1]])
    return _axes(fig, height, title)


def top_edges_inside(
    edge_index: np.ndarray, edge_mask: np.ndarray, truth_edges: np.ndarray, top_k: int
) -> float:
    """The share of the ``top_k`` most important undirected edges that are among ``truth_edges``."""
    pairs, w = edge_weights(edge_index, edge_mask)
    top = pairs[np.argsort(-w)[:top_k]]
    truth = {tuple(p) for p in undirected_edges(np.asarray(truth_edges).T).tolist()}
    return float(np.mean([tuple(p) in truth for p in top.tolist()])) if len(top) else 0.0


def graph_gallery(
    graphs: Sequence[tuple[np.ndarray, int]],
    titles: Sequence[str],
    colours: Sequence[str],
    *,
    cols: int = 4,
    cell: int = 170,
) -> go.Figure:
    """Small graphs side by side (each ``(edge_index, num_nodes)``), each titled (e.g. its predicted
    kind) and drawn in its colour (e.g. red where the prediction is wrong). One edge trace per graph."""
    rows = max(1, -(-len(graphs) // cols))
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=list(titles), horizontal_spacing=0.03, vertical_spacing=0.12
    )
    for i, ((ei, n), colour) in enumerate(zip(graphs, colours, strict=True)):
        r, c = i // cols + 1, i % cols + 1
        pos = layout(n, ei, seed=i)
        fig.add_trace(
            edge_trace(pos, undirected_edges(ei), "edges", color=EDGE_GREY, width=1).update(showlegend=False),
            r,
            c,
        )
        fig.add_trace(
            go.Scatter(
                x=pos[:, 0],
                y=pos[:, 1],
                mode="markers",
                marker=dict(size=7, color=colour),
                hoverinfo="skip",
                showlegend=False,
            ),
            r,
            c,
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=rows * cell + 40, margin=dict(l=5, r=5, t=30, b=5), plot_bgcolor="white")
    return fig
