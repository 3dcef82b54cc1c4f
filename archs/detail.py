"""The level of detail a layer graph is drawn at, and finding a layer in it.

A *view* of a traced graph is the set of module paths that are open: an open module is drawn as its
children, every other module as one node (``archs.collapse.collapse_open``); runs of identical
sibling blocks are then folded into one node ×N (``collapse_repeats``). When an open block is followed
by identical copies of itself (GPT-2's twelve blocks with the first one open), the copies fold into it:
the block is drawn once, in detail, inside a box marked ×N, as in the Transformer paper's figure
(``fold_into_open``; the box is recorded in ``H.graph["groups"]``).

``auto_opened`` picks the default view from the graph's size. It starts from the model's top-level
modules and opens blocks breadth-first, input side first, while the drawn graph keeps at most
``MAX_NODES`` = 70 nodes: about two screens of a chain at a legible 12 px font and 56 px a row (most
graphs have branches side by side and are shorter). A small model is drawn in full; ResNet-152 shows
its stem and the first bottleneck of each stage in detail and the other 46 as ×N nodes; GPT-2 shows
one transformer block in detail, marked ×12. The counts are computed on each block's own nodes, so
choosing a view costs about two passes over the graph (GPT-3's 2,216 nodes: a few milliseconds).

``find_layers`` answers a search by name; ``opened_for`` is what must be open to show a layer.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable

import networkx as nx

from archs.collapse import collapse_open, collapse_repeats, enclosing

MAX_NODES = 70


def openable(G: nx.DiGraph) -> dict[str, list[str]]:
    """Each module path that has nodes inside it -> those node ids of ``G`` (a leaf layer has none)."""
    inside: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        for p in enclosing(d):
            inside.setdefault(p, []).append(n)
    return inside


def depth_opened(G: nx.DiGraph, depth: int) -> frozenset[str]:
    """The view of ``collapse_depth(G, depth)``: every module of fewer than ``depth`` components open."""
    return frozenset(p for p in openable(G) if p.count(".") + 1 < depth)


def all_opened(G: nx.DiGraph) -> frozenset[str]:
    """The view that draws every layer."""
    return frozenset(openable(G))


def view(G: nx.DiGraph, opened: Collection[str], unfold: Iterable[str] = ()) -> nx.DiGraph:
    """``G`` drawn with ``opened`` modules open, repeated blocks folded except the runs (first node
    ids) and groups (``group:<path>``) in ``unfold``."""
    unfold = set(unfold)
    return fold_into_open(collapse_repeats(collapse_open(G, opened), unfold), opened, unfold)


def _previous_siblings(table: dict) -> dict[str, str]:
    prev, last = {}, {}
    for path in table:
        if not path:
            continue
        parent = path.rpartition(".")[0]
        if parent in last:
            prev[path] = last[parent]
        last[parent] = path
    return prev


def _inside(d: dict, p: str) -> bool:
    return (d.get("path") or "").startswith(p + ".") or p in enclosing(d)


def fold_into_open(H: nx.DiGraph, opened: Collection[str], unfold: Collection[str] = ()) -> nx.DiGraph:
    """Fold a closed block (or a run ×N) that follows an open, identical sibling into that sibling: the
    open one is drawn once inside a box marked with the total count (recorded in ``graph["groups"]``)."""
    table = H.graph.get("modules", {})
    prev = _previous_siblings(table)
    groups = []
    for r in [n for n, d in H.nodes(data=True) if d.get("kind") in ("block", "module") and d.get("path")]:
        d = H.nodes[r]
        q = d["path"]
        p = prev.get(q)
        if p is None or p not in opened or f"group:{p}" in unfold or table.get(p) != table.get(q):
            continue
        interior = [n for n, e in H.nodes(data=True) if n != r and _inside(e, p)]
        exits = [u for u in H.predecessors(r) if u in set(interior)]
        if not exits or any(H.nodes[u].get("shape") != d.get("shape") for u in exits):
            continue  # the copies must continue the open block's chain, at its shape
        for v in H.successors(r):
            H.add_edges_from((x, v) for x in exits)
        paths = d.get("member_paths") or [q]
        groups.append(
            dict(id=f"group:{p}", path=p, last=paths[-1], repeat=1 + len(paths), nodes=interior, params=0)
        )
        groups[-1]["params"] = table.get(p, ("", 0))[1] * groups[-1]["repeat"]
        H.remove_node(r)
    H.graph["groups"] = groups
    return H


def _closed_nodes(H: nx.DiGraph, inside: dict) -> list[tuple[int, int, int, str]]:
    """The order in which to open the nodes of ``H`` drawn closed that have layers inside them:
    shallow first, a distinct block before a run of identical ones, then input side first."""
    out = []
    for _, d in H.nodes(data=True):
        p = d.get("path")
        if d.get("kind") in ("block", "module") and p in inside:
            out.append((p.count("."), 1 if d.get("repeat") else 0, d.get("order", 0), p))
    return out


def auto_opened(G: nx.DiGraph, max_nodes: int = MAX_NODES) -> frozenset[str]:
    """The most detailed view, opened breadth-first from the inputs, whose graph has at most
    ``max_nodes`` nodes (see the module docstring). Opening a block replaces its node by the nodes of
    its interior: the change is counted on that block's own nodes, not by redrawing the graph."""
    inside = openable(G)
    opened: set[str] = set()
    top = view(G, opened)
    count = top.number_of_nodes()
    heap = _closed_nodes(top, inside)
    heapq.heapify(heap)
    seen = {t[-1] for t in heap}
    while heap:
        p = heapq.heappop(heap)[-1]
        sub = collapse_repeats(collapse_open(G, opened | {p}, inside[p]))
        if count - 1 + sub.number_of_nodes() > max_nodes:
            continue
        opened.add(p)
        count += sub.number_of_nodes() - 1
        for t in _closed_nodes(sub, inside):
            if t[-1] not in seen:
                seen.add(t[-1])
                heapq.heappush(heap, t)
    return frozenset(opened)


def opened_for(path: str) -> set[str]:
    """The modules that must be open for the layer ``path`` to be drawn as its own node."""
    comps = path.split(".")
    return {".".join(comps[:i]) for i in range(1, len(comps))}


def find_layers(G: nx.DiGraph, query: str) -> list[str]:
    """Module paths of the graph whose path or class name contains ``query`` (any case), in the order
    the model runs them."""
    q = query.strip().lower()
    if not q:
        return []
    table = G.graph.get("modules", {})
    first: dict[str, int] = {}
    for _, d in sorted(G.nodes(data=True), key=lambda t: t[1].get("order", 0)):
        for p in [*enclosing(d), d.get("path") or ""]:
            if p and p not in first:
                first[p] = d.get("order", 0)
    hits = [p for p in first if q in p.lower() or q in table.get(p, ("",))[0].lower()]
    return sorted(hits, key=lambda p: first[p])


def draws(d: dict, path: str) -> bool:
    """Whether the drawn node ``d`` shows the layer ``path`` (it is that layer, or holds it)."""
    paths = d.get("member_paths") or [d.get("path") or ""]
    return any(p and (path == p or path.startswith(p + ".")) for p in paths)


def node_for(H: nx.DiGraph, path: str) -> str | None:
    """The node of ``H`` that shows the layer ``path``: the layer itself, or the block holding it."""
    exact = [n for n, d in H.nodes(data=True) if d.get("path") == path]
    if exact:
        return exact[0]
    return next((n for n, d in H.nodes(data=True) if draws(d, path)), None)
