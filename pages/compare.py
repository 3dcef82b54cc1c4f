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
views = (compare.cost_table, compare.graphs, compare.layer_tables, compare.train_race, compare.landscape)
labels = ["Cost", "Graphs", "Layers", "Train on one recipe", "All published models"]
for tab, view in zip(tabs(labels, key="cmp.tab"), views, strict=True):
    if tab.open:  # lazy tabs: only the open one runs
        with tab:
            view(picks, "cmp")
