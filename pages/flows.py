"""Normalizing flows: invertible networks with an exact likelihood. The change of variables; a 2-D density
learned live, with every layer's warp of the plane, samples and the exact held-out log-likelihood against
a Gaussian's; a small multi-scale flow on digits; RealNVP's and Glow's graphs and summaries."""

import streamlit as st

from ui.boot import ensure_app
from ui.flows.idea import idea_tab
from ui.flows.lab import digits_lab, guarded, points_lab
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Normalizing flows")
st.markdown(
    "Generative models whose likelihood is exact. A flow is an **invertible** network that turns data into "
    "Gaussian noise; run backwards it turns noise into data. **RealNVP** stacks affine coupling layers, "
    "**Glow** adds actnorm and invertible 1×1 convolutions."
)

lesson_bar("flows")
idea, lab, digits, explore = tabs(["Idea", "2-D lab", "Digits", "Architectures"], key="flows.tab")

if idea.open:
    with idea:
        idea_tab()

if lab.open:
    with lab:
        guarded(points_lab)

if digits.open:
    with digits:
        guarded(digits_lab)

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("flows", key="flows", default="glow")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="flows", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="flows.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="flows.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="flows.s")
