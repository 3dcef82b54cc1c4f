"""Figures of the audio family: arrays in, Plotly figures out (no streamlit, no networks run here).

The front end (waveform, STFT magnitude, mel filterbank, log-mel spectrogram), keyword spotting (the
held-out confusion matrix, accuracy against the signal-to-noise ratio, one clip's class probabilities) and
CTC transcription (per-frame symbol probabilities with the best alignment path drawn over them, under the
utterance's log-mel); Wav2Vec 2.0's receptive field, hop and mask over the frames, and Whisper's
cross-attention from each written word to the frames it reads (the block marked "speech"). Inputs are numpy
arrays and what ``training/audio`` records in its snapshots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, light_chart

HEAT = "Viridis"


def wave_envelope(wave: np.ndarray, sample_rate: int, points: int = 1600, unit: float = 1.0):
    """(times, values) to draw a long waveform with at most ``points`` points: each bin's minimum and
    maximum in time order, so the envelope is the true one (every ``step``-th sample would alias), as
    float32 (sent as binary arrays). Times in seconds × ``unit`` (1000: ms)."""
    wave = np.asarray(wave, dtype=np.float32)
    bins = max(1, points // 2)
    if len(wave) <= points:
        return np.arange(len(wave), dtype=np.float32) * (unit / sample_rate), wave
    edges = np.linspace(0, len(wave), bins + 1).astype(int)
    lo = np.minimum.reduceat(wave, edges[:-1])
    hi = np.maximum.reduceat(wave, edges[:-1])
    arg_lo = np.array([a + np.argmin(wave[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)])
    arg_hi = np.array([a + np.argmax(wave[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)])
    first = arg_lo <= arg_hi  # keep each bin's two extremes in the order they occur
    idx = np.stack([np.where(first, arg_lo, arg_hi), np.where(first, arg_hi, arg_lo)], 1).ravel()
    vals = np.stack([np.where(first, lo, hi), np.where(first, hi, lo)], 1).ravel()
    return idx.astype(np.float32) * (unit / sample_rate), vals.astype(np.float32)


def waveform_figure(
    wave: np.ndarray,
    sample_rate: int,
    title: str = "Waveform",
    height: int = 220,
    spans: Sequence[tuple[float, float, str]] = (),
) -> go.Figure:
    """Amplitude against time (s); ``spans`` = (start s, end s, label) shaded over it (words, windows)."""
    t, y = wave_envelope(wave, sample_rate)
    fig = go.Figure(
        go.Scatter(
            x=t,
            y=y,
            mode="lines",
            line=dict(width=1, color=PALETTE[0]),
            hovertemplate="%{x:.3f} s: %{y:.3f}<extra></extra>",
            showlegend=False,
        )
    )
    for i, (a, b, label) in enumerate(spans):
        fig.add_vrect(
            x0=a,
            x1=b,
            fillcolor=PALETTE[(i + 1) % len(PALETTE)],
            opacity=0.15,
            line_width=0,
            annotation_text=label,
            annotation_position="top left",
        )
    fig.update_layout(title=title, xaxis_title="time (s)", yaxis_title="amplitude")
    return light_chart(fig, height)


def spectrogram_figure(
    mat: np.ndarray,
    hop_s: float,
    title: str,
    y_label: str = "mel band",
    y_values: Sequence[float] | None = None,
    height: int = 280,
    colorbar: str = "log power",
) -> go.Figure:
    """(rows, frames) heat map: frames at ``hop_s`` seconds on x, rows (frequency bins in Hz, or bands)
    on y, low frequencies at the bottom."""
    mat = np.asarray(mat, dtype=np.float32)  # sent as a binary array: a quarter of float64's JSON text
    x = np.arange(mat.shape[1]) * hop_s
    y = np.arange(mat.shape[0]) if y_values is None else np.asarray(y_values)
    fig = go.Figure(
        go.Heatmap(
            z=mat,
            x=x,
            y=y,
            colorscale=HEAT,
            colorbar=dict(title=colorbar),
            hovertemplate="%{x:.2f} s, " + y_label + " %{y}: %{z:.2f}<extra></extra>",
        )
    )
    fig.update_layout(title=title, xaxis_title="time (s)", yaxis_title=y_label)
    return light_chart(fig, height)


def filterbank_figure(fb: np.ndarray, sample_rate: int, height: int = 260) -> go.Figure:
    """(n_mels, F) triangular mel filters over frequency (Hz): narrow and tall low, wide and flat high."""
    fb = np.asarray(fb, dtype=np.float32)
    f = np.linspace(0, sample_rate / 2, fb.shape[1], dtype=np.float32)
    fig = go.Figure()
    for m in range(fb.shape[0]):
        nz = np.flatnonzero(fb[m])
        lo, hi = (max(0, nz[0] - 1), min(fb.shape[1], nz[-1] + 2)) if len(nz) else (0, 0)
        fig.add_scatter(  # only the triangle's support (and its two zero ends): a few points per filter
            x=f[lo:hi],
            y=fb[m, lo:hi],
            mode="lines",
            line=dict(width=1, color=PALETTE[m % len(PALETTE)]),
            name=f"band {m}",
            hovertemplate=f"band {m}: " + "%{x:.0f} Hz, %{y:.4f}<extra></extra>",
            showlegend=False,
        )
    fig.update_layout(
        title=f"{fb.shape[0]} mel filters (Slaney area-normalised)",
        xaxis_title="frequency (Hz)",
        yaxis_title="weight",
    )
    return light_chart(fig, height)


def confusion_figure(conf: Sequence[Sequence[int]], labels: Sequence[str], height: int = 420) -> go.Figure:
    """Counts of (true word, predicted word) on held-out clips; the diagonal is what was right."""
    conf = np.asarray(conf, dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=conf,
            x=list(labels),
            y=list(labels),
            colorscale="Blues",
            showscale=False,
            text=conf.astype(int),
            texttemplate="%{text}",
            hovertemplate="said %{y}, heard %{x}: %{z:.0f}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Held-out confusion matrix",
        xaxis_title="predicted word",
        yaxis_title="spoken word",
        yaxis_autorange="reversed",
    )
    return light_chart(fig, height)


def snr_figure(
    acc: Mapping[float, float],
    trained_snr: float | None = None,
    chance: float | None = None,
    height: int = 280,
) -> go.Figure:
    """Held-out accuracy against the signal-to-noise ratio (dB): louder noise to the left."""
    snrs = sorted(float(k) for k in acc)
    vals = [acc[k] if k in acc else acc[str(k)] for k in snrs]
    fig = go.Figure(
        go.Scatter(
            x=snrs,
            y=vals,
            mode="lines+markers",
            line=dict(color=PALETTE[0]),
            hovertemplate="%{x:g} dB: %{y:.0%}<extra></extra>",
            name="accuracy",
        )
    )
    if trained_snr is not None:
        fig.add_vline(x=trained_snr, line_dash="dot", line_color=PALETTE[7], annotation_text="held-out SNR")
    if chance is not None:
        fig.add_hline(y=chance, line_dash="dash", line_color=PALETTE[7], annotation_text="chance")
    fig.update_layout(
        title="Accuracy against noise",
        xaxis_title="signal-to-noise ratio (dB)",
        yaxis_title="accuracy",
        yaxis_range=[0, 1.05],
        yaxis_tickformat=".0%",
        showlegend=False,
    )
    return light_chart(fig, height)


def probs_figure(labels: Sequence[str], probs: Sequence[float], height: int = 240) -> go.Figure:
    """One clip's class probabilities, the most probable word highlighted."""
    probs = np.asarray(probs, dtype=float)
    colors = [PALETTE[1] if i == int(probs.argmax()) else PALETTE[0] for i in range(len(probs))]
    fig = go.Figure(
        go.Bar(x=list(labels), y=probs, marker_color=colors, hovertemplate="%{x}: %{y:.1%}<extra></extra>")
    )
    fig.update_layout(
        title="What the model hears", yaxis_title="probability", yaxis_tickformat=".0%", xaxis_title="word"
    )
    return light_chart(fig, height)


def ctc_figure(
    mel: np.ndarray,
    log_probs: np.ndarray,
    alphabet: Sequence[str],
    alignment: Sequence[int],
    subsample: int = 1,
    hop_s: float = 0.01,
    height: int = 520,
) -> go.Figure:
    """Top: the utterance's log-mel. Bottom: the model's symbol probabilities per output step (blank
    "_" first), with the best CTC path that spells the reference drawn as white dots."""
    mel, lp = np.asarray(mel, dtype=np.float32), np.asarray(log_probs, dtype=np.float32)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        row_heights=[0.4, 0.6],
        subplot_titles=("log-mel input", "symbol probabilities and the best CTC path"),
    )
    fig.add_heatmap(
        z=mel,
        x=np.arange(mel.shape[1]) * hop_s,
        colorscale=HEAT,
        showscale=False,
        row=1,
        col=1,
        hovertemplate="%{x:.2f} s, band %{y}: %{z:.2f}<extra></extra>",
    )
    t = (np.arange(lp.shape[0]) + 0.5) * subsample * hop_s
    names = [("blank" if s == "_" else "space" if s == " " else s) for s in alphabet]
    fig.add_heatmap(
        z=np.exp(lp).T.copy(),
        x=t,
        y=names,
        colorscale="Greys",
        reversescale=False,
        showscale=False,
        zmin=0,
        zmax=1,
        row=2,
        col=1,
        hovertemplate="%{x:.2f} s, %{y}: %{z:.2f}<extra></extra>",
    )
    if len(alignment):
        fig.add_scatter(
            x=t,
            y=[names[s] for s in alignment],
            mode="markers+lines",
            row=2,
            col=1,
            marker=dict(color=PALETTE[1], size=6),
            line=dict(color=PALETTE[1], width=1),
            name="best path",
            hovertemplate="%{x:.2f} s: %{y}<extra>best path</extra>",
        )
    fig.update_yaxes(title_text="mel band", row=1, col=1)
    fig.update_yaxes(title_text="symbol", row=2, col=1, type="category")
    fig.update_xaxes(title_text="time (s)", row=2, col=1)
    return light_chart(fig, height)


# --- speech (Wav2Vec 2.0, Whisper) ---
# Wav2Vec 2.0 (Baevski et al. 2020): which samples one frame of the feature encoder sees and how far apart
# frames are, drawn on a waveform; the pre-training mask over the frames; the contrastive choice of the
# true quantised latent among distractors. Whisper (Radford et al. 2022): the log-mel spectrogram of an
# utterance and the decoder's cross-attention from each written word to the stretch of sound it reads.


FIELD_COLOUR, HOP_COLOUR, MASK_COLOUR, SEEN_COLOUR = "#1c7ed6", "#f08c00", "#e03131", "#dee2e6"


def receptive_field_figure(
    wave: np.ndarray, sample_rate: int, field: int, hop: int, frame: int, height: int = 320
) -> go.Figure:
    """The waveform with frame ``frame``'s window (``field`` samples) shaded, the windows of its two
    neighbours outlined, and tick marks where each frame starts (every ``hop`` samples)."""
    wave = np.asarray(wave, dtype=float)
    t, y = wave_envelope(wave, sample_rate, points=2400, unit=1000.0)  # ms
    fig = go.Figure(
        go.Scatter(x=t, y=y, mode="lines", line=dict(color="#495057", width=1), name="waveform")
    )
    ms = 1000.0 / sample_rate
    for k, dash in ((frame - 1, "dot"), (frame + 1, "dot"), (frame, None)):
        if k < 0 or k * hop + field > len(wave):
            continue
        x0, x1 = k * hop * ms, (k * hop + field) * ms
        if dash is None:
            fig.add_vrect(x0=x0, x1=x1, fillcolor=FIELD_COLOUR, opacity=0.25, line_width=0)
            fig.add_annotation(
                x=(x0 + x1) / 2,
                y=1.0,
                yref="paper",
                text=f"frame {k}: {field} samples = {field * ms:g} ms",
                showarrow=False,
                font=dict(color=FIELD_COLOUR),
            )
        else:
            fig.add_vrect(
                x0=x0, x1=x1, line=dict(color=FIELD_COLOUR, dash=dash, width=1), fillcolor="rgba(0,0,0,0)"
            )
    starts = np.arange(0, len(wave) - field + 1, hop) * ms
    fig.add_trace(
        go.Scatter(
            x=starts,
            y=np.full(len(starts), -1.05 * max(1e-6, np.abs(wave).max())),
            mode="markers",
            marker=dict(symbol="triangle-up", color=HOP_COLOUR, size=8),
            name=f"a frame starts (every {hop} samples = {hop * ms:g} ms)",
        )
    )
    fig.update_xaxes(title_text="time (ms)")
    fig.update_yaxes(title_text="amplitude")
    fig.update_layout(title=f"One frame sees {field * ms:g} ms; frames are {hop * ms:g} ms apart")
    return light_chart(fig, height)


def mask_figure(mask: np.ndarray, hop_ms: float = 20.0, height: int = 200) -> go.Figure:
    """The pre-training mask (B, T) or (T,): one row of cells per clip, masked frames red."""
    m = np.atleast_2d(np.asarray(mask, dtype=float))
    fig = go.Figure(
        go.Heatmap(
            z=m,
            x=np.arange(m.shape[1]) * hop_ms,
            y=[f"clip {i + 1}" for i in range(m.shape[0])],
            colorscale=[[0, SEEN_COLOUR], [1, MASK_COLOUR]],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=1,
            ygap=2,
            hovertemplate="%{y}, frame at %{x} ms: %{z:.0f} (1 = masked)<extra></extra>",
        )
    )
    share = m.mean()
    fig.update_xaxes(title_text="frame start (ms)")
    fig.update_layout(title=f"Masked frames (red): {share:.0%} of the frames, in spans")
    return light_chart(fig, height)


def contrastive_figure(logits: np.ndarray, max_rows: int = 24, height: int = 320) -> go.Figure:
    """Softmax over [true latent, distractors] for each masked frame (rows): column 0 is the answer the
    context vector must pick; a trained model puts its mass there."""
    lg = np.asarray(logits, dtype=float)[:max_rows]
    lg = np.where(np.isfinite(lg), lg, -np.inf)
    p = np.exp(lg - lg.max(1, keepdims=True))
    p = p / p.sum(1, keepdims=True)
    cols = ["true q"] + [f"d{i}" for i in range(1, p.shape[1])]
    fig = go.Figure(
        go.Heatmap(
            z=p,
            x=cols,
            y=[f"masked {i + 1}" for i in range(len(p))],
            colorscale="Blues",
            zmin=0,
            colorbar=dict(title="p"),
            hovertemplate="%{y}, %{x}: p = %{z:.2f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="candidates: the true quantised latent, then distractors")
    fig.update_layout(title="Which candidate each masked frame's context vector picks")
    return light_chart(fig, height)


def cross_attention_figure(
    mel: np.ndarray,
    attention: np.ndarray,
    rows: Sequence[str],
    word_frames: Sequence[tuple[int, int]] = (),
    words: Sequence[str] = (),
    frame_ms: float = 10.0,
    height: int = 480,
) -> go.Figure:
    """Top: the log-mel spectrogram (bands × frames). Bottom: cross-attention (written token × audio
    position, positions are two frames) with the reference words' stretches marked on both."""
    mel = np.asarray(mel, dtype=float)
    att = np.asarray(attention, dtype=float)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.45, 0.55])
    fig.add_heatmap(
        z=mel,
        x=np.arange(mel.shape[1]) * frame_ms,
        colorscale="Viridis",
        showscale=False,
        hovertemplate="%{x} ms, mel band %{y}: %{z:.2f}<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_heatmap(
        z=att,
        x=np.arange(att.shape[1]) * 2 * frame_ms,
        y=[f"{i + 1}. writes {r}" for i, r in enumerate(rows)],
        colorscale="Oranges",
        zmin=0,
        colorbar=dict(title="attention", y=0.28, len=0.55),
        hovertemplate="%{y}, audio at %{x} ms: %{z:.3f}<extra></extra>",
        row=2,
        col=1,
    )
    for k, (s, e) in enumerate(word_frames):
        for r in (1, 2):
            fig.add_vrect(
                x0=s * frame_ms,
                x1=e * frame_ms,
                line=dict(color="#1c7ed6", width=1, dash="dot"),
                row=r,
                col=1,
            )
        if k < len(words):
            fig.add_annotation(
                x=(s + e) / 2 * frame_ms,
                y=1.0,
                yref="paper",
                text=words[k],
                showarrow=False,
                font=dict(color="#1c7ed6"),
            )
    fig.update_yaxes(title_text="mel band", row=1, col=1)
    fig.update_yaxes(autorange="reversed", row=2, col=1)
    fig.update_xaxes(title_text="time (ms)", row=2, col=1)
    fig.update_layout(title="Where each written word listens (last decoder layer, mean over heads)")
    return light_chart(fig, height)
