"""Figures of the capsule-network family: coupling coefficients c_ij per routing iteration (heatmaps of
the most active children, and the share of the vote each parent receives), capsule lengths as class
probabilities with the margins, digits beside their reconstructions, and the grid of reconstructions
while one capsule dimension is swept. Arrays in, Plotly figures out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, light_chart
from viz.images import rgb_image

BLUE, ORANGE, GREY = "#1c7ed6", "#e8590c", "#adb5bd"


def _gray_rgb(z: np.ndarray) -> np.ndarray:
    """Values in [0, 1] (ink high) -> uint8 RGB, ink dark on white."""
    g = (255 * (1 - np.clip(np.nan_to_num(z, nan=0.0), 0, 1))).round().astype(np.uint8)
    return np.repeat(g[..., None], 3, axis=-1)


def mosaic(tiles: np.ndarray, gap: int = 1, scale: int = 6) -> np.ndarray:
    """(R, C, H, W) values in [0, 1] -> one (R·(H+gap), C·(W+gap), 3) uint8 picture, upscaled ``scale``×
    with crisp pixels, a white gap between tiles."""
    R, C, H, W = tiles.shape
    z = np.zeros((R * (H + gap), C * (W + gap)), np.float32)
    for r in range(R):
        for c in range(C):
            z[r * (H + gap) : r * (H + gap) + H, c * (W + gap) : c * (W + gap) + W] = tiles[r, c]
    return np.kron(_gray_rgb(z), np.ones((scale, scale, 1), np.uint8))


def digit_picture(image: np.ndarray, scale: int = 12) -> np.ndarray:
    """One (H, W) image in [0, 1] as an upscaled uint8 RGB picture with crisp pixels."""
    return np.kron(_gray_rgb(np.asarray(image, np.float32)), np.ones((scale, scale, 1), np.uint8))


def top_children(child_len: np.ndarray, n: int = 24) -> np.ndarray:
    """Indices of the ``n`` longest (most active) primary capsules, longest first."""
    return np.argsort(-np.asarray(child_len), kind="stable")[:n]


def shown_iterations(R: int, most: int = 4) -> list[int]:
    """The iterations (0-based) a figure shows: all of them up to ``most``, else the first ``most`` − 1
    and the last."""
    return list(range(R)) if R <= most else [*range(most - 1), R - 1]


def coupling_figure(
    c: np.ndarray, child_len: np.ndarray, class_names: Sequence[str], n: int = 24, height: int = 420
) -> go.Figure:
    """One heatmap per routing iteration (at most four): c_ij of the ``n`` most active children (rows,
    longest first) over the parents (columns), coloured around the uniform 1/J (white): blue above,
    red below. Iteration 1 is uniform; agreement then moves each row toward its parents."""
    c = np.asarray(c, float)
    R, _, J = c.shape
    its = shown_iterations(R)
    idx = top_children(child_len, n)
    d = max(float(np.abs(c[its][:, idx] - 1 / J).max()), 1e-3)
    fig = make_subplots(
        rows=1,
        cols=len(its),
        subplot_titles=[f"iteration {r + 1}" for r in its],
        horizontal_spacing=0.03,
    )
    rows = [f"u{int(i)} (‖u‖ {child_len[i]:.2f})" for i in idx]
    for col, r in enumerate(its, 1):
        fig.add_trace(
            go.Heatmap(
                z=c[r][idx],
                x=[str(k) for k in class_names],
                y=rows,
                zmin=1 / J - d,
                zmax=1 / J + d,
                colorscale="RdBu",
                showscale=col == len(its),
                colorbar=dict(title="c", thickness=10),
                hovertemplate="child %{y} → parent %{x}: c = %{z:.4f}<extra></extra>",
            ),
            1,
            col,
        )
        fig.update_yaxes(showticklabels=col == 1, autorange="reversed", row=1, col=col)
    fig.update_xaxes(title_text="parent", type="category")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10))
    return fig


def parent_share_figure(c: np.ndarray, child_len: np.ndarray, class_names: Sequence[str]) -> go.Figure:
    """How much more (or less) than the uniform 1/J of all children's activity each parent receives,
    Σ_i ‖u_i‖ c_ij / Σ_i ‖u_i‖ − 1/J: one group of bars per parent, one bar per shown iteration."""
    c, w = np.asarray(c, float), np.asarray(child_len, float)
    share = (c * w[None, :, None]).sum(1) / max(w.sum(), 1e-12)  # (R, J)
    J = share.shape[1]
    fig = go.Figure(
        [
            go.Bar(
                x=[str(k) for k in class_names],
                y=share[r] - 1 / J,
                customdata=share[r],
                name=f"iteration {r + 1}",
                marker_color=PALETTE[i % len(PALETTE)],
                hovertemplate="parent %{x}: share %{customdata:.4f}<extra></extra>",
            )
            for i, r in enumerate(shown_iterations(len(share)))
        ]
    )
    fig.update_layout(
        title=dict(
            text="Share of the children's activity routed to each parent, minus 1/J", font=dict(size=14)
        ),
        barmode="group",
        xaxis_title="parent (digit capsule)",
        yaxis_title="share − 1/J",
        xaxis_type="category",
    )
    return light_chart(fig, 300)


def entropy_figure(entropy: np.ndarray, num_parents: int) -> go.Figure:
    """Mean entropy of a child's coupling (weighted by its length) per iteration; ln J is uniform."""
    e = np.asarray(entropy, float)
    fig = go.Figure(
        go.Scatter(
            x=np.arange(1, len(e) + 1),
            y=e,
            mode="lines+markers",
            line=dict(color=BLUE),
            hovertemplate="iteration %{x}: %{y:.3f} nats<extra></extra>",
        )
    )
    fig.add_hline(y=np.log(num_parents), line=dict(dash="dot", color=GREY), annotation_text="uniform: ln J")
    fig.update_layout(
        title=dict(text="How sure each child is of its parent (entropy, lower: sharper)", font=dict(size=14)),
        xaxis=dict(title="routing iteration", dtick=1),
        yaxis=dict(title="entropy (nats)"),
        showlegend=False,
    )
    return light_chart(fig, 300)


def lengths_figure(
    lengths: np.ndarray, class_names: Sequence[str], label: int | None = None, m_plus=0.9, m_minus=0.1
) -> go.Figure:
    """Each digit capsule's length ‖v_j‖ (a probability, not a softmax: they need not sum to 1), the
    longest in orange, with the margin loss's m⁺ and m⁻."""
    v = np.asarray(lengths, float)
    colors = [ORANGE if j == int(v.argmax()) else BLUE for j in range(len(v))]
    names = [f"{k} ✓" if label is not None and j == int(label) else str(k) for j, k in enumerate(class_names)]
    fig = go.Figure(
        go.Bar(x=names, y=v, marker_color=colors, hovertemplate="class %{x}: ‖v‖ = %{y:.3f}<extra></extra>")
    )
    for m, name in ((m_plus, "m⁺"), (m_minus, "m⁻")):  # the margins, labelled beside the plot
        fig.add_hline(y=m, line=dict(dash="dot", color=GREY))
        fig.add_annotation(
            x=1.01, xref="paper", y=m, text=f"{name} {m:g}", showarrow=False, xanchor="left", font_size=11
        )
    fig.update_layout(
        title=dict(text=f"Capsule lengths (they sum to {v.sum():.2f}, not 1)", font=dict(size=14)),
        xaxis=dict(title="digit capsule", type="category"),
        yaxis=dict(title="length ‖v‖", range=[0, 1]),
        showlegend=False,
    )
    light_chart(fig, 300)
    fig.update_layout(margin=dict(r=55))
    return fig


def probes_figure(images: np.ndarray, recon: np.ndarray | None, lengths: np.ndarray) -> go.Figure:
    """Left: test digits (top row) and the decoder's reconstructions from their longest capsule (below);
    right: every capsule's length for each of them (rows: the digits, columns: the classes)."""
    n = len(images)
    tiles = np.stack([images, recon if recon is not None else np.zeros_like(images)])  # (2, n, H, W)
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.55, 0.45],
        subplot_titles=("test digits and their reconstructions", "capsule lengths ‖vⱼ‖"),
        horizontal_spacing=0.08,
    )
    fig.add_trace(rgb_image(mosaic(tiles, scale=5)), 1, 1)
    lab = [str(i) for i in range(lengths.shape[1])]
    fig.add_trace(
        go.Heatmap(
            z=np.asarray(lengths, float),
            x=lab,
            y=[f"digit {i}" for i in range(n)],
            zmin=0,
            zmax=1,
            colorscale="Blues",
            colorbar=dict(thickness=10),
            hovertemplate="%{y}, capsule %{x}: %{z:.2f}<extra></extra>",
        ),
        1,
        2,
    )
    fig.update_xaxes(visible=False, row=1, col=1)
    fig.update_yaxes(visible=False, row=1, col=1)
    fig.update_xaxes(type="category", title_text="capsule", row=1, col=2)
    fig.update_yaxes(autorange="reversed", row=1, col=2)
    fig.update_layout(height=330, margin=dict(l=10, r=10, t=30, b=10))
    return fig


def sweep_figure(images: np.ndarray, values: Sequence[float], cls: int, scale: int = 4) -> go.Figure:
    """Rows: the capsule's dimensions; columns: the amount added to that dimension (the paper's Fig. 4);
    each tile is the decoder's image of the perturbed capsule."""
    D, S, H, W = images.shape
    pic = mosaic(images, gap=1, scale=scale)
    fig = go.Figure(rgb_image(pic))
    xs = [(s * (W + 1) + W / 2) * scale for s in range(S)]
    ys = [(d * (H + 1) + H / 2) * scale for d in range(D)]
    fig.update_layout(
        title=dict(text=f"Capsule of class {cls}: one dimension moved at a time", font=dict(size=14)),
        height=60 + D * (H + 1) * scale + 40,
        margin=dict(l=60, r=10, t=40, b=40),
        xaxis=dict(tickvals=xs, ticktext=[f"{v + 0.0:+.2f}" for v in values], title="added to the dimension"),
        yaxis=dict(tickvals=ys, ticktext=[f"dim {d}" for d in range(D)], scaleanchor="x"),
        plot_bgcolor="white",
    )
    return fig
