"""One GCN layer in plain torch, for the explainer: the normalised adjacency written out as a matrix.

Kipf & Welling (2017), equation 2: H' = D̂^-1/2 Â D̂^-1/2 H W + b, with Â = A + I (every node keeps its own
features) and D̂ the degrees of Â. Entry Â[i, j] counts the edges j -> i (messages flow from source to
target, PyG's convention), so row i of Â H sums what node i hears. A test checks that this layer gives
torch_geometric's GCNConv's output with the same weights.
"""

from __future__ import annotations

import torch
from torch import nn


def normalized_adjacency(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """(N, N) D̂^-1/2 (A + I) D̂^-1/2 for the edges (2, E); a self-loop already in the graph counts once."""
    src, dst = edge_index
    A = torch.zeros(num_nodes, num_nodes, device=edge_index.device)
    ones = torch.ones(src.shape[0], device=edge_index.device)
    A.index_put_((dst, src), ones, accumulate=True)  # A[i, j] counts the edges j -> i
    A.fill_diagonal_(1.0)  # Â = A + I: one self-loop per node, replacing any in the data
    d = A.sum(dim=1)  # (N,) in-degrees of Â, at least 1
    d_inv_sqrt = d.pow(-0.5)
    return d_inv_sqrt.unsqueeze(1) * A * d_inv_sqrt.unsqueeze(0)  # (N, N)


class PlainGCNLayer(nn.Module):
    """H' = Â_norm (H W) + b: transform every node's features, then mix them along the graph."""

    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(in_features, out_features))
        self.bias = nn.Parameter(torch.zeros(out_features))
        nn.init.xavier_uniform_(self.weight)  # Glorot, as in the paper

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        A_norm = normalized_adjacency(edge_index, x.shape[0])  # (N, N)
        return A_norm @ (x @ self.weight) + self.bias  # (N, out_features)


def messages_at(
    layer: PlainGCNLayer, h: torch.Tensor, edge_index: torch.Tensor, node: int
) -> dict[str, torch.Tensor]:
    """What one layer computes at ``node``, term by term: for every source u of an edge into it (and the
    node itself, through its self-loop) the message c_vu · (h_u W) with c_vu = 1/√(d̂_v d̂_u); their sum
    (the aggregate); and the sum plus the bias (the layer's output at the node, before any nonlinearity).
    Keys: ``from u`` (or ``itself``), ``aggregate``, ``output`` (that is ``layer(h, edge_index)[node]``)."""
    n = h.shape[0]
    if not 0 <= node < n:
        raise ValueError(f"node {node} does not exist: the graph has nodes 0 to {n - 1}")
    A_norm = normalized_adjacency(edge_index, n)
    hw = h @ layer.weight
    sources = torch.nonzero(A_norm[node]).flatten().tolist()
    rows = {("itself" if u == node else f"from {u}"): A_norm[node, u] * hw[u] for u in sources}
    agg = torch.stack(list(rows.values())).sum(0)
    return {**rows, "aggregate": agg, "output": agg + layer.bias}


def untrained_stack(
    widths: tuple[int, ...], edge_index, num_nodes: int | None = None, seed: int = 0
) -> tuple[list[PlainGCNLayer], list[torch.Tensor]]:
    """Freshly initialised (seeded) GCN layers of ``widths`` on a graph with identity features (one-hot
    node ids: ``widths[0]`` is replaced by ``num_nodes`` when given), tanh between layers, and every
    layer's input: ``hs[k]`` is what layer k + 1 reads, ``hs[-1]`` the output (num_nodes, widths[-1])."""
    n = widths[0] if num_nodes is None else num_nodes
    torch.manual_seed(seed)
    widths = (n, *widths[1:])
    layers = [PlainGCNLayer(a, b) for a, b in zip(widths, widths[1:], strict=False)]
    ei = torch.as_tensor(edge_index)
    hs = [torch.eye(n)]  # (N, N)
    with torch.no_grad():
        for i, layer in enumerate(layers):
            out = layer(hs[-1], ei)  # (N, widths[i + 1])
            hs.append(torch.tanh(out) if i < len(layers) - 1 else out)
    return layers, hs
