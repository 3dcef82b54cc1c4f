"""Figures of the multimodal family: CLIP's image-text similarity matrix with its images, the learned
temperature, training curves with the zero-shot accuracy, ranked images for a text and ranked captions for
an image. Arrays in, Plotly figures out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import ema, light_chart
from viz.images import rgb_image

LOSS, HELD, ZS, TEMP = "#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9"


def _wrap(text: str, words: int = 3) -> str:
    w = text.split()
    return "<br>".join(" ".join(w[i : i + words]) for i in range(0, len(w), words))


def _column(images: np.ndarray, scale: int, gap: int) -> np.ndarray:
    """(n, H, W, 3) uint8 -> one (n·(H+gap), W, 3) strip, tiles centred in their slots, upscaled."""
    n, h, w, _ = images.shape
    strip = np.full((n * (h + gap), w, 3), 255, np.uint8)
    for i in range(n):
        top = i * (h + gap) + gap // 2
        strip[top : top + h] = images[i]
    return np.kron(strip, np.ones((scale, scale, 1), np.uint8))  # crisp pixels


def similarity_figure(
    sim: np.ndarray, images: np.ndarray, captions: Sequence[str], temperature: float | None = None
) -> go.Figure:
    """The batch similarity matrix as in CLIP's Figure 1: image i (its picture on the left of row i)
    against caption j (column j), cosine similarity in each cell; the diagonal holds the true pairs."""
    sim = np.asarray(sim, float)
    n = len(sim)
    h = images.shape[1]
    gap, scale = max(2, h // 6), max(1, 96 // h)
    strip = _column(np.asarray(images, np.uint8)[:n], scale, gap)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.13, 0.87], horizontal_spacing=0.01)
    fig.add_trace(rgb_image(strip), 1, 1)
    fig.add_trace(
        go.Heatmap(
            z=sim,
            x=list(range(n)),
            y=list(range(n)),
            colorscale="RdBu_r",
            zmid=0,
            zmin=-1,
            zmax=1,
            text=np.round(sim, 2),
            texttemplate="%{text}",
            colorbar=dict(title="cos", thickness=12),
            hovertemplate="image %{y} · caption %{x}: cos %{z:.2f}<extra></extra>",
        ),
        1,
        2,
    )
    fig.update_xaxes(visible=False, row=1, col=1)
    fig.update_yaxes(visible=False, range=[strip.shape[0], 0], row=1, col=1)
    fig.update_xaxes(
        tickvals=list(range(n)),
        ticktext=[_wrap(c) for c in captions[:n]],
        tickfont=dict(size=10),
        side="top",
        row=1,
        col=2,
    )
    fig.update_yaxes(
        tickvals=list(range(n)),
        ticktext=[f"image {i}" for i in range(n)],
        range=[n - 0.5, -0.5],
        row=1,
        col=2,
    )
    title = "Image × caption cosine similarity"
    if temperature:
        title += f" (logits = cos / τ, τ = {temperature:.3f})"
    fig.update_layout(
        title=dict(text=title, y=0.99, font=dict(size=14)),
        height=140 + 52 * n,
        margin=dict(l=10, r=10, t=120, b=10),
        plot_bgcolor="white",
    )
    return fig


def temperature_figure(temps: Sequence[tuple[int, float]], init: float = 0.07) -> go.Figure:
    """The learned temperature τ = 1/exp(t) at every step, with CLIP's starting value."""
    steps = np.array([s for s, _ in temps], float)
    tau = np.array([t for _, t in temps], float)
    fig = go.Figure(go.Scatter(x=steps, y=tau, mode="lines", line=dict(color=TEMP, width=2), name="τ"))
    fig.add_hline(y=init, line=dict(dash="dot", color="#868e96"), annotation_text=f"start: {init:g}")
    fig.update_layout(
        title=dict(text="Learned temperature τ (lower: sharper softmax)", font=dict(size=14)),
        xaxis_title="step",
        yaxis_title="τ",
    )
    return light_chart(fig, 280)


def _series(history: Sequence[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in history if r.get(key) is not None]
    return np.array([r["step"] for r in rows], float), np.array([r[key] for r in rows], float)


def clip_curves(history: Sequence[dict], height: int = 320) -> go.Figure:
    """Left: the contrastive loss (per step, smoothed) and on held-out images; right: zero-shot accuracy
    of the kind (closest prompt, and CLIP's averaged prompts) on images of unseen combinations."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("contrastive loss", "zero-shot accuracy"), horizontal_spacing=0.1
    )
    x, y = _series(history, "loss")
    if len(x):
        fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines", line=dict(color=LOSS, width=1), opacity=0.25, showlegend=False
            ),
            1,
            1,
        )
        fig.add_trace(go.Scatter(x=x, y=ema(y), mode="lines", line=dict(color=LOSS), name="train loss"), 1, 1)
    for key, name, color, dash, col in (
        ("val_loss", "held-out loss (seen captions)", HELD, "solid", 1),
        ("zeroshot_acc", "kind, closest prompt", ZS, "solid", 2),
        ("zeroshot_mean_acc", "kind, averaged prompts", ZS, "dot", 2),
        ("zeroshot_color_acc", "colour, closest prompt", TEMP, "solid", 2),
    ):
        x, y = _series(history, key)
        if len(x):
            fig.add_trace(
                go.Scatter(x=x, y=y, mode="lines+markers", line=dict(color=color, dash=dash), name=name),
                1,
                col,
            )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    return light_chart(fig, height)


def ranked_images_figure(
    images: np.ndarray, top: Sequence[tuple[int, float]], title: str = "", scale: int = 3
) -> go.Figure:
    """Text -> images: the gallery's best matches left to right, each with its cosine similarity."""
    images = np.asarray(images, np.uint8)
    h, w = images.shape[1:3]
    gap = max(2, w // 8)
    row = np.full((h, len(top) * (w + gap), 3), 255, np.uint8)
    for k, (i, _) in enumerate(top):
        row[:, k * (w + gap) : k * (w + gap) + w] = images[i]
    fig = go.Figure(rgb_image(np.kron(row, np.ones((scale, scale, 1), np.uint8))))
    for k, (_, cos) in enumerate(top):
        fig.add_annotation(
            x=(k * (w + gap) + w / 2) * scale,
            y=h * scale,
            yshift=-10,
            text=f"#{k + 1} · cos {cos:.2f}",
            showarrow=False,
            font=dict(size=11),
        )
    fig.update_layout(
        title=dict(text=title, font=dict(size=13)),
        height=h * scale + 80,
        margin=dict(l=5, r=5, t=30, b=30),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
    )
    return fig


def ranked_captions_figure(pairs: Sequence[tuple[str, float]], title: str = "") -> go.Figure:
    """Image -> captions: the best captions as horizontal bars of cosine similarity, best on top."""
    caps = [c for c, _ in pairs]
    cos = [s for _, s in pairs]
    fig = go.Figure(
        go.Bar(
            x=cos,
            y=caps,
            orientation="h",
            marker_color=[ZS if i == 0 else "#adb5bd" for i in range(len(caps))],
            text=[f"{s:.2f}" for s in cos],
            textposition="auto",
            hovertemplate="%{y}: cos %{x:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=dict(text=title, font=dict(size=13)),
        xaxis=dict(title="cosine similarity", range=[min(0.0, min(cos, default=0)), 1]),
        yaxis=dict(autorange="reversed"),
    )
    return light_chart(fig, 60 + 34 * len(caps))
