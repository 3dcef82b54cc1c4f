"""Speech & audio: sound as a signal and the models that listen. The front end (waveform, STFT, mel
filterbank, log-mel, Whisper's settings as a preset, WAV uploads); keyword spotting with a small residual
CNN trained live (confusion matrix, accuracy against noise); CTC transcription with a bidirectional LSTM
and its alignment path over the frames; Wav2Vec 2.0's receptive field, masking and contrastive task; a
tiny Whisper transcribing word sequences with its cross-attention over the frames; every architecture's
graph and summary."""

import streamlit as st

from ui.audio.idea import idea_tab
from ui.audio.labs import ctc_lab, kws_lab
from ui.audio.spectrograms import spectrogram_tab
from ui.audio.speech import wav2vec2_tab, whisper_tab
from ui.boot import ensure_app
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Speech & audio")
st.markdown(
    "Speech reaches a model as a waveform, thousands of numbers a second. A **spectrogram** turns it into "
    "a picture of which frequencies sound when; a **CNN** can then spot a keyword in it, a **recurrent "
    "network with CTC** can spell what was said frame by frame, and **transformers** (Whisper, Wav2Vec "
    "2.0) transcribe whole sentences, after pre-training on vast amounts of audio."
)

lesson_bar("audio")
idea, spec_tab, kws, ctc, w2v, whisper, explore = tabs(
    ["Idea", "Spectrograms", "Keyword spotting", "CTC", "Wav2Vec 2.0", "Whisper", "Architectures"],
    key="audio.tab",
)

if idea.open:
    with idea:
        idea_tab()

if spec_tab.open:
    with spec_tab:
        spectrogram_tab()

if kws.open:
    with kws:
        kws_lab()

if ctc.open:
    with ctc:
        ctc_lab()

if w2v.open:
    with w2v:
        wav2vec2_tab()

if whisper.open:
    with whisper:
        whisper_tab()

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("audio", key="audio", default="kws_cnn")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="audio", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="audio.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="audio.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="audio.s")
