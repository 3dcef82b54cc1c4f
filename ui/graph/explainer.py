"""The message-passing explainer: Zachary's karate club, a three-layer GCN written out in plain torch
(archs/graph/plain_gcn.py), and for a chosen node and layer the messages it receives, their sum and
the update, beside the receptive field that grows by one hop per layer."""

from __future__ import annotations

import networkx as nx
import numpy as np
import streamlit as st
import torch

from archs.graph.plain_gcn import messages_at, untrained_stack
from data.graphs import GraphRejected, parse_edge_list
from training.graph.probes import linear_separability
from ui import state
from ui.charts import plotly_chart
from viz.graph import embedding_figure, hops, layout, message_figure, receptive_field_figure

WIDTHS = (34, 8, 8, 2)  # identity features in, two hidden layers of 8, a 2-D output (Kipf & Welling's demo)
FACTIONS = ("Mr. Hi", "Officer")
MAX_NODES = 500  # an uploaded graph's nodes start as one-hot vectors: N × N numbers in the first layer


@st.cache_data(show_spinner=False)
def karate() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(edge_index with both directions, the faction of every member after the split, positions)."""
    g = nx.karate_club_graph()
    e = np.array(list(g.edges())).T
    ei = np.concatenate([e, e[::-1]], 1)
    labels = np.array([0 if g.nodes[i]["club"] == "Mr. Hi" else 1 for i in range(g.number_of_nodes())])
    return ei, labels, layout(g.number_of_nodes(), ei)


@st.cache_data(show_spinner=False, max_entries=8)
def uploaded(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(edge_index, positions) of an uploaded edge list (checked by data.graphs.parse_edge_list)."""
    edge_index, n = parse_edge_list(raw, max_nodes=MAX_NODES)
    ei = edge_index.cpu().numpy().astype(np.int64)
    return ei, layout(n, ei)


def _pick(key: str) -> None:
    """A click on a node of the graph selects it (its id is the point's customdata)."""
    points = (st.session_state.get(key) or {}).get("selection", {}).get("points", [])
    for p in points:
        cd = p.get("customdata")
        node = cd[0] if isinstance(cd, list) else cd
        if node is not None:
            st.session_state["gnn.mp.node"] = int(node)
            return


def _source() -> tuple[np.ndarray, np.ndarray | None, np.ndarray] | None:
    """The graph the explainer runs on: the karate club, or the user's edge list (None if refused)."""
    which = st.radio(
        "Graph",
        ("Zachary's karate club", "My edge list (CSV)"),
        horizontal=True,
        key="gnn.mp.src",
        help=f"A CSV of 'source,target' node ids from 0, one friendship per row, at most {MAX_NODES} nodes.",
    )
    if which.startswith("Zachary"):
        return karate()
    up = st.file_uploader("Edge list", type=["csv", "txt"], key="gnn.mp.up", max_upload_size=1)
    if up is None:
        st.info(
            "Upload an edge list: one `source,target` pair of node ids per row.", icon=":material/upload:"
        )
        return None
    try:
        ei, pos = uploaded(up.getvalue())
    except GraphRejected as e:
        st.error(f"**This edge list cannot be used.** {e}", icon=":material/block:")
        return None
    return ei, None, pos


def message_passing() -> None:
    src = _source()
    if src is None:
        return
    ei, labels, pos = src
    n = len(pos)
    st.markdown(
        (
            "Zachary's karate club: 34 members, 78 friendships, and the club's split into two factions. "
            if labels is not None
            else f"Your graph: {n} nodes, {ei.shape[1] // 2} edges. "
        )
        + "Each node starts with its own one-hot vector. A layer lets every node **hear its neighbours**: "
        "each neighbour u sends its features transformed by the layer's weights, scaled by 1/√(d̂ᵥ d̂ᵤ) "
        "(d̂ counts the self-loop), and the node adds them up. After k layers a node's state depends on "
        "everything within k hops: its receptive field."
    )
    c = st.columns([1, 1, 2])
    node = c[0].number_input(
        "Node",
        min_value=0,
        max_value=n - 1,
        value=0,
        step=1,
        key="gnn.mp.node",
        help="A node, by its id (or click one in the graph); in the karate club 0 is the instructor, 33 the "
        "officer.",
    )
    k = c[1].slider(
        "Layer", 1, len(WIDTHS) - 1, 1, key="gnn.mp.k", help="Messages of this layer; hops seen so far."
    )
    layers, hs = untrained_stack(WIDTHS, ei, n, seed=state.seed())
    left, right = st.columns([1, 1])
    with left:
        fig = receptive_field_figure(
            pos, ei, int(node), int(k), title=f"What node {node} sees after {k} layer(s)"
        )
        plotly_chart(
            fig, key="gnn.mp.field", on_select=lambda: _pick("gnn.mp.field"), selection_mode="points"
        )
        d = hops(n, ei, int(node))
        st.caption(
            f"After {k} layer(s) node {node} has heard from {int(((d >= 0) & (d <= k)).sum()) - 1} of the "
            f"other {n - 1} nodes; {'all' if (d <= k).all() else 'not yet all'} of the graph"
            + ("" if (d >= 0).all() else " (some nodes are not connected to it at all)")
            + "."
        )
    with right:
        m = messages_at(layers[k - 1], hs[k - 1], torch.as_tensor(ei), int(node))
        rows = {name: v.detach().numpy() for name, v in m.items()}
        if k < len(WIDTHS) - 1:
            rows["update: tanh(output)"] = np.tanh(rows["output"])
        plotly_chart(
            message_figure(
                rows, title=f"Layer {k} at node {node}: {len(m) - 2} messages, their sum, the update"
            ),
            key="gnn.mp.msg",
        )
        st.caption(
            f"Each row is a vector of {WIDTHS[k]} numbers. Node {node} has {len(m) - 3} neighbour(s); "
            "its own row comes through the self-loop. The sum of the message rows is the aggregate; "
            "adding the bias gives the output"
            + (
                ", and tanh of it the state the next layer sends on."
                if k < len(WIDTHS) - 1
                else ": the answer."
            )
        )
    out = hs[-1].numpy()
    if labels is None:
        st.markdown(
            "The untrained three-layer network's 2-D output for every node of your graph: nodes with "
            "similar neighbourhoods land close together before any training."
        )
        plotly_chart(
            embedding_figure(
                out, np.zeros(n, int), ("node",), axis_titles=("output 1", "output 2"), height=380
            ),
            key="gnn.mp.out",
        )
        return
    sep = {
        s: linear_separability(untrained_stack(WIDTHS, ei, seed=s)[1][-1].numpy(), labels) for s in range(10)
    }
    here = linear_separability(out, labels)
    lo, hi = min(sep.values()), max(sep.values())
    st.markdown(
        "**Even untrained**, three rounds of averaging over neighbours give nearby members similar "
        "states, so the random network's 2-D output below often groups the two factions already (Kipf & "
        f"Welling showed this on the same graph). At this seed a straight line separates **{here:.0%}** of "
        f"the members (a logistic regression on the two outputs); over seeds 0 to 9, from {lo:.0%} to "
        f"{hi:.0%}. Change the seed in the sidebar to see others: structure does part of the work, "
        "training the rest."
    )
    plotly_chart(
        embedding_figure(out, labels, FACTIONS, axis_titles=("output 1", "output 2"), height=380),
        key="gnn.mp.out",
    )
