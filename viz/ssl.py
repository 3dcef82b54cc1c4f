"""Figures of self-supervised learning: arrays in, Plotly figures out (no streamlit, no networks run here).

Augmentations: images beside the two views an augmentation pipeline makes of each (a positive pair, as in
SimCLR, Chen et al. 2020). NT-Xent: the 2N×2N cosine similarities of a batch of views with each row's
positive marked, the loss of every row, and one row's softmax over its candidates at several temperatures.
Training: the embeddings projected to the plane and coloured by the labels the method never saw; the loss,
alignment and uniformity (Wang & Isola 2020), the spread of the embeddings (the collapse measure of BYOL,
Grill et al. 2020) and the linear-probe / k-NN accuracy over training; the probe against its baselines;
several runs' spread overlaid (the collapse experiment). MAE (He et al. 2021): images, their masked input
and the reconstruction.

Inputs are what ``training/ssl`` records: history rows ({"step", "loss", "alignment", "uniformity",
"spread", "probe_acc", "knn_acc"}), images (N, C, H, W) in [0, 1] and numpy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, ema, light_chart
from viz.images import rgb_image
from viz.latent import DIGIT_COLORS

LOSS, ALIGN, UNIFORM, SPREAD, PROBE, KNN = "#1c7ed6", "#e8590c", "#7048e8", "#2f9e44", "#c2255c", "#1098ad"
POSITIVE = "#f59f00"


# ---- images


def _rgb(img: np.ndarray) -> np.ndarray:
    """(C, H, W) in [0, 1] (C = 1 or 3) -> (H, W, 3) uint8, the pixel values as they are (0 black)."""
    a = np.clip(np.asarray(img, dtype=np.float32), 0, 1)
    if a.ndim == 2:
        a = a[None]
    a = np.repeat(a, 3, axis=0) if a.shape[0] == 1 else a[:3]
    return (a.transpose(1, 2, 0) * 255).round().astype(np.uint8)  # (H, W, 3)


def _rows_canvas(rows: Sequence[np.ndarray], scale: int, pad: int = 2, bg: int = 255) -> np.ndarray:
    """Rows of images (each (n, C, H, W), same n and size) on one white canvas, each pixel drawn as a
    ``scale`` × ``scale`` block so small images stay sharp; (H', W', 3) uint8."""
    n, _, h, w = np.asarray(rows[0]).shape
    hs, ws = h * scale, w * scale
    canvas = np.full((len(rows) * (hs + pad) + pad, n * (ws + pad) + pad, 3), bg, np.uint8)
    for r, row in enumerate(rows):
        for i, img in enumerate(np.asarray(row)):
            y0, x0 = pad + r * (hs + pad), pad + i * (ws + pad)
            canvas[y0 : y0 + hs, x0 : x0 + ws] = _rgb(img).repeat(scale, 0).repeat(scale, 1)
    return canvas


def image_rows_figure(
    rows: Sequence[np.ndarray],
    labels: Sequence[str],
    title: str = "",
    scale: int = 3,
    height: int | None = None,
    column_titles: Sequence[str] | None = None,
) -> go.Figure:
    """Rows of images (each (n, C, H, W) in [0, 1]) as one PNG, each row named on the left and, with
    ``column_titles``, each column above."""
    canvas = _rows_canvas(rows, scale)
    h = np.asarray(rows[0]).shape[2] * scale + 2
    w = np.asarray(rows[0]).shape[3] * scale + 2
    fig = go.Figure(rgb_image(canvas))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(
        scaleanchor="x",
        showgrid=False,
        zeroline=False,
        tickvals=[2 + h * (r + 0.5) for r in range(len(rows))],
        ticktext=list(labels),
    )
    fig.update_layout(
        title=dict(text=title, font=dict(size=14)) if title else None,
        height=height or int(min(620, 70 + canvas.shape[0] * 900 / max(canvas.shape[1], 1))),
        margin=dict(l=90, r=5, t=(40 if title else 5) + (22 if column_titles else 0), b=5),
        plot_bgcolor="white",
    )
    for i, name in enumerate(column_titles or ()):
        fig.add_annotation(
            x=2 + w * (i + 0.5), y=1, yref="paper", yanchor="bottom", text=str(name), showarrow=False
        )
    return fig


def pairs_figure(
    images: np.ndarray,
    view1: np.ndarray,
    view2: np.ndarray,
    title: str = "",
    names: Sequence[str] | None = None,
) -> go.Figure:
    """Each image (column, named by ``names``) above the two augmented views made of it: a positive pair
    per column."""
    scale = max(2, 96 // np.asarray(images).shape[-1])  # tiles about 96 px wide
    return image_rows_figure(
        [images, view1, view2], ["image", "view 1", "view 2"], title, scale=scale, column_titles=names
    )


def reconstruction_figure(
    images: np.ndarray, masked: np.ndarray, reconstruction: np.ndarray, title: str = ""
) -> go.Figure:
    """MAE: the images, what the encoder sees (masked patches blanked) and the decoder's reconstruction."""
    return image_rows_figure(
        [images, masked, reconstruction], ["image", "masked input", "reconstruction"], title, scale=4
    )


# ---- NT-Xent


def view_names(n: int) -> list[str]:
    """Names of the 2N views of a batch: image i's two views are i and i′ (rows 0..N−1, then N..2N−1)."""
    return [f"{i + 1}" for i in range(n)] + [f"{i + 1}′" for i in range(n)]


def similarity_figure(sim: np.ndarray, positive: np.ndarray, height: int = 440) -> go.Figure:
    """The (2N, 2N) cosine similarities of every pair of views; the diagonal (a view with itself, left out
    of the loss) blank, each row's positive ringed."""
    s = np.array(sim, dtype=float)
    m = len(s)
    np.fill_diagonal(s, np.nan)
    names = view_names(m // 2)
    fig = go.Figure(
        go.Heatmap(
            z=s,
            x=names,
            y=names,
            colorscale="RdBu_r",
            zmin=-1,
            zmax=1,
            colorbar=dict(title="cos", thickness=12, len=0.8),
            hovertemplate="view %{y} · view %{x}: %{z:.2f}<extra></extra>",
        )
    )
    pos = np.asarray(positive, dtype=int)
    fig.add_trace(
        go.Scatter(
            x=[names[j] for j in pos],
            y=names,
            mode="markers",
            marker=dict(symbol="square-open", size=max(6, 300 // m), color=POSITIVE, line=dict(width=2.5)),
            name="positive pair",
            hoverinfo="skip",
        )
    )
    fig.update_xaxes(side="top", type="category", tickangle=0)
    fig.update_yaxes(autorange="reversed", type="category", scaleanchor="x")
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.02, x=0),
    )
    return fig


def row_loss_figure(row_loss: np.ndarray, chosen: int | None = None, height: int = 260) -> go.Figure:
    """The loss of each row (each view as the anchor); the row shown on the right in orange, the mean as a
    dashed line (the batch's NT-Xent loss)."""
    loss = np.asarray(row_loss, dtype=float)
    names = view_names(len(loss) // 2)
    colors = [POSITIVE if i == chosen else LOSS for i in range(len(loss))]
    fig = go.Figure(
        go.Bar(x=names, y=loss, marker_color=colors, hovertemplate="row %{x}: %{y:.3f}<extra></extra>")
    )
    fig.add_hline(y=float(loss.mean()), line=dict(color="#495057", dash="dash"))
    fig.update_layout(title=dict(text=f"loss per row · dashed: their mean, NT-Xent = {loss.mean():.3f}"))
    fig.update_xaxes(type="category", title_text="row (anchor view)")
    fig.update_yaxes(title_text="−log p(positive)", rangemode="tozero")
    return light_chart(fig, height)


def softmax_row(sim_row: np.ndarray, anchor: int, tau: float) -> np.ndarray:
    """p(j | anchor) = softmax over j ≠ anchor of sim / τ (the anchor itself gets 0)."""
    z = np.asarray(sim_row, dtype=float) / tau
    z[anchor] = -np.inf
    z = np.exp(z - z[np.isfinite(z)].max())
    return z / z.sum()


def temperature_figure(
    sim_row: np.ndarray, anchor: int, positive: int, taus: Sequence[float], height: int = 320
) -> go.Figure:
    """Left: the anchor's softmax over the other views at each temperature (the positive in orange): a
    small τ puts almost all of the mass on the most similar views, a large τ spreads it out. Right:
    p(positive) and the row's loss −log p(positive) as τ varies (log axis)."""
    names = view_names(len(sim_row) // 2)
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.62, 0.38],
        horizontal_spacing=0.1,
        subplot_titles=(f"p(view | anchor {names[anchor]})", "the positive as τ varies"),
        specs=[[{}, {"secondary_y": True}]],
    )
    others = [j for j in range(len(names)) if j != anchor]
    for k, tau in enumerate(taus):
        p = softmax_row(sim_row, anchor, tau)
        fig.add_trace(
            go.Scatter(
                x=[names[j] for j in others],
                y=p[others],
                mode="lines+markers",
                line=dict(color=PALETTE[k % len(PALETTE)], width=1.5),
                marker=dict(size=[11 if j == positive else 5 for j in others]),
                name=f"τ = {tau:g}",
                hovertemplate="view %{x}: %{y:.3f}<extra></extra>",
            ),
            1,
            1,
        )
    at = others.index(positive)  # the positive's place on the categorical axis
    fig.add_vrect(x0=at - 0.5, x1=at + 0.5, fillcolor=POSITIVE, opacity=0.15, line_width=0, row=1, col=1)
    fig.add_annotation(
        x=at, y=1, yref="y domain", text="positive", showarrow=False, font=dict(color=POSITIVE), row=1, col=1
    )
    grid = np.geomspace(0.01, 10, 61)
    pp = np.array([softmax_row(sim_row, anchor, t)[positive] for t in grid])
    fig.add_trace(
        go.Scatter(x=grid, y=pp, mode="lines", line=dict(color=POSITIVE, width=2), name="p(positive)"), 1, 2
    )
    fig.add_trace(
        go.Scatter(
            x=grid,
            y=-np.log(np.maximum(pp, 1e-12)),
            mode="lines",
            line=dict(color=LOSS, width=2, dash="dot"),
            name="row loss (right axis)",
        ),
        1,
        2,
        secondary_y=True,
    )
    for k, tau in enumerate(taus):
        fig.add_vline(x=tau, line=dict(color=PALETTE[k % len(PALETTE)], dash="dot", width=1), row=1, col=2)
    fig.update_xaxes(type="category", title_text="candidate view", row=1, col=1)
    fig.update_xaxes(type="log", title_text="τ", row=1, col=2)
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], row=1, col=2, secondary_y=False)
    fig.update_yaxes(rangemode="tozero", showgrid=False, row=1, col=2, secondary_y=True)
    return light_chart(fig, height, legend_y=-0.3)


# ---- embeddings and training


def embedding_figure(
    xy: np.ndarray, labels: np.ndarray, class_names: Sequence[str], title: str = "", height: int = 420
) -> go.Figure:
    """Held-out embeddings projected to the plane (PCA), coloured by the labels the method never used:
    classes that fall apart here are what a linear probe can read off. The axes frame the bulk of the
    points (a rare far outlier may fall outside)."""
    xy = np.asarray(xy, dtype=float)
    labels = np.asarray(labels)
    fig = go.Figure()
    for k, name in enumerate(class_names):
        m = labels == k
        if m.any():
            fig.add_trace(
                go.Scatter(
                    x=xy[m, 0],
                    y=xy[m, 1],
                    mode="markers",
                    marker=dict(size=6, color=DIGIT_COLORS[k % len(DIGIT_COLORS)], opacity=0.8),
                    name=str(name),
                    hoverinfo="skip",
                )
            )
    # axes fit the bulk of the points (2nd to 98th percentile, padded): one far outlier would otherwise
    # squeeze every class into a corner
    lo, hi = np.percentile(xy, 2, axis=0), np.percentile(xy, 98, axis=0)
    pad = (hi - lo) * 0.25 + 1e-6
    fig.update_xaxes(title_text="PC 1", zeroline=False, range=[lo[0] - pad[0], hi[0] + pad[0]])
    fig.update_yaxes(title_text="PC 2", zeroline=False, range=[lo[1] - pad[1], hi[1] + pad[1]])
    fig.update_layout(
        title=dict(text=title, font=dict(size=14)) if title else None,
        legend=dict(itemsizing="constant", orientation="v", y=1, x=1.02),
    )
    fig = light_chart(fig, height)
    fig.update_layout(legend=dict(orientation="v", y=1, x=1.02), margin=dict(t=40 if title else 10))
    return fig


def _rows(history: list[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in history if key in r and r[key] is not None and np.isfinite(r[key])]
    return np.array([r["step"] for r in rows], float), np.array([r[key] for r in rows], float)


def ssl_curves(history: list[dict], height: int = 320) -> go.Figure:
    """Four panels over training steps: the loss; alignment (positives' distance, lower is better) and
    uniformity (log of the mean Gaussian potential over all pairs, lower is more spread out; right axis);
    the spread of the normalised embeddings (near 0: collapse); the linear-probe and k-NN accuracy on
    held-out images, where evaluated."""
    titles = ("loss", "alignment · uniformity", "spread", "probe accuracy")
    fig = make_subplots(
        rows=1,
        cols=4,
        subplot_titles=titles,
        horizontal_spacing=0.1,  # room for the uniformity's right axis
        specs=[[{}, {"secondary_y": True}, {}, {}]],
    )
    x, y = _rows(history, "loss")
    if len(x):
        fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines", line=dict(color=LOSS, width=1), opacity=0.25, showlegend=False
            ),
            1,
            1,
        )
        fig.add_trace(
            go.Scatter(x=x, y=ema(y), mode="lines", line=dict(color=LOSS, width=2), name="loss"), 1, 1
        )
    for key, label, color, right in (
        ("alignment", "alignment", ALIGN, False),
        ("uniformity", "uniformity (right axis)", UNIFORM, True),
    ):
        x, y = _rows(history, key)
        if len(x):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=ema(y, 0.1),
                    mode="lines",
                    line=dict(color=color, width=2, dash="dot" if right else "solid"),
                    name=label,
                ),
                1,
                2,
                secondary_y=right,
            )
    x, y = _rows(history, "spread")
    if len(x):
        fig.add_trace(
            go.Scatter(x=x, y=ema(y, 0.1), mode="lines", line=dict(color=SPREAD, width=2), name="spread"),
            1,
            3,
        )
    for key, label, color in (("probe_acc", "linear probe", PROBE), ("knn_acc", "k-NN", KNN)):
        x, y = _rows(history, key)
        if len(x):
            fig.add_trace(
                go.Scatter(
                    x=x, y=y, mode="lines+markers", marker=dict(size=5), line=dict(color=color), name=label
                ),
                1,
                4,
            )
    # one step axis for the four panels, from 0: a lone evaluation would otherwise get Plotly's ±1 range
    last = max((r["step"] for r in history if "step" in r), default=0)
    fig.update_xaxes(title_text="step", range=[0, max(1, last) * 1.03])
    fig.update_yaxes(rangemode="tozero", row=1, col=3)
    fig.update_yaxes(range=[0, 1.03], tickformat=".0%", row=1, col=4)
    fig.update_yaxes(showgrid=False, row=1, col=2, secondary_y=True)
    return light_chart(fig, height, legend_y=-0.3)


def probe_figure(scores: dict[str, float], chance: float | None = None, height: int = 260) -> go.Figure:
    """Held-out accuracy of a linear probe on each representation (``scores``: name -> accuracy), as bars,
    best on top; chance as a dotted line."""
    items = sorted(scores.items(), key=lambda kv: kv[1])
    fig = go.Figure(
        go.Bar(
            y=[k for k, _ in items],
            x=[v for _, v in items],
            orientation="h",
            marker_color=[PALETTE[i % len(PALETTE)] for i in range(len(items))][::-1],
            text=[f"{v:.0%}" for _, v in items],
            textposition="outside",
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        )
    )
    if chance is not None:
        fig.add_vline(
            x=chance,
            line=dict(color="#868e96", dash="dot"),
            annotation_text="chance",
            annotation_position="top",
        )
    fig.update_xaxes(range=[0, 1.12], tickformat=".0%", title_text="held-out accuracy")
    fig.update_yaxes(automargin=True)
    return light_chart(fig, height)


def collapse_figure(runs: dict[str, list[dict]], height: int = 300) -> go.Figure:
    """The spread of the normalised embeddings over training for several runs (one line each): the normal
    run keeps it; a run that collapses sends it to 0."""
    fig = go.Figure()
    for i, (name, hist) in enumerate(runs.items()):
        x, y = _rows(hist, "spread")
        if len(x):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=ema(y, 0.1),
                    mode="lines",
                    line=dict(color=PALETTE[i % len(PALETTE)], width=2),
                    name=name,
                )
            )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text="spread of the embeddings", rangemode="tozero")
    fig.update_layout(showlegend=True, title=dict(text="every run's spread", font=dict(size=14)))
    return light_chart(fig, height)


def mae_curves(history: list[dict], height: int = 320) -> go.Figure:
    """MAE over training: the loss (masked patches of the training batch); the error on the masked patches
    of held-out images (fixed masks) beside the error of predicting each patch's mean over the training
    images, the baseline to beat; and the linear-probe and k-NN accuracy of the frozen encoder."""
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=("loss", "masked-patch error (test)", "probe accuracy"),
        horizontal_spacing=0.08,
    )
    x, y = _rows(history, "loss")
    if len(x):
        fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines", line=dict(color=LOSS, width=1), opacity=0.25, showlegend=False
            ),
            1,
            1,
        )
        fig.add_trace(
            go.Scatter(x=x, y=ema(y), mode="lines", line=dict(color=LOSS, width=2), name="loss"), 1, 1
        )
    for key, label, color, dash in (
        ("recon_mse", "reconstruction", ALIGN, "solid"),
        ("mean_patch_mse", "the mean patch", "#868e96", "dash"),
    ):
        x, y = _rows(history, key)
        if len(x):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines+markers",
                    marker=dict(size=5),
                    line=dict(color=color, dash=dash),
                    name=label,
                ),
                1,
                2,
            )
    for key, label, color in (("probe_acc", "linear probe", PROBE), ("knn_acc", "k-NN", KNN)):
        x, y = _rows(history, key)
        if len(x):
            fig.add_trace(
                go.Scatter(
                    x=x, y=y, mode="lines+markers", marker=dict(size=5), line=dict(color=color), name=label
                ),
                1,
                3,
            )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    fig.update_yaxes(range=[0, 1.03], tickformat=".0%", row=1, col=3)
    return light_chart(fig, height, legend_y=-0.3)
