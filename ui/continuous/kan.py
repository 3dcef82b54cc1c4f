"""The KAN lab: a Kolmogorov-Arnold network learns exp(sin(πx) + y²) live; every edge's learned function
is drawn as a small curve, and on request read back as the closest function of a small library (sin, x²,
exp, x, …) with its R²."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import archs
from training.continuous.kan import read_back
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.continuous import kan_edges_figure

KEY = "continuous.kan"
TRAIN_KEY = child(KEY, "train")
RECIPE = "kan_formula"


def _settings() -> dict:
    c = st.columns(4)
    width = c[0].slider(
        "Hidden nodes", 1, 8, 5, key=child(KEY, "width"), help="The paper's shape is [2, 5, 1]."
    )
    grid = c[1].slider(
        "Grid size G", 0, 20, 5, key=child(KEY, "grid"), help="Intervals of each spline's grid on [−1, 1]."
    )
    order = c[2].slider("Spline order k", 0, 5, 3, key=child(KEY, "order"), help="3: cubic B-splines.")
    steps = c[3].select_slider("Steps", (100, 200, 400, 600, 1000), 600, key=child(KEY, "steps"))
    return dict(
        hidden_dims=(int(width),),
        grid_size=int(grid),
        spline_order=int(order),
        num_steps=int(steps),
        seed=state.seed(),
        device=state.device(),
    )


def kan_lab() -> None:
    st.markdown(
        "The target is the paper's first example, **f(x, y) = exp(sin(πx) + y²)** on [−1, 1]², from 1,000 "
        "samples. Each small plot below is one edge's learned function φ over the values its input takes "
        "on the data: the top row maps the inputs x (0) and y (1) to the hidden nodes, the bottom row the "
        "hidden nodes to the output. A KAN that found the formula has edges like sin(πx) and y² in the "
        "first layer and exp in the second."
    )
    s = _settings()
    archs.get_arch("kan").make_config(  # a grid of 0 or an order below 1: a sentence, before any training
        "tiny", hidden_dims=s["hidden_dims"], grid_size=s["grid_size"], spline_order=s["spline_order"]
    )
    recipe = get_recipe(RECIPE)
    readback = st.toggle(
        "Read each edge back as a formula",
        False,
        key=child(KEY, "symbolic"),
        help="For each edge, the function of a small library (x, x², x³, exp, sin, tanh, |x|) that, after "
        "an affine map inside and outside, comes closest to φ; R² says how close.",
    )

    def render(snap: dict, d) -> None:
        ev = snap.get("last_eval") or {}
        if "test_rmse" in ev:
            st.markdown(
                f"Test RMSE **{ev['test_rmse']:.4f}** (R² {ev['test_r2']:.4f}) on 1,000 new points after "
                f"{snap['step']} steps; f ranges from 0.37 to 7.4."
            )
        rb = read_back(snap["edges"]) if readback else None
        plotly_chart(kan_edges_figure(snap["edges"], rb), key=child(TRAIN_KEY, "view", "edges"))
        if rb is not None:
            rows = [
                {"layer": li, "edge": f"{i} → {o}", "closest": e["name"], "form": e["formula"], "R²": e["r2"]}
                for li, layer in enumerate(rb)
                for o, row in enumerate(layer)
                for i, e in enumerate(row)
            ]
            st.dataframe(pd.DataFrame(rows), hide_index=True, key=child(TRAIN_KEY, "view", "table"))

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        render=render,
        untrained=True,
        step_sizes=(1, 10, 100),
    )
