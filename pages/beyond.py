"""Beyond attention: sparse mixtures of experts (Switch, Mixtral), state-space models (S4, Mamba), RWKV
and memory-augmented networks (NTM, DNC). The router's load trained live with and without its balancing
loss; one layer computed as a recurrence and as a convolution; selective copying, where Mamba succeeds and
S4 does not; RWKV's two modes and its decays; the copy task with the memory's read and write heads."""

import streamlit as st

from ui.beyond.experts import experts_lab
from ui.beyond.idea import idea_tab
from ui.beyond.memory import memory_lab
from ui.beyond.recurrent import rwkv_lab, ssm_lab
from ui.boot import ensure_app
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Beyond attention")
st.markdown(
    "Transformers pay for every token with all their weights and compare every token with every other. "
    "**Mixtures of experts** route each token to a few of many feed-forward networks; **state-space "
    "models** and **RWKV** carry a fixed-size state through the sequence, trained in parallel and run as "
    "a recurrence; **memory-augmented networks** give a controller a memory matrix it addresses by content "
    "and by position."
)

lesson_bar("beyond")
idea, moe, ssm, rwkv, mem, explore = tabs(
    ["Idea", "Experts", "State spaces", "RWKV", "Memory", "Architectures"], key="beyond.tab"
)

if idea.open:
    with idea:
        idea_tab()

if moe.open:
    with moe:
        experts_lab()

if ssm.open:
    with ssm:
        ssm_lab()

if rwkv.open:
    with rwkv:
        rwkv_lab()

if mem.open:
    with mem:
        memory_lab()

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("beyond", key="beyond", default="mamba")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="beyond", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="beyond.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="beyond.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="beyond.s")
