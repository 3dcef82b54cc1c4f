"""Transfer learning: a source model's weights reused on a target task with few labels. From scratch,
feature extraction, fine-tuning, gradual unfreezing with discriminative learning rates (ULMFiT), bottleneck
adapters (Houlsby et al. 2019) and LoRA (Hu et al. 2021) with the same budget, side by side."""

import streamlit as st

from ui.boot import ensure_app
from ui.links import tabs
from ui.panels import guarded
from ui.transfer import idea_tab, lora_lab, sources_lab, strategies_lab

ensure_app()

st.title("Transfer learning")
st.markdown(
    "Labels are expensive; pre-trained features are cheap to reuse. A network first trained on a **source** "
    "task starts the **target** task from what it learned, and may need far fewer labels."
)

idea, strat, lora, src = tabs(["Idea", "Strategies", "LoRA", "Sources"], key="transfer.tab")

if idea.open:
    with idea:
        idea_tab()

if strat.open:
    with strat:
        guarded(strategies_lab)

if lora.open:
    with lora:
        guarded(lora_lab)

if src.open:
    with src:
        guarded(sources_lab)
