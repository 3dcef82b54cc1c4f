"""PixelCNN & WaveNet: exact likelihood one value at a time. The autoregressive factorisation and μ-law;
PixelCNN's masks A and B, the receptive field and blind spot of one output pixel measured from a model's
gradients, digits trained live and drawn pixel by pixel; WaveNet's dilated causal stack and receptive
field, μ-law quantisation of a quiet note, a small WaveNet trained live that continues notes it never
heard; every architecture's graph and summary."""

import streamlit as st

from ui.autoregressive.idea import idea_tab
from ui.autoregressive.pixelcnn import pixelcnn_lab
from ui.autoregressive.wavenet import wavenet_lab
from ui.boot import ensure_app
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("PixelCNN & WaveNet")
st.markdown(
    "Generate data the way you would read it: one value at a time, each predicted from all the values "
    "before it. **PixelCNN** draws an image pixel by pixel with masked convolutions; **WaveNet** writes "
    "audio sample by sample with dilated causal convolutions. Both give the exact likelihood of any "
    "image or sound, in bits."
)

lesson_bar("autoregressive")
idea, pixel, wave, explore = tabs(["Idea", "PixelCNN", "WaveNet", "Architectures"], key="autoregressive.tab")

if idea.open:
    with idea:
        idea_tab()

if pixel.open:
    with pixel:
        pixelcnn_lab()

if wave.open:
    with wave:
        wavenet_lab()

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("autoregressive", key="autoregressive", default="pixelcnn")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="autoregressive", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="autoregressive.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="autoregressive.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="autoregressive.s")
