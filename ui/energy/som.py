"""The self-organising map lab: a grid of units organising itself live on random colours or on the digits,
its U-matrix and its errors redrawn while it trains."""

from __future__ import annotations

import streamlit as st

from training.energy.som import map_probe
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.energy import som_curve_figure, som_map_figure

KEY = "energy.som"
SOURCES = {"random colours": "colors", "digits (8×8)": "digits"}


def _curves(history: list[dict]):
    rows = [r for r in history if "test_qe" in r]
    if not rows:
        return None
    return som_curve_figure(
        [r["step"] for r in rows], [r["test_qe"] for r in rows], [r["test_te"] for r in rows]
    )


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
    recipe = get_recipe("som_colors")
    settings = dict(
        source=source,
        rows=int(side),
        cols=int(side),
        num_steps=int(steps),
        eval_every=max(1, int(steps) // 20),  # twenty points on the error curves, whatever the budget
        lr=float(lr),
        seed=state.seed(),
        init_center=0.5 if source == "colors" else 0.2,
    )

    def render(snap: dict, _d) -> None:
        m = snap.get("map")
        if m is None:
            return
        last = snap["history"][-1] if snap["history"] else {}
        title = f"step {snap['step']}" + (
            f": σ = {last['sigma']:.2f}, η = {last['eta']:.3f}" if "sigma" in last else " (untrained)"
        )
        plotly_chart(
            som_map_figure(m["weights"], m["umatrix"], title), key=child(KEY, "train", "view", "map")
        )
        rows = [r for r in snap["history"] if "test_qe" in r]
        if len(rows) >= 2:
            first, now = rows[0], rows[-1]
            st.markdown(
                f"Quantisation error (mean distance from an input to its winner) {first['test_qe']:.3f} → "
                f"{now['test_qe']:.3f}; topographic error (inputs whose two best units are not grid "
                f"neighbours) {first['test_te']:.0%} → {now['test_te']:.0%}."
            )

    train_panel(
        child(KEY, "train"),
        lambda: recipe.trainer(**settings),
        signature=(recipe.name, repr(sorted(settings.items()))),
        probes=lambda d: {"map": map_probe},
        render=render,
        untrained=True,
        step_sizes=(1, 10, 100),
        curve_figure=_curves,
    )
