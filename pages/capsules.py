"""Capsule networks: vectors instead of scalars. The squash, routing by agreement and the margin loss;
a CapsNet trained live on the 8×8 digits; routing iteration by iteration for one digit, with its capsule
lengths as class probabilities; the decoder's images while one capsule dimension is swept; the graph and
summary of the published MNIST model."""

import streamlit as st

from ui.boot import ensure_app
from ui.capsules.idea import idea_tab
from ui.capsules.labs import dimensions_lab, routing_lab, train_lab
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, guarded, summary_panel

ensure_app()

st.title("Capsule networks")
st.markdown(
    "A capsule outputs a vector instead of a number: its length says whether something is there, its "
    "direction how it looks. **CapsNet** (Sabour, Frosst & Hinton, 2017) joins capsules by **routing by "
    "agreement**: each part sends its vote to the wholes whose output agrees with it."
)

lesson_bar("capsules")
idea, train, routing, dims, explore = tabs(
    ["Idea", "Train", "Routing", "Dimensions", "Architectures"], key="capsules.tab"
)

if idea.open:
    with idea:
        idea_tab()

if train.open:
    with train:
        guarded(train_lab)

if routing.open:
    with routing:
        guarded(routing_lab)

if dims.open:
    with dims:
        guarded(dimensions_lab)

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("capsules", key="capsules", default="capsnet")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="capsules", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="capsules.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="capsules.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="capsules.s")
