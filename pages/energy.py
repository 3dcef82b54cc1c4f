"""Energy-based and classic networks: RBMs and deep belief nets, Hopfield networks (binary and modern),
Boltzmann machines, deep stacking networks, self-organising maps, RBF networks, extreme learning machines
and echo state networks: the ideas the deep-learning era grew from, each one live."""

import streamlit as st

from ui.boot import ensure_app
from ui.energy.dsn import dsn_lab
from ui.energy.esn import esn_lab
from ui.energy.hopfield import hopfield_lab
from ui.energy.idea import idea_tab
from ui.energy.kernels import rbf_elm_lab
from ui.energy.rbm import dbn_lab, rbm_lab
from ui.energy.som import som_lab
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Energy-based & classic networks")
st.markdown(
    "Before backpropagation through deep stacks worked, networks learned in other ways: by lowering an "
    "**energy** (Hopfield networks, Boltzmann machines, RBMs), by stacking layers trained one at a time "
    "(deep belief nets, deep stacking networks), or by training only a readout on top of fixed random "
    "features (RBF networks, extreme learning machines, echo state networks). Each idea lives on in today's "
    "models."
)

lesson_bar("energy")
idea, rbm, dbn, hop, dsn, som, esn, kern, explore = tabs(
    ["Idea", "RBM", "DBN", "Hopfield", "DSN", "SOM", "ESN", "RBF & ELM", "Architectures"], key="energy.tab"
)

if idea.open:
    with idea:
        idea_tab()

if rbm.open:
    with rbm:
        rbm_lab()

if dbn.open:
    with dbn:
        dbn_lab()

if hop.open:
    with hop:
        hopfield_lab()

if dsn.open:
    with dsn:
        dsn_lab()

if som.open:
    with som:
        som_lab()

if esn.open:
    with esn:
        esn_lab()

if kern.open:
    with kern:
        rbf_elm_lab()

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
