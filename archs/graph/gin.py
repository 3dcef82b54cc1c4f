"""Graph isomorphism network (GIN): sum aggregation and an MLP, as expressive as the WL test.

K. Xu, W. Hu, J. Leskovec & S. Jegelka (2019), "How Powerful are Graph Neural Networks?",
arXiv:1810.00826. One layer: h_v' = MLP((1 + ε) h_v + Σ_{u∈N(v)} h_u). The sum (not a mean or a max)
keeps how many neighbours share a feature, so GIN tells apart graphs that mean- and max-GNNs confuse.
The paper's readout uses every layer: the prediction is the sum over layers k = 0..K of a linear map of
READOUT(h^(k)) (equation 4.2, the concatenation written as a sum of linear maps).

Canonical preset: the authors' reference configuration (weihua916/powerful-gnns, main.py defaults): 5 layers
counting the input (4 GIN layers), 2-layer MLPs with batch norm, 64 hidden units, sum pooling over
neighbours and over the graph, final dropout 0.5, ε = 0 (GIN-0), on MUTAG (7 node labels one-hot, 2
classes). Parameters, by arithmetic (no count is published):
  GIN layer 1: Linear(7, 64) + BN(64) + Linear(64, 64) + BN(64)      =   512 + 128 + 4,160 + 128 = 4,928
  GIN layers 2-4: 3 × (4,160 + 128 + 4,160 + 128)                     = 25,728
  predictions: Linear(7, 2) + 4 × Linear(64, 2)                        =    16 + 520            =   536
  total                                                                = 31,192
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.nn import GINConv

from archs.graph.common import GraphConfig, GraphReadout, Readout, example_graph
from archs.registry import register
from archs.spec import ArchSpec, Paper, hp


@dataclass(frozen=True)
class GINConfig(GraphConfig):
    hidden_dim: int = hp(64, lo=1, hi=1024, help="Width of each GIN layer's MLP and node vectors.")
    num_layers: int = hp(
        4,
        lo=1,
        hi=16,
        help="GIN layers (rounds of message passing). The paper counts the input as a layer too: its "
        "'5 layers' are 4 GIN layers here.",
    )
    readout: Readout = hp(
        "sum",
        help="none: one output per node. sum / mean / max: pool each graph's nodes, at every layer, into "
        "one vector. GIN's theory asks for sum: it keeps how many nodes carry each feature.",
    )
    train_eps: bool = hp(
        False,
        help="Learn ε, the weight (1 + ε) of a node's own vector against its neighbours' sum (GIN-ε); off, "
        "ε = 0 (GIN-0, which did as well in the paper).",
    )


def gin_mlp(d_in: int, hidden: int) -> nn.Sequential:
    """The MLP inside a GIN layer: Linear, batch norm, ReLU, Linear (two layers, as in the paper)."""
    return nn.Sequential(
        nn.Linear(d_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, hidden)
    )


class GIN(nn.Module):
    """num_layers GIN layers, each followed by batch norm and ReLU; one linear prediction per layer's
    representation (the input's too), summed: scores = Σ_k W_k READOUT(h^(k))."""

    def __init__(self, cfg: GINConfig):
        super().__init__()
        self.cfg = cfg
        dims = [cfg.in_features] + [cfg.hidden_dim] * cfg.num_layers
        pairs = zip(dims, dims[1:], strict=False)
        self.convs = nn.ModuleList(GINConv(gin_mlp(a, b), train_eps=cfg.train_eps) for a, b in pairs)
        self.norms = nn.ModuleList(nn.BatchNorm1d(cfg.hidden_dim) for _ in range(cfg.num_layers))
        self.heads = nn.ModuleList(nn.Linear(d, cfg.num_classes) for d in dims)
        self.readout = GraphReadout(cfg.readout) if cfg.graph_level else None

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, ptr: torch.Tensor | None = None):
        layers = [x]  # h^(0) .. h^(K), each (N, d_k)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            layers.append(F.relu(norm(conv(layers[-1], edge_index))))  # (N, hidden_dim)
        out = 0
        for h, head in zip(layers, self.heads, strict=True):
            pooled = self.readout(h, ptr) if self.readout is not None else h  # (G or N, d_k)
            out = out + head(F.dropout(pooled, self.cfg.dropout, self.training))  # (G or N, num_classes)
        return out


register(
    ArchSpec(
        name="gin",
        title="Graph isomorphism network (GIN)",
        family="graph",
        year=2019,
        paper=Paper(
            "K. Xu, W. Hu, J. Leskovec, S. Jegelka",
            2019,
            "How Powerful are Graph Neural Networks?",
            arxiv="1810.00826",
        ),
        summary="Sum the neighbours, add the node itself, pass through an MLP: the most expressive "
        "message-passing network, as strong as the Weisfeiler-Lehman graph test.",
        tasks=("graph classification", "node classification"),
        config=GINConfig,
        build=GIN,
        example_input=example_graph,
        presets={
            "tiny": {"hidden_dim": 16, "num_layers": 2},
            "node_level": {"hidden_dim": 16, "num_layers": 2, "readout": "none"},
            # weihua916/powerful-gnns main.py defaults on MUTAG (see the module docstring)
            "canonical": {
                "in_features": 7,
                "num_classes": 2,
                "hidden_dim": 64,
                "num_layers": 4,
                "dropout": 0.5,
                "readout": "sum",
                "num_nodes": 36,  # two MUTAG-sized molecules (17.9 atoms on average)
            },
        },
        published_params=31_192,
        published_source="Xu et al. (2019) reference configuration (powerful-gnns main.py: 5 layers with "
        "the input, 2-layer MLPs, 64 hidden, sum pooling, GIN-0) on MUTAG (7 features, 2 classes); counted "
        "by arithmetic: 4,928 + 3·8,576 + 536 = 31,192.",
    )
)
