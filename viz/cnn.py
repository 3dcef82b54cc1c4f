"""Figures of the CNN page: the convolution explainer (with its arithmetic), feature maps, filters,
attribution overlays, receptive-field growth and the family chart. Arrays in, Plotly figures out.

``convolve`` is the explainer's own small computation (PyTorch's ``conv2d`` under the hood, so the
numbers are exactly what a Conv2d layer computes); bad settings raise ValueError with a sentence.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F
from plotly.subplots import make_subplots

KERNELS: dict[str, np.ndarray] = {
    "vertical edge (Sobel x)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32),
    "edge (Laplacian)": np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]], np.float32),
    "horizontal edge (Sobel y)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float32),
    "blur (box 3×3)": np.full((3, 3), 1 / 9, np.float32),
    "blur (Gaussian 5×5)": (np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256).astype(np.float32),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32),
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], np.float32),
}


def out_size(n: int, k: int, s: int, p: int, d: int) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def size_formula(n: int, k: int, s: int, p: int, d: int) -> str:
    """The output-size formula as LaTeX, with the numbers filled in."""
    o = out_size(n, k, s, p, d)
    return (
        r"\begin{aligned} n_\text{out} &= \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1 \\ &= "
        rf"\left\lfloor \frac{{{n} + 2\cdot{p} - {d}\cdot({k}-1) - 1}}{{{s}}} \right\rfloor + 1 = {o}"
        r"\end{aligned}"
    )


def convolve(image: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1):
    """(H, W) image * (k, k) kernel as a Conv2d computes it (cross-correlation). Returns
    (output, padded input). Raises ValueError with a sentence for impossible settings."""
    if stride < 1:
        raise ValueError(f"The stride must be at least 1 (got {stride}): the kernel has to move.")
    if padding < 0 or dilation < 1:
        raise ValueError("Padding cannot be negative and dilation must be at least 1.")
    h, w = image.shape
    k = kernel.shape[0]
    span = dilation * (k - 1) + 1
    if span > min(h, w) + 2 * padding:
        raise ValueError(
            f"The kernel spans {span}×{span} pixels (size {k}, dilation {dilation}) but the padded input is "
            f"only {h + 2 * padding}×{w + 2 * padding}: use a smaller kernel or dilation, or more padding."
        )
    x = torch.as_tensor(np.asarray(image, np.float32))[None, None]
    wt = torch.as_tensor(np.asarray(kernel, np.float32))[None, None]
    out = F.conv2d(x, wt, stride=stride, padding=padding, dilation=dilation)[0, 0].numpy()
    padded = F.pad(x, (padding,) * 4)[0, 0].numpy()
    return out, padded


def pool(fmap: np.ndarray, kind: str, size: int) -> np.ndarray:
    """Max or average pooling with a size×size window and stride = size."""
    if size < 1 or size > min(fmap.shape):
        raise ValueError(
            f"A {size}×{size} pooling window does not fit a {fmap.shape[0]}×{fmap.shape[1]} map."
        )
    t = torch.as_tensor(fmap)[None, None]
    return (F.max_pool2d if kind == "max" else F.avg_pool2d)(t, size)[0, 0].numpy()


def patch_at(padded: np.ndarray, i: int, j: int, k: int, s: int, d: int) -> np.ndarray:
    """The k×k input values under the kernel for output pixel (i, j)."""
    return padded[i * s : i * s + d * (k - 1) + 1 : d, j * s : j * s + d * (k - 1) + 1 : d]


def _fmt(z: np.ndarray) -> list[list[str]]:
    return [[f"{v:.2f}" for v in row] for row in np.asarray(z, float)]


def _hm(z, colorscale="gray", zmid=None, showscale=False, text=None):
    return go.Heatmap(
        z=z,
        colorscale=colorscale,
        zmid=zmid,
        showscale=showscale,
        text=text,
        texttemplate="%{text}" if text is not None else None,
        hovertemplate="(%{y}, %{x}): %{z:.3f}<extra></extra>",
    )


def explainer_figure(padded, kernel, out, i, j, s, d, pad) -> go.Figure:
    """Padded input with the receptive patch of output (i, j) outlined, the kernel, and the output map."""
    k = kernel.shape[0]
    fig = make_subplots(
        1,
        3,
        subplot_titles=("input (padded)", "kernel", "output map"),
        column_widths=[0.42, 0.16, 0.42],
        horizontal_spacing=0.05,
    )
    fig.add_trace(_hm(padded), 1, 1)
    kt = _fmt(kernel) if k <= 7 else None
    fig.add_trace(_hm(kernel, "RdBu", 0.0, text=kt), 1, 2)
    fig.add_trace(_hm(out, "RdBu", 0.0), 1, 3)
    y0, x0 = i * s - 0.5, j * s - 0.5
    span = d * (k - 1) + 1
    fig.add_shape(
        type="rect",
        x0=x0,
        x1=x0 + span,
        y0=y0,
        y1=y0 + span,
        line=dict(color="#e8590c", width=3),
        row=1,
        col=1,
    )
    fig.add_shape(
        type="rect",
        x0=j - 0.5,
        x1=j + 0.5,
        y0=i - 0.5,
        y1=i + 0.5,
        line=dict(color="#e8590c", width=3),
        row=1,
        col=3,
    )
    if pad:
        n0, n1 = pad - 0.5, padded.shape[0] - pad - 0.5
        fig.add_shape(
            type="rect",
            x0=n0,
            x1=padded.shape[1] - pad - 0.5,
            y0=n0,
            y1=n1,
            line=dict(color="#2b8a3e", width=1, dash="dot"),
            row=1,
            col=1,
        )
    for c in (1, 2, 3):
        fig.update_yaxes(
            autorange="reversed", scaleanchor=f"x{'' if c == 1 else c}", visible=False, row=1, col=c
        )
        fig.update_xaxes(visible=False, row=1, col=c)
    fig.update_layout(height=380, margin=dict(l=5, r=5, t=30, b=5))
    return fig


def dot_product_figure(patch: np.ndarray, kernel: np.ndarray) -> go.Figure:
    """patch ⊙ kernel, element by element, whose sum is the output pixel."""
    prod = patch * kernel
    fig = make_subplots(
        1, 3, subplot_titles=("patch X(i+m, j+n)", "kernel W(m, n)", "products (sum = output)")
    )
    for c, (z, cs, mid) in enumerate(((patch, "gray", None), (kernel, "RdBu", 0.0), (prod, "RdBu", 0.0)), 1):
        fig.add_trace(_hm(z, cs, mid, text=_fmt(z) if z.shape[0] <= 7 else None), 1, c)
        fig.update_yaxes(autorange="reversed", visible=False, row=1, col=c)
        fig.update_xaxes(visible=False, row=1, col=c)
    fig.update_layout(height=260, margin=dict(l=5, r=5, t=30, b=5))
    return fig


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
