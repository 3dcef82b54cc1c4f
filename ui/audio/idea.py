"""The Idea tab of the audio page: sound as a signal, the spectrogram front end, and the three ways the
page's models turn frames into words (classify a clip, CTC over frames, an encoder-decoder), with the
formulas that define them."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    st.markdown(
        "A microphone gives a **waveform**: 16,000 numbers per second for speech. What tells one word from "
        "another is not in single samples but in which frequencies are loud, and how that changes from one "
        "tenth of a second to the next. So almost every speech model starts with a **spectrogram**: cut the "
        "signal into short overlapping windows, take each window's spectrum, and pool the frequencies into "
        "bands spaced as the ear hears them (the **mel** scale)."
    )
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("From samples to a log-mel spectrogram")
        st.markdown(r"Frame $t$ of the short-time Fourier transform, window $w$ of $N$ samples, hop $H$:")
        st.latex(r"X_t(k) = \sum_{n=0}^{N-1} w(n)\, x(tH + n)\, e^{-2\pi i k n / N}")
        st.markdown(
            r"Mel filters $M$ (triangles spaced evenly in mel, $m = 2595 \log_{10}(1 + f/700)$ in the HTK "
            r"form) pool the power spectrum into bands, and a logarithm turns products of loudness into sums:"
        )
        st.latex(r"S_t(b) = \log \sum_{k} M_{b,k}\, |X_t(k)|^2")
        st.markdown(
            "Whisper uses 25 ms windows ($N = 400$) every 10 ms ($H = 160$) and 80 bands. Wav2Vec 2.0 skips "
            "the spectrogram: a convolutional encoder learns its own filters from the raw samples, one "
            "frame per 320 samples (20 ms), each seeing 400 (25 ms)."
        )
    with c2:
        st.subheader("From frames to words")
        st.markdown(
            "**Keyword spotting** treats one second of spectrogram as an image and names the word (a small "
            "residual CNN, res8). **CTC** (Graves et al., 2006) lets a network emit one symbol or a *blank* "
            r"per frame; the transcript $y$ is what remains after merging repeats and removing blanks, and "
            r"the loss sums over every frame-level path $\pi$ that collapses to $y$:"
        )
        st.latex(r"p(y \mid x) = \sum_{\pi \in \mathcal{B}^{-1}(y)} \prod_{t=1}^{T} p_t(\pi_t \mid x)")
        st.markdown(
            "No one has to say which frame holds which letter. **Encoder-decoder** models (Whisper) instead "
            "read the whole spectrogram with a transformer and write the text token by token, attending to "
            "the frames each token needs. **Self-supervised** pre-training (Wav2Vec 2.0) first learns from "
            "unlabelled audio: mask some frames and pick their true quantised content among distractors."
        )
    st.caption(
        "The sounds on this page are synthesised: each word is a path through formant frequencies (the "
        "resonances of the vocal tract), voiced by a pitch contour or hissed as noise, with a new speaker "
        "(pitch, speed, vocal-tract length) every time. No recordings are downloaded."
    )
