"""Algorithms side by side: each trains on CartPole with the same environment-step budget and the same
seeds, and their returns are drawn as mean and band over the seeds (DQN is known to vary from seed to
seed; one lucky run proves little)."""

from __future__ import annotations

import streamlit as st

from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import current_job, train_panel
from viz.rl import compare_figure

KEY = "rl.c"
RECIPE = "rl_compare_cartpole"
ALGOS = ("ppo", "a2c", "dqn", "reinforce")
TITLES = {"ppo": "PPO", "a2c": "A2C", "dqn": "DQN", "reinforce": "REINFORCE"}


def compare_lab() -> None:
    recipe = get_recipe(RECIPE)
    c = st.columns([3, 1])
    algos = c[0].multiselect(
        "Algorithms", ALGOS, default=list(ALGOS), format_func=TITLES.get, key=child(KEY, "algos")
    )
    seeds = c[1].select_slider("Seeds each", (1, 2, 3, 5), value=3, key=child(KEY, "seeds"))
    st.caption(recipe.summary)
    if not algos:
        st.info("Choose at least one algorithm.", icon=":material/info:")
        return
    base = state.seed()
    settings = dict(algos=tuple(algos), seeds=tuple(range(base, base + int(seeds))))

    def render(snap: dict, d) -> None:
        job = current_job(child(KEY, "train"))
        if job is None:
            return
        with job.lock:
            curves = {TITLES.get(a, a): list(runs) for a, runs in job.trainer.curves.items()}
        if not any(len(x) for runs in curves.values() for x, _ in runs):
            st.caption("The curves appear once the first episodes have ended.")
            return
        plotly_chart(compare_figure(curves, d.reward_threshold), key=child(KEY, "train", "view", "fig"))
        st.caption(
            "Each point: the greedy policy's mean return over a few evaluation episodes, taken at even "
            "intervals of the budget. Thick line: the mean over seeds; band: ± one standard deviation; thin "
            "lines: the seeds themselves."
        )

    train_panel(
        child(KEY, "train"),
        lambda: recipe.trainer(**settings),
        signature=(recipe.name, repr(sorted(settings.items()))),
        render=render,
        step_sizes=(10, 100),
        curve_figure=lambda h: None,
    )
