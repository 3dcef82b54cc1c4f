"""The diffusion page's generators: DDPM / DDIM on digits and text-to-image latent diffusion.

Each tab trains through ``ui.train_panel`` and shows, before any training, the data and what the
untrained network makes of noise; a demo model (training.demos) fills the tab at once. Samples are drawn
again by themselves whenever the model changes (a new job, a step, a demo) and the job is not running;
the button draws them again with the current sampler settings. Sampling takes the job's lock, so it
never races the worker thread.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from archs.spec import ConfigError
from training.demos import DEMOS
from training.diffusion.latent import VOCAB, text_to_image
from training.diffusion.trainer import guided, num_classes, sample
from training.jobs import Job
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart, subscript
from ui.diffusion.panels import steps_input
from ui.train_panel import PanelDemo, current_job, train_panel
from viz.diffusion import attention_figure, rgb_grid
from viz.images import image_grid

DIGITS_KEY, TEXT_KEY = "dif.dg.train", "dif.tx.train"


def _version(job: Job) -> tuple[int, int]:
    """Names the weights: a new job, or one that trained further, has other samples."""
    return job.id, job.trainer.step_count


def _whose(job: Job) -> str:
    t = job.trainer
    if t.step_count == 0:
        return "the **untrained** network (random weights): noise in, noise out, until it learns"
    if getattr(t, "demo", None):
        return f"the **demo model** (step {t.step_count:,})"
    return f"the model at step {t.step_count:,}"


def _wants(key: str, job: Job | None, clicked: bool) -> bool:
    """Sample now: on a click, or by itself when the model changed and is not training."""
    if job is None:
        return False
    got = st.session_state.get(key)
    return clicked or (not job.is_active and (got is None or got["version"] != _version(job)))


# -------------------------------------------------------------------------------------- digits


def digits_demo() -> PanelDemo:
    """The conditional digits demo and the tab's widgets that reproduce its settings."""
    d = DEMOS["ddpm_digits"]
    o = d.overrides
    return PanelDemo(
        d.name,
        widgets={
            "dif.dg.size": o["size"],
            "dif.dg.cond": o["num_classes"] > 0,
            "dif.dg.steps": o["num_steps"],
            "dif.dg.bc": o["base_channels"],
        },
    )


def _real_digits(snap: dict, data) -> None:
    if snap["step"] == 0:
        st.markdown("**The data**: training digits in [−1, 1], what the model should learn to draw")
        plotly_chart(
            image_grid(
                data.x_train[:20, 0],
                titles=[str(v) for v in data.y_train[:20]],
                ncols=10,
                zmin=-1,
                zmax=1,
                colorscale="gray",
                height=220,
            ),
            key="dif.dg.train.view.data",
        )


def digits_tab() -> None:
    c = st.columns(4)
    size = c[0].selectbox(
        "Digit size", (8, 16), key="dif.dg.size", help="8×8 trains fast; 16×16 looks better."
    )
    cond = c[1].toggle(
        "Class-conditional",
        True,
        key="dif.dg.cond",
        help="Learn p(x | digit) with a 'no label' token, for classifier-free guidance.",
    )
    steps = c[2].select_slider("Training steps", (200, 500, 1000, 2000, 4000), value=2000, key="dif.dg.steps")
    bc = c[3].select_slider("base_channels", (16, 32, 64), value=16 if size == 8 else 32, key="dif.dg.bc")
    settings = dict(
        size=size,
        num_classes=10 if cond else 0,
        base_channels=bc,
        attn_resolutions=(size // 2,),
        num_steps=steps,
        seed=state.seed(),
        device=state.device(),
    )
    train_panel(
        DIGITS_KEY,
        lambda: get_recipe("ddpm_digits").trainer(**settings),
        signature=repr(settings),
        render=_real_digits,
        demo=digits_demo(),
        untrained=True,
    )
    st.subheader("Sample")
    c = st.columns(5)
    method = c[0].radio("Sampler", ("ddim", "ddpm"), horizontal=True, key="dif.dg.method")
    with c[1]:
        n = steps_input("dif.dg.nsamp", 1000, 50)
    seed = int(c[2].number_input("Seed", 0, 10_000, 0, key="dif.dg.seed"))
    digit = c[3].selectbox("Digit", ["all", *range(10)], key="dif.dg.digit", disabled=not cond)
    scale = c[4].slider(
        "Guidance scale s",
        0.0,
        8.0,
        3.0,
        0.5,
        key="dif.dg.scale",
        help="0: unconditional, 1: the conditional model, >1: stronger pull toward the class.",
        disabled=not cond,
    )
    clicked = st.button(
        "Sample 20 digits", key="dif.dg.sample", icon=":material/auto_awesome:", disabled=n is None
    )
    job = current_job(DIGITS_KEY)
    if n is not None and _wants("dif.dg.result", job, clicked):
        st.session_state["dif.dg.result"] = _sample_digits(job, method, n, seed, digit, scale, cond, size)
    if res := st.session_state.get("dif.dg.result"):
        _show_digits(res)


def _sample_digits(job: Job, method, n, seed, digit, scale, cond, size) -> dict:
    y = torch.arange(20) % 10 if digit == "all" else torch.full((20,), int(digit))
    with job.lock:
        model = job.trainer.model
        was = model.training
        model.eval()
        dev = next(model.parameters()).device
        y_in = y.to(dev) if num_classes(model) else None
        out = {
            s: sample(
                guided(model, y_in, s, num_classes(model) or None),
                (20, 1, size, size),
                job.trainer.task.schedule,
                n,
                method,
                seed=seed,
                clip=1.0,
                device=dev,
            )
            for s in sorted({0.0, 1.0, scale} if cond else {1.0})
        }
        model.train(was)
    return dict(
        out=out, scale=scale if cond else 1.0, y=y.numpy(), cond=cond, version=_version(job), who=_whose(job)
    )


def _show_digits(res: dict) -> None:
    out, s, y, was_cond = res["out"], res["scale"], res["y"], res["cond"]
    main = out[s]
    st.caption(f"20 samples of {res['who']}.")
    titles = [str(v) for v in y] if was_cond else None
    plotly_chart(
        image_grid(main["x"][:, 0], titles=titles, ncols=10, zmin=-1, zmax=1, colorscale="gray", height=300),
        key="dif.dg.grid",
    )
    traj, ts = main["trajectory"], main["timesteps"]
    i = st.slider(
        "Denoising step",
        0,
        len(traj) - 1,
        len(traj) - 1,
        key="dif.dg.traj",
        help="0 is pure noise $x_T$; the last is the sample $x_0$.",
    )
    label = subscript("x", ts[i] if i < len(ts) else 0)
    st.caption(f"All 20 samples at step {i} of {len(traj) - 1} ({label}), then the first one's whole path.")
    plotly_chart(
        image_grid(traj[i][:, 0], ncols=10, zmin=-1, zmax=1, colorscale="gray", height=260), key="dif.dg.step"
    )
    idx = np.linspace(0, len(traj) - 1, min(12, len(traj))).round().astype(int)
    plotly_chart(
        image_grid(
            traj[idx, 0, 0],
            titles=[subscript("x", ts[j] if j < len(ts) else 0) for j in idx],
            ncols=12,
            zmin=-1,
            zmax=1,
            colorscale="gray",
            height=170,
        ),
        key="dif.dg.strip",
    )
    if was_cond and len(out) > 1:
        st.markdown(
            "**Guidance.** The same seeds at each scale: s = 0 ignores the label, larger s follows it more."
        )
        for sc, o in out.items():
            plotly_chart(
                image_grid(
                    o["x"][:10, 0],
                    titles=[f"s={sc:g}, {v}" for v in y[:10]],
                    ncols=10,
                    zmin=-1,
                    zmax=1,
                    colorscale="gray",
                    height=150,
                ),
                key=f"dif.dg.g{sc}",
            )


# -------------------------------------------------------------------------------- text to image


def text_demo() -> PanelDemo:
    """The latent-diffusion demo and the tab's widgets that reproduce its settings."""
    d = DEMOS["ldm_shapes"]
    o = d.overrides
    return PanelDemo(d.name, widgets={"dif.tx.steps": o["num_steps"], "dif.tx.size": o["size"]})


def _captioned_shapes(snap: dict, data) -> None:
    if snap["step"] == 0:
        st.markdown("**The data**: captioned shapes, the pairs the model learns from")
        words = [[VOCAB.itos[i] for i in row if i > 1] for row in data.y_train[:8]]
        keys = [" ".join(w for w in ws if w not in ("a", "at", "the", "in")) for ws in words]  # fit a tile
        plotly_chart(
            rgb_grid((data.x_train[:8] + 1) / 2, titles=keys, ncols=4, height=380),
            key="dif.tx.train.view.data",
        )
        example = " ".join(words[0])
        st.caption(f"Each tile shows the key words of its caption; the first one reads “{example}”.")


def text_tab() -> None:
    c = st.columns(3)
    steps = c[0].select_slider("Training steps", (500, 1000, 2500, 5000), value=2500, key="dif.tx.steps")
    size = c[1].selectbox("Image size", (16, 32), key="dif.tx.size")
    c[2].caption(
        "The first quarter of the run trains the autoencoder; then it is frozen and the text encoder "
        "and latent U-Net learn to denoise latents given the caption."
    )
    settings = dict(
        size=size,
        attn_resolutions=(8, 4) if size == 16 else (8,),  # the latent is size/2: attend at its lower levels
        num_steps=steps,
        seed=state.seed(),
        device=state.device(),
    )
    train_panel(
        TEXT_KEY,
        lambda: get_recipe("ldm_shapes").trainer(**settings),
        signature=repr(settings),
        render=_captioned_shapes,
        demo=text_demo(),
        untrained=True,
    )
    st.subheader("Caption → image")
    caption = st.text_input(
        "Caption",
        "a red circle at the top left",
        key="dif.tx.caption",
        help="Words: " + ", ".join(VOCAB.itos[2:]),
    )
    c = st.columns(4)
    method = c[0].radio("Sampler", ("ddim", "ddpm"), horizontal=True, key="dif.tx.method")
    with c[1]:
        n = steps_input("dif.tx.nsamp", 1000, 50)
    seed = int(c[2].number_input("Seed", 0, 10_000, 0, key="dif.tx.seed"))
    scale = c[3].slider("Guidance scale s", 0.0, 8.0, 3.0, 0.5, key="dif.tx.scale")
    try:
        VOCAB.encode(caption)
    except ConfigError as e:
        st.error(str(e), icon=":material/block:")
        return
    clicked = st.button("Generate", key="dif.tx.go", icon=":material/auto_awesome:", disabled=n is None)
    job = current_job(TEXT_KEY)
    if n is not None and _wants("dif.tx.result", job, clicked):
        with job.lock:
            res = text_to_image(job.trainer.model, [caption] * 4, n, method, scale, seed)
        st.session_state["dif.tx.result"] = dict(
            caption=caption, res=res, seed=seed, version=_version(job), who=_whose(job)
        )
    if got := st.session_state.get("dif.tx.result"):
        _show_text(got)


def _show_text(got: dict) -> None:
    res = got["res"]
    st.markdown(
        f"**{got['caption']}** — four samples (seeds {got['seed']}…) of {got['who']}, then where each word "
        "is looked at:"
    )
    plotly_chart(rgb_grid(res["images"], ncols=4, height=220), key="dif.tx.imgs")
    words = res["words"][0]
    plotly_chart(attention_figure(res["images"][0], res["attention"][0], words), key="dif.tx.att")
    strip = res["strip"][:, 0]
    plotly_chart(
        rgb_grid(strip, titles=[f"x̂_0 at t={t}" for t in res["strip_steps"]], ncols=len(strip), height=200),
        key="dif.tx.strip",
    )
