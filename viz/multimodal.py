"""Figures of the multimodal family: CLIP's image-text similarity matrix with its images, the learned
temperature, training curves with the zero-shot accuracy, ranked images for a text and ranked captions for
an image; and, in the DALL-E block, generated image rows, the code book's usage and the token grid filled
token by token. Arrays in, Plotly figures out."""

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


# --- DALL-E ---
# text-to-image: image rows, the code book's usage, the token grid filled token by token.


def _as_float(images: np.ndarray) -> np.ndarray:
    """uint8 (as snapshots carry them) or [0, 1] floats -> float32 in [0, 1]."""
    a = np.asarray(images)
    return a.astype(np.float32) / 255 if a.dtype == np.uint8 else np.clip(a.astype(np.float32), 0, 1)


def dalle_image_row(
    images: np.ndarray, titles: Sequence[str] | None = None, ncols: int = 8, scale: int = 8, height=None
) -> go.Figure:
    """(N, 3, H, W) images (uint8 or [0, 1]) as one mosaic with a caption under each tile."""
    images = _as_float(images)
    n, _, h, w = images.shape
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    gap = max(1, h // 8)
    canvas = np.ones((nrows * (h + gap), ncols * (w + gap), 3), np.float32)
    for i in range(n):
        r, c = divmod(i, ncols)
        canvas[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = images[i].transpose(
            1, 2, 0
        )
    big = np.kron(canvas, np.ones((scale, scale, 1), np.float32))  # crisp pixels
    fig = go.Figure(rgb_image((big * 255).round().astype(np.uint8)))
    ann = [
        dict(
            x=(divmod(i, ncols)[1] * (w + gap) + w / 2) * scale,
            y=(divmod(i, ncols)[0] * (h + gap) + h) * scale,
            text=str(t),
            showarrow=False,
            yshift=-9,
            font=dict(size=11),
        )
        for i, t in enumerate(titles or [])
    ]
    fig.update_layout(
        annotations=ann,
        height=height or 40 + nrows * (h * scale // 2 + (30 if titles else 10)),
        margin=dict(l=5, r=5, t=5, b=24),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
    )
    return fig


def codebook_usage_figure(counts: np.ndarray, height: int = 260) -> go.Figure:
    """How many test-image tokens use each code, commonest first: a few codes for the black background,
    the rest for pieces of shapes; codes no token uses are dead."""
    counts = np.asarray(counts)
    order = np.argsort(-counts, kind="stable")
    used = int((counts > 0).sum())
    fig = go.Figure(
        go.Bar(
            x=np.arange(len(counts)),
            y=counts[order],
            customdata=order,
            hovertemplate="code %{customdata}: %{y} tokens<extra></extra>",
            marker_color="#4c78a8",
        )
    )
    fig.update_layout(
        title=f"Codebook usage: {used} of {len(counts)} codes used",
        xaxis_title="codes, commonest first",
        yaxis_title="tokens (test images)",
        height=height,
        margin=dict(l=50, r=10, t=40, b=40),
    )
    return fig


def token_grid_figure(tokens: np.ndarray, title: str = "", height: int = 300) -> go.Figure:
    """The (h, w) grid of image codes as numbers on a heat map; -1 (not drawn yet) left blank."""
    t = np.asarray(tokens)
    z = np.where(t < 0, np.nan, t).astype(float)
    text = np.where(t < 0, "", t.astype(str))
    fig = go.Figure(
        go.Heatmap(
            z=z,
            text=text,
            texttemplate="%{text}",
            colorscale="Viridis",
            showscale=False,
            hovertemplate="row %{y}, column %{x}: code %{z}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=40, r=10, t=40, b=30),
        # square cells, the axes shrunk to the grid (not the grid padded with empty columns)
        xaxis=dict(title="column", dtick=1, constrain="domain"),
        yaxis=dict(title="row", autorange="reversed", dtick=1, scaleanchor="x", constrain="domain"),
    )
    return fig
