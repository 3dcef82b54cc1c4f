"""Timeline: every architecture of the atlas at the year of its paper, one band per family, from the
registry; each point opens its architecture on its page."""

import streamlit as st

from ui.boot import ensure_app
from ui.timeline import timeline_view

ensure_app()

st.title("Timeline")
st.markdown(
    "Every architecture of the atlas, placed at the year of the paper that introduced it, in the band of its "
    "family. The early points hold ideas that came back later (the perceptron, Hopfield networks and "
    "Boltzmann machines, the LSTM); from 2012, once GPUs and large labelled sets such as ImageNet made deep "
    "networks trainable, the points crowd together: convolutional networks first, then attention and "
    "transformers, then the generative and self-supervised families. Hover a point for its paper; click it "
    "to open it."
)

timeline_view("tl")
