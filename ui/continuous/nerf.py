"""The NeRF lab: NeRF's coordinate MLP stores a procedural image, once with the positional encoding
γ(p) and once on raw (x, y), trained side by side; both reconstructions and their PSNR curves."""

from __future__ import annotations

import streamlit as st

from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.continuous import image_trio_figure, psnr_curves

KEY = "continuous.nerf"
TRAIN_KEY = child(KEY, "train")
RECIPE = "nerf_fit"


def nerf_lab() -> None:
    st.markdown(
        "A coordinate MLP maps a pixel's position (x, y) to its colour: the image **is** the network. The "
        "same 4-layer network learns it twice, on the same batches: once reading γ(p), the sines and "
        "cosines of 2⁰πp … 2^(L−1)πp, and once reading (x, y) itself. Networks learn low frequencies "
        "first (spectral bias); without the encoding, the rings and the checkerboard stay a blur."
    )
    c = st.columns(3)
    freqs = c[0].select_slider(
        "Frequencies L",
        (1, 2, 4, 6, 8, 10),
        6,
        key=child(KEY, "freqs"),
        help="γ(p) of each coordinate holds 2L numbers; NeRF uses 10 for positions in 3-D.",
    )
    width = c[1].select_slider("Width", (32, 64, 128, 256), 64, key=child(KEY, "width"))
    steps = c[2].select_slider("Steps", (150, 300, 600, 1200), 600, key=child(KEY, "steps"))
    s = dict(
        pos_freqs=int(freqs),
        hidden_dim=int(width),
        num_steps=int(steps),
        seed=state.seed(),
        device=state.device(),
    )
    recipe = get_recipe(RECIPE)

    def render(snap: dict, d) -> None:
        ev = snap.get("last_eval") or {}
        psnr = (ev["test_psnr"], ev["test_twin_psnr"]) if "test_psnr" in ev else None
        plotly_chart(
            image_trio_figure(snap["image"], snap["recon"], snap["twin_recon"], psnr),
            key=child(TRAIN_KEY, "view", "images"),
        )
        if psnr:
            st.markdown(
                f"PSNR with γ(p) **{psnr[0]:.1f} dB**, on raw coordinates **{psnr[1]:.1f} dB**: "
                f"{psnr[0] - psnr[1]:+.1f} dB after {snap['step']} steps (3 dB less error halves the MSE)."
            )

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        render=render,
        untrained=True,
        step_sizes=(1, 10, 100),
        curve_figure=psnr_curves,
    )
