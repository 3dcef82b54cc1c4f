"""Figures of the audio family: arrays in, Plotly figures out (no streamlit, no networks run here).

The front end (waveform, STFT magnitude, mel filterbank, log-mel spectrogram), keyword spotting (the
held-out confusion matrix, accuracy against the signal-to-noise ratio, one clip's class probabilities) and
CTC transcription (per-frame symbol probabilities with the best alignment path drawn over them, under the
utterance's log-mel). Inputs are numpy arrays and what ``training/audio`` records in its snapshots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, light_chart

HEAT = "Viridis"


def waveform_figure(
    wave: np.ndarray,
    sample_rate: int,
    title: str = "Waveform",
    height: int = 220,
    spans: Sequence[tuple[float, float, str]] = (),
) -> go.Figure:
    """Amplitude against time (s); ``spans`` = (start s, end s, label) shaded over it (words, windows)."""
    wave = np.asarray(wave, dtype=float)
    step = max(1, len(wave) // 4000)  # at most ~4000 points drawn
    t = np.arange(0, len(wave), step) / sample_rate
    fig = go.Figure(
        go.Scatter(
            x=t,
            y=wave[::step],
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
