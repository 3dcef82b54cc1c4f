"""The capsule-network labs. ``train_lab``: CapsNet trained live on the 8×8 digits (test digits beside
their reconstructions, every capsule's length). ``routing_lab``: with that model, one test digit's capsule
lengths as class probabilities and its coupling coefficients iteration by iteration. ``dimensions_lab``:
the decoder's images while one dimension of the digit's capsule is swept (the paper's Fig. 4)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from training.capsules.task import SWEEP, dimension_sweep, routing_view
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import current_job, train_panel
from viz.capsules import (
    coupling_figure,
    digit_picture,
    entropy_figure,
    lengths_figure,
    parent_share_figure,
    probes_figure,
    sweep_figure,
)

KEY = "capsules.lab"
TRAIN_KEY = child(KEY, "train")
ROUTE, DIMS = "capsules.route", "capsules.dims"
RECIPE = "capsnet_digits"
PICKS = 40  # test digits offered by the pickers


def _settings() -> dict:
    recipe = get_recipe(RECIPE)
    c = st.columns(3)
    default = int(recipe.train_params["num_steps"])
    steps = c[0].select_slider("Steps", sorted({100, 200, default, 600}), default, key=child(KEY, "steps"))
    iters = c[1].select_slider(
        "Routing iterations",
        (1, 2, 3, 5),
        3,
        key=child(KEY, "iters"),
        help="1: every child sends equally to every parent (no routing). The paper uses 3.",
    )
    recon = c[2].select_slider(
        "Reconstruction weight",
        (0.0, 0.005, 0.05),
        0.005,
        key=child(KEY, "recon"),
        help="Weight of the decoder's squared error in the loss. 0.005 on 64 pixels weighs as the paper's "
        "0.0005 on 784; with 0 the capsules need not describe the digit, and the decoder learns nothing.",
    )
    return dict(
        num_steps=int(steps),
        routing_iters=int(iters),
        recon_weight=float(recon),
        seed=state.seed(),
        device=state.device(),
    )


def train_lab() -> None:
    st.markdown(
        "A small CapsNet reads the 8×8 digits: 64 Conv1 maps of 3×3, 8 types of 8-D primary capsules on a "
        "4×4 grid (128 children), ten 16-D digit capsules and a decoder of 64 pixels. The longest digit "
        "capsule is the prediction; below, ten test digits, what the decoder redraws from their longest "
        "capsule, and every capsule's length."
    )
    s = _settings()
    recipe = get_recipe(RECIPE)

    def render(snap: dict, d) -> None:
        plotly_chart(
            probes_figure(snap["probe_images"], snap["probe_recon"], snap["probe_lengths"]),
            key=child(TRAIN_KEY, "view", "probes"),
        )

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        render=render,
        untrained=True,
        step_sizes=(1, 10, 50),
    )


def _job_or_hint():
    job = current_job(TRAIN_KEY)
    if job is None:
        st.info(
            "This tab uses the model of the **Train** tab: open it and press **Train** (100 steps reach "
            "about 97 % test accuracy), then come back here.",
            icon=":material/info:",
        )
        return None
    if not job.snapshot().get("step", 0):
        st.warning(
            "The Train tab's model is still untrained: what follows is the behaviour of random weights.",
            icon=":material/warning:",
        )
    return job


def _pick(job, key: str):
    x, y = job.trainer.splits["test"]
    i = st.selectbox(
        "Test digit",
        range(min(PICKS, len(x))),
        format_func=lambda j: f"#{j}: a {int(y[j])}",
        key=key,
    )
    return x[int(i)], int(y[int(i)])


def routing_lab() -> None:
    job = _job_or_hint()
    if job is None:
        return
    t = job.trainer
    c = st.columns(2)
    with c[0]:
        x, label = _pick(job, child(ROUTE, "digit"))
    iters = c[1].slider(
        "Routing iterations to watch",
        1,
        10,
        int(t.model.cfg.routing_iters),
        key=child(ROUTE, "iters"),
        help="The model was trained with the Train tab's count; here routing may run on for more "
        "iterations, to watch where it converges.",
    )
    with job.lock:
        t.model.eval()
        r = routing_view(t.model, x, int(iters))
    names = [str(k) for k in range(len(r["lengths"]))]
    cfg = t.model.cfg
    left, right = st.columns([2, 3])
    with left:
        st.image(digit_picture(x[0].cpu().numpy()), caption=f"test digit: a {label}", width=96)
        plotly_chart(
            lengths_figure(r["lengths"], names, label, cfg.m_plus, cfg.m_minus), key=child(ROUTE, "lengths")
        )
    with right:
        plotly_chart(parent_share_figure(r["c"], r["child_len"], names), key=child(ROUTE, "share"))
        plotly_chart(entropy_figure(r["entropy"], len(names)), key=child(ROUTE, "entropy"))
    st.markdown(
        f"**Coupling coefficients** $c_{{ij}}$ of the 24 most active of the {len(r['child_len'])} primary "
        "capsules (rows, longest first) with the ten digit capsules, one panel per iteration (at most "
        "four): each row sums to 1; white is the uniform 1/10, blue more, red less. In a small trained "
        "CapsNet the coefficients move only a little from uniform in three iterations, and the class is "
        "already decided by the votes themselves: Paik et al. (2019) found the same for CapsNet on MNIST "
        "and questioned what routing adds. More iterations sharpen them further."
    )
    plotly_chart(coupling_figure(r["c"], r["child_len"], names), key=child(ROUTE, "coupling"))


def dimensions_lab() -> None:
    job = _job_or_hint()
    if job is None:
        return
    t = job.trainer
    if t.model.decoder is None:
        st.info("This CapsNet has no decoder, so there is nothing to redraw.", icon=":material/info:")
        return
    c = st.columns(2)
    with c[0]:
        x, label = _pick(job, child(DIMS, "digit"))
    span = c[1].select_slider(
        "Sweep range ±",
        (0.25, 0.5, 1.0),
        0.5,
        key=child(DIMS, "span"),
        help="The paper sweeps each dimension by ±0.25 in steps of 0.05 (Fig. 4); this small model, "
        "trained for minutes instead of days, shows its dimensions more clearly over a wider range.",
    )
    values = tuple(float(v) for v in np.round(np.asarray(SWEEP) * span / 0.25, 3))
    with job.lock:
        t.model.eval()
        sw = dimension_sweep(t.model, x, values)
    st.markdown(
        f"The digit's longest capsule (class {sw['cls']}) has {len(sw['capsule'])} numbers. Each row adds "
        f"{values[0]:+.2f} … {values[-1]:+.2f} to one of them and lets the decoder redraw the digit: in a "
        "trained model some dimensions change the stroke width, the slant or the size, as in the "
        "paper's Fig. 4; untrained, or with reconstruction weight 0, the rows barely differ."
    )
    c = st.columns([1, 3])
    c[0].image(digit_picture(x[0].cpu().numpy()), caption=f"test digit: a {label}", width=96)
    with c[1]:
        plotly_chart(sweep_figure(sw["images"], sw["values"], sw["cls"]), key=child(DIMS, "sweep"))
