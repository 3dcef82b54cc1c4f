"""The neural ODE labs. ``ode_lab``: the spiral of torchdiffeq's demo learned live, beside a ResNet with
the same parameters (the phase plane with the learned field, both paths, both errors). ``nfe_tab``: the
evaluations of f that one solve takes against the solver's tolerance, on the lab's model (or an untrained
one), and a solve at the rtol and atol the user types."""

from __future__ import annotations

import streamlit as st
import torch

import archs
from archs import ConfigError
from data.continuous import spiral_path
from training.continuous.ode import nfe_sweep, solve_once
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import current_job, train_panel
from viz.continuous import nfe_figure, ode_curves, spiral_figure

KEY = "continuous.ode"
TRAIN_KEY = child(KEY, "train")
NFE = "continuous.nfe"
RECIPE = "neural_ode_spiral"


def ode_lab() -> None:
    st.markdown(
        "The true system is the spiral dz/dt = z³A of torchdiffeq's demo. The network f (2 → 50 → 2, "
        "tanh, reading z³: 252 parameters) learns it from **segments** of the path: from a point z(s), the "
        "solver (dopri5) must reproduce the next 20 points. The **ResNet** beside it has the very same "
        "network and starting weights, applied as one residual step z ← z + g(z) per sampling interval, "
        "with no solver. Both are then run from z(0) along the whole path of 1,000 points, where small "
        "errors compound."
    )
    recipe = get_recipe(RECIPE)
    c = st.columns(2)
    steps = c[0].select_slider("Steps", (100, 200, 400, 800, 1500), 200, key=child(KEY, "steps"))
    lr = c[1].select_slider("Learning rate", (0.001, 0.002, 0.005, 0.01, 0.02), 0.005, key=child(KEY, "lr"))
    s = dict(num_steps=int(steps), lr=float(lr), seed=state.seed(), device=state.device())

    def render(snap: dict, d) -> None:
        left, right = st.columns([3, 2])
        with left:
            plotly_chart(spiral_figure(snap["paths"], snap["field"]), key=child(TRAIN_KEY, "view", "spiral"))
        with right:
            ev = snap.get("last_eval") or {}
            if "test_err" in ev:
                st.markdown(
                    f"**Along the whole path** (mean |ẑ − z| over 1,000 points from z(0)): neural ODE "
                    f"**{ev['test_err']:.3f}**, ResNet with the same 252 parameters "
                    f"**{ev['test_twin_err']:.3f}**, "
                    f"after {snap['step']} steps. That solve took **{ev['test_nfe']:.0f}** evaluations of f; "
                    "the ResNet always takes 999, one per interval."
                )
            st.caption(
                "Grey arrows: the direction of the learned f(z) at each point of the plane. The true field "
                "turns clockwise and inwards; watch the arrows line up with the green spiral."
            )

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        render=render,
        untrained=True,
        step_sizes=(1, 10, 50),
        curve_figure=ode_curves,
    )


@st.cache_data(show_spinner=False)
def _spiral() -> tuple:
    return spiral_path()


def _model():
    job = current_job(TRAIN_KEY)
    if job is not None:
        return job, job.trainer.model.main
    torch.manual_seed(state.seed())
    return None, archs.build_model("neural_ode", "canonical")


def nfe_tab() -> None:
    st.markdown(
        "An adaptive solver chooses its own steps: it estimates the error of each step and shrinks the "
        "step until the error is below **atol + rtol·|z|**. A tighter tolerance costs more evaluations of "
        "f, the **NFE** (number of function evaluations), the neural ODE's measure of depth: the network "
        "gets deeper when you ask for more accuracy, not when you add layers."
    )
    t, path = _spiral()
    c = st.columns(2)
    rtol = c[0].number_input(
        "rtol",
        value=1e-3,
        format="%.0e",
        step=None,
        key=child(NFE, "rtol"),
        help="Relative tolerance: the error allowed per step, as a fraction of |z|. Type e.g. 1e-5.",
    )
    atol = c[1].number_input(
        "atol",
        value=1e-4,
        format="%.0e",
        step=None,
        key=child(NFE, "atol"),
        help="Absolute tolerance: the error allowed where z is near 0.",
    )
    job, model = _model()
    if job is None:
        st.info(
            "This uses an untrained network f: train it on the **Neural ODE** tab and come back to see "
            "the learned spiral's costs.",
            icon=":material/info:",
        )
    dev = next(model.parameters()).device  # the job's device (CUDA when the server has one)
    z0, tt = torch.tensor(path[:1], device=dev), torch.tensor(t[::10], device=dev)  # 100 output times
    lock = job.lock if job is not None else _nolock()
    with lock, torch.no_grad():
        was = model.training
        model.eval()
        try:
            # the sweep takes a second or two: computed again only when the model has changed
            mark = (id(model), job.snapshot().get("step") if job is not None else state.seed())
            cached = st.session_state.get(child(NFE, "cache"))
            if cached is None or cached[0] != mark:
                st.session_state[child(NFE, "cache")] = cached = (mark, nfe_sweep(model, z0, tt))
            rows = cached[1]
            try:
                mine = solve_once(model, z0, tt, float(rtol), float(atol))
            except ConfigError as e:
                mine = None
                st.error(str(e), icon=":material/block:")
        finally:
            model.train(was)
    mark = {"tol": float(rtol), "nfe": mine["nfe"]} if mine is not None else None
    plotly_chart(nfe_figure(rows, mark), key=child(NFE, "sweep"))
    if mine is not None:
        st.markdown(
            f"At rtol = {rtol:.0e} and atol = {atol:.0e}, one solve of the whole path (25 time units) took "
            f"**{mine['nfe']}** evaluations of f. From 1e-1 to 1e-6 the sweep goes from {rows[0]['nfe']} to "
            f"{rows[-1]['nfe']}."
        )


class _nolock:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False
