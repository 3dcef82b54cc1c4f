"""GNNExplainer on a node: which edges the trained network's prediction for it rests on.

R. Ying, D. Bourgeois, J. You, M. Zitnik & J. Leskovec (2019), "GNNExplainer: Generating Explanations for
Graph Neural Networks", arXiv:1903.03894. A soft mask over the edges is learned so that the masked graph
keeps the model's prediction for the node while the mask stays small and near 0 or 1; the edges with
the largest mask values are the explanation. On BA-shapes a house node's explanation should be its
house. Here torch_geometric's ``Explainer`` with ``GNNExplainer``, explaining the model's own prediction
(``explanation_type="model"``); the networks append their self-loops after the graph's edges, which
PyG's masked message passing expects (the loops keep weight 1 and are not explained).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch_geometric.data import Data
from torch_geometric.explain import Explainer, GNNExplainer

from data.graphs import check_node


def explain_node(
    model: nn.Module,
    graph: Data,
    node: int,
    epochs: int = 100,
    lr: float = 0.01,
    seed: int = 0,
    undirected: bool = True,
) -> np.ndarray:
    """(E,) the edge mask GNNExplainer learns for ``node`` (one value in [0, 1] per edge of
    ``graph.edge_index``; 0 outside the node's receptive field). ``undirected``: both directions of an
    edge get the mean of their two values, so the explanation names friendships, not message
    directions (the paper's graphs are undirected; the two directions' masks are learned apart).
    A node that does not exist is refused with a sentence (GraphRejected). The model is left as it was
    (its mode and weights)."""
    i = check_node(graph, node)
    device = next(model.parameters()).device
    was_training = model.training
    explainer = Explainer(
        model=model,
        algorithm=GNNExplainer(epochs=epochs, lr=lr),
        explanation_type="model",
        edge_mask_type="object",
        node_mask_type=None,
        model_config=dict(mode="multiclass_classification", task_level="node", return_type="raw"),
    )
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            exp = explainer(graph.x.to(device), graph.edge_index.to(device), index=i)
    finally:
        model.train(was_training)
    mask = exp.edge_mask.detach().cpu().numpy()
    return symmetrize(mask, graph.edge_index, int(graph.num_nodes)) if undirected else mask


def symmetrize(mask: np.ndarray, edge_index: torch.Tensor, num_nodes: int) -> np.ndarray:
    """(E,) each edge's value averaged with its reverse edge's (an edge without a reverse keeps its own)."""
    src, dst = edge_index.cpu().numpy()
    key, rev = src * num_nodes + dst, dst * num_nodes + src
    order = np.argsort(key)
    pos = np.searchsorted(key[order], rev).clip(max=len(key) - 1)
    j = order[pos]  # candidate reverse edge of each edge
    has = key[j] == rev
    return np.where(has, (mask + mask[j]) / 2, mask)


def top_edges(edge_mask: np.ndarray, k: int) -> np.ndarray:
    """The ids of the ``k`` edges with the largest mask values, largest first."""
    return np.argsort(-edge_mask, kind="stable")[:k]
