"""The GAN page's 2-D lab, after GAN Lab: real and generated points, D's verdict over the plane, G's
warped noise grid, gradient arrows, loss curves, live mode coverage; every setting a control."""

from __future__ import annotations

import math

import streamlit as st

from archs.spec import ConfigError
from data.points2d import points2d
from training.gan.probes import lab_probe
from training.gan.trainer import GAN_LOSSES, GAN_OPTIMIZERS
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.jobs import job_board
from ui.train_panel import train_panel
from viz.gan import gan_curves, lab_figure

TARGETS = {
    "ring8": "ring of 8 Gaussians",
    "grid25": "grid of 25 Gaussians",
    "moons": "two moons",
    "line": "a line",
    "spiral": "a spiral",
}
LAYERS = {
    "heat": "D's output",
    "real": "real points",
    "fake": "generated points",
    "grid": "G's noise grid",
    "arrows": "gradient arrows",
}


def lab_problems(lr: float, lr_d: float, k_d: int, k_g: int, noise_dim: int) -> list[str]:
    """Sentences for impossible settings (the page shows them instead of training)."""
    out = []
    for name, v in (("generator", lr), ("discriminator", lr_d)):
        if not (v > 0 and math.isfinite(v)):
            out.append(
                f"The {name}'s learning rate must be positive (it is {v:g}): a zero or negative rate "
                "never moves the weights, or moves them uphill."
            )
    if noise_dim < 1:
        out.append("The noise dimension must be at least 1: G needs random numbers to turn into samples.")
    if k_d == 0 and k_g == 0:
        out.append("$k_D = k_G = 0$ means neither network is ever updated: give D or G at least one step.")
    return out


def _controls() -> dict:
    c = st.columns([1.3, 1, 1, 1])  # the targets' names are the longest
    target = c[0].selectbox(
        "Target distribution", list(TARGETS), format_func=TARGETS.get, key="gan.lab.target"
    )
    loss = c[1].selectbox(
        "Loss",
        GAN_LOSSES,
        index=1,
        key="gan.lab.loss",
        help="minimax and non-saturating: the original game; least squares: LSGAN; hinge: SAGAN's; "
        "wasserstein: a clipped critic; wgan_gp: a critic with a gradient penalty.",
    )
    opt = c[2].selectbox("Optimizer", GAN_OPTIMIZERS, key="gan.lab.opt")
    noise = c[3].selectbox("Noise p(z)", ("gaussian", "uniform"), key="gan.lab.noise")
    c = st.columns(4)
    lr = c[0].number_input("G learning rate", value=1e-3, step=1e-4, format="%.5f", key="gan.lab.lr")
    lr_d = c[1].number_input("D learning rate", value=1e-3, step=1e-4, format="%.5f", key="gan.lab.lr_d")
    k_d = c[2].number_input("$k_D$ (D steps per step)", 0, 10, 1, key="gan.lab.kd")
    k_g = c[3].number_input("$k_G$ (G steps per step)", 0, 10, 1, key="gan.lab.kg")
    c = st.columns(4)
    layers = c[0].slider("Hidden layers (G and D)", 1, 6, 3, key="gan.lab.layers")
    neurons = c[1].select_slider(
        "Neurons per layer", (8, 16, 32, 64, 128, 256), value=128, key="gan.lab.neurons"
    )
    noise_dim = c[2].number_input(
        "Noise dimension",
        0,
        64,
        2,
        key="gan.lab.zdim",
        help="2 lets the lab draw G's mapping of the noise plane as a warped grid.",
    )
    steps = c[3].select_slider("Steps", (500, 1000, 2000, 5000, 10000), value=2000, key="gan.lab.steps")
    return dict(
        target=target,
        loss=loss,
        opt=opt,
        noise=noise,
        lr=float(lr),
        lr_d=float(lr_d),
        k_d=int(k_d),
        k_g=int(k_g),
        layers=layers,
        neurons=neurons,
        noise_dim=int(noise_dim),
        steps=steps,
    )


def gan_lab() -> None:
    s = _controls()
    slow = st.toggle(
        "Slow motion", key="gan.lab.slow", help="Sleep 0.2 s after every step to watch each move."
    )
    # pills on a row of their own: in a narrow column (1024 px) a multiselect's chips overflowed, and pills
    # do not wrap
    show = (
        st.pills(
            "Show",
            list(LAYERS),
            selection_mode="multi",
            default=list(LAYERS),
            format_func=LAYERS.get,
            key="gan.lab.show",
            help="The layers of the lab's picture; click one to hide or show it.",
        )
        or []
    )
    problems = lab_problems(s["lr"], s["lr_d"], s["k_d"], s["k_g"], s["noise_dim"])
    for p in problems:
        st.error(p, icon=":material/block:")
    if problems:
        return
    settings = dict(
        name=s["target"],
        gan_loss=s["loss"],
        optimizer=s["opt"],
        lr=s["lr"],
        lr_d=s["lr_d"],
        k_d=s["k_d"],
        k_g=s["k_g"],
        num_layers=s["layers"],
        hidden_dim=s["neurons"],
        latent_dim=s["noise_dim"],
        noise=s["noise"],
        num_steps=s["steps"],
        seed=state.seed(),
        device=state.device(),
    )
    recipe = get_recipe("gan_8gaussians")
    real = points2d(s["target"], 600, seed=99)

    def make():
        return recipe.trainer(**settings, step_delay=0.2 if slow else 0.0)

    def render(snap, data):
        lab = snap.get("lab")
        if not lab:
            return
        if lab["stats"]:
            m = st.columns(3)
            m[0].metric(
                "Modes covered",
                f"{int(lab['stats']['modes_covered'])} / {'8' if s['target'] == 'ring8' else '25'}",
            )
            m[1].metric(
                "High-quality samples",
                f"{lab['stats']['high_quality']:.0%}",
                help="Share of 2,000 generated points within 3 standard deviations of a mode's centre.",
            )
            m[2].metric("Step", snap["step"])
        fig = state.memo("gan.lab.figm", state.fingerprint(lab, show), lambda: lab_figure(lab, show=show))
        plotly_chart(fig, key=f"gan.lab.fig.{snap['status']}")
        if snap["history"]:
            plotly_chart(gan_curves(snap["history"]), key=f"gan.lab.curves.{snap['status']}")

    def untrained():
        t = make()
        return t.snapshot({"lab": lab_probe(t.data.meta.get("target"), real, s["loss"])}), t.data

    signature = repr(sorted((k, repr(v)) for k, v in {**settings, "slow": slow}.items()))
    if job_board().get("gan.lab.train") is None:  # before training: the untrained players, as GAN Lab shows
        try:
            snap, data = state.memo("gan.lab.untrained", signature, untrained)
        except ConfigError as e:
            st.error(f"**Cannot train this configuration.** {e}", icon=":material/block:")
            return
        st.caption("The untrained networks. Press **Train**, or **Step** for a few steps at a time.")
        render(snap, data)
    train_panel(
        "gan.lab.train",
        make,
        signature=signature,
        probes=lambda d: {"lab": lab_probe(d.meta.get("target"), real, s["loss"])},
        render=render,
    )
