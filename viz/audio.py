"""Figures of the audio family: arrays in, Plotly figures out (no streamlit, no networks run here)."""

# --- speech (Wav2Vec 2.0, Whisper) ---
# Wav2Vec 2.0 (Baevski et al. 2020): which samples one frame of the feature encoder sees and how far apart
# frames are, drawn on a waveform; the pre-training mask over the frames; the contrastive choice of the
# true quantised latent among distractors. Whisper (Radford et al. 2022): the log-mel spectrogram of an
# utterance and the decoder's cross-attention from each written word to the stretch of sound it reads.

from collections.abc import Sequence  # noqa: E402

import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
from plotly.subplots import make_subplots  # noqa: E402

from viz.curves import light_chart  # noqa: E402

FIELD_COLOUR, HOP_COLOUR, MASK_COLOUR, SEEN_COLOUR = "#1c7ed6", "#f08c00", "#e03131", "#dee2e6"


def receptive_field_figure(
    wave: np.ndarray, sample_rate: int, field: int, hop: int, frame: int, height: int = 320
) -> go.Figure:
    """The waveform with frame ``frame``'s window (``field`` samples) shaded, the windows of its two
    neighbours outlined, and tick marks where each frame starts (every ``hop`` samples)."""
    wave = np.asarray(wave, dtype=float)
    t = np.arange(len(wave)) / sample_rate * 1000.0  # ms
    fig = go.Figure(
        go.Scatter(x=t, y=wave, mode="lines", line=dict(color="#495057", width=1), name="waveform")
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
