"""The over-smoothing experiment: how held-out accuracy and the spread of node embeddings change with
the number of GCN layers (1..16), with and without residual connections.

Every GCN layer replaces a node's vector by a degree-weighted mean of its own and its neighbours'; k
layers mix over k hops, and as k grows every vector of a connected graph tends to the same direction
(the smoothing operator's leading eigenvector): nodes become indistinguishable (Li, Han & Wu 2018,
"Deeper Insights into Graph Convolutional Networks", arXiv:1801.07606). A residual connection
h ← h + σ(GCN(h)) (Kipf & Welling 2017, appendix B) keeps each node's own vector in the sum.

The model here (``DeepGCN``) is a GCN with a linear input map and a linear classifier around ``depth``
GCN layers of one width, so that only the number of message-passing rounds changes with depth. It is
written here rather than in ``archs/graph`` because it is this experiment's instrument, not a published
architecture.

Spread of the final node embeddings H (N, C), two measures, both raw (not divided by ‖H‖):

- ``dirichlet``: the Dirichlet energy with GCN's normalisation (Cai & Wang 2020, "A Note on
  Over-Smoothing for Graph Neural Networks", arXiv:2006.13318), tr(Hᵀ Δ H) with Δ = I − D̂^-1/2 Â D̂^-1/2,
  that is ½ Σ_(i,j)∈E ‖h_i/√d̂_i − h_j/√d̂_j‖² (d̂: degree with the self-loop), per node. It is 0 exactly
  at the point GCN layers converge to (h_i ∝ √d̂_i), and Cai & Wang prove it decays exponentially with
  depth; the residual path keeps it up.
- ``distance``: the mean Euclidean distance between two nodes' embeddings.

Measured (2 shared CPU cores, 2026-12-02), trained 100 steps on the default SBM: depth 16 over depth 2
energy ratio ≤ 0.001 without residuals and 0.17 to 2.7 with them, seeds 0-5; at p_out = 0.02 (fewer
edges between blocks) two of six seeds' plain 16-layer networks kept a quarter of their spread.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.nn import GCNConv

from data.graphs import NodeGraph, sbm
from training.graph.tasks import NodeClassification
from training.metrics import accuracy


class DeepGCN(nn.Module):
    """Linear(in → C), then ``depth`` GCN layers of width C (h ← σ(GCN(h)), or h ← h + σ(GCN(h)) with
    ``residual``), then Linear(C → classes)."""

    def __init__(self, in_features: int, hidden_dim: int, num_classes: int, depth: int, residual: bool):
        super().__init__()
        self.residual = residual
        self.inp = nn.Linear(in_features, hidden_dim)
        self.convs = nn.ModuleList(GCNConv(hidden_dim, hidden_dim) for _ in range(depth))
        self.out = nn.Linear(hidden_dim, num_classes)

    def embed(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.inp(x))  # (N, C)
        for conv in self.convs:
            z = F.relu(conv(h, edge_index))  # (N, C)
            h = h + z if self.residual else z
        return h

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        return self.out(self.embed(x, edge_index))  # (N, num_classes)


def dirichlet_energy(h: torch.Tensor, edge_index: torch.Tensor) -> float:
    """(1/N) tr(Hᵀ Δ H) = (1/N) ½ Σ_(i,j)∈E ‖h_i/√d̂_i − h_j/√d̂_j‖² (see the module docstring)."""
    n = h.shape[0]
    deg = torch.bincount(edge_index[1], minlength=n).to(h.dtype) + 1  # d̂: degrees counted with the loop
    g = h / deg.sqrt().unsqueeze(1)  # (N, C) h_i / √d̂_i
    src, dst = edge_index
    return float(0.5 * (g[src] - g[dst]).pow(2).sum() / n)  # each undirected edge is listed twice


def mean_distance(h: torch.Tensor) -> float:
    """Mean Euclidean distance between the rows of h (N, C), over all pairs of distinct nodes."""
    n = len(h)
    return float(torch.cdist(h, h).sum() / max(1, n * (n - 1)))


def train_depth(
    data: NodeGraph, depth: int, residual: bool, hidden_dim: int, num_steps: int, lr: float, seed: int
) -> dict[str, float]:
    """Train one DeepGCN full batch on the labelled nodes; its accuracies and embedding spreads."""
    torch.manual_seed(seed)
    model = DeepGCN(data.in_features, hidden_dim, data.num_classes, depth, residual)
    task = NodeClassification(data.graph)
    g = data.graph
    x_tr, y_tr = torch.as_tensor(data.x_train), torch.as_tensor(data.y_train)
    x_te, y_te = torch.as_tensor(data.x_test), torch.as_tensor(data.y_test)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(num_steps):
        opt.zero_grad(set_to_none=True)
        task.loss(model, x_tr, y_tr).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        h = model.embed(g.x, g.edge_index)
        logits = model.out(h)
    return {
        "depth": depth,
        "residual": residual,
        "train_acc": accuracy(logits[x_tr], y_tr),
        "test_acc": accuracy(logits[x_te], y_te),
        "dirichlet": dirichlet_energy(h, g.edge_index),
        "distance": mean_distance(h),
    }


def oversmoothing(
    depths: Iterable[int] = range(1, 17),
    residual: Iterable[bool] = (False, True),
    data: NodeGraph | None = None,
    hidden_dim: int = 16,
    num_steps: int = 100,
    lr: float = 0.01,
    seed: int = 0,
) -> list[dict[str, float]]:
    """One row per (residual, depth): {depth, residual, train_acc, test_acc, dirichlet, distance}. The
    data default to a stochastic block model (``data.graphs.sbm`` with p_out = 0.1: 4 blocks of 25 nodes,
    noisy features, half the nodes labelled); every depth starts from the same seed."""
    data = data if data is not None else sbm(p_out=0.1, seed=seed)
    depths = list(depths)
    if any(not 1 <= d <= 64 for d in depths):
        raise ValueError("depths must be 1 to 64 layers")
    return [train_depth(data, d, r, hidden_dim, num_steps, lr, seed) for r in residual for d in depths]
