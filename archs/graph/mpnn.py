"""Message passing neural network (MPNN) with edge features: message, aggregate and update written out.

J. Gilmer, S. S. Schoenholz, P. F. Riley, O. Vinyals & G. E. Dahl (2017), "Neural Message Passing for
Quantum Chemistry", arXiv:1704.01212. The framework every layer of this family fits:

  message    m_ij = M(h_i, h_j, e_ij)          one vector per edge j -> i, from both ends and the edge
  aggregate  m_i  = Σ_{j∈N(i)} m_ij            (or the mean), the same for any order of the neighbours
  update     h_i' = U(h_i, m_i)                here a GRU cell, as in the paper

then a readout over the nodes for graph-level outputs. M is a small network on [h_i ‖ h_j ‖ e_ij]; the
paper's best M (the "edge network", a matrix per edge) is a heavier variant of the same idea.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn
from torch_geometric.nn import MessagePassing

from archs.graph.common import GraphConfig, GraphReadout, Readout, example_graph
from archs.registry import register
from archs.spec import ArchSpec, Paper, hp


@dataclass(frozen=True)
class MPNNConfig(GraphConfig):
    edge_dim: int = hp(
        4, lo=1, hi=256, help="How many numbers describe one edge (a bond's type, a distance, a weight)."
    )
    num_layers: int = hp(3, lo=1, hi=16, help="Rounds of message passing (T in the paper).")
    aggr: Literal["sum", "mean"] = hp(
        "sum",
        help="How a node combines its incoming messages: sum (counts them) or mean (averages them). Both "
        "ignore the neighbours' order, as they must on a graph.",
    )
    readout: Readout = hp(
        "sum",
        help="none: one output per node. sum / mean / max: pool each graph's node vectors into one and "
        "predict a property of the whole graph (a molecule's energy).",
    )


class MPNNLayer(MessagePassing):
    """One round of message passing with the three steps as three methods (PyG's MessagePassing shape)."""

    def __init__(self, hidden: int, edge_dim: int, aggr: str):
        super().__init__(aggr=None)  # aggregate is written out below
        self.mode = aggr
        self.msg = nn.Sequential(nn.Linear(2 * hidden + edge_dim, hidden), nn.ReLU())  # M
        self.gru = nn.GRUCell(hidden, hidden)  # U

    def forward(self, h: torch.Tensor, edge_index: torch.Tensor, edge_attr: torch.Tensor) -> torch.Tensor:
        return self.propagate(edge_index, h=h, edge_attr=edge_attr)  # (N, hidden)

    def message(self, h_i: torch.Tensor, h_j: torch.Tensor, edge_attr: torch.Tensor) -> torch.Tensor:
        return self.msg(torch.cat([h_i, h_j, edge_attr], dim=-1))  # (E, hidden): m_ij = M(h_i, h_j, e_ij)

    def aggregate(self, inputs: torch.Tensor, index: torch.Tensor, dim_size: int) -> torch.Tensor:
        # inputs (E, hidden), index (E,): the target i of each message
        out = inputs.new_zeros(dim_size, inputs.shape[-1]).index_add(0, index, inputs)  # (N, hidden)
        if self.mode == "mean":
            count = inputs.new_zeros(dim_size).index_add(0, index, inputs.new_ones(index.shape[0]))  # (N,)
            out = out / count.clamp(min=1).unsqueeze(-1)
        return out

    def update(self, m: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        return self.gru(m, h)  # (N, hidden): h_i' = GRU(m_i, h_i)


class MPNN(nn.Module):
    """Embed the nodes to hidden_dim, num_layers rounds of MPNNLayer, then (graph level) a readout, and a
    linear head to the outputs."""

    def __init__(self, cfg: MPNNConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Linear(cfg.in_features, cfg.hidden_dim)
        self.layers = nn.ModuleList(
            MPNNLayer(cfg.hidden_dim, cfg.edge_dim, cfg.aggr) for _ in range(cfg.num_layers)
        )
        self.drop = nn.Dropout(cfg.dropout)
        self.readout = GraphReadout(cfg.readout) if cfg.graph_level else None
        self.head = nn.Linear(cfg.hidden_dim, cfg.num_classes)

    def forward(
        self,
        x: torch.Tensor,
        edge_index: torch.Tensor,
        edge_attr: torch.Tensor,
        ptr: torch.Tensor | None = None,
    ):
        h = torch.relu(self.embed(x))  # (N, hidden_dim)
        for layer in self.layers:
            h = layer(h, edge_index, edge_attr)  # (N, hidden_dim)
        if self.readout is not None:
            h = self.readout(h, ptr)  # (G, hidden_dim)
        return self.head(self.drop(h))  # (G or N, num_classes)


def _example(cfg: MPNNConfig) -> tuple[torch.Tensor, ...]:
    """(x, edge_index, edge_attr[, ptr]): the family's example graph with random edge features."""
    x, edge_index, *ptr = example_graph(cfg)
    g = torch.Generator().manual_seed(1)
    edge_attr = torch.randn(edge_index.shape[1], cfg.edge_dim, generator=g)  # (E, edge_dim)
    return (x, edge_index, edge_attr, *ptr)


register(
    ArchSpec(
        name="mpnn",
        title="Message passing neural network (MPNN)",
        family="graph",
        year=2017,
        paper=Paper(
            "J. Gilmer, S. S. Schoenholz, P. F. Riley, O. Vinyals, G. E. Dahl",
            2017,
            "Neural Message Passing for Quantum Chemistry",
            arxiv="1704.01212",
        ),
        summary="The general recipe behind every graph network: compute a message on each edge from both "
        "nodes and the edge's features, aggregate them at each node, update the node.",
        tasks=("graph regression", "graph classification", "node classification"),
        config=MPNNConfig,
        build=MPNN,
        example_input=_example,
        presets={
            "tiny": {"hidden_dim": 16, "num_layers": 2},
            "node_level": {"hidden_dim": 16, "num_layers": 2, "readout": "none"},
        },
    )
)
