"""Compression: one trained LeNet-5 made smaller four ways. Magnitude pruning (global, layer-wise,
structured channels) with fine-tuning, torchao int8 quantization and quantization-aware training, knowledge
distillation into a small student, and a summary table of size, accuracy and speed."""

import streamlit as st

from ui.boot import ensure_app
from ui.compression import distill_lab, idea_tab, prune_lab, quant_lab, summary_tab
from ui.links import tabs
from ui.panels import guarded

ensure_app()

st.title("Compression")
st.markdown(
    "A trained network can often lose most of its weights, or most of their bits, and still answer as "
    "well: smaller files, less memory, sometimes faster answers on a phone or a CPU."
)

idea, prune, quant, distill, summary = tabs(
    ["Idea", "Pruning", "Quantization", "Distillation", "Summary"], key="cmp.tab"
)

if idea.open:
    with idea:
        idea_tab()

if prune.open:
    with prune:
        guarded(prune_lab)

if quant.open:
    with quant:
        guarded(quant_lab)

if distill.open:
    with distill:
        guarded(distill_lab)

if summary.open:
    with summary:
        guarded(summary_tab)
