"""Self-supervised learning: representations learned without labels, and measured. SimCLR's contrastive
NT-Xent loss, BYOL's prediction of an EMA target (and its collapse without a stop-gradient), MAE's masked
patches; augmentations and the similarity matrix up close; encoders trained live and read by a linear
probe against raw pixels, a random encoder and a supervised one."""

import streamlit as st

from ui.boot import ensure_app
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel
from ui.ssl.augment import augment_lab
from ui.ssl.collapse import collapse_lab
from ui.ssl.idea import idea_tab
from ui.ssl.mae import mae_lab
from ui.ssl.ntxent import ntxent_lab
from ui.ssl.train import train_lab

ensure_app()

st.title("Self-supervised learning")
st.markdown(
    "Labels are scarce; images are not. A **self-supervised** method makes its own task from the data "
    "(tell two crops of one image from crops of others, predict one view from another, fill in hidden "
    "patches) and learns an encoder on it. The test comes after: freeze the encoder and see how well a "
    "**linear probe** reads the classes it was never told about."
)

lesson_bar("ssl")
idea, aug, ntx, train, collapse, mae, explore = tabs(
    ["Idea", "Augmentations", "NT-Xent", "Train", "Collapse", "MAE", "Architectures"], key="ssl.tab"
)

if idea.open:
    with idea:
        idea_tab()

if aug.open:
    with aug:
        augment_lab()

if ntx.open:
    with ntx:
        ntxent_lab()

if train.open:
    with train:
        train_lab()

if collapse.open:
    with collapse:
        collapse_lab()

if mae.open:
    with mae:
        mae_lab()

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("ssl", key="ssl", default="simclr")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="ssl", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="ssl.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="ssl.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="ssl.s")
