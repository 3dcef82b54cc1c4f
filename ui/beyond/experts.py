"""The mixture-of-experts lab: a small Mixtral-style character model trained live, with or without the
load-balancing loss. The share of tokens each expert receives in every MoE layer, the largest share over
training (each run kept on the chart, so a run without balancing reads against one with it), the router's
probabilities for every character of a sample text, and total against active parameters per token."""

from __future__ import annotations

import streamlit as st

import archs
from archs import ConfigError
from archs.beyond.moe import active_params
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.beyond import imbalance_figure, load_figure, moe_curves, params_figure, router_figure

KEY = "beyond.moe"
TRAIN_KEY = child(KEY, "train")
RECIPE = "moe_char_lm"
BALANCE = {"off (α = 0)": 0.0, "α = 0.001": 0.001, "α = 0.01 (Switch)": 0.01, "α = 0.1": 0.1}


def settings() -> dict | None:
    """The lab's controls; the settings, or None (with a sentence) when they cannot train."""
    recipe = get_recipe(RECIPE)
    c = st.columns([2.2, 1.4, 1.4, 1.6])
    alpha = c[0].select_slider(
        "Load-balancing loss",
        list(BALANCE),
        value="α = 0.01 (Switch)",
        key=child(KEY, "balance"),
        help="The auxiliary loss α·E·Σ fᵢ·Pᵢ added to the language-model loss; off lets the router send "
        "tokens wherever it likes.",
    )
    experts = c[1].selectbox("Experts E", (2, 4, 8, 16), index=2, key=child(KEY, "experts"))
    top_k = c[2].number_input(
        "Top-k",
        min_value=1,
        max_value=16,
        value=2,
        key=child(KEY, "topk"),
        help="How many experts each token goes to (Switch: 1, Mixtral: 2).",
    )
    default = int(recipe.train_params.get("num_steps", 600))
    steps = c[3].select_slider(
        "Steps", sorted({100, 200, 400, 800, 1600, default}), value=default, key=child(KEY, "steps")
    )
    s = dict(
        aux_coef=BALANCE[alpha],
        num_experts=int(experts),
        top_k=int(top_k),
        num_steps=int(steps),
        seed=state.seed(),
        device=state.device(),
    )
    try:  # the model's own checks before anything is built: top-k ≤ E
        archs.get_arch(recipe.arch).make_config("tiny", num_experts=s["num_experts"], top_k=s["top_k"])
    except ConfigError as e:
        st.error(f"**Cannot train with these settings.** {e}", icon=":material/block:")
        return None
    st.caption(recipe.summary)
    return s


def experts_lab() -> None:
    st.markdown(
        "A small decoder in the style of Mixtral learns to continue English text character by character; "
        "each of its feed-forward layers is a set of experts with a router. Train it with the balancing "
        "loss, then switch the loss off and train again: every run's largest share stays on the chart."
    )
    s = settings()
    if s is not None:
        _train(s)
    with st.expander("Total and active parameters", expanded=False):
        _params()


def _train(s: dict) -> None:
    recipe = get_recipe(RECIPE)
    name = f"α = {s['aux_coef']:g}, E = {s['num_experts']}, k = {s['top_k']}"
    runs: dict[str, list] = st.session_state.setdefault(child(KEY, "runs"), {})

    def render(snap: dict, d) -> None:
        if snap.get("load_history"):
            runs[name] = snap["load_history"]
        left, right = st.columns([1, 1])
        with left:
            plotly_chart(
                load_figure(snap["load"], title="Share of the held-out tokens per expert"),
                key=child(TRAIN_KEY, "view", "load"),
            )
        with right:
            others = {k: v for k, v in runs.items() if k != name}
            if snap.get("load_history") or others:
                plotly_chart(
                    imbalance_figure(snap.get("load_history") or [], others),
                    key=child(TRAIN_KEY, "view", "imb"),
                )
            else:
                st.info(
                    "The busiest expert's share, at every evaluation, is drawn here once training starts.",
                    icon=":material/bar_chart:",
                )
        ev = snap.get("last_eval") or {}
        if "max_share" in ev:
            share = ev["max_share"]
            st.markdown(
                f"The busiest expert gets **{share:.2f}×** its fair share 1/E of the tokens"
                + (" (the limit this page's test holds a balanced run to is 2×)." if share <= 2 else ".")
            )
        plotly_chart(
            router_figure(snap["router_probs"], snap["text"], snap.get("router_topk")),
            key=child(TRAIN_KEY, "view", "router"),
        )
        if snap.get("sample"):
            st.markdown("**A sample** from the model at its last evaluation, character by character:")
            st.code(snap["sample"], language=None)

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        render=render,
        untrained=True,
        step_sizes=(1, 10, 50),
        curve_figure=lambda h: moe_curves(h, layers=recipe.arch_overrides.get("depth", 1)),
    )


def _params() -> None:
    rows = {}
    for name in ("switch_transformer", "mixtral"):
        spec = archs.get_arch(name)
        rows[spec.title] = active_params(name, spec.make_config("canonical"))
    st.markdown(
        "A token passes through the router and its k experts only, so the compute per token follows the "
        "**active** parameters while the model's knowledge can grow with the **total**: "
        + "; ".join(f"{k}: {t:,} in all, {a:,} per token" for k, (t, a) in rows.items())
        + "."
    )
    plotly_chart(params_figure(rows), key=child(KEY, "params"))
