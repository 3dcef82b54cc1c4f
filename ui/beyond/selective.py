"""The selective-copying lab (Gu & Dao 2023): a few tokens to remember are scattered among noise, and the
model must output them in order at the end. Mamba, whose step Δ and matrices B and C depend on the token,
can ignore the noise; S4 of the same size, with one fixed convolution kernel, cannot. Both train live; one
held-out example with the right and wrong answers, and what each model computes on it: Mamba's Δ, B and C
per token, S4's kernel."""

from __future__ import annotations

import streamlit as st

from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.beyond import kernel_figure, selection_figure, token_rows_figure

KEY = "beyond.sel"
TRAIN_KEY = child(KEY, "train")
MODELS = {"Mamba (selective)": "mamba_selective_copy", "S4 (time-invariant)": "s4_selective_copy"}


def selective_lab() -> None:
    st.markdown(
        "**Selective copying.** The input holds a few coloured tokens to remember at random places among "
        "noise tokens, then markers asking for them; the answer is the remembered tokens in order. A fixed "
        "kernel cannot know where the tokens will be; a model that decides per token what to keep can."
    )
    model = st.radio("Model", list(MODELS), horizontal=True, key=child(KEY, "model"))
    recipe = get_recipe(MODELS[model])
    st.caption(recipe.summary)
    s = dict(seed=state.seed(), device=state.device())
    scores: dict[str, float] = st.session_state.setdefault(child(KEY, "scores"), {})

    def render(snap: dict, d) -> None:
        ev = snap.get("last_eval") or {}
        if "accuracy" in ev:
            scores[model] = float(ev["accuracy"])
        if scores:
            st.markdown(
                "Held-out accuracy on the answer tokens: "
                + ", ".join(f"{k} **{v:.0%}**" for k, v in scores.items())
                + " (a blind guess among the tokens scores about "
                f"{1 / max(1, recipe.data_params.get('vocab', 8)):.0%})."
            )
        ex = snap.get("example")
        if ex is not None:
            plotly_chart(token_rows_figure(ex), key=child(TRAIN_KEY, "view", "tokens"))
            if snap.get("delta") is not None:
                st.markdown(
                    "**What Mamba selects**: Δ, B and C are computed from each token and the few before it "
                    "(a short convolution), so they change from token to token, where S4's stay the same. "
                    "In a channel where Δ is large the state is reset towards the current token; where it "
                    "is small the token passes almost unnoticed. A run of noise tokens gives the same "
                    "pattern each time; the tokens to remember give their own."
                )
                internals = {k: snap[k] for k in ("delta", "B", "C") if snap.get(k) is not None}
                plotly_chart(selection_figure(internals, ex["inputs"]), key=child(TRAIN_KEY, "view", "sel"))
            elif snap.get("kernel") is not None:
                st.markdown(
                    "**S4's kernel**: the same weights at every position, whatever the tokens: it can "
                    "only remember by where things are, not by what they are."
                )
                plotly_chart(kernel_figure(snap["kernel"]), key=child(TRAIN_KEY, "view", "kernel"))

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(recipe.name, repr(sorted(s.items()))),
        render=render,
        untrained=True,
        step_sizes=(1, 10, 100),
    )
