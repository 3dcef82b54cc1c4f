"""The Mixer lab: a small MLP-Mixer trained live on digits; its token-mixing weights drawn on the patch
grid beside its channel-mixing weights, for any layer."""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st
import torch

import archs
from archs import get_arch
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.panels import guarded as shared_guarded
from ui.train_panel import train_panel
from viz.modern_vision import channel_mixing_figure, token_mixing_figure

KEY = "modern_vision.mixer"
TRAIN_KEY = child(KEY, "train")
RECIPE = "mixer_digits"


@functools.lru_cache(maxsize=8)
def _initial(cfg, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The first MLP weights of every layer as the recipe initialises them (same seed, same config)."""
    torch.manual_seed(seed)
    m = archs.build_from_config(get_arch("mlp_mixer_b16"), cfg)
    return [
        (m.token_mixing_weights(i).detach().numpy(), m.channel_mixing_weights(i).detach().numpy())
        for i in range(cfg.depth)
    ]


def mixer_lab() -> None:
    recipe = get_recipe(RECIPE)
    st.markdown(
        "A Mixer of three layers reads scikit-learn's digits at 16×16 pixels, cut into patches. Each "
        "token-mixing map below is one hidden unit of the first MLP: its weights over the **patch grid**, "
        "red where a patch adds, blue where it subtracts. The paper's trained Mixers grow local, "
        "often paired, detectors there. The channel-mixing weights beside them have no spatial layout "
        "at all: the same small matrix is applied to every patch."
    )
    c = st.columns(3)
    patch = c[0].select_slider(
        "Patch size P",
        (1, 2, 3, 4, 8),
        2,
        key=child(KEY, "patch"),
        help="Pixels per patch side: 16/P patches per side. It must divide 16.",
    )
    steps = c[1].select_slider("Steps", (100, 200, 400, 600, 1000), 600, key=child(KEY, "steps"))
    depth = int(recipe.arch_overrides["depth"])
    layer = c[2].select_slider("Layer", list(range(1, depth + 1)), 1, key=child(KEY, "layer"))
    s = dict(patch_size=int(patch), num_steps=int(steps), seed=state.seed(), device=state.device())
    get_arch(recipe.arch).make_config(
        "tiny", **{**recipe.arch_overrides, "patch_size": int(patch)}, in_channels=1, image_size=16
    )  # refuses a patch that does not tile the image, before anything trains

    delta = st.toggle(
        "Show what training changed: W − W at initialisation",
        True,
        key=child(KEY, "delta"),
        help="A few hundred steps move the weights little next to their random start; the change shows "
        "what was learned.",
    )

    def probes(_data) -> dict:
        i = int(layer) - 1
        return {
            "token_w": lambda m: m.token_mixing_weights(i).detach().cpu().numpy(),
            "channel_w": lambda m: m.channel_mixing_weights(i).detach().cpu().numpy(),
            "token_0": lambda m: _initial(m.cfg, s["seed"])[i][0],
            "channel_0": lambda m: _initial(m.cfg, s["seed"])[i][1],
        }

    def render(snap: dict, _data) -> None:
        change = delta and snap["step"] > 0
        tok = snap["token_w"] - snap["token_0"] if change else snap["token_w"]
        ch = snap["channel_w"] - snap["channel_0"] if change else snap["channel_w"]
        what = "the change of " if change else ""
        left, right = st.columns([3, 2])
        with left:
            st.markdown(f"**Token mixing**, layer {layer}: {what}$W_1$, 16 of its units on the patch grid")
            plotly_chart(token_mixing_figure(tok), key=child(TRAIN_KEY, "view", "token"))
        with right:
            st.markdown(f"**Channel mixing**, layer {layer}: {what}$W_3$, 32 units × channels")
            plotly_chart(channel_mixing_figure(ch), key=child(TRAIN_KEY, "view", "channel"))
        ev = snap.get("last_eval") or {}
        if "test_acc" in ev:
            st.markdown(f"Test accuracy: **{ev['test_acc']:.1%}** on {len(_data.x_test)} held-out digits.")

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        probes=probes,
        render=render,
        untrained=True,
        step_sizes=(1, 10, 100),
    )


def guarded(lab) -> None:
    """Run a lab; a setting it refuses is a sentence, not a traceback."""
    shared_guarded(lab, "Impossible setting.")
