"""What every graph network here shares: the input convention, self-loops that work on ``meta``, the
graph-level readout, and the example graphs the atlas draws and counts.

A batch of graphs is given as PyG gives it, as tensors only:

- ``x`` (N, F): the features of every node of every graph in the batch, graph after graph;
- ``edge_index`` (2, E): one column (source j, target i) per directed edge, messages flow j -> i; an
  undirected edge is two columns;
- ``ptr`` (G + 1,): where each graph's nodes start (PyG's ``Batch.ptr``); graph g owns nodes
  ``ptr[g] .. ptr[g+1] - 1``. Left out, the nodes form one graph.

``ptr`` rather than PyG's per-node ``batch`` vector because the number of graphs G is then a shape, not a
value: counting and tracing on the ``meta`` device, where no values exist, still know it. For the same
reason every model adds its self-loops itself, by concatenation (``add_self_loops`` below), and its PyG
layers add none: PyG's own ``add_remaining_self_loops`` selects edges by a mask, which ``meta`` cannot.

The shared tools treat the first input's first dimension as the batch, so for a graph network the
Summary's and the Compare sheet's "per example" counts are per node (GCN on Cora: 23,040 mult-adds per
node, its two weight matrices; the gathers and scatters along edges are elementwise work, not counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.spec import Config, hp

Readout = Literal["none", "sum", "mean", "max"]


@dataclass(frozen=True)
class GraphConfig(Config):
    """The fields every graph network has; each architecture adds its own after these."""

    in_features: int = hp(
        8,
        lo=1,
        hi=4096,
        help="How many numbers describe one node (Cora: 1,433, one per word of the paper's vocabulary).",
    )
    hidden_dim: int = hp(
        16,
        lo=1,
        hi=1024,
        help="Width of each node's hidden vector: how much a node can remember about its neighbourhood.",
    )
    num_layers: int = hp(
        2,
        lo=1,
        hi=16,
        help="Rounds of message passing. After k rounds a node has heard from every node at most k hops "
        "away; too many rounds make all nodes alike (over-smoothing).",
    )
    num_classes: int = hp(4, lo=1, hi=1000, help="Outputs: one score per class (Cora has 7 topics).")
    dropout: float = hp(
        0.5,
        lo=0.0,
        hi=0.9,
        step=0.05,
        help="Chance of zeroing each node feature while training, against memorising the few labelled nodes.",
    )
    readout: Readout = hp(
        "none",
        help="none: one output per node (classify the nodes, as on Cora). sum / mean / max: pool the nodes "
        "of each graph into one vector and classify whole graphs (molecules, proteins). Sum counts, mean "
        "averages, max keeps the strongest signal of each feature.",
    )
    num_nodes: int = hp(
        12,
        lo=4,
        hi=20000,
        help="Nodes in the example graph the atlas draws and counts (the network itself takes graphs of "
        "any size). For a graph-level readout the example is two graphs sharing these nodes.",
    )

    @property
    def graph_level(self) -> bool:
        return self.readout != "none"


def add_self_loops(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """(2, E) -> (2, E + N): an edge from every node to itself, appended, so that a node's own features
    enter its update. Written as a concatenation (no masks) so that it runs on ``meta``. On a graph
    without self-loops (all the generated ones) these are PyG's ``add_remaining_self_loops`` edges; GCN
    also weighs any loop in the data 0, so it is exact on every graph; GAT would attend to such a node
    twice."""
    loops = torch.arange(num_nodes, device=edge_index.device).unsqueeze(0).expand(2, -1)  # (2, N)
    return torch.cat([edge_index, loops], dim=1)


def membership(ptr: torch.Tensor | None, num_nodes: int, device: torch.device) -> torch.Tensor:
    """(G, N) boolean: entry (g, v) says node v belongs to graph g. Graph g owns nodes ptr[g]..ptr[g+1]-1."""
    nodes = torch.arange(num_nodes, device=device)  # (N,)
    if ptr is None:
        return torch.ones(1, num_nodes, dtype=torch.bool, device=device)  # one graph
    return (nodes.unsqueeze(0) >= ptr[:-1].unsqueeze(1)) & (nodes.unsqueeze(0) < ptr[1:].unsqueeze(1))


class GraphReadout(nn.Module):
    """Pool each graph's node vectors into one vector: h_G = Σ_v h_v, mean_v h_v or max_v h_v.

    Written with the (G, N) membership matrix M: sum = M h, mean = M h / |V_g|, max = the largest entry
    among the graph's rows. All three ignore the order of the nodes (a permutation of the nodes permutes
    nothing here), which is why a graph-level GNN gives the same answer however the graph is numbered.
    An empty graph pools to zeros. Dense (G × N, and G × N × C for max), which the atlas's batches of a few
    thousand nodes afford; it runs on ``meta`` and exports to ONNX, where PyG's scatter pooling needs the
    number of graphs as a value.
    """

    def __init__(self, mode: Readout):
        super().__init__()
        if mode == "none":
            raise ValueError("a readout pools: sum, mean or max")
        self.mode = mode

    def forward(self, h: torch.Tensor, ptr: torch.Tensor | None = None) -> torch.Tensor:
        M = membership(ptr, h.shape[0], h.device)  # (G, N)
        if self.mode == "max":
            masked = torch.where(M.unsqueeze(-1), h.unsqueeze(0), float("-inf"))  # (G, N, C)
            out = masked.amax(dim=1)  # (G, C), -inf for an empty graph
            return torch.where(M.any(dim=1, keepdim=True), out, torch.zeros_like(out))
        pooled = M.to(h.dtype) @ h  # (G, C)
        if self.mode == "mean":
            pooled = pooled / M.sum(dim=1, keepdim=True).clamp(min=1).to(h.dtype)
        return pooled

    def extra_repr(self) -> str:
        return self.mode


def random_graph(n: int, avg_degree: float, generator: torch.Generator, offset: int = 0) -> torch.Tensor:
    """(2, E) an undirected random graph (each edge in both directions), no self-loops, no duplicates."""
    pairs = int(n * avg_degree / 2)
    src = torch.randint(0, n, (pairs,), generator=generator)
    dst = torch.randint(0, n, (pairs,), generator=generator)
    keep = src != dst
    lo, hi = torch.minimum(src, dst)[keep], torch.maximum(src, dst)[keep]
    und = torch.unique(lo * n + hi)  # each undirected pair once
    a, b = und // n, und % n
    return torch.stack([torch.cat([a, b]), torch.cat([b, a])]) + offset  # (2, E)


def example_graph(cfg: GraphConfig, avg_degree: float = 3.9) -> tuple[torch.Tensor, ...]:
    """(x, edge_index) for a node-level ``cfg``: one random graph of ``num_nodes`` nodes; (x, edge_index,
    ptr) for a graph-level one: two graphs sharing the nodes (an unused ptr would hang loose in the
    layer graph and be dropped by the ONNX exporter). Average degree 3.9, Cora's (10,556 edges / 2,708
    nodes). Seeded: the same config gives the same graph."""
    g = torch.Generator().manual_seed(0)
    n = cfg.num_nodes
    sizes = [n // 2, n - n // 2] if cfg.graph_level else [n]
    starts = [0, *torch.tensor(sizes).cumsum(0).tolist()]  # ptr: (G + 1,)
    edges = [random_graph(size, avg_degree, g, s) for size, s in zip(sizes, starts, strict=False)]
    edge_index = torch.cat(edges, dim=1)  # (2, E)
    x = torch.randn(cfg.num_nodes, cfg.in_features, generator=g)  # (N, F)
    return (x, edge_index, torch.tensor(starts)) if cfg.graph_level else (x, edge_index)
