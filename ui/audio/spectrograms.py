"""The Spectrograms tab: a synthesised word (or an uploaded WAV) through the front end step by step --
waveform, STFT magnitude, mel filterbank, log-mel -- with n_fft, window, hop and mel bands as sliders and
Whisper's 25 ms / 10 ms / 80-band settings as a preset. An upload is checked (data.audio.read_wav) and,
when this session has trained a keyword spotter or a CTC model, classified or transcribed."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from archs.audio.frontend import log_mel_spectrogram, mel_filterbank, stft
from data import audio
from training.audio.signal_trainer import classify_wave, transcribe_wave
from ui.audio.labs import CTC_KEY, KWS_KEY
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import current_job
from viz.audio import filterbank_figure, probs_figure, spectrogram_figure, waveform_figure

KEY = "audio.spec"
SR = audio.SAMPLE_RATE
WHISPER = {"nfft": 400, "win": 400, "hop": 160, "mels": 80}
MIN_SR, MAX_SR = 8000, 48000


def _whisper_preset() -> None:
    for k, v in WHISPER.items():
        st.session_state[child(KEY, k)] = v


def _signal() -> np.ndarray | None:
    src = st.radio("Sound", ["A synthesised word", "Upload a WAV"], horizontal=True, key=child(KEY, "src"))
    if src == "Upload a WAV":
        f = st.file_uploader("A WAV file (PCM, at most 10 s)", type=["wav"], key=child(KEY, "upload"))
        if f is None:
            st.info("Upload a short recording; stereo is averaged to mono and the rate converted to 16 kHz.")
            return None
        try:
            wave, sr = audio.read_wav(f.getvalue(), max_seconds=10.0)
        except ValueError as e:
            st.error(f"**This upload cannot be used.** {e}.", icon=":material/block:")
            return None
        if not MIN_SR <= sr <= MAX_SR:
            st.error(
                f"**This upload cannot be used.** Its sample rate is {sr} Hz; the models here take 16 kHz "
                f"and can convert rates from {MIN_SR} to {MAX_SR} Hz. Export it again at 16 kHz.",
                icon=":material/block:",
            )
            return None
        if sr != SR:
            st.caption(f"Resampled from {sr} Hz to {SR} Hz.")
        return audio.resample(wave, sr, SR)
    c1, c2, c3 = st.columns(3)
    word = c1.selectbox("Word", audio.WORDS, index=7, key=child(KEY, "word"))
    speaker = c2.number_input("Speaker", 0, 999, 0, key=child(KEY, "speaker"), help="Seed of the voice.")
    snr = c3.slider("SNR (dB)", 0, 40, 30, key=child(KEY, "snr"), help="Speech power over noise power.")
    w = audio.synth_word(word, np.random.default_rng(int(speaker)))
    return audio.add_noise(
        np.pad(w, (1600, 1600)), float(snr), np.random.default_rng(1), float(np.mean(w**2))
    )


def _settings() -> tuple[int, int, int, int]:
    st.button(
        "Whisper front end (25 ms, 10 ms, 80 bands)",
        key=child(KEY, "whisper"),
        on_click=_whisper_preset,
        icon=":material/tune:",
    )
    for k, v in WHISPER.items():
        st.session_state.setdefault(child(KEY, k), v)
    c1, c2, c3, c4 = st.columns(4)
    n_fft = c1.select_slider(
        "FFT size N (samples)",
        [128, 256, 400, 512, 1024],
        key=child(KEY, "nfft"),
        help="Samples per Fourier transform: the bins are 16000 / N Hz apart.",
    )
    win = c2.slider(
        "Window (samples)",
        64,
        1024,
        step=16,
        key=child(KEY, "win"),
        help="Samples the Hann window covers (at most N): long = sharp in frequency, blurred in time.",
    )
    hop = c3.slider(
        "Hop (samples)",
        40,
        512,
        step=8,
        key=child(KEY, "hop"),
        help="Samples between frame starts: 160 = 10 ms at 16 kHz.",
    )
    mels = c4.slider(
        "Mel bands", 8, 128, step=8, key=child(KEY, "mels"), help="Triangular filters in the bank."
    )
    return int(n_fft), int(win), int(hop), int(mels)


def spectrogram_tab() -> None:
    st.markdown(
        "Follow one sound through the front end. The STFT trades time for frequency: a longer window "
        "separates close frequencies (the harmonics of the voice) but smears fast changes (a 't'). The mel "
        "filterbank keeps detail where the ear has it, low, and pools the highs."
    )
    wave = _signal()
    if wave is None:
        return
    n_fft, win, hop, mels = _settings()
    if win > n_fft:
        st.warning(f"The window ({win}) cannot be longer than the FFT size ({n_fft}): it was cut to {n_fft}.")
        win = n_fft
    x = torch.from_numpy(wave)
    plotly_chart(waveform_figure(wave, SR, f"Waveform ({len(wave) / SR:.2f} s)"), key=child(KEY, "wave"))
    power = stft(x, n_fft, hop, win)[0].abs() ** 2  # (F, T)
    c1, c2 = st.columns(2)
    with c1:
        freqs = np.linspace(0, SR / 2, power.shape[0])
        plotly_chart(
            spectrogram_figure(
                10 * np.log10(power.numpy() + 1e-10),
                hop / SR,
                "STFT power (dB)",
                "frequency (Hz)",
                freqs,
                colorbar="dB",
            ),
            key=child(KEY, "stft"),
        )
    with c2:
        plotly_chart(filterbank_figure(mel_filterbank(mels, n_fft, SR).numpy(), SR), key=child(KEY, "fb"))
    logmel = log_mel_spectrogram(x, mels, n_fft, hop, SR, whisper=True, win_length=win)[0].numpy()
    plotly_chart(
        spectrogram_figure(logmel, hop / SR, f"Log-mel ({mels} bands, Whisper scaling)"),
        key=child(KEY, "mel"),
    )
    st.caption(f"{logmel.shape[1]} frames × {mels} bands: what a Whisper-style encoder reads.")
    _predict(wave)


def _predict(wave: np.ndarray) -> None:
    """Run the keyword spotter and the CTC model of this session, if trained, on the sound."""
    for key, what in ((KWS_KEY, "kws"), (CTC_KEY, "ctc")):
        job = current_job(key)
        if job is None or job.trainer.step_count == 0:
            continue
        with job.lock:
            if what == "kws":
                p = classify_wave(job.trainer.model, job.trainer.data, wave)
            else:
                text = transcribe_wave(job.trainer.model, job.trainer.data, wave)
        if what == "kws":
            st.markdown(
                f"**Your keyword spotter** ({job.trainer.step_count} steps) hears "
                f"**{audio.WORDS[int(p.argmax())]}** ({p.max():.0%})."
            )
            plotly_chart(probs_figure(audio.WORDS, p), key=child(KEY, "probs"))
        else:
            st.markdown(
                f"**Your CTC model** ({job.trainer.step_count} steps) writes: `{text or '(nothing)'}`"
            )
    if all(current_job(k) is None for k in (KWS_KEY, CTC_KEY)):
        st.caption("Train a model in the Keyword spotting or CTC tab, and it will listen to this sound here.")
