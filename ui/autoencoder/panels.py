"""The Autoencoders page's panels: the idea, training, and the views of the live model (latent space,
reconstructions, anomaly detection, AE vs PCA). The math is in training/autoencoder/latent.py; figures in
viz/latent.py. Views read the model of this session's training job under the job's lock, so they
show the weights as they are at the moment of the page run (the job may keep training)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

import archs
from archs.spec import ArchSpec, ConfigError
from training.autoencoder import latent
from training.demos import DEMOS
from training.jobs import Job
from training.recipes import get_recipe, list_recipes
from ui import state
from ui.charts import plotly_chart
from ui.train_panel import PanelDemo, current_job, demo_button, train_panel
from viz.images import image_grid
from viz.latent import term_curves

TRAIN_KEY = "ae.train"


def ae_demo() -> PanelDemo:
    """The VAE demo: the page's widgets set to the settings it was trained with (the tiny preset's form)."""
    d = DEMOS["vae_digits"]
    o, arch = d.overrides, d.overrides["arch"]
    return PanelDemo(
        d.name,
        widgets={
            "ae.arch": archs.get_arch(arch),
            f"ae.{arch}.preset": "tiny",
            "ae.recipe": get_recipe(d.recipe),
            "ae.t.size": o["size"],
            "ae.t.lr": o["lr"],
            "ae.t.bs": o["batch_size"],
            "ae.t.steps": o["num_steps"],
        },
        reset=(f"ae.{arch}.tiny.",),
    )


def idea() -> None:
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(
            "**Autoencoder.** An encoder f squeezes the input into a code z; a decoder g rebuilds it:"
        )
        st.latex(
            r"\begin{aligned} z &= f(x) = \sigma(Wx + b) \\ \hat x &= g(z) = \sigma'(W'z + b') \end{aligned}"
        )
        st.latex(r"L = \lVert x - \hat x \rVert^2")
        st.markdown(
            "The code is smaller than the input (a *bottleneck*), so the network must keep what matters "
            "and drop the rest. With linear layers the best code spans the same space as PCA's first "
            "components; nonlinear layers can bend the code along the data. **Denoising**: train on a "
            "corrupted c(x) to rebuild the clean x. **Sparse**: add λ‖z‖₁, or λ Σ KL(ρ‖ρ̂ⱼ), so few "
            "units fire at once."
        )
    with c2:
        st.markdown("**Variational autoencoder.** The encoder gives a Gaussian over codes, not one point:")
        st.latex(
            r"\begin{aligned} q(z\mid x) &= \mathcal N\big(\mu(x), \sigma^2(x)\big) \\"
            r" z &= \mu + \sigma \odot \varepsilon,\quad \varepsilon \sim \mathcal N(0, I) \end{aligned}"
        )
        st.markdown("Sampling through ε (the *reparameterisation trick*) keeps z differentiable. The loss:")
        st.latex(
            r"\begin{aligned} L &= \underbrace{-\mathbb E_q \log p(x\mid z)}_{\text{reconstruction}} \\"
            r" &\quad + \beta\,"
            r"\underbrace{\tfrac12 \textstyle\sum_j (\mu_j^2 + \sigma_j^2 - \log \sigma_j^2 - 1)}"
            r"_{\mathrm{KL}(q \,\|\, \mathcal N(0, I))} \end{aligned}"
        )
        st.markdown(
            "β = 1 is the VAE; **β-VAE** raises β for a smoother, more disentangled space at the cost of "
            "blurrier images. The KL term packs codes near N(0, I), so decoding z ~ N(0, I) draws new "
            "digits. A **conditional VAE** gives the label y to encoder and decoder. **VQ-VAE** snaps each "
            "encoder vector to its nearest entry of a learned codebook:"
        )
        st.latex(
            r"\begin{aligned} z_q &= e_k,\quad k = \arg\min_j \lVert z_e - e_j \rVert \\"
            r" L &= \lVert x - \hat x\rVert^2 + \lVert \mathrm{sg}[z_e] - e \rVert^2 \\"
            r" &\quad + \beta \lVert z_e - \mathrm{sg}[e] \rVert^2 \end{aligned}"
        )


# -------------------------------------------------------------------------------------- training


def train_tab(spec: ArchSpec, cfg: Any) -> None:
    recipes = list_recipes(spec.name)
    default = next((i for i, r in enumerate(recipes) if r.arch == spec.name), 0)
    c = st.columns(5)
    recipe = c[0].selectbox(
        "Experiment", recipes, index=default, format_func=lambda r: r.title, key="ae.recipe"
    )
    sizes = (8, 16, 28)
    size = c[1].selectbox(
        "Digit size",
        sizes,
        index=sizes.index(cfg.image_size) if cfg.image_size in sizes else 0,
        key="ae.t.size",
    )
    lr = c[2].select_slider(
        "Learning rate",
        (1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 0.01, 0.03, 0.1, 1.0),
        value=recipe.train_params["lr"],
        key="ae.t.lr",
    )
    bs = c[3].select_slider("Batch size", (16, 32, 64, 128, 256), value=64, key="ae.t.bs")
    steps = c[4].select_slider("Steps", (100, 300, 1000, 2000, 5000, 10000), value=2000, key="ae.t.steps")
    st.caption(f"{recipe.summary} The data fix in_channels and image_size (digits at {size}×{size}).")
    settings = dict(
        arch=spec.name,
        config=cfg,
        size=size,
        lr=float(lr),
        batch_size=bs,
        num_steps=steps,
        seed=state.seed(),
        device=state.device(),
    )

    def probes(data):
        x, y = data.x_test[:10], data.y_test[:10]
        return {"rec": lambda m: latent.reconstruct(m, x, y)}

    def render(snap: dict, data) -> None:
        if any("recon" in r for r in snap["history"]):
            st.markdown("**Loss terms** (smoothed): the total and each part of it")
            plotly_chart(term_curves(snap["history"]), key="ae.t.terms")
        if "rec" in snap:
            x = data.x_test[:10]
            plotly_chart(
                image_grid(np.r_[x, snap["rec"]], ncols=10, height=180, zmin=0, zmax=1),
                key="ae.t.rec",
            )
            st.caption(
                "Top: test digits. Bottom: their reconstructions by the model "
                + ("as initialised (untrained)." if snap["step"] == 0 else "as it trains.")
            )

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**settings),
        signature=(recipe.name, repr(sorted((k, repr(v)) for k, v in settings.items()))),
        probes=probes,
        render=render,
        step_sizes=(10, 100, 500),
        demo=ae_demo(),
        untrained=True,
    )


def need_model() -> Job | None:
    """The Train tab's model: the job being trained, or the untrained model of its settings."""
    job = current_job(TRAIN_KEY)
    if job is None:
        st.info(
            "The **Train** tab's settings cannot build a model; fix them there, then these views show it.",
            icon=":material/model_training:",
        )
    return job


def memo(job: Job, name: str, fn: Callable[[], Any], *extra: Any) -> Any:
    """Compute ``fn()`` under the job's lock once per (job, step, name, extra): page reruns that change
    nothing else reuse it, a model that trained further is recomputed."""
    store = st.session_state.setdefault("ae.memo", {})
    key = (job.id, job.trainer.step_count, name, *extra)
    if key not in store:
        if len(store) > 64:
            store.clear()
        with job.lock:
            store[key] = fn()
    return store[key]


def model_caption(job: Job, where: str) -> None:
    """What model the view shows; for an untrained one, how to get a trained one (``where`` names the
    view, for its own demo button)."""
    t = job.trainer
    if t.step_count == 0:
        c = st.columns([4, 1])
        c[0].info(
            f"**Untrained {t.name.split(':')[-1]}**: random weights, as initialised. This is what the "
            "network does before it learns; train it on the **Train** tab, or load the demo model.",
            icon=":material/model_training:",
        )
        demo_button(TRAIN_KEY, ae_demo(), c[1], suffix=where)
        return
    ev = t.last_eval()
    st.caption(
        ("The demo model" if getattr(t, "demo", None) else "The model being trained in this session")
        + f": **{t.name.split(':')[-1]}** at step {t.step_count:,}"
        + (f" · test MSE per pixel {ev['test_mse']:.4f}" if "test_mse" in ev else "")
        + " · views refresh when you interact with the page."
    )


def show_images(
    images: np.ndarray, key: str, titles=None, ncols: int = 10, height: int | None = None
) -> None:
    plotly_chart(image_grid(images, titles, ncols=ncols, height=height, zmin=0, zmax=1), key=key)


def safe(fn: Callable[[], Any]) -> Any:
    """Run a view; a ConfigError (too few points, a missing method) becomes a sentence on the page."""
    try:
        return fn()
    except ConfigError as e:
        st.error(str(e), icon=":material/block:")
        return None
