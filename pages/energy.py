"""Energy-based & classic networks (helper B's stand-in page: the integrator replaces it)."""

import streamlit as st

from ui.boot import ensure_app
from ui.energy.dsn import dsn_lab
from ui.energy.esn import esn_lab
from ui.energy.kernels import rbf_elm_lab
from ui.energy.som import som_lab
from ui.links import tabs

ensure_app()

st.title("Energy-based & classic networks")
dsn, som, esn, kern = tabs(["DSN", "SOM", "ESN", "RBF & ELM"], key="energy.tab")
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
