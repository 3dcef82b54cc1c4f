"""The convolution explainer's arithmetic and figures (the CNN page's Convolution tab): convolve an
image with a kernel at a stride, padding and dilation, pool the result, and draw the padded input with
the kernel's taps, the kernel, the output map, one output pixel as a dot product, and the pooled map.

``convolve`` is the explainer's own small computation (PyTorch's ``conv2d`` under the hood, so the
numbers are exactly what a Conv2d layer computes); bad settings raise ValueError with a sentence.
Figures are for reading: every pixel square (``scaleanchor``), each kernel tap drawn where it lands
(a dilated kernel is a sparse grid of taps, not a solid box), numbers rounded to a few characters
(``cell_texts``: a kernel of small integers times a factor such as 1/256 where it is one), at
``CELL_FONT`` px in black or white, whichever contrasts more with the cell's colour.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

CELL_FONT = 13
TAP = "#e8590c"

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


def cell_texts(z: np.ndarray) -> tuple[list[list[str]], str]:
    """Short texts for a small matrix's cells and the factor they are to be multiplied by ("" for 1):
    integers as they are; a multiple of 1/n with small integer multiples (the box and Gaussian blurs)
    as those integers, "× 1/n"; anything else rounded to two significant digits of its largest value,
    as integers times a power of ten ("× 0.01")."""
    z = np.asarray(z, float)
    ints = lambda q: [[str(int(v)) for v in row] for row in np.round(q)]  # noqa: E731
    if np.allclose(z, np.round(z)) and np.abs(z).max(initial=0) < 1000:
        return ints(z), ""
    nonzero = np.abs(z[np.abs(z) > 1e-12])
    unit = nonzero.min() if nonzero.size else 1.0
    q = z / unit
    if np.allclose(q, np.round(q), atol=1e-3) and np.abs(q).max() < 1000:
        n = 1 / unit
        return ints(q), f"× 1/{round(n)}" if abs(n - round(n)) < 1e-3 else f"× {unit:.3g}"
    scale = 10.0 ** (math.floor(math.log10(np.abs(z).max())) - 1)
    return ints(z / scale), f"× {scale:g}"


def _contrast_colour(rgb: str) -> str:
    r, g, b = (int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    lum = 0.2126 * r**2.2 + 0.7152 * g**2.2 + 0.0722 * b**2.2  # relative luminance, about
    return "#000" if lum > 0.22 else "#fff"


def cell_colours(z: np.ndarray, colorscale: str, zmid: float | None) -> list[list[str]]:
    """The colour Plotly paints each cell of a heatmap of ``z`` (its default zmin/zmax; symmetric
    around ``zmid`` when given), as an "rgb(…)" string."""
    z = np.asarray(z, float)
    if zmid is not None:
        half = max(np.abs(z - zmid).max(), 1e-12)
        lo, hi = zmid - half, zmid + half
    else:
        lo, hi = float(z.min()), float(z.max())
    t = np.clip((z - lo) / ((hi - lo) or 1.0), 0, 1)
    return [sample_colorscale(colorscale, row.tolist()) for row in t]


def _hm(z, colorscale="gray", zmid=None, showscale=False):
    return go.Heatmap(
        z=z,
        colorscale=colorscale,
        zmid=zmid,
        showscale=showscale,
        hovertemplate="(%{y}, %{x}): %{z:.3f}<extra></extra>",
    )


def _numbers(fig, z, texts, colorscale, zmid, row, col) -> None:
    """Each cell's text as an annotation: CELL_FONT px, black or white against the cell's colour."""
    for i, (trow, crow) in enumerate(zip(texts, cell_colours(z, colorscale, zmid), strict=True)):
        for j, (t, c) in enumerate(zip(trow, crow, strict=True)):
            fig.add_annotation(
                x=j,
                y=i,
                text=t,
                showarrow=False,
                font=dict(size=CELL_FONT, color=_contrast_colour(c)),
                row=row,
                col=col,
            )


def _square(fig, cols) -> None:
    for c in cols:
        fig.update_yaxes(
            autorange="reversed", scaleanchor=f"x{'' if c == 1 else c}", visible=False, row=1, col=c
        )
        fig.update_xaxes(visible=False, constrain="domain", row=1, col=c)


def explainer_figure(padded, kernel, out, i, j, s, d, pad) -> go.Figure:
    """Padded input with the taps of the kernel for output (i, j) (each tap its own square, at its
    dilated position), the kernel with its numbers, and the output map."""
    k = kernel.shape[0]
    texts, factor = cell_texts(kernel)
    fig = make_subplots(
        1,
        3,
        subplot_titles=("input (padded)", f"kernel {factor}".strip(), "output map"),
        column_widths=[0.38, 0.24, 0.38],
        horizontal_spacing=0.04,
    )
    fig.add_trace(_hm(padded), 1, 1)
    fig.add_trace(_hm(kernel, "RdBu", 0.0), 1, 2)
    _numbers(fig, kernel, texts, "RdBu", 0.0, 1, 2)
    fig.add_trace(_hm(out, "RdBu", 0.0), 1, 3)
    y0, x0 = i * s - 0.5, j * s - 0.5
    span = d * (k - 1) + 1
    if d > 1:  # the field the taps spread over, faint: the taps are what the kernel reads
        fig.add_shape(
            type="rect",
            x0=x0,
            x1=x0 + span,
            y0=y0,
            y1=y0 + span,
            name="receptive field",
            line=dict(color=TAP, width=1, dash="dot"),
            row=1,
            col=1,
        )
    for m in range(k):
        for n in range(k):
            fig.add_shape(
                type="rect",
                x0=x0 + n * d,
                x1=x0 + n * d + 1,
                y0=y0 + m * d,
                y1=y0 + m * d + 1,
                name="kernel tap",
                line=dict(color=TAP, width=2),
                row=1,
                col=1,
            )
    fig.add_shape(
        type="rect",
        x0=j - 0.5,
        x1=j + 0.5,
        y0=i - 0.5,
        y1=i + 0.5,
        name="output pixel",
        line=dict(color=TAP, width=3),
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
            name="input",
            line=dict(color="#2b8a3e", width=1, dash="dot"),
            row=1,
            col=1,
        )
    _square(fig, (1, 2, 3))
    fig.update_layout(height=320, margin=dict(l=5, r=5, t=30, b=5))
    return fig


def dot_product_figure(patch: np.ndarray, kernel: np.ndarray) -> go.Figure:
    """patch ⊙ kernel, element by element, whose sum is the output pixel."""
    prod = patch * kernel
    fig = make_subplots(
        1, 3, subplot_titles=("patch X(i+m, j+n)", "kernel W(m, n)", "products (sum = output)")
    )
    for c, (z, cs, mid) in enumerate(((patch, "gray", None), (kernel, "RdBu", 0.0), (prod, "RdBu", 0.0)), 1):
        fig.add_trace(_hm(z, cs, mid), 1, c)
        if z.shape[0] <= 7:
            texts = cell_texts(kernel)[0] if c == 2 else [[f"{v:.2f}" for v in row] for row in z]
            _numbers(fig, z, texts, cs, mid, 1, c)
    _square(fig, (1, 2, 3))
    fig.update_layout(height=300, margin=dict(l=5, r=5, t=30, b=5))
    fig.layout.annotations[1].text += f" {cell_texts(kernel)[1]}".rstrip()
    return fig


def pooled_figure(pooled: np.ndarray, kind: str, size: int, before: tuple[int, int]) -> go.Figure:
    """The pooled map with square pixels."""
    fig = go.Figure(_hm(pooled, "RdBu", 0.0, showscale=True))
    fig.update_layout(
        title=f"{kind} pooling {size}×{size}, stride {size}: {before[0]}×{before[1]} → "
        f"{pooled.shape[0]}×{pooled.shape[1]}",
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
        yaxis=dict(autorange="reversed", scaleanchor="x", scaleratio=1, visible=False),
        xaxis=dict(constrain="domain", visible=False),
    )
    return fig
