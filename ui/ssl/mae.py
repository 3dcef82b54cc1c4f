"""The masked-autoencoder lab: a small ViT learns to fill in the hidden patches of digits, live. Eight
held-out digits, what the encoder sees at the chosen mask ratio and the reconstruction, redrawn while it
trains; the ratio can be moved at any time, trained or not."""

from __future__ import annotations

import streamlit as st

from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.ssl.common import as_tensor
from ui.train_panel import train_panel
from viz.ssl import mae_curves, reconstruction_figure

KEY = "ssl.mae"
TRAIN_KEY = child(KEY, "train")
RECIPE = "mae_digits"
RATIOS = (0.0, 0.25, 0.5, 0.6, 0.75, 0.9)


def _recon_probe(d, ratio: float, seed: int):
    """A probe: the model's reconstruction of 8 fixed held-out images at ``ratio``."""
    x = as_tensor(d.x_test[:8])

    def probe(model):
        return model.reconstruct(x.to(next(model.parameters()).device), ratio, seed)

    return probe


def mae_lab() -> None:
    st.markdown(
        "The digits are cut into patches; a random share of them is hidden. The encoder sees only the "
        "visible ones, the decoder predicts every pixel of the hidden ones, and the loss counts only "
        "those. MAE trains at 75 %: with few patches hidden, a neighbour's pixels give the answer away."
    )
    c = st.columns([2, 2, 3])
    train_ratio = c[0].select_slider(
        "Mask ratio in training",
        RATIOS[1:],
        value=0.75,
        key=child(KEY, "train_ratio"),
        help="The share of patches hidden at every training step.",
    )
    ratio = c[1].select_slider(
        "Mask ratio shown",
        RATIOS,
        value=0.75,
        key=child(KEY, "ratio"),
        help="The share of patches hidden in the images below; change it at any time.",
    )
    recipe = get_recipe(RECIPE)
    c[2].caption(recipe.summary)
    s = dict(mask_ratio=float(train_ratio), seed=state.seed(), device=state.device())

    def render(snap: dict, d) -> None:
        r = snap.get("recon")
        if r is None:
            return
        step = snap["step"]
        plotly_chart(
            reconstruction_figure(
                d.x_test[:8],
                r["masked"].cpu().numpy(),
                r["reconstruction"].cpu().numpy(),
                title=f"{ratio:.0%} of the patches hidden · "
                + (f"after {step} step{'s' if step != 1 else ''}" if step else "untrained"),
            ),
            key=child(TRAIN_KEY, "view", "recon"),
        )

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        probes=lambda d: {"recon": _recon_probe(d, float(ratio), state.seed())},
        render=render,
        untrained=True,
        step_sizes=(1, 10, 50),
        curve_figure=mae_curves,
    )
