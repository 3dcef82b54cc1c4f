"""The convolution explainer: an input (digit, shape or upload), a kernel, stride / padding / dilation
and pooling; the output map, the output-size formula filled in, and one output pixel as a dot product."""

from __future__ import annotations

import numpy as np
import streamlit as st

from data import digits
from data.images import ImageRejected, load_image
from data.shapes import KINDS, draw
from ui import state
from ui.charts import plotly_chart
from viz.convolution import (
    KERNELS,
    convolve,
    dot_product_figure,
    explainer_figure,
    patch_at,
    pool,
    pooled_figure,
    size_formula,
)


def _input_image(key: str) -> np.ndarray | None:
    src = st.segmented_control(
        "Input", ["digit", "shape", "upload"], default="digit", key=f"{key}.src", help="What to convolve."
    )
    if src == "shape":
        kind = st.selectbox("Shape", KINDS, key=f"{key}.shape")
        return draw(kind, 28, 14, 14, 9)
    if src == "upload":
        f = st.file_uploader(
            "An image (PNG, JPEG, GIF, BMP or WebP; at most 5 MB)",
            type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
            key=f"{key}.upload",
        )
        if f is None:
            st.info("Upload a picture; it is converted to grey and scaled to 48 pixels on its longer side.")
            return None
        try:
            return load_image(f.getvalue(), size=48)
        except ImageRejected as e:
            st.error(f"**This upload cannot be used.** {e}", icon=":material/block:")
            return None
    d = digits(size=28)
    idx = st.slider("Digit", 0, 49, 0, key=f"{key}.digit", help="Which test digit (28×28) to use.")
    return np.asarray(d.x_test[idx, 0])


def explainer(key: str, learned: dict[str, np.ndarray] | None = None) -> None:
    """``learned`` maps names to (k, k) filters of a trained model, offered beside the classic kernels."""
    c1, c2 = st.columns([1, 2])
    with c1:
        image = _input_image(key)
        kernels = {**KERNELS, **(learned or {})}
        kname = st.selectbox(
            "Kernel",
            list(kernels),
            key=f"{key}.kernel",
            help="Classic hand-made filters"
            + (
                ", and the first-layer filters of your trained model."
                if learned
                else ". Train a model to add its learned first-layer filters."
            ),
        )
        kernel = kernels[kname]
        s = st.number_input("Stride s", 0, 8, 1, key=f"{key}.stride", help="Step of the kernel, in pixels.")
        p = st.number_input("Padding p", 0, 20, 1, key=f"{key}.pad", help="Zeros added around the input.")
        dil = st.number_input("Dilation d", 1, 8, 1, key=f"{key}.dil", help="Gaps between kernel taps.")
        pk = st.segmented_control("Pooling", ["none", "max", "average"], default="max", key=f"{key}.pool")
        ps = st.number_input("Pooling window", 1, 8, 2, key=f"{key}.psize", disabled=pk in (None, "none"))
    if image is None:
        return
    with c2:
        try:
            out, padded = convolve(image, kernel, int(s), int(p), int(dil))
        except ValueError as e:
            st.error(f"**Impossible convolution.** {e}", icon=":material/block:")
            return
        k = kernel.shape[0]
        st.latex(size_formula(image.shape[0], k, int(s), int(p), int(dil)))
        oi = st.slider("Output row i", 0, out.shape[0] - 1, out.shape[0] // 2, key=f"{key}.i")
        oj = st.slider("Output column j", 0, out.shape[1] - 1, out.shape[1] // 2, key=f"{key}.j")
        # the figure is kept for reruns that change nothing it shows (another widget of the page)
        version = (image.tobytes(), image.shape, kernel.tobytes(), k, int(s), int(p), int(dil), oi, oj)
        args = (padded, kernel, out, oi, oj, int(s), int(dil), int(p))
        fig = state.memo(f"{key}.figm", version, lambda: explainer_figure(*args))
        plotly_chart(fig, key=f"{key}.fig")
    patch = patch_at(padded, oi, oj, k, int(s), int(dil))
    st.markdown(
        f"**Output pixel ({oi}, {oj})** is the dot product of the {k}×{k} patch under the kernel "
        "and the kernel: "
        f"$\\sum_m \\sum_n X({oi}\\cdot{int(s)}+m\\cdot{int(dil)},\\ "
        f"{oj}\\cdot{int(s)}+n\\cdot{int(dil)})\\,W(m, n)$ = "
        f"**{float((patch * kernel).sum()):.4f}** (the map shows {float(out[oi, oj]):.4f})."
    )
    dot = state.memo(f"{key}.dotm", version, lambda: dot_product_figure(patch, kernel))
    plotly_chart(dot, key=f"{key}.dot")
    if pk not in (None, "none"):
        try:
            pooled = pool(out, "max" if pk == "max" else "avg", int(ps))
        except ValueError as e:
            st.error(f"**Impossible pooling.** {e}", icon=":material/block:")
            return
        plotly_chart(pooled_figure(pooled, pk, int(ps), out.shape), key=f"{key}.pooled")
