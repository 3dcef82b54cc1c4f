"""The echo state network lab: a reservoir forecasts the chaotic Mackey–Glass series; a spectral-radius
slider shows the echo-state property holding (two runs from different initial states converge) and
breaking (they stay apart, and the forecast error rises)."""

from __future__ import annotations

import streamlit as st

from archs.spec import ConfigError
from training.energy.esn import esn_experiment, radius_sweep
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from viz.energy import esn_divergence_figure, esn_forecast_figure, esn_sweep_figure

KEY = "energy.esn"
RADII = (0.3, 0.6, 0.9, 1.1, 1.3, 1.5, 1.8, 2.2)


@st.cache_data(show_spinner=False, max_entries=16)
def _run(rho: float, size: int, ridge: float, seed: int) -> dict:
    return esn_experiment(rho, size, ridge, seed)


@st.cache_data(show_spinner=False, max_entries=4)
def _sweep(size: int, ridge: float, seed: int) -> list[dict]:
    return radius_sweep(RADII, size, ridge, seed)


def esn_lab() -> None:
    st.markdown(
        "A random recurrent **reservoir** is driven by the Mackey–Glass series (a chaotic delay equation, "
        "τ = 17). Its weights are never trained: only a linear readout, solved in one step by ridge "
        "regression, learns to map the reservoir's state to the next value. The **spectral radius** ρ (the "
        "largest |eigenvalue| of the reservoir's weights) decides whether the state is an echo of the input "
        "alone (the echo-state property, the rule of thumb $\\rho < 1$) or keeps dynamics of its own."
    )
    c = st.columns([2, 1, 1])
    rho = c[0].slider("Spectral radius ρ", 0.1, 2.5, 0.9, 0.05, key=child(KEY, "rho"))
    size = c[1].select_slider(
        "Reservoir neurons", (50, 100, 200, 300, 400), value=300, key=child(KEY, "size")
    )
    ridge = c[2].select_slider(
        "Ridge λ",
        (1e-9, 1e-7, 1e-5, 1e-3),
        value=1e-7,
        format_func=lambda v: f"{v:.0e}",
        key=child(KEY, "ridge"),
    )
    seed = state.seed()
    try:
        with st.spinner("Driving the reservoir and solving the readout…"):
            e = _run(float(rho), int(size), float(ridge), seed)
            low = _run(0.5, int(size), float(ridge), seed)
    except ConfigError as err:
        st.error(str(err))
        return
    m = e["metrics"]
    k = st.columns(4)
    k[0].metric("One-step NRMSE", f"{m['test_nrmse']:.4f}")
    k[1].metric(
        "Persistence NRMSE", f"{m['persistence_nrmse']:.4f}", help="The naive forecast: the last value."
    )
    k[2].metric("Free-running NRMSE (100 steps)", f"{m['free_nrmse']:.3f}")
    k[3].metric("Measured ρ", f"{e['measured_radius']:.2f}")
    st.caption(
        "NRMSE is the root-mean-square error divided by the series' standard deviation: 1 is no better than "
        "predicting the mean. One step ahead, the true past is fed in; free-running, each forecast becomes "
        "the next input."
    )
    plotly_chart(esn_forecast_figure(e["forecasts"]), key=child(KEY, "forecast"))
    st.markdown(
        "**The echo-state property.** The same input drives the reservoir twice, from two different random "
        "initial states. Where the property holds, the two states converge and the reservoir forgets where "
        "it started."
    )
    curves = {"ρ = 0.5": low["divergence"], f"ρ = {rho:g} (yours)": e["divergence"]}
    plotly_chart(esn_divergence_figure(curves), key=child(KEY, "divergence"))
    gap = float(e["divergence"][-50:].mean())
    st.markdown(
        f"After 300 steps the two runs at ρ = {rho:g} are {gap:.2g} apart: "
        + (
            "they have converged."
            if gap < 1e-3
            else "they have **not** converged: the state depends on where it started, not only on the input."
        )
    )
    with st.expander("Forecast error against the spectral radius", expanded=False):
        if st.button("Sweep ρ from 0.3 to 2.2", key=child(KEY, "sweep"), icon=":material/play_arrow:"):
            st.session_state[child(KEY, "asked")] = (int(size), float(ridge), seed)
        if st.session_state.get(child(KEY, "asked")) != (int(size), float(ridge), seed):
            st.info(
                f"Trains {len(RADII)} reservoirs (a few seconds each on a CPU).", icon=":material/science:"
            )
        else:
            with st.spinner("Training a reservoir per radius…"):
                rows = _sweep(int(size), float(ridge), seed)
            plotly_chart(esn_sweep_figure(rows, float(rho)), key=child(KEY, "sweep_fig"))
            st.caption(
                "The input keeps the neurons partly saturated, which damps the reservoir: the property "
                "often survives a little above ρ = 1 and breaks further out, where both errors climb."
            )
