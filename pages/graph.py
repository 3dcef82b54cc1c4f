"""Graph neural networks: message passing made visible, node and graph tasks, depth, explanations,
architectures."""

import streamlit as st

from ui.boot import ensure_app
from ui.forms import config_form
from ui.graph.depth import depth_lab
from ui.graph.explain import explain_lab
from ui.graph.explainer import message_passing
from ui.graph.live import graph_lab, node_lab
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Graph neural networks")
st.markdown(
    "Molecules, social networks, road maps and citation graphs have no grid and no order: a node has "
    "any number of neighbours. A graph neural network updates every node from its neighbours, with the "
    "same weights everywhere, a few rounds in a row: **message passing**."
)

lesson_bar("gnn")
idea, mp, nodes, whole, depth, why, explore = tabs(
    ["Idea", "Message passing", "Nodes", "Whole graphs", "Depth", "Explanations", "Architectures"],
    key="gnn.tab",
)

if idea.open:
    with idea:
        c1, c2 = st.columns(2)
        with c1:
            st.markdown(
                r"**A graph** $G = (V, E)$ with $N$ nodes, node features $X \in \mathbb{R}^{N \times F}$ "
                r"and an adjacency matrix $A$ ($A_{vu} = 1$ when an edge joins $u$ to $v$), sometimes edge "
                r"features $e_{uv}$. **Message passing**: at layer $k$ every node $v$ gathers messages from "
                r"its neighbours $\mathcal{N}(v)$, aggregates them with a function that ignores their order "
                r"(sum, mean, max) and updates its state:"
            )
            st.latex(
                r"h_v^{(k)} = \phi\Big(h_v^{(k-1)},\; \bigoplus_{u \in \mathcal{N}(v)} "
                r"\psi\big(h_u^{(k-1)}, h_v^{(k-1)}, e_{uv}\big)\Big)"
            )
            st.markdown(
                r"**GCN** (Kipf & Welling, 2017) averages with symmetric degree weights, $\hat A = A + I$:"
            )
            st.latex(r"H^{(k)} = \sigma\!\left(\hat D^{-1/2} \hat A \hat D^{-1/2} H^{(k-1)} W^{(k)}\right)")
            st.markdown(
                r"**GraphSAGE** (Hamilton et al., 2017) keeps the node apart from the mean of its neighbours:"
            )
            st.latex(r"h_v' = W_1 h_v + W_2 \cdot \operatorname{mean}_{u \in \mathcal{N}(v)} h_u")
            st.markdown(r"**GAT** (Veličković et al., 2018) learns how much each neighbour counts:")
            st.latex(
                r"\begin{aligned} \alpha_{vu} &= \operatorname{softmax}_u\big(\operatorname{LeakyReLU}"
                r"(a^\top [W h_v \,\|\, W h_u])\big) \\ h_v' &= \sigma\Big(\sum_{u \in \mathcal{N}(v) \cup "
                r"\{v\}} \alpha_{vu} W h_u\Big) \end{aligned}"
            )
        with c2:
            st.markdown(
                r"**GIN** (Xu et al., 2019) sums, then applies an MLP; a sum can count neighbours where a "
                r"mean or max cannot, which makes GIN as discriminative as the **Weisfeiler–Lehman test** "
                r"(repeatedly relabel each node by its label and the multiset of its neighbours' labels):"
            )
            st.latex(
                r"h_v' = \operatorname{MLP}\Big((1 + \epsilon)\, h_v + \sum_{u \in \mathcal{N}(v)} h_u\Big)"
            )
            st.markdown(
                r"**Symmetry.** Renumbering the nodes with a permutation matrix $P$ must not change the "
                r"answer: node outputs move with the nodes (equivariance), a graph's readout "
                r"(sum, mean or max over nodes) does not move at all (invariance):"
            )
            st.latex(r"\begin{aligned} f(PX,\, PAP^\top) &= P\, f(X, A) \\ R(PH) &= R(H) \end{aligned}")
            st.markdown(
                r"**Over-smoothing.** Each layer averages over neighbours; stacked many times, the averaging "
                r"makes all node states alike, and the classes blur. The Dirichlet energy measures how "
                r"different neighbours still are; it falls towards 0 with depth unless residual "
                r"connections keep each node's own signal:"
            )
            st.latex(
                r"E(H) = \tfrac12 \sum_{(u,v) \in E} \Big\| \tfrac{h_u}{\sqrt{1 + d_u}} - "
                r"\tfrac{h_v}{\sqrt{1 + d_v}} \Big\|^2"
            )

if mp.open:
    with mp:
        message_passing()

if nodes.open:
    with nodes:
        node_lab()

if whole.open:
    with whole:
        graph_lab()

if depth.open:
    with depth:
        depth_lab()

if why.open:
    with why:
        explain_lab()

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("graph", key="gnn", default="gcn")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="gnn", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="gnn.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="gnn.g")
    if summary.open:
        with summary:
            st.caption(
                "A graph network's weights are shared by every node, so its parameters do not depend on the "
                "graph; its mult-adds do: they are given per node of the example graph."
            )
            summary_panel(spec, cfg, key="gnn.s")
