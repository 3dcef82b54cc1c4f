"""Regularization: why a big network memorises a small data set and what stops it. Dropout, weight decay,
batch norm and early stopping as toggles on one over-fitting experiment, train and test curves of every run
overlaid; Monte-Carlo dropout's uncertainty; a deep network's activations layer by layer with and without
batch norm; batch norm against layer norm."""

import streamlit as st

from ui.boot import ensure_app
from ui.links import tabs
from ui.panels import guarded
from ui.regularization import activations_lab, idea_tab, mc_lab, norm_lab, overfit_lab

ensure_app()

st.title("Regularization")
st.markdown(
    "A network that scores perfectly on its training data may still fail on new data: it has "
    "**over-fitted**, learning the examples instead of what they share. Regularisers trade a little "
    "training accuracy for a smaller gap between training and test."
)

idea, fit, mc, act, norm = tabs(
    ["Idea", "Over-fitting", "Monte-Carlo dropout", "Activations", "Batch norm vs layer norm"], key="reg.tab"
)

if idea.open:
    with idea:
        idea_tab()

if fit.open:
    with fit:
        guarded(overfit_lab)

if mc.open:
    with mc:
        guarded(mc_lab)

if act.open:
    with act:
        guarded(activations_lab)

if norm.open:
    with norm:
        guarded(norm_lab)
