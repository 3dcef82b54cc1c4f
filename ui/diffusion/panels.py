"""The diffusion page's panels: the forward-process scrubber and the 2-D lab (the digits and text-to-image
tabs are in ui/diffusion/generate.py).

Training runs through ``ui.train_panel``; sampling from a trained model takes the job's lock so it never
races the worker thread. Every user-typed setting is checked and refused with a sentence.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from archs.spec import ConfigError
from training.demos import DEMOS
from training.diffusion.recipes import POINT_SCALE, diffusion_digits, diffusion_points
from training.diffusion.trainer import Schedule, check_steps, eps_field, sample
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart, subscript
from ui.train_panel import PanelDemo, train_panel
from viz.diffusion import (
    field_figure,
    marginal_figure,
    points_figure,
    schedule_figure,
)
from viz.images import image_grid


@st.cache_data(show_spinner=False, max_entries=8)
def schedule_curves(kind: str, T: int) -> dict[str, np.ndarray]:
    return Schedule.make(kind, T).curves()


def schedules_chart(key: str, T: int = 1000, t_mark: int | None = None) -> None:
    curves = {k: schedule_curves(k, T) for k in ("linear", "cosine")}
    plotly_chart(schedule_figure(curves, t_mark), key=key)


def steps_input(key: str, T: int, default: int) -> int | None:
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


def lab2d_demo() -> PanelDemo:
    """The swiss-roll demo and the 2-D lab's widgets that reproduce its settings."""
    d = DEMOS["ddpm_2d"]
    o = d.overrides
    return PanelDemo(
        d.name,
        widgets={
            "dif.2d.data": o["name"],
            "dif.2d.sched": o["schedule"],
            "dif.2d.T": o["timesteps"],
            "dif.2d.steps": o["num_steps"],
        },
    )


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
        untrained = "untrained " if snap["step"] == 0 else ""
        with c1:
            plotly_chart(
                field_figure(
                    snap["field"]["points"],
                    snap["field"]["score"],
                    data.x_test,
                    traj,
                    title=f"{untrained}−ε̂(x, t={t_view}) and 6 reverse trajectories",
                ),
                key="dif.2d.field",
            )
        with c2:
            plotly_chart(
                points_figure(
                    {"data": data.x_test, f"{untrained}samples ({method}, {n_samp} steps)": s["x"]},
                    lim=2.2,
                    height=480,
                ),
                key="dif.2d.samp",
            )
        far = np.abs(s["x"]).max(1) > 2.2
        if far.mean() > 0.1:  # an untrained (or diverged) denoiser throws its samples out of the window
            dist = float(np.median(np.linalg.norm(s["x"], axis=1)))
            c2.caption(
                f"{far.mean():.0%} of the samples land outside this window (median distance {dist:,.0f} "
                "from the centre): random noise estimates, amplified by every reverse step."
            )

    st.caption(f"Points are divided by {POINT_SCALE:g} so the data sit at the scale of the N(0, I) noise.")
    train_panel(
        "dif.2d.train",
        lambda: get_recipe("ddpm_2d").trainer(**settings),
        signature=repr(settings),
        probes=probes,
        render=render,
        demo=lab2d_demo(),
        untrained=True,
    )
