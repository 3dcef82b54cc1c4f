"""The speech tabs of the audio page: Wav2Vec 2.0 (the feature encoder's 25 ms window and 20 ms hop on a
waveform, the pre-training mask and the contrastive task computed live by the tiny model) and Whisper (a
tiny Whisper-style model trained live on synthesised word sequences: transcripts, word error rate and the
cross-attention from each written word to the sound; a checked WAV upload transcribed by it)."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

import archs
from archs.audio.wav2vec2 import num_frames
from archs.spec import ConfigError
from data.audio import SAMPLE_RATE, WORDS, read_wav, synth_word
from training.audio.whisper_trainer import transcribe_wave
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import current_job, train_panel
from viz.audio import contrastive_figure, cross_attention_figure, mask_figure, receptive_field_figure

W2V, WHISPER = "audio.w2v", "audio.whisper"
WHISPER_TRAIN = child(WHISPER, "train")


def _word_clip(word: str, seed: int, seconds: float = 1.0) -> np.ndarray:
    """One synthesised word in the middle of ``seconds`` of silence."""
    w = synth_word(word, np.random.default_rng(seed))
    S = int(seconds * SAMPLE_RATE)
    out = np.zeros(S, np.float32)
    off = max(0, (S - len(w)) // 2)
    out[off : off + len(w)] = w[: S - off]
    return out


def wav2vec2_tab() -> None:
    st.markdown(
        "**Wav2Vec 2.0** reads the raw waveform. Seven strided convolutions turn 16,000 samples a second "
        "into 50 frames a second: each frame **sees 400 samples (25 ms)** and the next one starts "
        "**320 samples (20 ms)** later. A transformer then turns the frames into context vectors."
    )
    c1, c2 = st.columns(2)
    word = c1.selectbox("Word", WORDS, key=child(W2V, "word"))
    spec = archs.get_arch("wav2vec2_base")
    field, hop = spec.make_config("canonical").frame_geometry
    wave = _word_clip(word, state.seed())
    last = num_frames(len(wave), spec.make_config("canonical").conv_kernels, (5, 2, 2, 2, 2, 2, 2)) - 1
    frame = c2.slider("Frame", 0, last, last // 2, key=child(W2V, "frame"))
    plotly_chart(receptive_field_figure(wave, SAMPLE_RATE, field, hop, frame), key=child(W2V, "field"))
    st.markdown(
        "**Pre-training without labels.** Spans of frames are hidden (each frame starts a span of $M$ "
        "frames with probability $p$) and replaced by one learned vector. For each hidden frame $t$ the "
        "context vector $c_t$ must pick the true **quantised** latent $q_t$ of that frame among $K$ "
        "distractors from other hidden frames; the quantiser chooses one entry in each of $G$ codebooks, "
        "and a diversity term keeps all entries in use:"
    )
    st.latex(
        r"\begin{aligned}\mathcal{L}_m &= -\log \frac{e^{\mathrm{sim}(c_t, q_t)/\kappa}}"
        r"{\sum_{\tilde q} e^{\mathrm{sim}(c_t, \tilde q)/\kappa}}\\"
        r"\mathcal{L} &= \mathcal{L}_m + \alpha \, \frac{GV - \mathrm{perplexity}}{GV}\end{aligned}"
    )
    c1, c2, c3 = st.columns(3)
    p = c1.slider("Mask probability p", 0.01, 0.3, 0.065, 0.005, key=child(W2V, "p"))
    m = c2.slider("Span length M (frames)", 1, 20, 10, key=child(W2V, "m"))
    k = c3.slider("Distractors K", 1, 60, 20, key=child(W2V, "k"))
    try:
        out = _tiny_loss(word, p, m, k, state.seed())
    except (ConfigError, ValueError) as e:
        st.error(str(e), icon=":material/block:")
        return
    cols = st.columns(4)
    cols[0].metric(
        "contrastive loss",
        f"{out['contrastive']:.2f}",
        help="Minus the log-probability of the true latent; chance is the log of 1 + K.",
    )
    cols[1].metric("diversity loss", f"{out['diversity']:.2f}")
    cols[2].metric("codebook perplexity", f"{out['perplexity']:.1f}")
    cols[3].metric("true latent picked", f"{out['accuracy']:.0%}")
    plotly_chart(mask_figure(out["mask"]), key=child(W2V, "mask"))
    plotly_chart(contrastive_figure(out["logits"]), key=child(W2V, "contrastive"))
    st.caption(
        f"The tiny Wav2Vec 2.0 (untrained, seed {state.seed()}) on two clips of the word: with random "
        f"weights the true latent wins about as often as chance, $1/(1+K)$ = {1 / (1 + k):.0%}. "
        r"Pre-training pushes the loss down from about $\log(1+K)$."
    )


def _tiny_loss(word: str, p: float, m: int, k: int, seed: int) -> dict:
    torch.manual_seed(seed)
    model = archs.build_model("wav2vec2_base", "tiny", mask_prob=p, mask_length=m, num_negatives=k).eval()
    waves = torch.from_numpy(np.stack([_word_clip(word, seed + i) for i in range(2)]))  # (2, S)
    with torch.no_grad():
        out = model.pretraining_loss(waves, mask_seed=seed)
    return {
        **{n: float(out[n]) for n in ("contrastive", "diversity", "perplexity", "accuracy")},
        "mask": out["mask"].numpy(),
        "logits": out["logits"].numpy(),
    }


def whisper_tab() -> None:
    st.markdown(
        "**Whisper** turns 25 ms windows every 10 ms into an 80-band log-mel spectrogram, reads it with a "
        "convolutional stem and a transformer encoder, and a decoder writes the transcript one token at a "
        "time, cross-attending to the encoder. Here a tiny one (2 + 2 layers, 64 wide) learns to write "
        "down one to three synthesised words, one token per word."
    )
    recipe = get_recipe("whisper_synth")
    s = dict(seed=state.seed(), device=state.device())

    def render(snap: dict, data) -> None:
        ev = snap.get("last_eval") or {}
        if "wer" in ev:
            st.metric("held-out word error rate", f"{ev['wer']:.1%}", help="(substitutions + insertions + "
                      "deletions) / reference words, greedy decoding")  # fmt: skip
        if snap.get("transcripts"):
            st.dataframe(
                {
                    "reference": [r for r, _ in snap["transcripts"]],
                    "transcript": [h for _, h in snap["transcripts"]],
                },
                hide_index=True,
                key=child(WHISPER_TRAIN, "view", "table"),
            )
        ex = snap.get("example")
        if ex is not None:
            st.markdown(
                f"Held-out clip: reference **{ex['reference']}**, transcript **{ex['hypothesis'] or '∅'}**."
            )
            fig = cross_attention_figure(
                ex["mel"], ex["cross_attention"], ex["rows"], ex["word_frames"], ex["reference"].split()
            )
            plotly_chart(fig, key=child(WHISPER_TRAIN, "view", "cross"))

    train_panel(
        WHISPER_TRAIN,
        lambda: recipe.trainer(**s),
        signature=(recipe.name, repr(sorted(s.items()))),
        render=render,
        step_sizes=(1, 10, 50),
    )
    _upload()


def _upload() -> None:
    job = current_job(WHISPER_TRAIN)
    up = st.file_uploader(
        "Transcribe a WAV file (16-bit PCM, at most 10 s)", type=["wav"], key=child(WHISPER, "upload")
    )
    if up is None:
        return
    try:
        wave, rate = read_wav(up.getvalue())
    except ValueError as e:
        st.error(f"**This upload cannot be used.** {e}.", icon=":material/block:")
        return
    if job is None or job.trainer.step_count == 0:
        st.info(
            "Train the model first (press **Train** above); then its transcript of your file appears here."
        )
        return
    st.audio(up.getvalue(), format="audio/wav")
    with job.lock:  # the model between two training slices
        text = transcribe_wave(job.trainer, wave, rate)
    st.markdown(f"Transcript: **{text or '∅ (nothing recognised)'}**")
    st.caption("The model knows only the words " + ", ".join(WORDS) + ", as synthesised here.")
