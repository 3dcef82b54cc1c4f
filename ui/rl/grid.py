"""Tabular Q-learning and SARSA on a GridWorld, live: the value of every cell and its greedy arrow, as
REINFORCEjs draws them, beside the optimal ones that value iteration computes from the known model."""

from __future__ import annotations

import numpy as np
import streamlit as st

from training.recipes import get_recipe
from training.rl.probes import gridworld_probe, value_iteration
from training.rl.tabular import optimal_actions
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.rl import gridworld_figure, rl_curves

KEY = "rl.g"
RECIPE = "tabular_q_gridworld"
DECAY = "1 → 0.05"
EPSILONS = {DECAY: (1.0, 0.05)} | {f"{e:g}": (e, e) for e in (0.0, 0.05, 0.1, 0.2, 0.5, 1.0)}


@st.cache_data(show_spinner=False, max_entries=8)
def _optimal(gamma: float) -> dict:
    """Value iteration on the GridWorld's own transition model: the answer the learner should find."""
    env = get_recipe(RECIPE).make_data().make()
    grid = env.unwrapped
    v, greedy = value_iteration(grid, gamma)
    walls = np.zeros(grid.shape, bool)
    for r, c in grid.walls:
        walls[r, c] = True
    best = optimal_actions(grid, gamma)  # (H, W, 4): every action that is optimal (ties count)
    return {
        "value": v,
        "greedy": greedy,
        "walls": walls,
        "goal": grid.goal,
        "pits": list(grid.pits),
        "best": best,
    }


def gridworld_lab() -> None:
    recipe = get_recipe(RECIPE)
    c = st.columns(4)
    method = c[0].radio(
        "Method",
        ("Q-learning", "SARSA"),
        horizontal=True,
        key=child(KEY, "method"),
        help="Q-learning learns from the best next action (off-policy); SARSA from the action it will "
        "really take, exploration included (on-policy), so it keeps further from the pit.",
    )
    alpha = c[1].select_slider(
        "Step size α",
        (0.01, 0.05, 0.1, 0.3, 0.5, 1.0),
        value=0.5,
        key=child(KEY, "alpha"),
        help="How far each update moves Q(s, a) towards its target.",
    )
    gamma = c[2].select_slider(
        "Discount γ",
        (0.5, 0.8, 0.9, 0.95, 0.99),
        value=0.95,
        key=child(KEY, "gamma"),
        help="How much a reward one step later is worth. Low γ: the agent cares about the next few steps.",
    )
    eps = c[3].select_slider(
        "Exploration ε",
        tuple(EPSILONS),
        value=DECAY,
        key=child(KEY, "eps"),
        help="The chance of a random action at each step: decaying from 1 (all random) to 0.05 over the "
        "first half of the episodes, or held at one value. With ε = 0 the agent may never find the goal.",
    )
    st.caption(recipe.summary)
    eps_start, eps_end = EPSILONS[eps]
    settings = dict(
        sarsa=method == "SARSA",
        alpha=float(alpha),
        gamma=float(gamma),
        eps_start=eps_start,
        eps_end=eps_end,
        seed=state.seed(),
    )
    best = _optimal(float(gamma))

    def render(snap: dict, _d) -> None:
        gp = snap.get("grid")
        if gp is None:
            return
        learned = np.asarray(gp["greedy"])
        free = best["greedy"] >= 0  # cells where the agent acts (not walls, the goal or the pit)
        rows, cols = np.nonzero(free)
        agree = int(
            best["best"][rows, cols, np.clip(learned[rows, cols], 0, 3)][learned[rows, cols] >= 0].sum()
        )
        left, right = st.columns(2)
        with left:
            plotly_chart(
                gridworld_figure(
                    gp,
                    f"Learned: max Q(s, a) and the greedy action · {agree} of {int(free.sum())} "
                    "cells optimal",
                ),
                key=child(KEY, "train", "view", "learned"),
            )
        with right:
            plotly_chart(
                gridworld_figure(best, f"Optimal for γ = {gamma:g} (value iteration)"),
                key=child(KEY, "train", "view", "optimal"),
            )

    train_panel(
        child(KEY, "train"),
        lambda: recipe.trainer(**settings),
        signature=(recipe.name, repr(sorted(settings.items()))),
        probes=lambda d: {"grid": gridworld_probe(d)},
        render=render,
        untrained=True,
        step_sizes=(1, 10, 100),
        curve_figure=lambda h: rl_curves(h),
    )
