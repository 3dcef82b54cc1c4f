"""The PixelCNN lab: the masks A and B, the receptive field and blind spot of one output pixel measured from
a real model's gradients, and ``pixelcnn_digits`` trained live, its digits drawn pixel by pixel."""

from __future__ import annotations

import numpy as np
import streamlit as st

import archs
from archs.autoregressive.pixelcnn import dependency_map, pixel_mask, receptive_half_width
from archs.spec import ConfigError
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import current_job, train_panel
from viz.autoregressive import (
    BLIND,
    SEEN,
    bits_curves,
    dependency_classes,
    dependency_figure,
    mask_figure,
    next_value_figure,
    sampling_figure,
)

KEY = "autoregressive.px"
TRAIN_KEY = child(KEY, "train")
GRID = 16


def masks_section() -> None:
    st.subheader("Masks A and B")
    k = st.select_slider("Kernel size", (3, 5, 7), 5, key=child(KEY, "mk"))
    a, b = pixel_mask(k, 1, 1, 1, "A")[0, 0].numpy(), pixel_mask(k, 1, 1, 1, "B")[0, 0].numpy()
    plotly_chart(mask_figure(a, b), key=child(KEY, "masks"))
    st.caption(
        "Weights below and right of the centre (red) are zeroed before every use. Mask A also hides the "
        "centre: the first layer reads the image, and a pixel must not see its own value. Later layers read "
        "features that already describe only earlier pixels, so mask B may keep the centre."
    )


@st.cache_data(max_entries=32, show_spinner=False)
def _dependency(layers: int, kernel: int, row: int, col: int) -> np.ndarray:
    import torch

    torch.manual_seed(0)
    model = archs.build_model(
        "pixelcnn", "tiny", image_size=GRID, num_layers=layers, kernel_size=kernel, hidden_dim=8, head_dim=8
    )
    return dependency_map(model, row, col)[0].numpy()


def field_section() -> None:
    st.subheader("What one output pixel sees")
    c = st.columns(4)
    kernel = int(
        c[0].number_input(
            "First-layer kernel (mask A)",
            1,
            15,
            7,
            key=child(KEY, "fk"),
            help="Odd: the mask needs a centre.",
        )
    )
    layers = c[1].slider("Residual blocks (3×3 mask B)", 1, 8, 3, key=child(KEY, "fl"))
    row = c[2].slider("Row", 0, GRID - 1, 10, key=child(KEY, "row"))
    col = c[3].slider("Column", 0, GRID - 1, 8, key=child(KEY, "col"))
    try:
        cfg = archs.get_arch("pixelcnn").make_config("tiny", kernel_size=kernel, num_layers=layers)
    except ConfigError as e:
        st.error(str(e), icon=":material/block:")
        return
    dep = _dependency(layers, kernel, row, col)
    reach = receptive_half_width(cfg)
    cls = dependency_classes(dep, row, col, reach)
    seen, blind = int((cls == SEEN).sum()), int((cls == BLIND).sum())
    title = f"pixel ({row}, {col}) of a {GRID}×{GRID} image: {seen} pixels seen, {blind} in the blind spot"
    plotly_chart(dependency_figure(dep, row, col, reach, title), key=child(KEY, "dep"))
    st.caption(
        "Measured, not drawn from a formula: the gradient of the output pixel's logits with respect to "
        "every input pixel of a real PixelCNN. Nothing after the pixel in raster order is ever seen "
        f"(tested for every pixel). Grey pixels lie beyond the kernels' reach, more than {reach} rows up "
        "or columns aside. The orange wedge up and to the right is within reach and comes before the pixel, "
        "yet no chain of masked kernels gets there: the **blind spot**, which grows with depth. The Gated "
        "PixelCNN removes it with a vertical and a horizontal stack."
    )


def _render(snap: dict, data) -> None:
    ev, base = snap["last_eval"], snap["baseline_bits"]
    if "test_bits" in ev:
        st.metric(
            "Test NLL (bits per pixel)",
            f"{ev['test_bits']:.3f}",
            f"{ev['test_bits'] - base:+.3f} vs the independent model's {base:.3f}",
            delta_color="inverse",
        )
    s = snap["samples"]
    plotly_chart(sampling_figure(s["levels"], snap["levels"], 64), key=child(TRAIN_KEY, "view", "samples"))
    st.caption(f"Digits drawn by the model at step {s['step']:,}; below, test digits for comparison.")
    plotly_chart(sampling_figure(snap["real"], snap["levels"], 64), key=child(TRAIN_KEY, "view", "real"))


def train_section() -> None:
    st.subheader("Train on 8×8 digits")
    c = st.columns(2)
    levels = c[0].select_slider("Grey levels", (2, 4, 8), 4, key=child(KEY, "levels"))
    steps = c[1].select_slider("Training steps", (200, 600, 1500), 600, key=child(KEY, "steps"))
    settings = dict(levels=levels, num_steps=steps, seed=state.seed(), device=state.device())
    recipe = get_recipe("pixelcnn_digits")
    base = recipe.make_data(levels=levels).meta["baseline_bits"]
    st.caption(
        f"Baseline: every pixel drawn independently from its own histogram (smoothing tuned on the "
        f"validation split) costs **{base:.3f} bits per pixel** on the test digits at {levels} levels."
    )
    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**settings),
        signature=repr(sorted(settings.items())),
        render=_render,
        untrained=True,
        curve_figure=lambda h: bits_curves(h, base),
    )
    step_view()


def step_view() -> None:
    st.subheader("Pixel by pixel")
    job = current_job(TRAIN_KEY)
    if job is None:
        st.info("Press **Train** (or **Step**) above: then watch the model draw digits one pixel at a time.")
        return
    seed = int(st.number_input("Sampling seed", 0, 10_000, 0, key=child(KEY, "seed")))
    with job.lock:
        s = job.trainer.draw(seed=seed)
    L = job.trainer.data.meta["levels"]
    n_px = s["levels"].shape[1] * s["levels"].shape[2]
    drawn = st.slider("Pixels drawn (raster order)", 0, n_px, n_px // 2, key=child(KEY, "drawn"))
    plotly_chart(sampling_figure(s["levels"], L, drawn), key=child(KEY, "stepview"))
    if drawn < n_px:
        p = s["probs"][drawn, 0]
        chosen = int(s["levels"][0].ravel()[drawn])
        title = f"p(next pixel | the {drawn} before it), first image: level {chosen} drawn"
        plotly_chart(next_value_figure(p, chosen, title), key=child(KEY, "probs"))
    st.caption(
        "Red: the next pixel; pale blue: not drawn yet. Each pixel is one forward pass of the network."
    )


def pixelcnn_lab() -> None:
    st.markdown(
        "PixelCNN reads an image row by row and gives every pixel a softmax over its values, computed by "
        "convolutions whose kernels cannot see the pixel itself or anything after it."
    )
    masks_section()
    field_section()
    train_section()
