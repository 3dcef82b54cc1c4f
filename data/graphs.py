"""Graphs: Zachary's karate club, BA-shapes, stochastic block models, sets of generated graphs, and a
checked parser for an uploaded edge list. Nothing is downloaded: networkx ships the karate club, and the
rest is generated, seeded.

The training code's batching picks rows of ``x_*`` by index, so a graph data set stores *ids* there:

- :class:`NodeGraph` (node classification): one graph (PyG ``Data``: ``x`` (N, F), ``edge_index``
  (2, E), ``y`` (N,)); ``x_train`` / ``x_test`` are node ids, ``y_*`` their classes. The whole graph is
  seen at every step (message passing needs every neighbour); only the labelled nodes enter the loss.
- :class:`GraphSet` (graph classification): a list of small graphs; ``x_*`` are indices into it.

Every graph is undirected (each edge stored in both directions), without self-loops.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import torch
from torch_geometric.data import Data

from data.base import Supervised

MAX_UPLOAD_BYTES = 1 * 2**20
MAX_UPLOAD_EDGES = 20_000
MAX_UPLOAD_NODES = 5_000


class GraphRejected(ValueError):
    """A graph, an edge list or a node id that cannot be used, with a sentence saying why."""


@dataclass
class NodeGraph(Supervised):
    """One graph whose nodes are classified; ``x_*`` hold node ids (int64), ``y_*`` their classes."""

    graph: Data = field(default_factory=Data)

    @property
    def in_features(self) -> int:
        return int(self.graph.num_node_features)

    @property
    def num_nodes(self) -> int:
        return int(self.graph.num_nodes)


@dataclass
class GraphSet(Supervised):
    """Many small graphs, each with one class; ``x_*`` hold indices into ``graphs`` (int64)."""

    graphs: list[Data] = field(default_factory=list)

    @property
    def in_features(self) -> int:
        return int(self.graphs[0].num_node_features)


# ------------------------------------------------------------------------------------------ helpers


def undirected(edges: np.ndarray | torch.Tensor, num_nodes: int) -> torch.Tensor:
    """(2, E) or (E, 2) pairs -> (2, E') each edge once per direction, sorted, no self-loops or repeats."""
    e = torch.as_tensor(np.asarray(edges), dtype=torch.long).reshape(-1, 2)  # (E, 2)
    e = e[e[:, 0] != e[:, 1]]
    both = torch.cat([e, e.flip(1)])  # (2E, 2)
    key = torch.unique(both[:, 0] * num_nodes + both[:, 1])  # sorted, each directed edge once
    return torch.stack([key // num_nodes, key % num_nodes])  # (2, E')


def check_node(graph: Data, node: int) -> int:
    """``node`` as an int if the graph has it; otherwise a sentence (GraphRejected)."""
    n = int(graph.num_nodes)
    try:
        i = int(node)
    except (TypeError, ValueError):
        raise GraphRejected(
            f"Node {node!r} is not a node id: give a whole number from 0 to {n - 1}."
        ) from None
    if i != node or not 0 <= i < n:
        raise GraphRejected(f"Node {node} does not exist: this graph's nodes are numbered 0 to {n - 1}.")
    return i


def check_edge_index(edge_index: torch.Tensor, num_nodes: int, allow_self_loops: bool = False) -> None:
    """Raise GraphRejected with a sentence if ``edge_index`` is not (2, E) of ids in 0..num_nodes-1."""
    if edge_index.dim() != 2 or edge_index.shape[0] != 2:
        raise GraphRejected(f"An edge list must have shape (2, E), got {tuple(edge_index.shape)}.")
    if edge_index.dtype not in (torch.int32, torch.int64):
        raise GraphRejected(f"Edge ids must be whole numbers, got {edge_index.dtype}.")
    if edge_index.numel():
        bad = (edge_index < 0) | (edge_index >= num_nodes)
        if bad.any():
            j = int(bad.any(0).nonzero()[0])
            s, t = edge_index[:, j].tolist()
            raise GraphRejected(
                f"Edge {j} ({s} -> {t}) names a node that does not exist: the graph has {num_nodes} "
                f"nodes, numbered 0 to {num_nodes - 1}."
            )
        loops = edge_index[0] == edge_index[1]
        if not allow_self_loops and loops.any():
            j = int(loops.nonzero()[0])
            raise GraphRejected(
                f"Edge {j} joins node {int(edge_index[0, j])} to itself; self-loops are not allowed."
            )


def _split_per_class(y: np.ndarray, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """k labelled node ids per class (sorted) and every other node's id."""
    train = np.sort(
        np.concatenate([rng.choice(np.flatnonzero(y == c), k, replace=False) for c in np.unique(y)])
    )
    return train, np.setdiff1d(np.arange(len(y)), train)


def _split_frac(n: int, test_frac: float, rng: np.random.Generator, y: np.ndarray | None = None):
    """A stratified (by ``y``) random split of 0..n-1 into train and test ids, both sorted."""
    y = np.zeros(n, dtype=np.int64) if y is None else y
    test = []
    for c in np.unique(y):
        ids = rng.permutation(np.flatnonzero(y == c))
        test.append(ids[: max(1, round(test_frac * len(ids)))])
    test = np.sort(np.concatenate(test))
    return np.setdiff1d(np.arange(n), test), test


# --------------------------------------------------------------------------------- karate club

KARATE_FACTIONS = ("Mr. Hi", "Officer")


def karate(k: int = 2, seed: int = 0) -> NodeGraph:
    """Zachary's karate club (34 members, 78 friendships) split into its two factions.

    Labels: networkx's ``club`` attribute, the faction each member joined when the club split (Mr. Hi's,
    17, or the Officer's, 17), which is Zachary's observed outcome. PyG's ``KarateClub`` labels are not
    that: they are 4 communities found by modularity clustering. Features: one-hot node ids (identity),
    as in Kipf & Welling's karate-club experiment, so everything the network learns comes from the graph.
    ``k`` members per faction are labelled (chosen by ``seed``); the other 34 - 2k are the test split.
    """
    import networkx as nx

    if not 1 <= k <= 16:
        raise ValueError(f"labelled members per faction (k) must be 1 to 16, got {k}")
    g = nx.karate_club_graph()
    n = g.number_of_nodes()
    y = np.array([KARATE_FACTIONS.index(g.nodes[i]["club"]) for i in range(n)], dtype=np.int64)
    edge_index = undirected(np.array(g.edges()), n)
    graph = Data(x=torch.eye(n), edge_index=edge_index, y=torch.as_tensor(y))
    train, test = _split_per_class(y, k, np.random.default_rng(seed))
    return NodeGraph(
        train,
        y[train],
        test,
        y[test],
        "classification",
        2,
        class_names=KARATE_FACTIONS,
        name="karate",
        graph=graph,
        meta={"labelled_per_class": k},
    )


# ---------------------------------------------------------------------------------- BA-shapes

BA_SHAPES_CLASSES = ("base", "top", "middle", "bottom")
# PyG's HouseMotif numbers its 5 nodes 0-1 (the corners under the roof: middle), 2-3 (the floor: bottom),
# 4 (the apex: top) and ExplainerDataset labels them 1, 1, 2, 2, 3; this maps them to BA_SHAPES_CLASSES.
_PYG_TO_OURS = torch.tensor([0, 2, 3, 1])


def degree_features(edge_index: torch.Tensor, num_nodes: int, max_degree: int) -> torch.Tensor:
    """(N, max_degree + 1) one-hot degree, degrees above max_degree in the last column."""
    deg = torch.bincount(edge_index[0], minlength=num_nodes).clamp(max=max_degree)
    return torch.nn.functional.one_hot(deg, max_degree + 1).float()


def ba_shapes(
    num_base: int = 300, num_motifs: int = 80, test_frac: float = 0.2, max_degree: int = 10, seed: int = 0
) -> NodeGraph:
    """BA-shapes (Ying et al. 2019, GNNExplainer): a Barabási-Albert graph of ``num_base`` nodes (5 edges
    per new node) with ``num_motifs`` five-node houses attached, each by one edge to a random base node.
    Classes: base, top (the roof's apex), middle (the two corners under the roof), bottom (the floor).

    Features: one-hot degrees (capped at ``max_degree``), not the paper's constant features: an
    attention-weighted mean of identical vectors is that vector, so GAT with constant inputs sees
    nothing at all (GCN's degree normalisation and GIN's sums do). Also on ``graph``: ``motif`` (N,)
    each node's house (-1 for base nodes) and ``motif_edge`` (E,) True for edges inside a house.
    Built with torch_geometric's ExplainerDataset (BAGraph + HouseMotif), seeded; the global torch and
    numpy RNGs are restored afterwards.
    """
    from torch_geometric.datasets import ExplainerDataset
    from torch_geometric.datasets.graph_generator import BAGraph

    if num_base < 6 or not 1 <= num_motifs <= num_base:
        raise ValueError(
            f"BA-shapes needs at least 6 base nodes and 1 to num_base houses, got {num_base}, {num_motifs}"
        )
    if not 0.05 <= test_frac <= 0.9:
        raise ValueError(f"test_frac must be 0.05 to 0.9, got {test_frac}")
    np_state = np.random.get_state()  # PyG's BA generator draws from numpy's global RNG, the rest torch's
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            np.random.seed(seed)
            raw = ExplainerDataset(BAGraph(num_base, 5), "house", num_motifs=num_motifs)[0]
    finally:
        np.random.set_state(np_state)
    n = int(raw.num_nodes)
    edge_index, motif_edge = raw.edge_index, raw.edge_mask.bool()
    order = torch.argsort(edge_index[0] * n + edge_index[1])  # sorted by (source, target)
    edge_index, motif_edge = edge_index[:, order], motif_edge[order]
    motif = torch.full((n,), -1, dtype=torch.long)
    motif[num_base:] = torch.arange(n - num_base) // 5  # houses are appended after the base, 5 nodes each
    y = _PYG_TO_OURS[raw.y]
    graph = Data(
        x=degree_features(edge_index, n, max_degree),
        edge_index=edge_index,
        y=y,
        motif=motif,
        motif_edge=motif_edge,
    )
    yn = y.numpy()
    train, test = _split_frac(n, test_frac, np.random.default_rng(seed), yn)
    return NodeGraph(
        train,
        yn[train],
        test,
        yn[test],
        "classification",
        4,
        class_names=BA_SHAPES_CLASSES,
        name="ba_shapes",
        graph=graph,
        meta={"num_base": num_base, "num_motifs": num_motifs},
    )


def motif_edges(graph: Data, node: int) -> torch.Tensor:
    """(E,) True for the edges inside ``node``'s house (both ends in it); GraphRejected for a base node."""
    i = check_node(graph, node)
    m = int(graph.motif[i])
    if m < 0:
        raise GraphRejected(f"Node {i} belongs to the base graph, not to a house motif.")
    inside = graph.motif == m  # (N,)
    return inside[graph.edge_index[0]] & inside[graph.edge_index[1]]


# ------------------------------------------------------------------------- stochastic block model


def sbm(
    block_size: int = 25,
    num_blocks: int = 4,
    p_in: float = 0.3,
    p_out: float = 0.02,
    feature_noise: float = 1.0,
    num_features: int = 8,
    test_frac: float = 0.5,
    seed: int = 0,
) -> NodeGraph:
    """A stochastic block model: ``num_blocks`` communities of ``block_size`` nodes, an edge inside a
    community with probability ``p_in`` and across with ``p_out``. Each node's features are its block's
    random centre plus Gaussian noise of deviation ``feature_noise``, so a node alone is often misread
    and its neighbours (mostly of its block) help: the setting in which message passing pays, and in
    which too many rounds of it make every node alike (over-smoothing)."""
    if not (0 <= p_out <= 1 and 0 <= p_in <= 1) or num_blocks < 2 or block_size < 2:
        raise ValueError("an SBM needs at least 2 blocks of 2 nodes and probabilities in [0, 1]")
    rng = np.random.default_rng(seed)
    n = block_size * num_blocks
    y = np.repeat(np.arange(num_blocks), block_size)
    p = np.where(y[:, None] == y[None, :], p_in, p_out)
    upper = np.triu(rng.random((n, n)) < p, 1)
    edge_index = undirected(np.argwhere(upper), n)
    centres = rng.normal(0, 1, (num_blocks, num_features))
    x = centres[y] + rng.normal(0, feature_noise, (n, num_features))
    graph = Data(x=torch.as_tensor(x, dtype=torch.float32), edge_index=edge_index, y=torch.as_tensor(y))
    train, test = _split_frac(n, test_frac, rng, y)
    return NodeGraph(
        train,
        y[train],
        test,
        y[test],
        "classification",
        num_blocks,
        class_names=tuple(f"block {c}" for c in range(num_blocks)),
        name="sbm",
        graph=graph,
    )


# ------------------------------------------------------------------------ sets of generated graphs

GRAPH_KINDS = ("cycle", "star", "tree", "grid")


def _kind_edges(kind: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """(E, 2) the undirected edges of one graph of ``kind`` with about ``n`` nodes, and its node count."""
    if kind == "cycle":
        return np.stack([np.arange(n), (np.arange(n) + 1) % n], 1), n
    if kind == "star":
        return np.stack([np.zeros(n - 1, dtype=int), np.arange(1, n)], 1), n
    if kind == "tree":  # a random recursive tree: node i hangs under a random earlier node
        return np.stack([np.arange(1, n), [rng.integers(0, i) for i in range(1, n)]], 1), n
    if kind == "grid":
        rows = int(rng.integers(2, max(3, int(np.sqrt(n))) + 1))
        cols = max(2, round(n / rows))
        ids = np.arange(rows * cols).reshape(rows, cols)
        right = np.stack([ids[:, :-1].ravel(), ids[:, 1:].ravel()], 1)
        down = np.stack([ids[:-1].ravel(), ids[1:].ravel()], 1)
        return np.concatenate([right, down]), rows * cols
    raise ValueError(f"unknown graph kind {kind!r}; choose from {', '.join(GRAPH_KINDS)}")


def graph_set(
    kinds: tuple[str, ...] = GRAPH_KINDS,
    per_kind: int = 40,
    min_nodes: int = 6,
    max_nodes: int = 16,
    test_frac: float = 0.25,
    seed: int = 0,
) -> GraphSet:
    """``per_kind`` graphs of each kind (cycle, star, random tree, grid) of ``min_nodes``..``max_nodes``
    nodes; the class is the kind. Every node's feature is the constant 1, so only the shape of the graph
    tells the kinds apart. A stratified ``test_frac`` of the graphs is held out."""
    kinds = tuple(kinds)
    if len(kinds) < 2 or len(set(kinds)) != len(kinds):
        raise ValueError("a graph set needs at least two different kinds")
    if not 4 <= min_nodes <= max_nodes <= 200:
        raise ValueError(
            f"graph sizes must satisfy 4 <= min_nodes <= max_nodes <= 200, got {min_nodes}, {max_nodes}"
        )
    if not 2 <= per_kind <= 2000:
        raise ValueError(f"per_kind must be 2 to 2000, got {per_kind}")
    rng = np.random.default_rng(seed)
    graphs, labels = [], []
    for c, kind in enumerate(kinds):
        for _ in range(per_kind):
            edges, n = _kind_edges(kind, int(rng.integers(min_nodes, max_nodes + 1)), rng)
            ei = undirected(edges, n)
            graphs.append(Data(x=torch.ones(n, 1), edge_index=ei, y=torch.tensor([c]), num_nodes=n))
            labels.append(c)
    y = np.array(labels, dtype=np.int64)
    train, test = _split_frac(len(y), test_frac, rng, y)
    return GraphSet(
        train,
        y[train],
        test,
        y[test],
        "classification",
        len(kinds),
        class_names=kinds,
        name="graph_set",
        graphs=graphs,
    )


# ------------------------------------------------------------------------------ uploaded edge lists


def parse_edge_list(
    text: str | bytes,
    num_nodes: int | None = None,
    allow_self_loops: bool = False,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_edges: int = MAX_UPLOAD_EDGES,
    max_nodes: int = MAX_UPLOAD_NODES,
) -> tuple[torch.Tensor, int]:
    """An uploaded CSV edge list (one ``source,target`` pair of node ids per row; an optional header row,
    blank lines and ``#`` comments are skipped) -> (edge_index (2, E) undirected, num_nodes). Node ids
    are whole numbers from 0; ``num_nodes`` fixes how many there are (else the largest id + 1). Anything
    else is refused with a sentence naming the row (GraphRejected)."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > max_bytes:
        raise GraphRejected(
            f"The file is {size / 2**10:.0f} kB; edge lists up to {max_bytes // 2**10} kB are accepted."
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GraphRejected(
                "The file is not text (UTF-8): an edge list is a CSV of node-id pairs."
            ) from None
    pairs: list[tuple[int, int]] = []
    for row_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) != 2:
            raise GraphRejected(
                f"Row {row_no} has {len(cells)} values; each row must be two node ids: source,target."
            )
        try:
            s, t = int(cells[0]), int(cells[1])
        except ValueError:
            if not pairs and row_no == 1:  # a header such as "source,target"
                continue
            raise GraphRejected(
                f"Row {row_no} ({','.join(cells)}) is not two whole-number node ids."
            ) from None
        if s < 0 or t < 0:
            raise GraphRejected(f"Row {row_no} ({s},{t}) has a negative node id; ids count from 0.")
        if s == t and not allow_self_loops:
            raise GraphRejected(f"Row {row_no} joins node {s} to itself; self-loops are not allowed here.")
        if num_nodes is not None and max(s, t) >= num_nodes:
            raise GraphRejected(
                f"Row {row_no} ({s},{t}) names node {max(s, t)}, but the graph has {num_nodes} nodes "
                f"(ids 0 to {num_nodes - 1})."
            )
        if max(s, t) >= max_nodes:
            raise GraphRejected(
                f"Row {row_no} names node {max(s, t)}; graphs up to {max_nodes} nodes are accepted."
            )
        pairs.append((s, t))
        if len(pairs) > max_edges:
            raise GraphRejected(f"The file has more than {max_edges} edges, the most accepted.")
    if not pairs:
        raise GraphRejected("The file has no edges: write one source,target pair of node ids per row.")
    n = num_nodes if num_nodes is not None else max(max(p) for p in pairs) + 1
    e = np.array(pairs)
    loops = e[e[:, 0] == e[:, 1]]
    edge_index = undirected(e, n)
    if len(loops):  # kept only where allowed (refused above otherwise)
        loop_index = torch.as_tensor(np.unique(loops[:, 0])).repeat(2, 1)
        edge_index = torch.cat([edge_index, loop_index], 1)
    return edge_index, n
