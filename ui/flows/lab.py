"""The flows page's labs: a 2-D density learned live (the density, samples, every layer's warp of the
plane, the exact held-out log-likelihood against a Gaussian's), and a small flow on 8×8 digits."""

from __future__ import annotations

import streamlit as st

from archs import get_arch
from archs.spec import ConfigError
from training.flows.probes import image_samples, lab_probe
from training.flows.recipes import POINT_SETS
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.panels import guarded as shared_guarded
from ui.train_panel import train_panel
from viz.flows import density_figure, ll_figure, warp_figure
from viz.images import image_grid

KEY = "flows.lab"
TRAIN_KEY = "flows.lab.train"
DIGITS_KEY = "flows.digits.train"
SETS = {
    "moons": "two moons",
    "circle": "a disc inside a ring",
    "spiral": "spiral arms",
    "blobs": "Gaussian blobs on a circle",
    "gauss": "two Gaussian clouds",
    "xor": "four quadrants",
}


def _settings() -> dict:
    c = st.columns(4)
    name = c[0].selectbox(
        "Data", [s for s in SETS if s in POINT_SETS], format_func=SETS.get, key=child(KEY, "set")
    )
    arch = c[1].selectbox(
        "Flow",
        ("realnvp", "glow"),
        format_func={"realnvp": "RealNVP (couplings)", "glow": "Glow (actnorm, 1×1, coupling)"}.get,
        key=child(KEY, "arch"),
    )
    layers = c[2].number_input(
        "Coupling layers (Glow: steps)",
        0,
        16,
        6,
        key=child(KEY, "layers"),
        help="RealNVP alternates which coordinate each coupling moves; a Glow step is 3 layers.",
    )
    hidden = c[3].select_slider("Hidden units", (16, 32, 64, 128), 64, key=child(KEY, "hidden"))
    c = st.columns(3)
    noise = c[0].slider("Noise", 0.0, 0.3, 0.05, 0.01, key=child(KEY, "noise"))
    lr = c[1].select_slider("Learning rate", (3e-4, 1e-3, 3e-3, 1e-2), 3e-3, key=child(KEY, "lr"))
    steps = c[2].select_slider("Steps", (200, 500, 1000, 2000, 5000), 1000, key=child(KEY, "steps"))
    return dict(
        name=name,
        arch=arch,
        num_layers=int(layers),
        hidden_dim=int(hidden),
        noise=float(noise),
        lr=float(lr),
        num_steps=int(steps),
        seed=state.seed(),
        device=state.device(),
    )


def _data_kw(s: dict) -> dict:
    return dict(name=s["name"], noise=s["noise"], seed=s["seed"])


def points_lab() -> None:
    st.markdown(
        "A flow learns the density of points in the plane by maximising their exact log-likelihood. Left: "
        "the learned density $p(x)$; right: samples $x = f^{-1}(z)$. Below, the latent plane's grid is "
        "pushed back through the layers one at a time: each panel is what one more layer does to it."
    )
    s = _settings()
    recipe = get_recipe("flow_2d")

    def render(snap: dict, data) -> None:
        lab = snap.get("lab")
        if not lab:
            return
        ev = snap.get("last_eval") or {}
        m = st.columns(3)
        if "test_ll" in ev:
            m[0].metric(
                "Held-out log-likelihood",
                f"{ev['test_ll']:.3f}",
                f"{ev['test_ll'] - gauss:+.3f} vs Gaussian",
                help="Mean log p(x) of the held-out points, in nats per point (coordinates standardised), "
                "computed exactly by the change of variables.",
            )
        m[1].metric("Gaussian fit, held out", f"{gauss:.3f}", help="A Gaussian with the data's covariance.")
        m[2].metric("Step", snap["step"])
        plotly_chart(density_figure(lab), key=child(TRAIN_KEY, "view", "density"))
        st.markdown(
            "**Each layer's warp of the plane**, from the Gaussian $z$ (first panel) to the data $x$:"
        )
        plotly_chart(warp_figure(lab["warp"], lab["data"]), key=child(TRAIN_KEY, "view", "warp"))

    def make():
        return recipe.trainer(**s)

    try:
        get_arch(s["arch"]).make_config("tiny", num_layers=s["num_layers"], hidden_dim=s["hidden_dim"])
    except ConfigError as e:
        st.error(f"**Cannot train this configuration.** {e}", icon=":material/block:")
        return
    data = state.memo(
        child(KEY, "data"), (s["name"], s["noise"], s["seed"]), lambda: recipe.make_data(**_data_kw(s))
    )
    gauss = data.meta["gaussian_ll"]
    train_panel(
        TRAIN_KEY,
        make,
        signature=("flow_2d", repr(sorted(s.items()))),
        probes=lambda d: {"lab": lab_probe(d.x_train[:400])},
        render=render,
        untrained=True,
        step_sizes=(1, 10, 100),
        curve_figure=lambda h: ll_figure(h, gauss),
    )


def digits_lab() -> None:
    st.markdown(
        "A small multi-scale flow on scikit-learn's 8×8 digits (2 levels of squeeze, steps and split). Its "
        "likelihood is in **bits per pixel** of the 17-level pixels (a uniform guess: log₂ 17 ≈ 4.09). "
        "The samples are drawn at temperature 0.7 (the latent scaled by 0.7), as the Glow paper does."
    )
    c = st.columns(3)
    arch = c[0].selectbox(
        "Flow",
        ("glow", "realnvp"),
        format_func={"glow": "Glow", "realnvp": "RealNVP"}.get,
        key=child("flows.digits", "arch"),
    )
    steps = c[1].select_slider("Steps", (200, 500, 1000, 2000), 1000, key=child("flows.digits", "steps"))
    temp = c[2].select_slider("Temperature", (0.5, 0.7, 0.85, 1.0), 0.7, key=child("flows.digits", "temp"))
    recipe = get_recipe("flow_digits")
    s = dict(arch=arch, num_steps=int(steps), seed=state.seed(), device=state.device())

    def render(snap: dict, data) -> None:
        ev = snap.get("last_eval") or {}
        if "test_bpd" in ev:
            st.metric("Held-out bits per pixel", f"{ev['test_bpd']:.3f}")
        if snap.get("samples") is not None:
            plotly_chart(
                image_grid(snap["samples"], ncols=16, height=220, zmin=0, zmax=1),
                key=child(DIGITS_KEY, "view", "samples"),
            )

    train_panel(
        DIGITS_KEY,
        lambda: recipe.trainer(**s),
        signature=("flow_digits", repr(sorted(s.items()))),
        probes=lambda d: {"samples": image_samples(32, float(temp))},
        render=render,
        untrained=True,
        step_sizes=(1, 10, 100),
        curve_figure=lambda h: ll_figure(h),
    )


def guarded(lab) -> None:
    """Run a lab; a setting it refuses is a sentence, not a traceback."""
    shared_guarded(lab, "Cannot train this configuration.")
