"""Selection guide: which architecture to try first for a task, under your constraints (labelled data,
latency, device), with each one's size from the registry and a link to the page that shows it."""

import streamlit as st

from ui.boot import ensure_app
from ui.guide import guide_view

ensure_app()

st.title("Selection guide")
st.markdown(
    "Which architecture to try first? Pick a task and say what you have: how much labelled data, how fast an "
    "answer must come, where the model runs. The guide lists the usual first choices for the task, with "
    "their size as the atlas counts it (parameters and mult-adds of the published model), why each is a "
    "good start, and a link to the page where you can build it, look inside it and train it. A pick that "
    "does not fit your constraints is listed below the table with the reason."
)
st.caption(
    "No table replaces trying: start from the simplest candidate that fits, measure it on your own "
    "validation data, and move up only when it falls short. Where pretrained weights exist, fine-tuning "
    "them beats training from scratch on small data sets."
)

guide_view("guide")
