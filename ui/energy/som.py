"""The self-organising map lab: a grid of units organising itself on random colours or on the digits,
shown step by step with its U-matrix and its errors."""

from __future__ import annotations

import streamlit as st

from archs.spec import ConfigError
from training.energy.som import snapshot_steps, train_with_snapshots
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from viz.energy import som_curve_figure, som_map_figure

KEY = "energy.som"
SOURCES = {"random colours": "colors", "digits (8×8)": "digits"}


@st.cache_data(show_spinner=False, max_entries=8)
def _train(source: str, side: int, steps: int, lr: float, seed: int) -> list[dict]:
    t = get_recipe("som_colors").trainer(
        source=source,
        rows=side,
        cols=side,
        num_steps=steps,
        lr=lr,
        seed=seed,
        init_center=0.5 if source == "colors" else 0.2,
    )
    if t.status == "failed":
        raise ConfigError(t.message)
    return train_with_snapshots(t, snapshot_steps(steps, 14))


def som_lab() -> None:
    st.markdown(
        "Each unit of the grid holds a weight vector in the input space. For every input the nearest unit "
        "wins, and the winner **and its grid neighbours** move towards the input. The neighbourhood σ and "
        "the rate η shrink as training goes: the grid first unfolds over the data, then each unit settles "
        "on its own region, and neighbours on the grid end up alike."
    )
    st.latex(
        r"w_j \leftarrow w_j + \eta\, h_{j,c(x)}\,(x - w_j), \qquad "
        r"h_{j,c} = \exp\!\left(-\lVert g_j - g_c \rVert^2 / 2\sigma^2\right)"
    )
    c = st.columns([2, 1, 1, 1])
    source = SOURCES[c[0].radio("Data", list(SOURCES), horizontal=True, key=child(KEY, "data"))]
    side = c[1].select_slider("Grid side", (5, 8, 10, 12, 16, 20), value=12, key=child(KEY, "side"))
    steps = c[2].select_slider(
        "Steps (16 inputs each)", (100, 200, 400, 800, 1600), value=400, key=child(KEY, "steps")
    )
    lr = c[3].select_slider("First rate η", (0.1, 0.25, 0.5, 0.9), value=0.5, key=child(KEY, "lr"))
    try:
        with st.spinner("Training the map…"):
            snaps = _train(source, int(side), int(steps), float(lr), state.seed())
    except ConfigError as err:
        st.error(str(err))
        return
    at = st.select_slider(
        "Show the map after step", [s["step"] for s in snaps], value=snaps[-1]["step"], key=child(KEY, "at")
    )
    snap = next(s for s in snaps if s["step"] == at)
    title = f"step {snap['step']}: σ = {snap['sigma']:.2f}, η = {snap['eta']:.3f}"
    plotly_chart(som_map_figure(snap["weights"], snap["umatrix"], title), key=child(KEY, "map"))
    plotly_chart(
        som_curve_figure([s["step"] for s in snaps], [s["qe"] for s in snaps], [s["te"] for s in snaps]),
        key=child(KEY, "curve"),
    )
    first, last = snaps[0], snaps[-1]
    st.markdown(
        f"Quantisation error (mean distance from an input to its winner) {first['qe']:.3f} → "
        f"{last['qe']:.3f}; "
        f"topographic error (inputs whose two best units are not grid neighbours) {first['te']:.0%} → "
        f"{last['te']:.0%}. Slide back to step 0 to see the map before it organised."
    )
