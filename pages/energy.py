"""Energy-based & classic networks (minimal page of helper A for testing its labs; the integrator writes
the real page): the RBM, DBN and Hopfield labs, and the family's architectures."""

import streamlit as st

from ui.boot import ensure_app
from ui.energy.hopfield import hopfield_lab
from ui.energy.rbm import dbn_lab, rbm_lab
from ui.forms import config_form
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Energy-based & classic networks")
rbm, dbn, hop, explore = tabs(["RBM", "DBN", "Hopfield", "Architectures"], key="energy.tab")

if rbm.open:
    with rbm:
        rbm_lab()

if dbn.open:
    with dbn:
        dbn_lab()

if hop.open:
    with hop:
        hopfield_lab()

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("energy", key="energy", default="rbm")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="energy", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="energy.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="energy.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="energy.s")
