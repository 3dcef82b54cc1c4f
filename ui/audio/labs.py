"""The live labs of the audio page: keyword spotting (kws_synth: the held-out confusion matrix, accuracy
against the signal-to-noise ratio, one clip and what the model hears) and CTC transcription (ctc_synth:
reference and greedy hypothesis, the symbol probabilities per frame with the best alignment path)."""

from __future__ import annotations

import streamlit as st

from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.audio import confusion_figure, ctc_figure, probs_figure, snr_figure, spectrogram_figure

KWS_KEY = "audio.kws"
CTC_KEY = "audio.ctc"


def kws_lab() -> None:
    recipe = get_recipe("kws_synth")
    st.markdown(
        "**Keyword spotting.** " + recipe.summary + " Training clips have signal-to-noise ratios from 5 to "
        "35 dB; the held-out clips are at 20 dB, and the curve tests fresh clips at other levels."
    )
    c1, c2 = st.columns(2)
    snr = c1.slider(
        "Held-out SNR (dB)",
        0,
        40,
        20,
        5,
        key=child(KWS_KEY, "snr"),
        help="Noise level of the held-out clips (training spans ±15 dB around it).",
    )
    width = c2.select_slider(
        "CNN width",
        [8, 16, 32, 45],
        value=16,
        key=child(KWS_KEY, "width"),
        help="Feature maps per conv layer (res8: 45).",
    )
    s = dict(seed=state.seed(), device=state.device(), snr_db=float(snr), width=int(width))

    def render(snap: dict, data) -> None:
        ev = snap.get("last_eval") or {}
        if "accuracy" in ev:
            st.markdown(f"Held-out accuracy: **{ev['accuracy']:.1%}** (chance {1 / data.num_classes:.0%}).")
        c1, c2 = st.columns([3, 2])
        with c1:
            if snap.get("confusion"):
                plotly_chart(
                    confusion_figure(snap["confusion"], snap["words"]), key=child(KWS_KEY, "view", "conf")
                )
        with c2:
            if snap.get("snr_accuracy"):
                plotly_chart(
                    snr_figure(snap["snr_accuracy"], data.meta["snr_db"], 1 / data.num_classes),
                    key=child(KWS_KEY, "view", "snr"),
                )
            ex = snap.get("example")
            if ex:
                st.markdown(f"A held-out clip: **{ex['word']}**, heard as **{ex['predicted']}**.")
                plotly_chart(
                    spectrogram_figure(ex["mel"], 0.01, "Its log-mel (standardised)", height=220),
                    key=child(KWS_KEY, "view", "mel"),
                )
                plotly_chart(probs_figure(snap["words"], ex["probs"]), key=child(KWS_KEY, "view", "probs"))

    train_panel(
        KWS_KEY,
        lambda: recipe.trainer(**s),
        signature=(recipe.name, repr(sorted(s.items()))),
        render=render,
        step_sizes=(1, 10, 50),
    )


def ctc_lab() -> None:
    recipe = get_recipe("ctc_synth")
    st.markdown(
        "**CTC transcription.** " + recipe.summary + " The grey map is the model's probability of each "
        "symbol at each output step (two 10 ms frames stacked into one); the orange line is the most "
        "probable path that spells the reference. Early in training the model says *blank* everywhere: "
        "the cheapest way to lower CTC's loss at first. Then spikes appear, one per letter."
    )
    hidden = st.select_slider(
        "LSTM units per direction",
        [16, 32, 64, 128],
        value=64,
        key=child(CTC_KEY, "hidden"),
        help="Width of each LSTM layer (the paper: 250).",
    )
    s = dict(seed=state.seed(), device=state.device(), hidden_dim=int(hidden))

    def render(snap: dict, data) -> None:
        ev = snap.get("last_eval") or {}
        if "cer" in ev:
            st.markdown(
                f"Held-out character error rate **{ev['cer']:.1%}**, word error rate **{ev['wer']:.1%}** "
                "(greedy decoding)."
            )
        ex = snap.get("example")
        if ex:
            st.markdown(
                f"Reference: `{ex['reference']}` — the model writes: `{ex['hypothesis'] or '(nothing)'}`"
            )
            plotly_chart(
                ctc_figure(ex["mel"], ex["log_probs"], snap["alphabet"], ex["alignment"], ex["subsample"]),
                key=child(CTC_KEY, "view", "ctc"),
            )

    train_panel(
        CTC_KEY,
        lambda: recipe.trainer(**s),
        signature=(recipe.name, repr(sorted(s.items()))),
        render=render,
        step_sizes=(1, 10, 50),
    )
