"""The collapse experiment: BYOL as published, then without its stop-gradient or without its predictor,
on one budget. The spread of the embeddings is redrawn live; each run's curve stays on the chart, so the
normal run and the collapsing ones can be compared on one axis."""

from __future__ import annotations

import streamlit as st

from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.ssl.views import embedding_view, last_eval
from ui.train_panel import train_panel
from viz.ssl import collapse_figure, ssl_curves

KEY = "ssl.col"
TRAIN_KEY = child(KEY, "train")
RECIPE = "byol_collapse"
VARIANTS = {
    "BYOL (predictor and stop-gradient)": dict(predictor=True, stop_gradient=True),
    "without the stop-gradient": dict(predictor=True, stop_gradient=False),
    "without the predictor": dict(predictor=False, stop_gradient=True),
}


def collapse_lab() -> None:
    st.markdown(
        "BYOL's loss is 0 if every image maps to one point; nothing in it forbids that. Train BYOL as "
        "published, then take one part away and train again on the same budget. The **spread** (the mean "
        "standard deviation of the normalised embeddings across a batch, about 1/√d when they cover the "
        "sphere evenly, 0 when they coincide) tells a healthy run from a collapsed one; every run you "
        "train stays on the chart, finished or not."
    )
    c = st.columns([3, 1])
    variant = c[0].radio("Variant", list(VARIANTS), horizontal=True, key=child(KEY, "variant"))
    if c[1].button("Clear the chart", key=child(KEY, "clear"), icon=":material/delete_sweep:"):
        st.session_state.pop(child(KEY, "runs"), None)
    recipe = get_recipe(RECIPE)
    s = dict(VARIANTS[variant], seed=state.seed(), device=state.device())
    runs: dict[str, list[dict]] = st.session_state.setdefault(child(KEY, "runs"), {})

    def render(snap: dict, d) -> None:
        if snap["history"]:
            runs[variant] = snap["history"]  # kept for the chart after the settings change
        left, right = st.columns([1, 1])
        with left:
            embedding_view(snap, d, child(TRAIN_KEY, "view", "emb"))
        with right:
            shown = {k: v for k, v in runs.items() if v} or {variant: []}
            plotly_chart(collapse_figure(shown, height=380), key=child(TRAIN_KEY, "view", "spread"))
            now, ref = last_eval(snap["history"], "spread"), runs.get(list(VARIANTS)[0])
            ref_spread = last_eval(ref, "spread") if ref else None
            if now is not None and ref_spread and variant != list(VARIANTS)[0]:
                st.markdown(
                    f"Spread now **{now:.3f}**, {now / ref_spread:.0%} of the published BYOL run's "
                    f"{ref_spread:.3f}."
                )

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        render=render,
        untrained=True,
        step_sizes=(1, 10, 50),
        curve_figure=ssl_curves,
    )
