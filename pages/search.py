"""Architecture search: a search space, random search against regularised evolution (Real et al., 2019)
with their Pareto fronts of accuracy against parameters and mult-adds, DARTS (Liu et al., 2019) with its
operation weights over training and the derived cell, and the line from NASNet to EfficientNet."""

import streamlit as st

from ui.boot import ensure_app
from ui.links import tabs
from ui.panels import guarded
from ui.search import darts_lab, evolution_lab, idea_tab

ensure_app()

st.title("Architecture search")
st.markdown(
    "Instead of designing a network by hand, search for it: propose architectures, estimate how good each "
    "one is, and keep the best, trading accuracy against size and compute."
)

idea, evo, darts = tabs(["Idea", "Evolution", "DARTS"], key="search.tab")

if idea.open:
    with idea:
        idea_tab()

if evo.open:
    with evo:
        guarded(evolution_lab)

if darts.open:
    with darts:
        guarded(darts_lab)
