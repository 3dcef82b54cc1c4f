"""Probes for the graph pages (see ``training.probes``): each takes the model (eval mode, no gradients,
under the job's lock) and returns numpy arrays.

- ``node_predictions_probe``: every node's class probabilities and predicted class, beside the truth and
  which nodes were labelled;
- ``embedding_probe``: every node's last hidden vector (what the classifier reads), projected to 2-D by
  PCA, to watch the classes pull apart while training;
- ``attention_probe``: GAT's attention α per edge and layer (heads averaged and per head);
- ``graph_predictions_probe``: each graph's predicted class in a graph-classification set.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from data.graphs import GraphSet, NodeGraph
from training.graph.tasks import GraphClassification, NodeClassification
from training.probes import _device


def node_predictions_probe(data: NodeGraph) -> Callable[[nn.Module], dict]:
    task = NodeClassification(data.graph)

    def probe(model: nn.Module) -> dict:
        prob = task.logits(model, _device(model)).float().softmax(-1).cpu().numpy()  # (N, classes)
        labelled = np.zeros(data.num_nodes, dtype=bool)
        labelled[data.x_train] = True
        return {"prob": prob, "pred": prob.argmax(-1), "y": data.graph.y.numpy(), "labelled": labelled}

    return probe


def _last_hidden_module(model: nn.Module) -> tuple[nn.Module, bool] | None:
    """The module whose *input* is the last hidden node representation (True), or whose output is the
    best stand-in (False): GIN's last prediction head, GraphSAGE's and MPNN's head, the last conv of a
    GCN or GAT deeper than one layer (its input, after the activation), else the only conv's output."""
    if hasattr(model, "heads"):
        return model.heads[-1], True
    if hasattr(model, "head"):
        return model.head, True
    convs = getattr(model, "convs", None)
    if convs is not None and len(convs):
        return (convs[-1], True) if len(convs) > 1 else (convs[-1], False)
    return None


def hidden_embedding(model: nn.Module, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
    """(N, d) each node's last hidden vector (the model's output where it has no hidden layer)."""
    found, seen = _last_hidden_module(model), []
    if found is None:
        return model(x, edge_index)
    module, use_input = found
    hook = (
        module.register_forward_pre_hook(lambda m, args: seen.append(args[0]))
        if use_input
        else module.register_forward_hook(lambda m, args, out: seen.append(out))
    )
    try:
        out = model(x, edge_index)
    finally:
        hook.remove()
    return seen[-1] if seen else out


def pca_2d(h: torch.Tensor) -> np.ndarray:
    """(N, 2) the rows of h (N, d) on their two principal axes (zeros where d < 2)."""
    h = h.float() - h.float().mean(0, keepdim=True)
    if h.shape[1] == 0 or h.shape[0] < 2:
        return np.zeros((h.shape[0], 2), dtype=np.float32)
    _, _, vt = torch.linalg.svd(h, full_matrices=False)  # vt (min(N, d), d)
    out = (h @ vt[:2].T).cpu().numpy()  # (N, ≤2)
    return np.pad(out, ((0, 0), (0, 2 - out.shape[1]))).astype(np.float32)


def embedding_probe(data: NodeGraph) -> Callable[[nn.Module], dict]:
    g = data.graph

    def probe(model: nn.Module) -> dict:
        dev = _device(model)
        h = hidden_embedding(model, g.x.to(dev), g.edge_index.to(dev))  # (N, d)
        return {"xy": pca_2d(h), "y": g.y.numpy(), "dim": int(h.shape[1])}

    return probe


def attention_probe(data: NodeGraph) -> Callable[[nn.Module], dict]:
    """For a model with ``forward(..., return_attention=True)`` (GAT): per layer, the edges (2, E + N),
    self-loops last, and α (E + N, heads); α sums to 1 over each node's incoming edges. Other models:
    an empty list of layers."""
    g = data.graph

    def probe(model: nn.Module) -> dict:
        if "return_attention" not in inspect.signature(model.forward).parameters:
            return {"layers": []}
        dev = _device(model)
        _, att = model(g.x.to(dev), g.edge_index.to(dev), return_attention=True)
        layers = [
            {
                "edge_index": e.cpu().numpy(),
                "alpha": a.float().cpu().numpy(),
                "mean": a.float().mean(-1).cpu().numpy(),
            }
            for e, a in att
        ]
        return {"layers": layers}

    return probe


def graph_predictions_probe(data: GraphSet) -> Callable[[nn.Module], dict]:
    task = GraphClassification(data.graphs)
    ids = torch.arange(len(data.graphs))

    def probe(model: nn.Module) -> dict:
        prob = task.logits(model, ids.to(_device(model))).float().softmax(-1).cpu().numpy()  # (G, classes)
        y = np.array([int(g.y) for g in data.graphs])
        return {"prob": prob, "pred": prob.argmax(-1), "y": y, "test": data.x_test}

    return probe


def linear_separability(out: np.ndarray, labels: np.ndarray) -> float:
    """The share of nodes a logistic regression on ``out`` (N, D) puts in their class, fit on all of
    them: how linearly separable the classes are in that representation (1.0: a line splits them)."""
    from sklearn.linear_model import LogisticRegression

    z = (out - out.mean(0)) / (out.std(0) + 1e-12)
    return float(LogisticRegression().fit(z, labels).score(z, labels))
