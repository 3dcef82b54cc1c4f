"""Neural ODEs, KAN & NeRF: networks as functions. A neural ODE learns a spiral's vector field beside a
ResNet of the same parameters, and its solver's evaluations follow the tolerance; a KAN learns a formula
on its edges and reads it back; NeRF's coordinate MLP stores an image with and without positional
encoding; every architecture's graph and summary."""

import streamlit as st

from ui.boot import ensure_app
from ui.continuous.idea import idea_tab
from ui.continuous.kan import kan_lab
from ui.continuous.nerf import nerf_lab
from ui.continuous.ode import nfe_tab, ode_lab
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, guarded, summary_panel

ensure_app()

st.title("Neural ODEs, KAN & NeRF")
st.markdown(
    "Networks as functions. A **neural ODE** gives the derivative of a hidden state and lets a solver "
    "integrate it, so depth becomes continuous. A **Kolmogorov-Arnold network** puts a learnable curve on "
    "every edge instead of a weight. **NeRF** maps coordinates to colour and density, and stores a whole "
    "scene in its weights."
)

lesson_bar("continuous")
idea, ode, nfe, kan, nerf, explore = tabs(
    ["Idea", "Neural ODE", "Tolerance & NFE", "KAN", "NeRF", "Architectures"], key="continuous.tab"
)

if idea.open:
    with idea:
        idea_tab()

if ode.open:
    with ode:
        guarded(ode_lab)

if nfe.open:
    with nfe:
        guarded(nfe_tab)

if kan.open:
    with kan:
        guarded(kan_lab)

if nerf.open:
    with nerf:
        guarded(nerf_lab)

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("continuous", key="continuous", default="neural_ode")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="continuous", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="continuous.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="continuous.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="continuous.s")
