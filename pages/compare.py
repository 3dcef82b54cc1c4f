"""Compare: two to four architectures of any family side by side — costs, latency, graphs, layers, a
training race on one recipe — and every published model of the atlas on one map."""

import streamlit as st

from ui import compare
from ui.boot import ensure_app
from ui.lessons import lesson_bar
from ui.links import tabs

ensure_app()

st.title("Compare architectures")
st.markdown(
    "Put two to four models side by side, from any family and at any preset: what they cost (parameters, "
    "mult-adds, memory, and their forward latency measured on this server), how their graphs and layers "
    "differ, and how they learn when trained on the same data with the same seed. The last tab places "
    "every published model of the atlas on one map."
)

lesson_bar("cmp")
picks = compare.pick_models("cmp")
cost, graph, layers, train, atlas = tabs(
    ["Cost", "Graphs", "Layers", "Train on one recipe", "All published models"], key="cmp.tab"
)
if cost.open:
    with cost:
        compare.cost_table(picks, "cmp")
if graph.open:
    with graph:
        compare.graphs(picks, "cmp")
if layers.open:
    with layers:
        compare.layer_tables(picks, "cmp")
if train.open:
    with train:
        compare.train_race(picks, "cmp")
if atlas.open:
    with atlas:
        compare.landscape(picks, "cmp")
