"""Figures of the CNN page: attribution overlays, class probabilities, receptive-field growth, the
degradation twins' curves and the family chart. Arrays in, Plotly figures out. The convolution
explainer's arithmetic and figures live in ``viz.convolution`` (re-exported here).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.convolution import (  # noqa: F401  (the explainer's names, as before)
    KERNELS,
    convolve,
    dot_product_figure,
    explainer_figure,
    out_size,
    patch_at,
    pool,
    pooled_figure,
    size_formula,
)


def _hm(z, colorscale="gray", zmid=None, showscale=False):
    return go.Heatmap(
        z=z,
        colorscale=colorscale,
        zmid=zmid,
        showscale=showscale,
        hovertemplate="(%{y}, %{x}): %{z:.3f}<extra></extra>",
    )


def overlay_figure(image: np.ndarray, maps: dict[str, np.ndarray], titles: dict[str, str]) -> go.Figure:
    """The input beside each attribution map drawn over it (grey image, coloured map)."""
    names = list(maps)
    fig = make_subplots(
        1,
        len(names) + 1,
        subplot_titles=["input", *[titles.get(n, n) for n in names]],
        horizontal_spacing=0.02,
    )
    fig.add_trace(_hm(image), 1, 1)
    for c, n in enumerate(names, 2):
        a = np.abs(maps[n]) if n != "integrated_gradients" else maps[n]
        scale = float(np.abs(a).max()) or 1.0
        fig.add_trace(_hm(image), 1, c)
        fig.add_trace(
            go.Heatmap(
                z=a / scale,
                colorscale="RdBu_r" if n == "integrated_gradients" else "Hot",
                zmid=0 if n == "integrated_gradients" else None,
                opacity=0.6,
                showscale=False,
                hovertemplate="%{z:.2f}<extra></extra>",
            ),
            1,
            c,
        )
    for c in range(1, len(names) + 2):
        fig.update_yaxes(
            autorange="reversed", visible=False, scaleanchor=f"x{'' if c == 1 else c}", row=1, col=c
        )
        fig.update_xaxes(visible=False, row=1, col=c)
    fig.update_layout(height=260, margin=dict(l=5, r=5, t=30, b=5))
    return fig


def probability_figure(prob: np.ndarray, class_names) -> go.Figure:
    fig = go.Figure(go.Bar(x=[str(c) for c in class_names], y=prob, marker_color="#1c7ed6"))
    fig.update_layout(
        height=220,
        margin=dict(l=10, r=10, t=10, b=10),
        yaxis=dict(range=[0, 1], title="p"),
        xaxis=dict(type="category", title="class"),
    )
    return fig


def receptive_field_figure(rows: list[dict], image_size: int) -> go.Figure:
    x = [r["order"] for r in rows]
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=[r["receptive_field"] for r in rows],
            mode="lines+markers",
            name="receptive field",
            text=[f"{r['layer']} ({r['type']} k{r['kernel']} s{r['stride']})" for r in rows],
            hovertemplate="%{text}<br>RF %{y} px<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[r["jump"] for r in rows],
            mode="lines",
            name="jump (stride product)",
            line=dict(dash="dot"),
        )
    )
    fig.add_hline(
        y=image_size, line=dict(color="#c92a2a", dash="dash"), annotation_text=f"input {image_size} px"
    )
    fig.update_layout(
        height=330,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis_title="convolution / pooling layer",
        yaxis=dict(title="pixels", type="log"),
        legend=dict(orientation="h", y=1.1),
    )
    return fig


FAMILY_SIZE = (920, 560)  # the family chart's fixed size: its labels are placed for it, in pixels
FAMILY_MARGIN = dict(l=70, r=110, t=20, b=60, autoexpand=False)  # the colour bar sits in the right one
FAMILY_FONT = 11


def _log_range(values, pad: float) -> list[float]:
    lo, hi = float(np.log10(min(values))), float(np.log10(max(values)))
    return [lo - pad, hi + pad]


def family_figure(rows: list[dict]) -> go.Figure:
    """Parameters against mult-adds (log-log) for the canonical models; colour = ImageNet top-1.

    Names are annotations placed by ``viz.labels.place_labels`` in the figure's own pixels (its size and
    margins are fixed, so are its pixels): beside their point where there is room, further out with a
    leader line where the points crowd (ResNet-50 and ConvNeXt-T, EfficientNet-B3 and ResNet-18)."""
    from viz.labels import Box, place_labels

    rows = [r for r in rows if r["classes"] == 1000]
    top = [r["top1"] if r["top1"] is not None else np.nan for r in rows]
    x = [r["mult_adds"] / 1e9 for r in rows]
    y = [r["params"] / 1e6 for r in rows]
    texts = [f"{r['title']}" + (f" · {r['top1']:.1f}%" if r["top1"] else "") for r in rows]
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            text=texts,
            marker=dict(
                size=12,
                color=top,
                colorscale="Viridis",
                showscale=True,
                colorbar=dict(title="top-1 %", x=1.02, xanchor="left", thickness=14, len=0.9),
                line=dict(width=1, color="#333"),
            ),
            hovertemplate="%{text}<br>%{x:.2f} G mult-adds<br>%{y:.2f} M parameters<extra></extra>",
            name="models",
        )
    )
    (w, h), m = FAMILY_SIZE, FAMILY_MARGIN
    pw, ph = w - m["l"] - m["r"], h - m["t"] - m["b"]
    xr, yr = (_log_range(x, 0.25), _log_range(y, 0.2)) if rows else ([-1, 1], [-1, 1])
    px = [
        ((np.log10(v) - xr[0]) / (xr[1] - xr[0]) * pw, (np.log10(u) - yr[0]) / (yr[1] - yr[0]) * ph)
        for v, u in zip(x, y, strict=True)
    ]
    spots = place_labels(px, texts, FAMILY_FONT, Box(0, 0, pw, ph), radius=7)
    notes, lx, ly = [], [], []
    for (x0, y0), (v, u), t, p in zip(px, zip(x, y, strict=True), texts, spots, strict=True):
        notes.append(
            dict(
                x=float(np.log10(v)),  # annotations on a log axis are placed in log10 units
                y=float(np.log10(u)),
                xshift=p.dx,
                yshift=p.dy,
                xanchor=p.xanchor,
                yanchor=p.yanchor,
                text=t,
                showarrow=False,
                font=dict(size=FAMILY_FONT),
            )
        )
        if p.leader:  # from the point to the nearest corner or edge middle of its label, in data units
            bx = min(max(x0, p.box.x0), p.box.x1)
            by = min(max(y0, p.box.y0), p.box.y1)
            lx += [v, 10 ** (xr[0] + bx / pw * (xr[1] - xr[0])), None]
            ly += [u, 10 ** (yr[0] + by / ph * (yr[1] - yr[0])), None]
    if lx:
        fig.add_trace(
            go.Scatter(
                x=lx,
                y=ly,
                mode="lines",
                line=dict(color="#868e96", width=1),
                hoverinfo="skip",
                showlegend=False,
                name="leader lines",
            )
        )
    fig.update_layout(
        width=w,
        height=h,
        margin=m,
        annotations=notes,
        showlegend=False,
        xaxis=dict(
            type="log",
            range=xr,
            automargin=False,
            title="mult-adds per image (G), at the published resolution",
        ),
        yaxis=dict(type="log", range=yr, automargin=False, title="parameters (M)"),
    )
    return fig


def twin_curves(history: list[dict]) -> go.Figure:
    """Per-step training loss of the plain and the residual twin, overlaid (with moving averages)."""
    from viz.curves import ema

    fig = go.Figure()
    steps = [r["step"] for r in history if "plain_loss" in r and "loss" in r]
    for key, color, name in (("plain_loss", "#e8590c", "plain"), ("residual_loss", "#1c7ed6", "residual")):
        v = [r[key] for r in history if "plain_loss" in r and "loss" in r]
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=v,
                mode="lines",
                line=dict(color=color, width=1),
                opacity=0.25,
                name=f"{name} · batch loss",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=ema(v) if v else v,
                mode="lines",
                line=dict(color=color, width=2.5),
                name=f"{name} train loss",
            )
        )
    fig.update_layout(
        height=340,
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis_title="step",
        yaxis=dict(title="cross-entropy", type="log"),
        legend=dict(orientation="h", y=1.1),
    )
    return fig
