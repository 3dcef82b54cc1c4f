"""Explanations: a GAT trained on BA-shapes, GNNExplainer's edge mask for one node's prediction drawn on
its neighbourhood, the node's house (the true reason for its class) dotted, and the share of the top
edges that lie inside it."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from data.graphs import GraphRejected, motif_edges
from training.graph.explain import explain_node
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from viz.graph import explanation_figure, top_edges_inside

STEPS = 200


def _trained(seed: int):
    """This session's GAT on BA-shapes (trained once per seed, kept: GNNExplainer sets masks inside the
    model while it explains, so the model is not shared between sessions)."""
    ss = st.session_state
    if ss.get("gnn.x.model_seed") != seed:
        t = get_recipe("gat_bashapes").trainer(seed=seed, num_steps=STEPS, device="cpu")
        t.step(STEPS)
        ss["gnn.x.model"], ss["gnn.x.trainer_eval"], ss["gnn.x.model_seed"] = (
            t.model.eval(),
            t.evaluate(),
            seed,
        )
        ss["gnn.x.data"] = t.data
    return ss["gnn.x.model"], ss["gnn.x.data"], ss["gnn.x.trainer_eval"]


def explain_lab() -> None:
    st.markdown(
        "**BA-shapes** (Ying et al., 2019): a random Barabási–Albert graph of 300 nodes with 80 five-node "
        "houses attached. A node's class (base, or the top, middle or bottom of a house) depends only on "
        "its place in its neighbourhood, so the right explanation of a house node's prediction is its "
        "house. **GNNExplainer** learns a soft mask over the edges that keeps the model's prediction for "
        "the node while using as few edges as it can; its largest values are the explanation."
    )
    with st.spinner(f"Training a GAT on BA-shapes ({STEPS} steps)…"):
        model, data, ev = _trained(state.seed())
    g = data.graph
    st.caption(
        f"A graph attention network trained here for {STEPS} steps: held-out accuracy "
        f"{ev.get('test_acc', 0):.0%}."
    )
    house_nodes = [int(i) for i in data.x_test if int(g.motif[int(i)]) >= 0]
    c = st.columns([1, 1, 2])
    node = c[0].number_input(
        "Node to explain",
        min_value=0,
        max_value=int(g.num_nodes) - 1,
        value=house_nodes[0] if house_nodes else 0,
        step=1,
        key="gnn.x.node",
        help=f"Nodes 0 to 299 form the base graph, 300 to {int(g.num_nodes) - 1} the houses. The default is "
        "a house node the model never saw labelled.",
    )
    top_k = c[1].slider("Top edges", 3, 12, 6, key="gnn.x.k", help="A house has 6 edges.")
    try:
        mask = explain_node(model, g, int(node), seed=state.seed())
    except GraphRejected as e:
        st.error(str(e), icon=":material/block:")
        return
    ei = g.edge_index.cpu().numpy().astype(np.int64)
    with torch.no_grad():
        pred = int(model(g.x, g.edge_index).argmax(-1)[int(node)])
    true = int(g.y[int(node)])
    truth = None
    try:
        inside = motif_edges(g, int(node)).cpu().numpy()
        truth = ei[:, inside].T
    except GraphRejected:
        pass
    fig = explanation_figure(
        None,
        ei,
        mask,
        int(node),
        labels=g.y.cpu().numpy(),
        class_names=data.class_names,
        top_k=int(top_k),
        truth_edges=truth,
        title=f"Why node {node} is '{data.class_names[pred]}' (true: '{data.class_names[true]}')",
    )
    plotly_chart(fig, key="gnn.x.fig")
    if truth is not None:
        share = top_edges_inside(ei, mask, truth, int(top_k))
        st.markdown(
            f"**{share:.0%}** of the {top_k} most important edges lie inside node {node}'s house"
            + (": the explanation points at the motif." if share >= 0.6 else "; this explanation misses it.")
        )
    else:
        st.markdown(
            f"Node {node} belongs to the base graph: its class has no motif to find, and the mask spreads "
            "over its neighbourhood."
        )
