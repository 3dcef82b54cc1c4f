"""Recipes of the graph family: semi-supervised node classification on Zachary's karate club, GAT on
BA-shapes, and GIN telling generated graph kinds apart.

    t = get_recipe("gcn_karate").trainer(k=2, seed=0)
    t.step(t.num_steps); t.evaluate()   # {"train_acc": 1.0, "test_acc": ...}

Node recipes train full batch (``batch_size`` above the number of labelled nodes: every step sees the
whole graph and all its labels); the graph recipe draws mini-batches of graphs. The model's input width,
class count and, for node tasks, ``readout="none"`` (one output per node) follow from the data.
"""

from __future__ import annotations

from typing import Any

from data.base import Supervised
from data.graphs import ba_shapes, graph_set, karate
from training.graph.tasks import graph_task
from training.recipes import Recipe, register_recipe

NODE_ARCHS = ("gcn", "graphsage", "gat", "gin")
FULL_BATCH = 100_000  # more than any node set here: the Trainer then takes every labelled node each step


def node_link(d: Supervised) -> dict[str, Any]:
    return {"in_features": d.in_features, "num_classes": d.num_classes, "readout": "none"}


def graph_link(d: Supervised) -> dict[str, Any]:
    return {"in_features": d.in_features, "num_classes": d.num_classes}


register_recipe(
    Recipe(
        name="gcn_karate",
        title="GCN on Zachary's karate club",
        summary="Two labelled members per faction; the GCN infers which faction every other member joined "
        "from the friendships alone (one-hot node features).",
        arch="gcn",
        archs=NODE_ARCHS,
        data=karate,
        data_params=dict(k=2),
        arch_overrides=dict(hidden_dim=16, num_layers=2, dropout=0.5),
        train_params=dict(
            optimizer="adam", lr=0.01, weight_decay=5e-4, batch_size=FULL_BATCH, num_steps=100, eval_every=10
        ),
        link=node_link,
        task=graph_task,
        max_steps=5_000,
    )
)

register_recipe(
    Recipe(
        name="gat_bashapes",
        title="GAT on BA-shapes",
        summary="Houses attached to a random Barabási-Albert graph: classify each node as base, or as the "
        "top, middle or bottom of a house, from the shape of its neighbourhood.",
        arch="gat",
        archs=NODE_ARCHS,
        data=ba_shapes,
        data_params=dict(num_base=300, num_motifs=80, test_frac=0.2),
        arch_overrides=dict(hidden_dim=8, num_heads=4, num_layers=3, dropout=0.0),
        train_params=dict(optimizer="adam", lr=0.01, batch_size=FULL_BATCH, num_steps=300, eval_every=25),
        link=node_link,
        task=graph_task,
        max_steps=10_000,
    )
)

register_recipe(
    Recipe(
        name="gin_graphs",
        title="GIN on generated graphs",
        summary="Cycles, stars, random trees and grids with constant node features: GIN's sums count the "
        "structure and its readout classifies each whole graph.",
        arch="gin",
        archs=("gin", "gcn", "graphsage", "gat"),  # any of them with a readout: compare what a sum can count
        data=graph_set,
        data_params=dict(per_kind=40, min_nodes=6, max_nodes=16, test_frac=0.25),
        arch_overrides=dict(hidden_dim=32, num_layers=3, dropout=0.0, readout="sum"),
        train_params=dict(optimizer="adam", lr=0.01, batch_size=32, num_steps=200, eval_every=25),
        link=graph_link,
        task=graph_task,
        max_steps=10_000,
    )
)
