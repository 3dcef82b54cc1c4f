"""Graph tasks: node classification on one graph (full batch, masked loss) and graph classification on
mini-batches of small graphs (torch_geometric's ``Batch``).

The Trainer batches rows of ``x`` by index; for graphs those rows are ids (see ``data.graphs``): node
ids for a node task, graph ids for a graph task. The task holds the graph data, read-only, and moves it
to the model's device once (a copy per device); the ids it receives say which nodes or graphs count.

- Node classification: every step runs the network on the whole graph (a node's prediction needs all of
  its k-hop neighbourhood), then the cross-entropy on the labelled nodes of the batch only. Unlabelled
  nodes still pass messages: that is the semi-supervised setting of Kipf & Welling (2017).
- Graph classification: the ids pick graphs, ``Batch.from_data_list`` packs them into one disconnected
  graph with ``ptr`` marking where each starts, and the network's readout pools each graph to one score
  vector.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.data import Batch, Data

from data.graphs import GraphSet, NodeGraph
from training.metrics import accuracy
from training.tasks import Task


class NodeClassification(Task):
    name = "node_classification"
    higher_is_better = "acc"

    def __init__(self, graph: Data):
        self.graph = graph
        self._on: dict[torch.device, Data] = {}

    def graph_on(self, device: torch.device) -> Data:
        if device not in self._on:
            self._on[device] = self.graph.to(device)
        return self._on[device]

    def logits(self, model: nn.Module, device: torch.device) -> torch.Tensor:
        """(N, num_classes) scores for every node of the graph."""
        g = self.graph_on(device)
        return model(g.x, g.edge_index)

    def loss(self, model, x, y):
        return F.cross_entropy(self.logits(model, x.device)[x], y)  # x: (B,) labelled node ids

    @torch.no_grad()
    def metrics(self, model, x, y):
        logits = self.logits(model, x.device)[x]  # (B, num_classes)
        return {"loss": float(F.cross_entropy(logits, y)), "acc": accuracy(logits, y)}


class GraphClassification(Task):
    name = "graph_classification"
    higher_is_better = "acc"

    def __init__(self, graphs: list[Data]):
        self.graphs = graphs
        self._on: dict[torch.device, list[Data]] = {}

    def batch(self, ids: torch.Tensor) -> Batch:
        """The graphs named by ``ids`` (B,) as one Batch on their device: x (ΣN, F), edge_index, ptr."""
        if ids.device not in self._on:
            self._on[ids.device] = [g.to(ids.device) for g in self.graphs]
        on = self._on[ids.device]
        return Batch.from_data_list([on[i] for i in ids.tolist()])

    def logits(self, model: nn.Module, ids: torch.Tensor) -> torch.Tensor:
        b = self.batch(ids)
        return model(b.x, b.edge_index, b.ptr)  # (B, num_classes)

    def loss(self, model, x, y):
        return F.cross_entropy(self.logits(model, x), y)

    @torch.no_grad()
    def metrics(self, model, x, y):
        logits = self.logits(model, x)
        return {"loss": float(F.cross_entropy(logits, y)), "acc": accuracy(logits, y)}


def graph_task(data: NodeGraph | GraphSet, **_) -> Task:
    """A recipe's task factory: the task follows the data set."""
    if isinstance(data, NodeGraph):
        return NodeClassification(data.graph)
    if isinstance(data, GraphSet):
        return GraphClassification(data.graphs)
    raise TypeError(f"no graph task for {type(data).__name__}")
