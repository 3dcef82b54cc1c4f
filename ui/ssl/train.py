"""The training lab: SimCLR or BYOL learns an encoder on coloured shapes without their labels, live. The
held-out embeddings in the plane, coloured by the labels the method never saw; the loss, alignment,
uniformity and spread over training; and the linear-probe and k-NN accuracy of the frozen encoder against
raw pixels, an untrained encoder and a supervised one of the same size and budget."""

from __future__ import annotations

import streamlit as st

from archs import ConfigError
from training.recipes import get_recipe
from training.ssl.trainers import SSLTask
from ui import state
from ui.keys import child
from ui.ssl.views import embedding_view, probe_view
from ui.train_panel import current_job, train_panel
from viz.ssl import ssl_curves

KEY = "ssl.t"
TRAIN_KEY = child(KEY, "train")
METHODS = {"SimCLR": "simclr_shapes", "BYOL": "byol_shapes"}
LRS = (1e-4, 3e-4, 1e-3, 2e-3, 5e-3, 1e-2, 3e-2)
BATCHES = (8, 16, 32, 64, 128, 256)
STEPS = (50, 100, 200, 400, 800, 1600)


def _with(options: tuple, value) -> tuple:
    """The options with the recipe's own default among them (it is the slider's starting value)."""
    return tuple(sorted({*options, value}))


def settings() -> tuple | None:
    """The lab's controls; returns (recipe, settings), or None (with a sentence) when they cannot train."""
    c = st.columns([1.4, 2, 2, 2, 1.6])
    recipe = get_recipe(METHODS[c[0].radio("Method", list(METHODS), key=child(KEY, "method"))])
    p = recipe.train_params
    lr = c[1].select_slider(
        "Learning rate",
        _with(LRS, p.get("lr", 1e-3)),
        value=p.get("lr", 1e-3),
        key=child(KEY, recipe.name, "lr"),
        format_func=lambda v: f"{v:g}",
    )
    bs = c[2].select_slider(
        "Batch size N",
        _with(BATCHES, p.get("batch_size", 128)),
        value=p.get("batch_size", 128),
        key=child(KEY, recipe.name, "bs"),
        help="Images per step; SimCLR compares each view with the 2N − 2 views of the other images, so "
        "larger batches give more negatives.",
    )
    steps = c[3].select_slider(
        "Steps",
        _with(STEPS, p.get("num_steps", 400)),
        value=p.get("num_steps", 400),
        key=child(KEY, recipe.name, "steps"),
    )
    s = dict(lr=float(lr), batch_size=int(bs), num_steps=int(steps), seed=state.seed(), device=state.device())
    if recipe.name == "simclr_shapes":
        s["tau"] = float(
            c[4].number_input(
                "Temperature τ",
                value=float(p.get("tau", 0.2)),
                step=0.05,
                format="%.2f",
                key=child(KEY, "tau"),
                help="NT-Xent divides every similarity by τ before the softmax: a small τ weighs the hardest "
                "negatives most.",
            )
        )
    else:
        s["ema"] = float(
            c[4].number_input(
                "EMA rate m",
                value=float(recipe.task(None).ema),  # the recipe's base rate
                step=0.005,
                format="%.3f",
                key=child(KEY, "ema"),
                help="The target's weights move as ξ ← m·ξ + (1 − m)·θ, m rising to 1 by the end: 1 freezes "
                "the target, 0 copies the online network at every step.",
            )
        )
    st.caption(recipe.summary)
    try:  # the task's own checks, before any network is built: τ > 0, m in [0, 1]
        SSLTask(**{k: s[k] for k in ("tau", "ema") if k in s})
    except ConfigError as e:
        st.error(f"**Cannot train with these settings.** {e}", icon=":material/block:")
        return None
    return recipe, s


def encoder_job():
    """The lab's job (trained or not), for the NT-Xent explorer; None before the tab was opened."""
    return current_job(TRAIN_KEY)


def train_lab() -> None:
    got = settings()
    if got is None:
        return
    recipe, s = got

    def render(snap: dict, d) -> None:
        left, right = st.columns([3, 2])
        with left:
            embedding_view(snap, d, child(TRAIN_KEY, "view", "emb"))
        with right:
            probe_view(snap, d, TRAIN_KEY, (recipe.name, tuple(sorted(s.items()))))

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(recipe.name, repr(sorted(s.items()))),
        render=render,
        untrained=True,
        step_sizes=(1, 10, 50),
        curve_figure=ssl_curves,
    )
