"""The layer graph as a Plotly figure, laid out by layers (longest path from the inputs).

Never a spring layout: each node's row is the length of the longest path reaching it (a source that
is not an input, such as T5's relative position bias, sits just above its first consumer); the order
within a row comes from a barycentre sweep, so chains read top to bottom and branches sit side by side.

Labels stay legible at any size: a fixed 12 px font, each node's label (its layer, parameters and
output shape, as Netron shows them) to the right of its marker, and nodes of a row spaced by the width
of their labels (``viz.labels`` estimates it), so no two labels of a row overlap when the plot is at
least ``PLOT_WIDTH`` pixels wide (its x axis is in pixels at that width; a wider plot only spreads it).
A graph too wide for that gets its labels on three narrow lines, then its rows packed tight; only
then does the figure ask for more width. A taller graph gets a taller figure, ``ROW_PX`` per row,
instead of packing rows closer. Edges that skip rows bend to the left, away from the labels: into an
add or a concatenation they are skip connections in their own colour, others (a second output, a
mask) are plain data flow. A block drawn once for N identical copies (``archs.detail``) sits on a
shaded band, row by row, with a "×N identical blocks" note. All edges go in two traces (data flow
and skip), all nodes in one.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import numpy as np
import plotly.graph_objects as go

from viz.labels import text_size

FONT_PX = 12
ROW_PX = 56  # two 12 px label lines and a marker, with air between rows
ROW_PX_STACKED = 70  # three label lines (a graph too wide for two-line labels)
PLOT_WIDTH = 800  # the narrowest plot, in pixels, at which no two labels of a row overlap
MAX_HEIGHT = 50_000  # about 890 rows; taller graphs are drawn without labels (choose a coarser detail)
_JOINS = ("add", "cat", "mul")  # an edge into one of these that passes over rows is a skip connection
_GAP = 10  # between a label's end and the next marker of its row, pixels

CATEGORY_COLORS = {
    "input": "#2b8a3e",
    "output": "#c92a2a",
    "dense": "#1c7ed6",
    "conv": "#5f3dc4",
    "norm": "#868e96",
    "activation": "#f08c00",
    "pool": "#0c8599",
    "regularizer": "#adb5bd",
    "embedding": "#9c36b5",
    "attention": "#d6336c",
    "recurrent": "#e8590c",
    "add": "#2f9e44",
    "concat": "#099268",
    "op": "#495057",
    "block": "#364fc7",
    "param": "#a61e4d",
}
_ACT = {
    "relu",
    "tanh",
    "sigmoid",
    "gelu",
    "leakyrelu",
    "silu",
    "softmax",
    "elu",
    "mish",
    "hardswish",
    "relu6",
    "softplus",
    "prelu",
    "selu",
    "logsoftmax",
    "hardsigmoid",
}


def category(d: dict) -> str:
    kind, t = d.get("kind"), str(d.get("type", "")).lower()
    if kind in ("input", "output", "add", "param", "block"):
        return kind
    if kind == "cat":
        return "concat"
    if t in _ACT or t in {"relu_", "relu", "gelu", "tanh", "sigmoid", "softmax"}:
        return "activation"
    for key, cat in (
        ("conv", "conv"),
        ("linear", "dense"),
        ("norm", "norm"),
        ("pool", "pool"),
        ("dropout", "regularizer"),
        ("embedding", "embedding"),
        ("attention", "attention"),
        ("lstm", "recurrent"),
        ("gru", "recurrent"),
        ("rnn", "recurrent"),
    ):
        if key in t:
            return cat
    return (
        "op"
        if kind == "function"
        else "block"
        if kind == "module" and d.get("members")
        else ("dense" if t == "bilinear" else "op")
    )


def _rows(G: nx.DiGraph, order: list[str]) -> dict[str, int]:
    row: dict[str, int] = {}
    for n in order:
        row[n] = max((row[p] + 1 for p in G.predecessors(n)), default=0)
    for n in reversed(order):  # sources that are not inputs (a bias table, a constant) sit by their use
        if G.in_degree(n) == 0 and G.nodes[n].get("kind") != "input" and G.out_degree(n):
            row[n] = max(0, min(row[s] for s in G.successors(n)) - 1)
    return row


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _side_by_side(nodes: list[str], clusters: dict[str, int]) -> list[str]:
    slots: list[list[str]] = []
    where: dict[int, list[str]] = {}
    for n in nodes:
        c = clusters.get(n)
        if c is None:
            slots.append([n])
        elif c in where:
            where[c].append(n)
        else:
            where[c] = [n]
            slots.append(where[c])
    return [n for slot in slots for n in slot]


def layer_layout(
    G: nx.DiGraph,
    widths: dict[str, tuple[float, float]] | None = None,
    clusters: dict[str, int] | None = None,
    tight: bool = False,
) -> dict[str, tuple[float, float]]:
    """Positions (x, y): y = -row (the longest path from any input), x from a barycentre ordering per
    row. ``widths`` gives each node's extent left and right of its centre (pixels); nodes of a row are
    then at least that far apart, each as near as it can be to the mean x of its predecessors, so a chain
    stays straight (``tight``: packed side by side instead, the row centred on their wishes: narrower).
    Without ``widths`` nodes are one unit apart, centred on 0. Nodes of one cluster (``clusters``:
    node -> id) sit side by side in every row, at the place of the first of them."""
    if not nx.is_directed_acyclic_graph(G):  # never crash on a cyclic graph: lay out without back edges
        G = G.copy()
        G.remove_edges_from([(u, v) for u, v, _ in nx.find_cycle(G)][-1:])
        return layer_layout(G, widths, clusters, tight)
    order = list(nx.topological_sort(G))
    row = _rows(G, order)
    rows: dict[int, list[str]] = defaultdict(list)
    for n in order:
        rows[row[n]].append(n)
    x: dict[str, float] = {}
    for r in sorted(rows):
        nodes = rows[r]
        want = {n: _mean([x[p] for p in G._pred[n]]) for n in nodes}
        if r > 0:  # order by the mean column of the predecessors (one downward sweep)
            nodes.sort(key=lambda n: want[n])
        if clusters:
            nodes = _side_by_side(nodes, clusters)
        if widths is None:
            k = len(nodes)
            for i, n in enumerate(nodes):
                x[n] = i - (k - 1) / 2
            continue
        pos: list[float] = []
        for i, n in enumerate(nodes):  # as near its wish as the node to its left allows
            left = pos[-1] + widths[nodes[i - 1]][1] + widths[n][0] if i else -np.inf
            pos.append(left if tight and i else max(want[n], left))
        shift = _mean([want[n] - p for n, p in zip(nodes, pos, strict=True)])
        for n, p in zip(nodes, pos, strict=True):
            x[n] = p + shift
    return {n: (x[n], -float(row[n])) for n in G.nodes}


def _fmt_params(p: int) -> str:
    if p >= 1e9:
        return f"{p / 1e9:.2f} B"
    if p >= 1e6:
        return f"{p / 1e6:.2f} M"
    if p >= 1e3:
        return f"{p / 1e3:.1f} k"
    return str(p)


def fmt_shape(shape) -> str:
    return "×".join(str(s) for s in shape) if shape is not None else ""


def node_label(d: dict, labels: str = "full") -> str:
    """The text beside a node: its layer, its parameters ("short", "full", "stacked") and, in grey, its
    output shape ("full": two lines, "stacked": layer, parameters and shape on three narrow lines);
    "name" is the layer alone."""
    lab = {"add": "+ add", "cat": "⧺ concat"}.get(d.get("kind"), d.get("label", d.get("type")))
    if d.get("params") and labels != "name":
        lab += ("<br>" if labels == "stacked" else " · ") + _fmt_params(d["params"])
    if labels in ("full", "stacked") and d.get("shape") is not None:
        lab += f"<br><span style='color:#868e96'>{fmt_shape(d['shape'])}</span>"
    return lab


def _hover(n: str, d: dict) -> str:
    lines = [f"<b>{d.get('label', d.get('type'))}</b>"]
    if d.get("path"):
        lines.append(f"module: {d['path']}")
    if d.get("shape") is not None:
        lines.append("output: " + fmt_shape(d["shape"]))
    if d.get("params"):
        lines.append(f"parameters: {d['params']:,}")
    if d.get("repeat"):
        lines.append(f"{d['repeat']} identical blocks (expand them with “Expand repeated blocks”)")
    return "<br>".join(lines)


def _curve(x0, y0, x1, y1, bend) -> tuple[list[float], list[float]]:
    """A quadratic curve from (x0, y0) to (x1, y1) bulging ``bend`` to the left of both."""
    t = np.linspace(0, 1, 12)
    cx, cy = min(x0, x1) - bend, (y0 + y1) / 2
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
    return xs.tolist(), ys.tolist()


def _clusters(G: nx.DiGraph) -> dict[str, int]:
    """Node -> the (largest) block drawn once for N copies that holds it."""
    out: dict[str, int] = {}
    groups = G.graph.get("groups", [])
    for i in sorted(range(len(groups)), key=lambda i: len(groups[i]["nodes"])):
        out.update({n: i for n in groups[i]["nodes"]})  # larger groups last: they win
    return out


_NOTE_GAP = 8


def _note_holders(G: nx.DiGraph) -> list[str]:
    """For each block drawn once, the node its "×N" note sits right of: one in the block's least
    crowded row (a chain's own row, not a row of parallel projections), the first such one run."""
    groups = G.graph.get("groups", [])
    if not groups:
        return []
    if nx.is_directed_acyclic_graph(G):
        row = _rows(G, list(nx.topological_sort(G)))
    else:
        row = {n: 0 for n in G}
    crowd: dict[int, int] = defaultdict(int)
    for r in row.values():
        crowd[r] += 1
    out = []
    for g in groups:
        members = [n for n in g["nodes"] if n in G]
        if members:
            out.append(min(members, key=lambda n: (crowd[row[n]], G.nodes[n].get("order", 0))))
    return out


def _note(G: nx.DiGraph, holder: str) -> str:
    g = next(g for g in G.graph["groups"] if holder in g["nodes"])
    return f"<b>×{g['repeat']}</b> identical blocks"


def _group_shapes(G, pos, size, label_w) -> tuple[list[dict], list[dict]]:
    """Each block drawn once for N copies: a shaded band behind its nodes and their labels, row by row
    (its nodes are side by side in every row, see ``layer_layout``, so bands of two blocks never
    overlap), and a "×N identical blocks" note right of its first node (details on hover)."""
    shapes, notes = [], []
    for g in G.graph.get("groups", []):
        rows: dict[float, list[str]] = defaultdict(list)
        for n in g["nodes"]:
            if n in pos:
                rows[pos[n][1]].append(n)
        for y, members in rows.items():
            shapes.append(
                dict(
                    type="rect",
                    x0=min(pos[n][0] - size[n] / 2 for n in members) - 4,
                    x1=max(pos[n][0] + size[n] / 2 + 4 + label_w[n] for n in members) + 4,
                    y0=y - 0.5,
                    y1=y + 0.5,
                    name=g["id"],
                    line=dict(width=0),
                    fillcolor="rgba(54, 79, 199, 0.08)",
                    layer="below",
                )
            )
        holder = next((n for n in _note_holders(G) if n in g["nodes"]), None)
        if holder is None:
            continue
        detail = f"{g['repeat']} identical blocks, {g['path']} … {g['last']}, drawn once"
        if g.get("params"):
            detail += f"; {_fmt_params(g['params'])} parameters in all"
        notes.append(
            dict(
                x=pos[holder][0] + size[holder] / 2 + 4 + label_w[holder] + _NOTE_GAP,
                y=pos[holder][1],
                xanchor="left",
                yanchor="middle",
                text=_note(G, holder),
                hovertext=detail,
                showarrow=False,
                font=dict(size=FONT_PX, color="#364fc7"),
            )
        )
    return shapes, notes


def _place(G: nx.DiGraph, size: dict, style: str, tight: bool):
    """Labels in ``style``, their widths, each node's extent, and the layout that spaces them."""
    texts = [node_label(G.nodes[n], style) for n in G]
    label_w = {n: text_size(t, FONT_PX)[0] for n, t in zip(G, texts, strict=True)}
    widths = {n: (size[n] / 2 + _GAP / 2, size[n] / 2 + 4 + label_w[n] + _GAP / 2) for n in G}
    for n in _note_holders(G):  # room for the block's "×N" note right of its first node's label
        widths[n] = (widths[n][0], widths[n][1] + _NOTE_GAP + text_size(_note(G, n), FONT_PX)[0])
    return texts, label_w, widths, layer_layout(G, widths, _clusters(G), tight)


def _span(pos: dict, widths: dict) -> float:
    if not pos:
        return 0.0
    return max(pos[n][0] + widths[n][1] for n in pos) - min(pos[n][0] - widths[n][0] for n in pos)


def graph_figure(
    G: nx.DiGraph,
    *,
    title: str | None = None,
    selected: str | None = None,
    show_labels: bool | None = None,
    height: int | None = None,
    highlight: set[str] | frozenset[str] = frozenset(),
    width: int = PLOT_WIDTH,
    labels: str = "full",
) -> go.Figure:
    """A Plotly figure of ``G`` (from ``archs.introspect.trace_graph``, ``archs.detail.view``). Each
    node's ``customdata`` is its id, so a selection event names the node. ``highlight``: nodes drawn
    with an orange ring and label (search results). ``width``: the narrowest plot, in pixels, the
    labels must fit (a narrow column: pass its width, and ``labels="name"`` to keep the labels short:
    parameters and shapes stay in the hover text)."""
    nodes = list(G.nodes)
    cats = [category(G.nodes[n]) for n in nodes]
    params = np.array([G.nodes[n].get("params", 0) or 0 for n in nodes], dtype=float)
    size = dict(zip(nodes, np.clip(9 + 3.2 * np.log10(params + 1), 9, 26).tolist(), strict=True))
    # too wide for ``width``: labels on three narrow lines, then rows packed tight
    styles = [labels, "stacked"] if labels == "full" else [labels]
    tries = [(st, False) for st in styles] + [(styles[-1], True)]
    for style, tight in tries:
        texts, label_w, widths, pos = _place(G, size, style, tight)
        if _span(pos, widths) <= width - 60:  # room for the curves on the left
            break
    row_px = ROW_PX_STACKED if style == "stacked" else ROW_PX
    n_rows = 1 - int(min((p[1] for p in pos.values()), default=0))
    if show_labels is None:
        show_labels = 30 + row_px * n_rows <= MAX_HEIGHT
    xs = np.array([pos[n][0] for n in nodes])
    ys = np.array([pos[n][1] for n in nodes])
    ex, ey, sx, sy = [], [], [], []
    for u, v in G.edges:
        (x0, y0), (x1, y1) = pos[u], pos[v]
        if y0 - y1 > 1.01:  # skips a row: a residual or concatenation input, or a second output
            cx, cy = _curve(x0, y0, x1, y1, 30 + 6 * min(y0 - y1, 10))
            skip = G.nodes[v].get("kind") in _JOINS
            (sx if skip else ex).extend(cx + [np.nan])
            (sy if skip else ey).extend(cy + [np.nan])
        else:
            ex += [x0, x1, np.nan]
            ey += [y0, y1, np.nan]
    symbols = [
        "square"
        if G.nodes[n].get("repeat") or c == "block"
        else "diamond"
        if c in ("add", "concat")
        else "circle"
        for n, c in zip(nodes, cats, strict=True)
    ]
    ring = ["#000" if n == selected else "#f76707" if n in highlight else "#fff" for n in nodes]
    ring_w = [3 if n == selected or n in highlight else 1 for n in nodes]
    text_color = ["#d9480f" if n in highlight else "#212529" for n in nodes]
    traces = [
        dict(
            type="scatter",
            x=np.array(ex, dtype=float),
            y=np.array(ey, dtype=float),
            mode="lines",
            line=dict(color="#adb5bd", width=1.4),
            hoverinfo="skip",
            name="data flow",
            showlegend=False,
        )
    ]
    if sx:
        traces.append(
            dict(
                type="scatter",
                x=np.array(sx, dtype=float),
                y=np.array(sy, dtype=float),
                mode="lines",
                line=dict(color="#2f9e44", width=1.8),
                hoverinfo="skip",
                name="skip connection",
                showlegend=True,
            )
        )
    traces.append(
        dict(
            type="scatter",
            x=xs,
            y=ys,
            mode="markers+text" if show_labels else "markers",
            text=texts if show_labels else None,
            textposition="middle right",
            textfont=dict(size=FONT_PX, color=text_color),
            marker=dict(
                size=np.array([size[n] for n in nodes]),
                color=[CATEGORY_COLORS[c] for c in cats],
                symbol=symbols,
                line=dict(color=ring, width=ring_w),
            ),
            customdata=nodes,
            hovertext=[_hover(n, G.nodes[n]) for n in nodes],
            hoverinfo="text",
            name="layers",
            showlegend=False,
        )
    )
    shapes, notes = _group_shapes(G, pos, size, label_w)
    left = min((pos[n][0] - size[n] / 2 for n in nodes), default=0.0)
    curves_left = float(np.nanmin(sx + ex)) if sx or ex else left
    right = max([pos[n][0] + widths[n][1] for n in nodes], default=1.0)
    x0, x1 = min(left, curves_left) - 10, right + 10
    if x1 - x0 < width:  # at least ``width`` wide: one x unit is one pixel at the narrowest plot
        pad = (width - (x1 - x0)) / 2
        x0, x1 = x0 - pad, x1 + pad
    top = 40 if title else 10
    auto_height = int(min(MAX_HEIGHT, max(360, top + 20 + row_px * n_rows)))
    layout = dict(
        title=dict(text=title) if title else None,
        height=height or auto_height,
        margin=dict(l=10, r=10, t=top, b=10),
        plot_bgcolor="white",
        dragmode="pan",
        xaxis=dict(visible=False, range=[x0, x1], fixedrange=False),
        yaxis=dict(visible=False, range=[ys.min() - 0.6 if len(ys) else -1, 0.6]),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        clickmode="event+select",
    )
    if shapes:
        layout.update(shapes=shapes, annotations=notes)
    if x1 - x0 > width + 0.5:  # a row wider than the design width: ask for the width it needs
        layout["width"] = int(x1 - x0) + 20
    # Plotly's per-element validation was most of this function's time on large graphs (0.14 s of a
    # 0.15 s figure for EfficientNet-B7); the properties are fixed here and checked by a test instead
    return go.Figure(data=traces, layout=layout, _validate=False)


def category_legend() -> list[tuple[str, str]]:
    """(category, colour) pairs, for a legend beside the figure."""
    return list(CATEGORY_COLORS.items())


def graph_stats(G: nx.DiGraph) -> dict[str, int]:
    """Nodes, edges, rows, and skip connections: edges into an add, a concatenation or a product that
    pass over at least one row (as the figure draws them)."""
    pos_rows = {n: 0 for n in G}
    for n in nx.topological_sort(G):
        pos_rows[n] = max((pos_rows[p] + 1 for p in G.predecessors(n)), default=0)
    return {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "rows": (max(pos_rows.values()) + 1) if pos_rows else 0,
        "skips": sum(
            1 for u, v in G.edges if pos_rows[v] - pos_rows[u] > 1 and G.nodes[v].get("kind") in _JOINS
        ),
    }
