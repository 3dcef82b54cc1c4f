"""Graph attention network (GAT): each node weighs its neighbours by learned attention.

P. Veličković, G. Cucurull, A. Casanova, A. Romero, P. Liò & Y. Bengio (2018), "Graph Attention Networks",
arXiv:1710.10903. For an edge j -> i: e_ij = LeakyReLU(aᵀ [W h_i ‖ W h_j]), α_ij = softmax_j(e_ij) over i's
incoming edges (its own self-loop included), h_i' = σ(Σ_j α_ij W h_j); K heads are concatenated in hidden
layers. The paper's Cora model (section 3.3): 8 heads × 8 features with ELU, then one head to the 7
classes, dropout 0.6 on inputs and on attention. In PyG (GATConv: W without bias, a_src and a_dst, a bias
per output) that is (1433·64 + 64 + 64 + 64) + (64·7 + 7 + 7 + 7) = 91,904 + 469 = 92,373 parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.nn import GATConv

from archs.graph.common import GraphConfig, GraphReadout, add_self_loops, example_graph
from archs.registry import register
from archs.spec import ArchSpec, Paper, hp


@dataclass(frozen=True)
class GATConfig(GraphConfig):
    hidden_dim: int = hp(
        8, lo=1, hi=512, help="Features each attention head computes per node (8 in the paper's Cora model)."
    )
    num_heads: int = hp(
        4,
        lo=1,
        hi=16,
        help="Independent attention heads per hidden layer, their outputs side by side: each head can "
        "attend to different neighbours. A hidden layer's width is num_heads × hidden_dim.",
    )
    dropout: float = hp(
        0.6,
        lo=0.0,
        hi=0.9,
        step=0.05,
        help="Chance of zeroing each input feature and each attention weight while training (0.6 in the "
        "paper: each node sees a random subset of its neighbours).",
    )


class GAT(nn.Module):
    """num_layers GAT layers: hidden ones with num_heads heads concatenated and ELU, the last with one
    head to the class scores. ``return_attention=True`` also returns, per layer, the edges (self-loops
    included) and their attention weights α (E + N, heads), which sum to 1 over each node's incoming edges."""

    def __init__(self, cfg: GATConfig):
        super().__init__()
        self.cfg = cfg
        width = cfg.num_heads * cfg.hidden_dim
        ins = [cfg.in_features] + [width] * (cfg.num_layers - 1)
        self.convs = nn.ModuleList(
            GATConv(d, cfg.hidden_dim, heads=cfg.num_heads, dropout=cfg.dropout, add_self_loops=False)
            for d in ins[:-1]
        )
        last = GATConv(ins[-1], cfg.num_classes, heads=1, dropout=cfg.dropout, add_self_loops=False)
        self.convs.append(last)
        self.readout = GraphReadout(cfg.readout) if cfg.graph_level else None

    def forward(
        self,
        x: torch.Tensor,
        edge_index: torch.Tensor,
        ptr: torch.Tensor | None = None,
        return_attention: bool = False,
    ):
        edge_index = add_self_loops(edge_index, x.shape[0])  # (2, E + N): a node attends to itself too
        h, attention = x, []  # (N, F)
        for i, conv in enumerate(self.convs):
            h = F.dropout(h, self.cfg.dropout, self.training)
            if return_attention:
                h, (edges, alpha) = conv(h, edge_index, return_attention_weights=True)  # alpha (E + N, heads)
                attention.append((edges, alpha))
            else:
                h = conv(h, edge_index)  # (N, heads · hidden_dim), the last (N, num_classes)
            if i < len(self.convs) - 1:
                h = F.elu(h)
        out = self.readout(h, ptr) if self.readout is not None else h  # (G or N, num_classes)
        return (out, attention) if return_attention else out


register(
    ArchSpec(
        name="gat",
        title="Graph attention network (GAT)",
        family="graph",
        year=2018,
        paper=Paper(
            "P. Veličković, G. Cucurull, A. Casanova, A. Romero, P. Liò, Y. Bengio",
            2018,
            "Graph Attention Networks",
            arxiv="1710.10903",
        ),
        summary="Each node weighs its neighbours by learned attention before summing them, with several "
        "heads side by side.",
        tasks=("node classification", "graph classification"),
        config=GATConfig,
        build=GAT,
        example_input=example_graph,
        presets={
            "tiny": {},
            "graph_level": {"readout": "max"},
            # Veličković et al. (2018), section 3.3, transductive (Cora): K = 8 heads of F' = 8, then a
            # single head to C = 7 classes; dropout p = 0.6 on both layers' inputs and on the attention.
            "canonical": {
                "in_features": 1433,
                "num_classes": 7,
                "num_nodes": 2708,
                "hidden_dim": 8,
                "num_heads": 8,
                "num_layers": 2,
                "dropout": 0.6,
            },
        },
        published_params=92_373,
        published_source="Veličković et al. (2018), Cora: 8 heads × 8 features, one output head of 7 "
        "classes; as PyG's GATConv (bias on): (1433·64 + 3·64) + (64·7 + 3·7) = 92,373.",
    )
)
