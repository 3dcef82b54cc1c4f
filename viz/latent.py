"""Figures for autoencoders: the latent scatter (clickable anywhere), posterior ellipses, error
histograms with a threshold, codebook usage, AE-vs-PCA error, and loss-term curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.curves import PALETTE, ema

DIGIT_COLORS = [
    "#1c7ed6",
    "#e8590c",
    "#2f9e44",
    "#c92a2a",
    "#7048e8",
    "#8d6e63",
    "#e64980",
    "#495057",
    "#94d82d",
    "#15aabf",
]


def latent_scatter(
    xy: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    *,
    title: str = "",
    axis_titles: tuple[str, str] = ("z₁", "z₂"),
    picked: np.ndarray | None = None,
    ellipses: tuple[np.ndarray, np.ndarray] | None = None,
    grid_n: int = 40,
    height: int = 520,
) -> go.Figure:
    """Codes in the plane coloured by class. A faint grid of clickable points (trace ``background``,
    customdata = its (x, y)) covers the whole area so that a click anywhere is a selection event;
    data points carry their index as customdata. ``picked`` marks the decoded place; ``ellipses``
    = (μ, σ) (M, 2) draws each posterior's 2σ ellipse (axis-aligned: the covariance is diagonal)."""
    xy = np.asarray(xy, float)
    fig = go.Figure()
    lo, hi = xy.min(0), xy.max(0)
    pad = (hi - lo) * 0.08 + 1e-6
    gx = np.linspace(lo[0] - pad[0], hi[0] + pad[0], grid_n)
    gy = np.linspace(lo[1] - pad[1], hi[1] + pad[1], grid_n)
    G = np.array([(a, b) for b in gy for a in gx])
    fig.add_trace(
        go.Scatter(
            x=G[:, 0],
            y=G[:, 1],
            mode="markers",
            marker=dict(size=9, color="rgba(120,120,120,0.04)"),
            customdata=G,
            name="background",
            showlegend=False,
            hovertemplate="decode here: (%{x:.2f}, %{y:.2f})<extra></extra>",
        )
    )
    for k, name in enumerate(class_names):
        m = np.flatnonzero(labels == k)
        if not len(m):
            continue
        fig.add_trace(
            go.Scatter(
                x=xy[m, 0],
                y=xy[m, 1],
                mode="markers",
                marker=dict(size=7, color=DIGIT_COLORS[k % len(DIGIT_COLORS)], line=dict(width=0)),
                customdata=m,
                name=str(name),
                hovertemplate=f"digit {name} · example %{{customdata}}<extra></extra>",
            )
        )
    if ellipses is not None:
        t = np.linspace(0, 2 * np.pi, 40)
        for i, (mu, sd) in enumerate(zip(*ellipses, strict=True)):
            fig.add_trace(
                go.Scatter(
                    x=mu[0] + 2 * sd[0] * np.cos(t),
                    y=mu[1] + 2 * sd[1] * np.sin(t),
                    mode="lines",
                    line=dict(color="#212529", width=1.5),
                    name="posterior 2σ",
                    showlegend=i == 0,
                    hoverinfo="skip",
                )
            )
    if picked is not None:
        fig.add_trace(
            go.Scatter(
                x=[picked[0]],
                y=[picked[1]],
                mode="markers",
                marker=dict(size=16, symbol="x", color="black"),
                name="decoded",
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        title=title or None,
        height=height,
        margin=dict(l=10, r=10, t=35 if title else 10, b=10),
        plot_bgcolor="white",
        xaxis=dict(title=axis_titles[0], gridcolor="#eee", zeroline=False),
        yaxis=dict(title=axis_titles[1], gridcolor="#eee", zeroline=False),
        legend=dict(title="digit", itemsizing="constant"),
        clickmode="event+select",
    )
    return fig


def error_histograms(
    in_scores: np.ndarray, out: dict[str, np.ndarray], threshold: float, height: int = 360
) -> go.Figure:
    """Reconstruction-error histograms, in-distribution against each out-of-distribution set, with
    the threshold drawn as a vertical line (log-scaled x: errors span orders of magnitude)."""
    fig = go.Figure()
    all_s = np.concatenate([in_scores, *out.values()])
    edges = np.logspace(np.log10(max(all_s.min(), 1e-6)), np.log10(all_s.max() + 1e-9), 60)
    for i, (name, s) in enumerate({"test digits": in_scores, **out}.items()):
        counts, _ = np.histogram(s, edges)
        fig.add_trace(
            go.Bar(
                x=np.sqrt(edges[:-1] * edges[1:]),
                y=counts / max(1, len(s)),
                width=np.diff(edges),
                name=name,
                marker_color=PALETTE[i % len(PALETTE)],
                opacity=0.6,
            )
        )
    fig.add_vline(x=threshold, line=dict(color="black", dash="dash"), annotation_text="threshold")
    fig.update_layout(
        barmode="overlay",
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        plot_bgcolor="white",
        xaxis=dict(title="reconstruction error (MSE per pixel)", type="log"),
        yaxis=dict(title="share of inputs"),
        legend=dict(orientation="h", y=1.08),
    )
    return fig


def codebook_figure(counts: np.ndarray, height: int = 280) -> go.Figure:
    counts = np.asarray(counts)
    p = counts / max(1, counts.sum())
    perplexity = float(np.exp(-(p[p > 0] * np.log(p[p > 0])).sum()))
    fig = go.Figure(go.Bar(x=np.arange(len(counts)), y=counts, marker_color="#1c7ed6"))
    fig.update_layout(
        title=f"{int((counts > 0).sum())} of {len(counts)} codes used · perplexity {perplexity:.1f}",
        height=height,
        margin=dict(l=10, r=10, t=35, b=10),
        plot_bgcolor="white",
        xaxis_title="codebook entry k",
        yaxis_title="times chosen",
    )
    return fig


def pca_comparison(ks: Sequence[int], pca_mse: Sequence[float], ae_k: int, ae_mse: float) -> go.Figure:
    """PCA's test error for each number of components, and the autoencoder's at its code size."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(ks), y=list(pca_mse), mode="lines+markers", name="PCA, k components"))
    fig.add_trace(
        go.Scatter(
            x=[ae_k],
            y=[ae_mse],
            mode="markers",
            marker=dict(size=14, symbol="star", color="#e8590c"),
            name=f"this autoencoder (Z = {ae_k})",
        )
    )
    fig.update_layout(
        height=320,
        margin=dict(l=10, r=10, t=10, b=10),
        plot_bgcolor="white",
        xaxis=dict(title="code size (components)", type="log"),
        yaxis=dict(title="test MSE per pixel", type="log"),
        legend=dict(orientation="h", y=1.1),
    )
    return fig


TERM_NAMES = {
    "loss": "total loss",
    "recon": "reconstruction",
    "kl": "KL divergence",
    "sparsity": "sparsity penalty",
    "codebook": "codebook",
    "commitment": "commitment",
}


def term_curves(history: list[dict], height: int = 300) -> go.Figure:
    """The total loss and each logged term (smoothed) per step, on a log axis: a VAE's
    reconstruction and KL curves side by side show the trade-off β sets."""
    fig = go.Figure()
    keys = [k for k in TERM_NAMES if any(k in r for r in history)]
    for i, k in enumerate(keys):
        rows = [r for r in history if k in r]
        steps = [r["step"] for r in rows]
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=ema([r[k] for r in rows]),
                mode="lines",
                name=TERM_NAMES[k],
                line=dict(color=PALETTE[i % len(PALETTE)], width=3 if k == "loss" else 2),
            )
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        plot_bgcolor="white",
        xaxis_title="step",
        yaxis=dict(title="per step (smoothed)", type="log"),
        legend=dict(orientation="h", y=1.1),
    )
    return fig
