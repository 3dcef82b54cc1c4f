"""Graphs at a chosen level of detail: merge every node below a module path of some depth into one
node (``collapse_depth``), or below any set of closed modules (``collapse_open``: every module not in
``opened`` is drawn as one node), and fold runs of identical blocks into one node marked ×N
(``repeat_runs``, ``collapse_repeats``), which the graph view can expand again. ``archs.detail`` picks
the level of detail a graph is drawn at."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable

import networkx as nx


def _group_of(d: dict, depth: int) -> str | None:
    if d["kind"] == "module":
        comps = d["path"].split(".")
        return ".".join(comps[:depth]) if len(comps) > depth else None
    scope = d.get("scope") or ""
    comps = scope.split(".") if scope else []
    return ".".join(comps[:depth]) if comps and len(comps) >= depth else None


def enclosing(d: dict) -> tuple[str, ...]:
    """The module paths a node lies inside, outermost first: a module's ancestors (not itself), a
    functional op's scope and the scope's ancestors."""
    if d["kind"] == "module":
        return _prefixes(d["path"].rpartition(".")[0])
    return _prefixes(d.get("scope") or "")


@functools.lru_cache(maxsize=65536)
def _prefixes(path: str) -> tuple[str, ...]:
    comps = path.split(".") if path else []
    return tuple(".".join(comps[: i + 1]) for i in range(len(comps)))


def owner_in(d: dict, opened: Collection[str]) -> str | None:
    """The closed module a node is merged into: its outermost enclosing module not in ``opened``
    (None: every enclosing module is open, the node is drawn itself)."""
    return next((p for p in enclosing(d) if p not in opened), None)


def collapse_depth(G: nx.DiGraph, depth: int) -> nx.DiGraph:
    """Merge every node below a module path of ``depth`` components into one node for that module.

    A module called several times (a cell in a loop over time, a shared block) would become one node
    with edges into and out of itself across calls, a cycle: then each entry into the module becomes
    its own node ("decoder", "decoder ·2", ...), in execution order, which keeps the graph acyclic."""
    if depth < 1:
        raise ValueError("depth must be at least 1")
    return _merge(G, lambda d: _group_of(d, depth))


def collapse_open(G: nx.DiGraph, opened: Collection[str], nodes: Collection[str] | None = None) -> nx.DiGraph:
    """Draw every module whose path is not in ``opened`` as one node; inside open modules, their
    children (again one node each unless open). ``opened`` = every path of fewer than k components
    is ``collapse_depth(G, k)``; every path is the graph itself. ``nodes``: draw only these nodes of
    ``G`` (faster than a subgraph view)."""
    return _merge(G, lambda d: owner_in(d, opened), nodes)


def _merge(
    G: nx.DiGraph, group: Callable[[dict], str | None], nodes: Collection[str] | None = None
) -> nx.DiGraph:
    H = _collapse(G, group, False, nodes)
    return H if nx.is_directed_acyclic_graph(H) else _collapse(G, group, True, nodes)


def _collapse(
    G: nx.DiGraph, group: Callable[[dict], str | None], per_call: bool, nodes: Collection[str] | None
) -> nx.DiGraph:
    table = G.graph.get("modules", {})
    H = nx.DiGraph(**G.graph)
    owner: dict[str, str] = {}
    entries: dict[str, int] = {}
    previous: str | None = None
    data = G._node  # plain dicts: the node views' lookups were most of this function's time
    for n in sorted(G if nodes is None else nodes, key=lambda n: data[n]["order"]):
        d = data[n]
        g = group(d)
        if g is None:
            H.add_node(n, **d)
            owner[n] = n
            previous = None
            continue
        if per_call and g != previous:
            entries[g] = entries.get(g, 0) + 1
        previous = g
        k = entries.get(g, 1)
        gid = f"block:{g}" if k <= 1 else f"block:{g}#{k}"
        owner[n] = gid
        typ, p = table.get(g, ("block", 0))
        if gid not in H:
            H.add_node(
                gid,
                kind="block",
                type=typ,
                path=g,
                label=typ if k <= 1 else f"{typ} ·{k}",
                params=p,
                order=d["order"],
                scope=g.rpartition(".")[0],
                shape=d["shape"],
                members=0,
            )
        b = H._node[gid]
        b["members"] += 1
        b["shape"] = d["shape"] or b["shape"]  # the block's output: its last node's
    for u, a in owner.items():
        for v in G._succ[u]:
            b = owner.get(v)
            if b is not None and a != b:
                H.add_edge(a, b)
    return H


def _signature(d: dict) -> tuple:
    return (d["kind"], d["type"], d.get("params", 0), d.get("shape"), d.get("scope"))


def repeat_runs(G: nx.DiGraph) -> list[list[str]]:
    """Chains of two or more identical sibling modules (same type, parameters, shape and parent),
    each feeding the next: the ×N blocks of a network."""
    runs, seen = [], set()
    for n in sorted(G.nodes, key=lambda n: G.nodes[n]["order"]):
        d = G.nodes[n]
        if n in seen or d["kind"] not in ("block", "module") or not d.get("params"):
            continue
        run = [n]
        while True:
            nxt = [
                s for s in G.successors(run[-1]) if s not in seen and _signature(G.nodes[s]) == _signature(d)
            ]
            if len(nxt) != 1:
                break
            run.append(nxt[0])
        if len(run) >= 2:
            runs.append(run)
            seen.update(run)
    return runs


def collapse_repeats(G: nx.DiGraph, expanded: Iterable[str] = ()) -> nx.DiGraph:
    """Replace each run of identical blocks by one node marked ×N, except runs whose first node
    is in ``expanded``. The merged node keeps ``members`` (the node ids) and ``repeat``."""
    expanded = set(expanded)
    H = G.copy()
    folded: dict[str, str] = {}  # a member of a run folded earlier -> its ×N node
    for run in repeat_runs(G):
        if run[0] in expanded:
            continue
        first = G.nodes[run[0]]
        rid = f"repeat:{run[0]}"
        H.add_node(
            rid,
            **{
                **first,
                "repeat": len(run),
                "members": run,
                "kind": first["kind"],
                "label": f"{first['type']} ×{len(run)}",
                # a module called again (a cell over time) owns its weights once
                "params": sum({G.nodes[r].get("path") or r: G.nodes[r]["params"] for r in run}.values()),
                "shape": G.nodes[run[-1]]["shape"],
                "run": run[0],
                "member_paths": [G.nodes[r].get("path", "") for r in run],
            },
        )
        members = set(run)
        for r in run:  # edges to a run folded before go to its ×N node (never re-create a removed node)
            H.add_edges_from((folded.get(u, u), rid) for u in G.predecessors(r) if u not in members)
            H.add_edges_from((rid, folded.get(v, v)) for v in G.successors(r) if v not in members)
            H.remove_node(r)
            folded[r] = rid
    return H
