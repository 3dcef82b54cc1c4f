"""Over-smoothing: the same GCN trained at depths 1 to 16, with and without residual connections, on a
stochastic block model; held-out accuracy and the spread of the node states against depth."""

from __future__ import annotations

import streamlit as st

from training.graph.oversmoothing import oversmoothing
from ui import state
from ui.charts import plotly_chart
from viz.graph import oversmoothing_figure

DEPTHS = {"1, 2, 4, 8, 16": (1, 2, 4, 8, 16), "every depth 1 to 16": tuple(range(1, 17))}


@st.cache_data(show_spinner=False, max_entries=8)
def _rows(depths: tuple[int, ...], steps: int, seed: int) -> list[dict]:
    """Shared by every session: the same settings give the same numbers (seeded)."""
    return oversmoothing(depths=depths, num_steps=steps, seed=seed)


def depth_lab() -> None:
    st.markdown(
        "Four communities of 25 nodes (a stochastic block model: dense inside a block, sparse between "
        "blocks), noisy node features, half the nodes labelled. The same GCN is trained at each depth, "
        "once plain (h ← σ(GCN(h))) and once with a residual connection (h ← h + σ(GCN(h))). The spread "
        "is the Dirichlet energy of the final node states relative to their size: 0 when every node has "
        "become the same up to its degree."
    )
    c = st.columns([2, 1, 1])
    which = c[0].radio("Depths", list(DEPTHS), horizontal=True, key="gnn.d.depths")
    steps = c[1].select_slider("Steps per network", (50, 100, 200, 400), value=100, key="gnn.d.steps")
    go = c[2].button("Run the experiment", key="gnn.d.run", type="primary", icon=":material/play_arrow:")
    args = (DEPTHS[which], int(steps), state.seed())
    if go:
        st.session_state["gnn.d.asked"] = args
    if st.session_state.get("gnn.d.asked") != args:
        st.info(
            f"Press **Run the experiment** to train {2 * len(DEPTHS[which])} networks "
            f"({'about ten seconds' if len(DEPTHS[which]) < 8 else 'about half a minute'} on a CPU).",
            icon=":material/science:",
        )
        return
    with st.spinner("Training every depth…"):
        rows = _rows(*args)
    runs = {}
    for residual, name in ((False, "plain"), (True, "residual")):
        mine = sorted((r for r in rows if r["residual"] == residual), key=lambda r: r["depth"])
        runs[name] = {"acc": [r["test_acc"] for r in mine], "spread": [r["dirichlet"] for r in mine]}
    plotly_chart(oversmoothing_figure(list(DEPTHS[which]), runs), key="gnn.d.fig")
    plain, res = runs["plain"], runs["residual"]
    st.markdown(
        f"From {DEPTHS[which][0]} to {DEPTHS[which][-1]} layers the plain network's spread goes from "
        f"{plain['spread'][0]:.3g} to {plain['spread'][-1]:.3g} and its held-out accuracy from "
        f"{plain['acc'][0]:.0%} to {plain['acc'][-1]:.0%}; with residual connections, "
        f"{res['spread'][0]:.3g} to {res['spread'][-1]:.3g} and {res['acc'][0]:.0%} to {res['acc'][-1]:.0%}."
    )
