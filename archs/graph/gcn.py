"""Graph convolutional network (GCN) and GraphSAGE: node updates from the neighbours' mean.

GCN: T. N. Kipf & M. Welling (2017), "Semi-Supervised Classification with Graph Convolutional Networks",
arXiv:1609.02907. One layer is H' = σ(D̂^-1/2 Â D̂^-1/2 H W + b) with Â = A + I; the paper's Cora model is
1,433 -> 16 -> 7 with ReLU and dropout 0.5: 1433·16 + 16 + 16·7 + 7 = 23,063 parameters.

GraphSAGE: W. L. Hamilton, R. Ying & J. Leskovec (2017), "Inductive Representation Learning on Large
Graphs", arXiv:1706.02216. The mean aggregator: h_v' = σ(W_r h_v + W_l mean_{u∈N(v)} h_u + b), the paper's
W · [h_v ‖ mean h_u] with W split in two (PyG's SAGEConv, aggr="mean").
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.nn import GCNConv, SAGEConv

from archs.graph.common import GraphConfig, GraphReadout, add_self_loops, example_graph
from archs.registry import register
from archs.spec import ArchSpec, Paper


@dataclass(frozen=True)
class GCNConfig(GraphConfig):
    pass


class GCN(nn.Module):
    """num_layers GCN layers, the last one straight to the class scores (as in the paper), then the
    readout for graph-level tasks. Self-loops are added here, once, not inside each layer; each layer is
    then PyG's default GCNConv, on any graph (self-loops in the data included)."""

    def __init__(self, cfg: GCNConfig):
        super().__init__()
        self.cfg = cfg
        dims = [cfg.in_features] + [cfg.hidden_dim] * (cfg.num_layers - 1) + [cfg.num_classes]
        # normalize=True: each edge j -> i weighs 1/sqrt(d_i d_j), degrees counted with the self-loop
        pairs = zip(dims, dims[1:], strict=False)
        self.convs = nn.ModuleList(GCNConv(a, b, add_self_loops=False) for a, b in pairs)
        self.readout = GraphReadout(cfg.readout) if cfg.graph_level else None

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, ptr: torch.Tensor | None = None):
        # a self-loop already in the data weighs 0 and one of weight 1 is appended per node: Â = A + I
        # exactly as PyG's add_remaining_self_loops makes it, without selecting edges (meta-friendly)
        weight = (edge_index[0] != edge_index[1]).to(x.dtype)  # (E,)
        weight = torch.cat([weight, weight.new_ones(x.shape[0])])  # (E + N,)
        edge_index = add_self_loops(edge_index, x.shape[0])  # (2, E + N)
        h = x  # (N, F)
        for i, conv in enumerate(self.convs):
            h = F.dropout(h, self.cfg.dropout, self.training)
            h = conv(h, edge_index, weight)  # (N, hidden_dim), the last (N, num_classes)
            if i < len(self.convs) - 1:
                h = F.relu(h)
        return self.readout(h, ptr) if self.readout is not None else h  # (G or N, num_classes)


@dataclass(frozen=True)
class SAGEConfig(GraphConfig):
    pass


class GraphSAGE(nn.Module):
    """num_layers SAGE layers (mean aggregator) of hidden_dim, then a linear classifier on the final node
    embeddings, as in the paper's supervised model; the readout pools the scores for graph tasks."""

    def __init__(self, cfg: SAGEConfig):
        super().__init__()
        self.cfg = cfg
        dims = [cfg.in_features] + [cfg.hidden_dim] * cfg.num_layers
        self.convs = nn.ModuleList(SAGEConv(a, b, aggr="mean") for a, b in zip(dims, dims[1:], strict=False))
        self.head = nn.Linear(cfg.hidden_dim, cfg.num_classes)
        self.readout = GraphReadout(cfg.readout) if cfg.graph_level else None

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, ptr: torch.Tensor | None = None):
        h = x  # (N, F)
        for conv in self.convs:
            h = F.relu(conv(F.dropout(h, self.cfg.dropout, self.training), edge_index))  # (N, hidden_dim)
        h = self.head(F.dropout(h, self.cfg.dropout, self.training))  # (N, num_classes)
        return self.readout(h, ptr) if self.readout is not None else h  # (G or N, num_classes)


# Cora (Planetoid): 2,708 papers, 1,433 bag-of-words features, 7 topics. The data are fetched from the
# network, so the atlas builds and counts these presets and trains on generated graphs.
CORA = {"in_features": 1433, "num_classes": 7, "num_nodes": 2708}

register(
    ArchSpec(
        name="gcn",
        title="Graph convolutional network (GCN)",
        family="graph",
        year=2017,
        paper=Paper(
            "T. N. Kipf, M. Welling",
            2017,
            "Semi-Supervised Classification with Graph Convolutional Networks",
            arxiv="1609.02907",
        ),
        summary="Each node averages its neighbours' features, weighted by degree, then applies a shared "
        "linear map: a convolution on a graph.",
        tasks=("node classification", "graph classification"),
        config=GCNConfig,
        build=GCN,
        example_input=example_graph,
        presets={
            "tiny": {},
            "graph_level": {"readout": "mean"},
            # Kipf & Welling (2017), section 5.3: two layers, 16 hidden units, dropout 0.5, on Cora
            "canonical": {**CORA, "hidden_dim": 16, "num_layers": 2, "dropout": 0.5},
        },
        published_params=23_063,
        published_source="Kipf & Welling (2017), the Cora model 1,433 -> 16 -> 7 with biases: "
        "1433·16 + 16 + 16·7 + 7 = 23,063.",
    )
)

register(
    ArchSpec(
        name="graphsage",
        title="GraphSAGE (mean aggregator)",
        family="graph",
        year=2017,
        paper=Paper(
            "W. L. Hamilton, R. Ying, J. Leskovec",
            2017,
            "Inductive Representation Learning on Large Graphs",
            arxiv="1706.02216",
        ),
        summary="Each node concatenates its own vector with the mean of its neighbours' and maps both: "
        "learned aggregation that works on graphs never seen in training.",
        tasks=("node classification", "graph classification"),
        config=SAGEConfig,
        build=GraphSAGE,
        example_input=example_graph,
        presets={
            "tiny": {},
            "graph_level": {"readout": "sum"},
            # The authors' reference implementation on Cora (williamleif/graphsage-simple, run_cora):
            # two layers of 128 units, then a linear classifier to the 7 topics.
            "canonical": {**CORA, "hidden_dim": 128, "num_layers": 2, "dropout": 0.0},
        },
        published_params=400_775,
        published_source="Hamilton et al.'s Cora configuration (graphsage-simple, run_cora: 1,433 -> 128 -> "
        "128, classifier to 7) with the paper's mean aggregator W·[hᵥ ‖ mean hᵤ] plus biases: "
        "(2·1433·128 + 128) + (2·128·128 + 128) + (128·7 + 7) = 366,976 + 32,896 + 903 = 400,775.",
    )
)
