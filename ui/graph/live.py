"""Live node classification: a recipe's graph, coloured by the model's current predictions (labelled
nodes square, wrong ones ringed, GAT's attention as edge widths), and the hidden states of every node in
the plane, both redrawn while the model trains."""

from __future__ import annotations

import numpy as np
import streamlit as st

from archs import ConfigError
from training.graph.probes import (
    attention_probe,
    embedding_probe,
    graph_predictions_probe,
    node_predictions_probe,
)
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.graph import embedding_figure, graph_figure, graph_gallery, layout

NODE_RECIPES = ("gcn_karate", "gat_bashapes")
KEY = "gnn.n"


@st.cache_data(show_spinner=False, max_entries=16)
def _positions(name: str, params: tuple, num_nodes: int, edges: bytes) -> np.ndarray:
    ei = np.frombuffer(edges, dtype=np.int64).reshape(2, -1)
    return layout(num_nodes, ei, seed=0)


def node_lab() -> None:
    c = st.columns([2.8, 1, 1, 1.2])  # the experiment's title reads in full at 1024 px in presenter mode
    recipe = get_recipe(
        c[0].selectbox(
            "Experiment",
            NODE_RECIPES,
            format_func=lambda n: get_recipe(n).title,
            key=child(KEY, "recipe"),
        )
    )
    arch = c[1].selectbox(
        "Network",
        recipe.compatible,
        index=list(recipe.compatible).index(recipe.arch),
        key=child(KEY, recipe.name, "arch"),
        help="Any graph network of the atlas trains on this task; the experiment's own is chosen first.",
    )
    lr = c[2].select_slider(
        "Learning rate",
        (1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 1.0, 10.0),
        value=recipe.train_params.get("lr", 0.01),
        key=child(KEY, recipe.name, "lr"),
    )
    data_kw: dict = {}
    if recipe.name == "gcn_karate":
        data_kw["k"] = c[3].slider(
            "Labelled per faction",
            1,
            8,
            2,
            key=child(KEY, "k"),
            help="How many members of each faction the network is told about; it must infer the rest.",
        )
    st.caption(recipe.summary)
    settings = dict(arch=arch, lr=float(lr), seed=state.seed(), device=state.device(), **data_kw)
    try:
        data = recipe.make_data(**data_kw, seed=state.seed())
    except (ConfigError, ValueError) as e:
        st.error(f"**Cannot make this graph.** {e}", icon=":material/block:")
        return
    g = data.graph
    ei = g.edge_index.cpu().numpy().astype(np.int64)
    pos = _positions(
        recipe.name, tuple(sorted(data_kw.items())) + (state.seed(),), int(g.num_nodes), ei.tobytes()
    )
    labels = g.y.cpu().numpy()
    train_mask = np.zeros(len(labels), bool)
    train_mask[data.x_train] = True

    def render(snap: dict, _data) -> None:
        view, emb = snap.get("node"), snap.get("emb")
        if view is None or emb is None:
            return
        acc = float((view["pred"][data.x_test] == labels[data.x_test]).mean())
        left, right = st.columns([3, 2])
        with left:
            layers = (snap.get("att") or {}).get("layers") or []
            att = layers[0] if layers else None  # layer 1: which neighbours each node listens to first
            fig = graph_figure(
                pos,
                att["edge_index"] if att is not None else ei,
                labels,
                data.class_names,
                predicted=view["pred"],
                train_mask=train_mask,
                edge_weight=att["mean"] if att is not None else None,
                edge_label="attention",
                title=f"Predicted class of every node · {acc:.0%} right on the unlabelled ones",
            )
            plotly_chart(fig, key=child(KEY, "view", "graph"))
            st.caption(
                "Squares: the labelled nodes the loss sees. Black ring: a wrong prediction."
                + (" Edge width: layer 1's attention, averaged over heads." if att is not None else "")
            )
        with right:
            plotly_chart(
                embedding_figure(
                    emb["xy"],
                    labels,
                    data.class_names,
                    predicted=view["pred"],
                    title=f"Node states ({emb['dim']} numbers each), 2 principal axes",
                    height=480,
                ),
                key=child(KEY, "view", "emb"),
            )

    train_panel(
        child(KEY, "train"),
        lambda: recipe.trainer(**settings),
        signature=(recipe.name, repr(sorted(settings.items()))),
        probes=lambda d: {
            "node": node_predictions_probe(d),
            "emb": embedding_probe(d),
            **({"att": attention_probe(d)} if arch == "gat" else {}),
        },
        render=render,
        untrained=True,
    )


def graph_lab() -> None:
    """Graph classification: GIN (or another network with a readout) tells generated graph kinds apart."""
    recipe = get_recipe("gin_graphs")
    c = st.columns([1, 1, 2])
    arch = c[0].selectbox(
        "Network",
        recipe.compatible,
        index=list(recipe.compatible).index(recipe.arch),
        key=child("gnn.gc", "arch"),
    )
    readout = c[1].selectbox(
        "Readout",
        ("sum", "mean", "max"),
        key=child("gnn.gc", "readout"),
        help="How a graph's node states become one vector. A sum can count nodes and edges; a mean or a "
        "max cannot tell a graph from a larger copy of it.",
    )
    st.caption(
        recipe.summary
        + " Every node starts with the same feature, so only the graph's shape tells the kinds "
        "apart. Try GraphSAGE or GAT: a mean of identical vectors is that vector, whatever the degree, and "
        "they stay near chance (25 %); GIN's sums count neighbours, as the Weisfeiler–Lehman test does."
    )
    settings = dict(arch=arch, readout=readout, seed=state.seed(), device=state.device())
    data = recipe.make_data(seed=state.seed())
    by_kind: dict[int, list[int]] = {}
    for i in data.x_test:  # three held-out graphs of each kind
        by_kind.setdefault(int(data.graphs[int(i)].y), []).append(int(i))
    test = [i for k in sorted(by_kind) for i in by_kind[k][:3]]

    def render(snap: dict, _data) -> None:
        view = snap.get("graphs")
        if view is None:
            return
        pred, y = view["pred"], view["y"]
        acc = float((pred[data.x_test] == y[data.x_test]).mean())
        st.markdown(
            f"**{acc:.0%}** of the {len(data.x_test)} held-out graphs classified right. Twelve of them:"
        )
        graphs = [(data.graphs[i].edge_index.cpu().numpy(), int(data.graphs[i].num_nodes)) for i in test]
        titles = [
            f"{data.class_names[pred[i]]}" + ("" if pred[i] == y[i] else f" (is {data.class_names[y[i]]})")
            for i in test
        ]
        colours = ["#2f9e44" if pred[i] == y[i] else "#e03131" for i in test]
        plotly_chart(graph_gallery(graphs, titles, colours), key=child("gnn.gc", "view", "gallery"))

    train_panel(
        child("gnn.gc", "train"),
        lambda: recipe.trainer(**settings),
        signature=(recipe.name, repr(sorted(settings.items()))),
        probes=lambda d: {"graphs": graph_predictions_probe(d)},
        render=render,
        untrained=True,
    )
