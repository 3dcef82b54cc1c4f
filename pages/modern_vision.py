"""Mixer & Swin: vision after convolution. MLP-Mixer's token-mixing and channel-mixing MLPs, trained live
on digits with its weights drawn on the patch grid; Swin's windows and shifted windows drawn block by
block on a digit, its patch-merging pyramid and its learned relative position bias; every architecture's
graph and summary."""

import streamlit as st

from ui.boot import ensure_app
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.modern_vision.idea import idea_tab
from ui.modern_vision.mixer import guarded, mixer_lab
from ui.modern_vision.swin import swin_lab
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Mixer & Swin")
st.markdown(
    "Two answers, from 2021, to what comes after convolution. **MLP-Mixer** uses no convolution and no "
    "attention: one MLP mixes the patches of each channel, another the channels of each patch. **Swin** "
    "keeps attention but only inside small windows that shift from block to block, and merges patches "
    "between stages into a pyramid, as a CNN does."
)

lesson_bar("modern_vision")
idea, mixer, swin, explore = tabs(["Idea", "Mixer", "Swin", "Architectures"], key="modern_vision.tab")

if idea.open:
    with idea:
        idea_tab()

if mixer.open:
    with mixer:
        guarded(mixer_lab)

if swin.open:
    with swin:
        guarded(swin_lab)

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("modern_vision", key="modern_vision", default="swin_t")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="modern_vision", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="modern_vision.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="modern_vision.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="modern_vision.s")
