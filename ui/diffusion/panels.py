"""The diffusion page's panels: forward-process scrubber, 2-D lab, digits and text-to-image tabs.

Training runs through ``ui.train_panel``; sampling from a trained model takes the job's lock so it never
races the worker thread. Every user-typed setting is checked and refused with a sentence.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from archs.spec import ConfigError
from training.diffusion.latent import VOCAB, text_to_image
from training.diffusion.recipes import POINT_SCALE, diffusion_digits, diffusion_points
from training.diffusion.trainer import Schedule, check_steps, eps_field, guided, num_classes, sample
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart, subscript
from ui.train_panel import train_panel
from viz.diffusion import (
    attention_figure,
    field_figure,
    marginal_figure,
    points_figure,
    rgb_grid,
    schedule_figure,
)
from viz.images import image_grid


@st.cache_data(show_spinner=False, max_entries=8)
def schedule_curves(kind: str, T: int) -> dict[str, np.ndarray]:
    return Schedule.make(kind, T).curves()


def schedules_chart(key: str, T: int = 1000, t_mark: int | None = None) -> None:
    curves = {k: schedule_curves(k, T) for k in ("linear", "cosine")}
    plotly_chart(schedule_figure(curves, t_mark), key=key)


def _steps_input(key: str, T: int, default: int) -> int | None:
    """A number box for sampling steps that explains, rather than clamps, an impossible value."""
    steps = int(
        st.number_input(
            "Sampling steps",
            value=default,
            step=10,
            key=key,
            help=f"1 to {T}: fewer steps jump along the chain (DDIM copes best).",
        )
    )
    try:
        check_steps(steps, T)
    except ConfigError as e:
        st.error(str(e), icon=":material/block:")
        return None
    return steps


# ------------------------------------------------------------------------------ forward process


def scrubber_tab() -> None:
    c = st.columns([1, 1, 2])
    what = c[0].radio("Data", ("digit", "point cloud"), horizontal=True, key="dif.scr.what")
    kind = c[1].radio("Schedule", ("linear", "cosine"), horizontal=True, key="dif.scr.sched")
    t = c[2].slider("Step t", 1, 1000, 200, key="dif.scr.t", help="Drag to noise the data to step t.")
    sched = Schedule.make(kind, 1000)
    ab = float(sched.alpha_bar[t - 1])
    st.markdown(
        rf"$\bar\alpha_t$ = **{ab:.4f}**: $x_t$ keeps $\sqrt{{\bar\alpha_t}}$ = {ab**0.5:.3f} of the signal "
        rf"and carries noise of standard deviation $\sqrt{{1 - \bar\alpha_t}}$ = {(1 - ab) ** 0.5:.3f}; "
        f"SNR = {ab / (1 - ab):.3g}."
    )
    g = torch.Generator().manual_seed(state.seed())
    if what == "digit":
        d = diffusion_digits(16)
        x0 = torch.from_numpy(d.x_test[:8])
        xt = sched.q_sample(x0, torch.full((8,), t - 1), torch.randn(x0.shape, generator=g))
        plotly_chart(
            image_grid(
                np.concatenate([x0.numpy(), xt.numpy()])[:, 0],
                titles=["x₀"] * 8 + [subscript("x", t)] * 8,
                zmin=-1,
                zmax=1,
                colorscale="gray",
                height=300,
            ),
            key="dif.scr.img",
        )
        pix = float(x0[0, 0, 8, 8])
        draws = sched.q_sample(
            torch.full((4000,), pix, dtype=torch.float64),
            torch.full((4000,), t - 1),
            torch.randn(4000, generator=g, dtype=torch.float64),
        )
        title = f"the centre pixel of the first digit (x₀ = {pix:.2f}) at t = {t}, 4,000 draws"
        plotly_chart(marginal_figure(draws.numpy(), ab**0.5 * pix, (1 - ab) ** 0.5, title), key="dif.scr.m")
    else:
        d = diffusion_points("swiss_roll", 1500, seed=0)
        x0 = torch.from_numpy(d.x_train)
        xt = sched.q_sample(x0, torch.full((len(x0),), t - 1), torch.randn(x0.shape, generator=g))
        c1, c2 = st.columns(2)
        with c1:
            plotly_chart(
                points_figure({"x₀ (data)": x0.numpy(), subscript("x", t): xt.numpy()}, lim=3.0, height=380),
                key="dif.scr.pts",
            )
        p = float(x0[0, 0])
        draws = sched.q_sample(
            torch.full((4000,), p, dtype=torch.float64),
            torch.full((4000,), t - 1),
            torch.randn(4000, generator=g, dtype=torch.float64),
        )
        with c2:
            plotly_chart(
                marginal_figure(
                    draws.numpy(),
                    ab**0.5 * p,
                    (1 - ab) ** 0.5,
                    f"first coordinate of one point (x₀ = {p:.2f}) at t = {t}",
                ),
                key="dif.scr.m",
            )
    schedules_chart("dif.scr.sc", t_mark=t)


# ------------------------------------------------------------------------------------- 2-D lab


def lab2d_tab() -> None:
    c = st.columns(4)
    name = c[0].selectbox("Data set", ("swiss_roll", "moons", "ring8", "spiral", "grid25"), key="dif.2d.data")
    kind = c[1].selectbox("Schedule", ("linear", "cosine"), key="dif.2d.sched")
    T = c[2].select_slider("Diffusion steps T", (50, 100, 200, 500, 1000), value=200, key="dif.2d.T")
    steps = c[3].select_slider(
        "Training steps", (500, 1000, 2000, 3000, 5000), value=2000, key="dif.2d.steps"
    )
    c = st.columns(3)
    t_view = c[0].slider("Noise field at step t", 1, T, max(1, T // 10), key="dif.2d.t")
    method = c[1].radio("Sampler", ("ddim", "ddpm"), horizontal=True, key="dif.2d.method")
    n_samp = c[2].select_slider("Sampling steps", (10, 20, 50, 100, 200), value=50, key="dif.2d.nsamp")
    n_samp = min(n_samp, T)
    sched = Schedule.make(kind, T)
    settings = dict(
        name=name, schedule=kind, timesteps=T, num_steps=steps, seed=state.seed(), device=state.device()
    )

    def probes(data):
        def field(model):
            return eps_field(model, sched, t_view - 1, lim=2.0, n=15)

        def samples(model):
            dev = next(model.parameters()).device
            return sample(
                lambda x, t: model(x.to(dev), t.to(dev)), (400, 2), sched, n_samp, method, seed=1, device=dev
            )

        return {"field": field, "samples": samples}

    def render(snap, data):
        s = snap["samples"]
        traj = s["trajectory"][:, :6]
        c1, c2 = st.columns(2)
        with c1:
            plotly_chart(
                field_figure(
                    snap["field"]["points"],
                    snap["field"]["score"],
                    data.x_test,
                    traj,
                    title=f"−ε̂(x, t={t_view}) and 6 reverse trajectories",
                ),
                key="dif.2d.field",
            )
        with c2:
            plotly_chart(
                points_figure(
                    {"data": data.x_test, f"samples ({method}, {n_samp} steps)": s["x"]}, lim=2.2, height=480
                ),
                key="dif.2d.samp",
            )

    st.caption(f"Points are divided by {POINT_SCALE:g} so the data sit at the scale of the N(0, I) noise.")
    train_panel(
        "dif.2d.train",
        lambda: get_recipe("ddpm_2d").trainer(**settings),
        signature=repr(settings),
        probes=probes,
        render=render,
    )


# -------------------------------------------------------------------------------------- digits


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
    job = train_panel(
        "dif.dg.train", lambda: get_recipe("ddpm_digits").trainer(**settings), signature=repr(settings)
    )
    st.subheader("Sample")
    T = 1000
    c = st.columns(5)
    method = c[0].radio("Sampler", ("ddim", "ddpm"), horizontal=True, key="dif.dg.method")
    with c[1]:
        n = _steps_input("dif.dg.nsamp", T, 50)
    seed = int(c[2].number_input("Seed", 0, 10_000, 0, key="dif.dg.seed"))
    digit = c[3].selectbox("Digit", ["all", *range(10)], key="dif.dg.digit", disabled=not cond)
    scale = c[4].slider(
        "Guidance scale s",
        0.0,
        8.0,
        3.0,
        0.5,
        key="dif.dg.scale",
        disabled=not cond,
        help="0: unconditional, 1: the conditional model, >1: stronger pull toward the class.",
    )
    if st.button("Sample 20 digits", key="dif.dg.sample", icon=":material/auto_awesome:", disabled=n is None):
        if job is None:
            st.warning("Train the model first (or press Step): an untrained network turns noise into noise.")
        else:
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
            st.session_state["dif.dg.result"] = (out, scale, y.numpy(), cond)
    if res := st.session_state.get("dif.dg.result"):
        out, s, y, was_cond = res
        main = out[s]
        titles = [str(v) for v in y] if was_cond else None
        plotly_chart(
            image_grid(
                main["x"][:, 0], titles=titles, ncols=10, zmin=-1, zmax=1, colorscale="gray", height=300
            ),
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
        label = f"$x_{{{ts[i]}}}$" if i < len(ts) else "$x_0$"
        st.caption(
            f"All 20 samples at step {i} of {len(traj) - 1} ({label}), then the first sample's whole path."
        )
        plotly_chart(
            image_grid(traj[i][:, 0], ncols=10, zmin=-1, zmax=1, colorscale="gray", height=260),
            key="dif.dg.step",
        )
        idx = np.linspace(0, len(traj) - 1, min(12, len(traj))).round().astype(int)
        plotly_chart(
            image_grid(
                traj[idx, 0, 0],
                titles=[subscript("x", ts[j]) if j < len(ts) else "x₀" for j in idx],
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
                "**Guidance.** The same seeds at each scale: s = 0 ignores the label, "
                "larger s follows it more."
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
    job = train_panel(
        "dif.tx.train", lambda: get_recipe("ldm_shapes").trainer(**settings), signature=repr(settings)
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
        n = _steps_input("dif.tx.nsamp", 1000, 50)
    seed = int(c[2].number_input("Seed", 0, 10_000, 0, key="dif.tx.seed"))
    scale = c[3].slider("Guidance scale s", 0.0, 8.0, 3.0, 0.5, key="dif.tx.scale")
    try:
        VOCAB.encode(caption)
    except ConfigError as e:
        st.error(str(e), icon=":material/block:")
        return
    if st.button("Generate", key="dif.tx.go", icon=":material/auto_awesome:", disabled=n is None):
        if job is None:
            st.warning("Train the model first (or press Step): an untrained network turns noise into noise.")
        else:
            with job.lock:
                res = text_to_image(job.trainer.model, [caption] * 4, n, method, scale, seed)
            st.session_state["dif.tx.result"] = (caption, res)
    if got := st.session_state.get("dif.tx.result"):
        cap, res = got
        st.markdown(f"**{cap}** — four samples (seeds {seed}…), then where each word is looked at:")
        plotly_chart(rgb_grid(res["images"], ncols=4, height=220), key="dif.tx.imgs")
        words = res["words"][0]
        plotly_chart(attention_figure(res["images"][0], res["attention"][0], words), key="dif.tx.att")
        strip = res["strip"][:, 0]
        plotly_chart(
            rgb_grid(
                strip, titles=[f"x̂_0 at t={t}" for t in res["strip_steps"]], ncols=len(strip), height=200
            ),
            key="dif.tx.strip",
        )
