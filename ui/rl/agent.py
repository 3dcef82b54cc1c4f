"""The agent lab: an algorithm (PPO, A2C, DQN, REINFORCE) learns to act in a classic-control environment,
live. Its return per episode against the environment's "solved" line, its losses and exploration, and
inside the network while it learns: the policy and the value over a 2-D slice of the state space."""

from __future__ import annotations

import streamlit as st

from archs import ConfigError
from training.recipes import get_recipe
from training.rl.probes import pendulum_slice_probe, slice_probe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.rl import rl_curves, slice_figure

KEY = "rl.a"
TRAIN_KEY = child(KEY, "train")
AGENT_RECIPES = ("ppo_cartpole", "dqn_cartpole", "a2c_cartpole", "reinforce_cartpole", "ppo_pendulum")
DISCRETE = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0")
ENVS = {r: DISCRETE for r in AGENT_RECIPES[:4]} | {"ppo_pendulum": ("Pendulum-v1",)}
# the two state coordinates a slice shows, per environment: the ones the agent must balance
SLICES = {"CartPole-v1": (2, 3), "Acrobot-v1": (4, 5), "MountainCar-v0": (0, 1)}  # Pendulum: its angle
LRS = (1e-5, 1e-4, 3e-4, 1e-3, 2.5e-3, 0.01, 0.1, 1.0, 10.0)
GAMMAS = (0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0)


def _closest(options, value):
    return min(options, key=lambda o: abs(o - value))


def agent_settings() -> tuple | None:
    """The lab's controls; returns (recipe, settings, data), or None when the settings cannot make a run."""
    c = st.columns([2, 2, 2, 2, 2])
    recipe = get_recipe(
        c[0].selectbox(
            "Algorithm", AGENT_RECIPES, format_func=lambda n: get_recipe(n).title, key=child(KEY, "recipe")
        )
    )
    env = c[1].selectbox(
        "Environment",
        ENVS[recipe.name],
        key=child(KEY, recipe.name, "env"),
        help="CartPole: keep a pole upright by pushing the cart (+1 per step, up to 500). Acrobot: swing a "
        "two-link arm up (−1 per step until it does). MountainCar: rock a car out of a valley (−1 per step; "
        "almost never found by random exploration, so most algorithms fail within a small budget).",
    )
    arch = c[2].selectbox(
        "Network",
        recipe.compatible,
        index=list(recipe.compatible).index(recipe.arch),
        key=child(KEY, recipe.name, "arch"),
        help="The networks this algorithm can train: policy-gradient methods need a policy, DQN a Q-network.",
    )
    lr = c[3].select_slider(
        "Learning rate",
        LRS,
        value=_closest(LRS, recipe.train_params.get("lr", 3e-4)),
        key=child(KEY, recipe.name, "lr"),
        format_func=lambda v: f"{v:g}",
    )
    gamma = c[4].select_slider(
        "Discount γ",
        GAMMAS,
        value=_closest(GAMMAS, _default(recipe, "gamma", 0.99)),
        key=child(KEY, recipe.name, "gamma"),
        help="How much a reward one step later is worth: the agent plans about 1/(1 − γ) steps ahead.",
    )
    st.caption(recipe.summary)
    settings = dict(
        arch=arch, env=env, lr=float(lr), gamma=float(gamma), seed=state.seed(), device=state.device()
    )
    try:
        data = recipe.make_data(env=env)
    except ConfigError as e:
        st.error(f"**Cannot make this environment.** {e}", icon=":material/block:")
        return None
    return recipe, settings, data


def _default(recipe, name: str, fallback: float) -> float:
    """A task setting's default: the recipe's own, else the task factory's signature."""
    import inspect

    if name in recipe.train_params:
        return recipe.train_params[name]
    try:
        p = inspect.signature(recipe.task).parameters.get(name)
    except (TypeError, ValueError):
        p = None
    return p.default if p is not None and p.default is not inspect.Parameter.empty else fallback


def agent_lab() -> None:
    got = agent_settings()
    if got is None:
        return
    recipe, settings, data = got
    dims = SLICES.get(data.env_id, (0, 1))

    def render(snap: dict, d) -> None:
        sl = snap.get("slice")
        if sl is None:
            return
        rest = "" if d.obs_dim <= 2 or d.env_id == "Pendulum-v1" else " and the other coordinates at 0"
        st.markdown(
            f"**Inside the network**: every point is a state with {sl['xlabel']} and {sl['ylabel']} as "
            f"shown{rest}. Left, what the network would do there; right, how much return it expects from "
            "there."
        )
        plotly_chart(slice_figure(sl, d.action_names), key=child(TRAIN_KEY, "view", "slice"))

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**settings),
        signature=(recipe.name, repr(sorted(settings.items()))),
        probes=lambda d: {
            "slice": pendulum_slice_probe(d)
            if d.env_id == "Pendulum-v1"
            else slice_probe(d, dims=dims, grid=41)
        },
        render=render,
        untrained=True,
        step_sizes=(1, 10, 50),
        curve_figure=lambda h: rl_curves(h, data.reward_threshold),
    )
