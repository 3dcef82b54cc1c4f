"""Multimodal: images and text in one model. CLIP's two encoders and symmetric contrastive loss with a
learned temperature, trained live on captioned shapes; zero-shot classification by prompts on combinations
never seen in training; retrieval from text to images and from images to text; every architecture's
graph and summary; DALL-E-style generation, a VQ-VAE's image tokens written one by one by a transformer
after the caption's."""

import streamlit as st

from ui.boot import ensure_app
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.multimodal.clip import clip_lab, retrieval_tab
from ui.multimodal.dalle import dalle_tab
from ui.multimodal.idea import idea_tab
from ui.panels import arch_picker, graph_panel, guarded, summary_panel

ensure_app()

st.title("Multimodal")
st.markdown(
    "One model for two kinds of data. **CLIP** learns an image encoder and a text encoder whose outputs "
    "meet in one space, where a picture lies near its caption: it classifies images it was never trained "
    "to classify, by comparing them with written prompts, and finds images for a text or texts for an "
    "image. **DALL-E** goes the other way and writes an image, token by token, from a caption."
)

lesson_bar("multimodal")
idea, clip, zs, dalle, explore = tabs(
    ["Idea", "CLIP", "Zero-shot & retrieval", "DALL-E", "Architectures"], key="multimodal.tab"
)

if idea.open:
    with idea:
        idea_tab()

if clip.open:
    with clip:
        guarded(clip_lab)

if zs.open:
    with zs:
        guarded(retrieval_tab)

if dalle.open:
    with dalle:
        guarded(dalle_tab)

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("multimodal", key="multimodal", default="clip_vit_b_32")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="multimodal", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="multimodal.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="multimodal.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="multimodal.s")
