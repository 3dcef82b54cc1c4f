"""The GAN page's image views: live sample grids with a slider back through snapshots, class rows,
InfoGAN code sweeps, StyleGAN mixing and noise, SAGAN attention, and pix2pix / CycleGAN translations."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from training.demos import DEMOS
from training.gan.probes import attention_map, code_sweep, noise_effect, style_mixing
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.train_panel import PanelDemo, current_job, train_panel
from viz.gan import attention_figure, gan_curves, rgb_grid

IMAGE_ARCHS = ("dcgan", "cgan", "acgan", "infogan", "wgan", "wgan_gp", "stylegan", "sagan")


def image_demo(key: str) -> PanelDemo:
    """The DCGAN digits demo and the image lab's widgets that reproduce its settings."""
    d = DEMOS["dcgan_digits"]
    o = d.overrides
    return PanelDemo(
        d.name,
        widgets={
            f"{key}.arch": o["arch"],
            f"{key}.data": d.recipe.split("_", 1)[1],
            f"{key}.loss": o["gan_loss"],
            f"{key}.steps": o["num_steps"],
        },
    )


def i2i_demo(key: str) -> PanelDemo:
    """The pix2pix demo and the image-to-image lab's widgets that reproduce its settings."""
    d = DEMOS["pix2pix_shapes"]
    o = d.overrides
    return PanelDemo(
        d.name,
        widgets={
            f"{key}.arch": "pix2pix",
            f"{key}.steps": o["num_steps"],
            f"{key}.lam.pix2pix": o["l1_weight"],
        },
    )


def _real_images(key: str, d, snap: dict) -> None:
    """Before training: what the generator should learn to draw, beside what it draws now."""
    if snap["step"] == 0:
        st.markdown("**Real images** from the training data: what G should learn to draw")
        plotly_chart(rgb_grid(d.x_train[:32], ncols=16), key=f"{key}.train.view.real")
        st.markdown("**The untrained generator's** samples of the fixed latent batch: noise, for now")


def _snapshot_view(key: str, job_key: str, snap: dict, labels=None) -> np.ndarray | None:
    """The fixed-batch grid of one snapshot: the latest while training, any earlier one by slider."""
    job = current_job(job_key)
    if job is None:
        return None
    with job.lock:
        snaps = list(job.trainer.sample_snapshots)
    if not snaps:
        return None
    i = len(snaps) - 1
    if len(snaps) > 1 and snap["state"] != "running":
        i = st.slider(
            "Snapshot (training step)",
            0,
            len(snaps) - 1,
            len(snaps) - 1,
            key=f"{key}.snap.{len(snaps)}",
            format="%d",
            help="The same latent batch at earlier evaluations: watch the samples form.",
        )
    step, images = snaps[i]
    st.caption(f"The fixed latent batch after step {step:,} (snapshot {i + 1} of {len(snaps)}).")
    return images


def _class_rows(images: np.ndarray, k: int, names) -> tuple[np.ndarray, list[str], int]:
    """Reorder a fixed batch whose label is index mod k into one row per class."""
    per = len(images) // k
    idx = [c + k * j for c in range(k) for j in range(per)]
    return images[idx], [str(n) for n in names[:k]], per


def image_lab(key: str = "gan.img") -> None:
    c = st.columns(4)
    arch = c[0].selectbox("Architecture", IMAGE_ARCHS, key=f"{key}.arch")
    data = c[1].selectbox("Data", ("digits", "shapes"), key=f"{key}.data")
    loss = c[2].selectbox(
        "Loss",
        ("auto", "non_saturating", "minimax", "least_squares", "hinge", "wasserstein", "wgan_gp"),
        key=f"{key}.loss",
        help="auto: the architecture's own loss.",
    )
    steps = c[3].select_slider("Steps", (200, 500, 1000, 1500, 3000), value=1500, key=f"{key}.steps")
    recipe = get_recipe(f"{'cgan' if arch == 'cgan' else 'dcgan'}_{data}")
    settings = dict(arch=arch, gan_loss=loss, num_steps=steps, seed=state.seed(), device=state.device())
    if arch == "wgan" and loss in ("auto", "wasserstein"):
        settings.update(optimizer="rmsprop", lr=5e-5, k_d=5)  # the WGAN paper's settings
    if arch == "sagan":
        settings.update(lr=1e-4, lr_d=4e-4, beta1=0.0)  # SAGAN's two time-scale update rule

    def render(snap, d):
        _real_images(key, d, snap)
        images = _snapshot_view(key, f"{key}.train", snap)
        if images is None:
            return
        if images.ndim == 4 and arch in ("cgan", "acgan"):
            grid, names, per = _class_rows(images, d.num_classes, d.class_names)
            plotly_chart(rgb_grid(grid, ncols=per, row_labels=names), key=f"{key}.grid.{snap['state']}")
        else:
            plotly_chart(rgb_grid(images, ncols=16), key=f"{key}.grid.{snap['state']}")
        if snap["history"]:
            plotly_chart(gan_curves(snap["history"]), key=f"{key}.curves.{snap['state']}")

    train_panel(
        f"{key}.train",
        lambda: recipe.trainer(**settings),
        signature=repr(sorted((k, repr(v)) for k, v in settings.items())),
        render=render,
        demo=image_demo(key),
        untrained=True,
    )
    with st.expander("Inside the generator", expanded=arch in ("infogan", "stylegan", "sagan")):
        internals(key, arch, f"{key}.train", recipe, settings)


def internals(key: str, arch: str, job_key: str, recipe, settings) -> None:
    if arch not in ("infogan", "stylegan", "sagan"):
        st.caption("Pick InfoGAN, StyleGAN or SAGAN to see code sweeps, style mixing or attention maps here.")
        return
    job = current_job(job_key)  # the model being trained, or the untrained one the panel shows
    if job is None:
        return
    model, lock = job.trainer.model, job.lock
    st.caption("Computed on the model being trained (an untrained one before you press Train).")
    with lock, torch.no_grad():
        was = model.training
        model.eval()
        try:
            _internals_views(key, arch, model)
        finally:
            model.train(was)


def _internals_views(key: str, arch: str, model) -> None:
    if arch == "infogan":
        codes = (["categorical c₁"] if model.cat_dim else []) + [
            f"continuous c{i + 2}" for i in range(model.cont_dim)
        ]
        which = st.radio(
            "Code to sweep",
            range(len(codes)),
            format_func=lambda i: codes[i],
            horizontal=True,
            key=f"{key}.code",
        )
        code = which if model.cat_dim else which + 1
        steps = model.cat_dim if code == 0 else 8
        plotly_chart(rgb_grid(code_sweep(model, code, steps=8), ncols=steps), key=f"{key}.sweep")
        st.caption("Each row keeps its noise fixed; only the chosen code changes from left to right.")
    elif arch == "stylegan":
        n_styles = model.generator.num_styles
        mix_at = st.slider(
            "Layers from A (coarse styles)", 1, n_styles - 1, min(2, n_styles - 1), key=f"{key}.mix"
        )
        m = style_mixing(model, n=4, mix_at=mix_at)
        grid = np.concatenate(
            [np.concatenate([np.full_like(m["a"][:1], 1.0), m["b"]])]
            + [np.concatenate([m["a"][i : i + 1], m["mixed"][4 * i : 4 * i + 4]]) for i in range(4)]
        )
        plotly_chart(
            rgb_grid(grid, ncols=5, row_labels=["B →"] + [f"A{i + 1}" for i in range(4)]), key=f"{key}.mixing"
        )
        st.caption(
            f"Row $i$, column $j$: layers 1–{mix_at} take $A_i$'s $w$, layers {mix_at + 1}–{n_styles} "
            "take $B_j$'s."
        )
        ne = noise_effect(model)
        plotly_chart(rgb_grid(np.concatenate([ne["no_noise"], ne["samples"]]), ncols=7), key=f"{key}.noise")
        st.caption(
            "One z: without noise (first), then with fresh noise each time. Per-pixel spread across "
            f"them: {float(ne['std'].mean()):.3f} (the noise inputs change only fine detail)."
        )
    else:
        side = model.cfg.attn_res
        c = st.columns(2)
        r = c[0].slider("Pixel row", 0, side - 1, side // 2, key=f"{key}.prow")
        col = c[1].slider("Pixel column", 0, side - 1, side // 2, key=f"{key}.pcol")
        a = attention_map(model, (r, col))
        plotly_chart(attention_figure(a["image"], a["attention"], (r, col)), key=f"{key}.attn")
        st.caption(
            f"γ = {_gamma(model):.3f}: how much of the attention output the block adds (it starts at 0)."
        )


def _gamma(model) -> float:
    from archs.gan.style import SelfAttention

    return next(float(m.gamma) for m in model.generator.modules() if isinstance(m, SelfAttention))


def i2i_lab(key: str = "gan.i2i") -> None:
    c = st.columns(3)
    arch = c[0].selectbox(
        "Model",
        ("pix2pix", "cyclegan"),
        key=f"{key}.arch",
        format_func={"pix2pix": "pix2pix", "cyclegan": "CycleGAN"}.get,
    )
    c[0].caption(
        {"pix2pix": "Paired: outline → filled shape.", "cyclegan": "Unpaired: warm ↔ cool palette."}[arch]
    )
    steps = c[1].select_slider("Steps", (100, 300, 1000, 3000), value=1000, key=f"{key}.steps")
    weight = c[2].number_input(
        "λ (L1 for pix2pix, cycle for CycleGAN)",
        0.0,
        1000.0,
        100.0 if arch == "pix2pix" else 10.0,
        key=f"{key}.lam.{arch}",
    )
    recipe = get_recipe(f"{arch}_shapes")
    settings = dict(
        num_steps=steps,
        seed=state.seed(),
        device=state.device(),
        **({"l1_weight": weight} if arch == "pix2pix" else {"cycle_weight": weight}),
    )
    data = state.memo(f"{key}.data", arch, recipe.make_data)  # procedural pairs: drawn once per session

    def render(snap, d):
        if snap["step"] == 0:
            st.markdown(
                "**Before training**: the data's inputs and targets, and what the untrained generator makes "
                "of the inputs (noise, for now)."
            )
        out = _snapshot_view(key, f"{key}.train", snap)
        if out is None:
            return
        a, b = d.x_test[:8], d.y_test[:8]
        if arch == "pix2pix":
            rows, names = [a, out[0], b], ["input", "translation G(a)", "target"]
        else:
            rows, names = [a, out[0], out[1], b, out[2]], ["a (warm)", "G(a)", "F(G(a))", "b (cool)", "F(b)"]
        channels = max(r.shape[1] for r in rows)
        rows = [np.repeat(r, channels, 1) if r.shape[1] < channels else r for r in rows]
        plotly_chart(
            rgb_grid(np.concatenate(rows), ncols=8, row_labels=names), key=f"{key}.grid.{snap['state']}"
        )
        if snap["history"]:
            plotly_chart(gan_curves(snap["history"]), key=f"{key}.curves.{snap['state']}")

    st.caption(
        f"{data.name}: {len(data.x_train)} training pairs"
        + (" (shuffled: no pair matches)" if arch == "cyclegan" else "")
        + "."
    )
    train_panel(
        f"{key}.train",
        lambda: recipe.trainer(**settings),
        signature=repr(sorted((k, repr(v)) for k, v in {**settings, "arch": arch}.items())),
        render=render,
        demo=i2i_demo(key),
        untrained=True,
    )
