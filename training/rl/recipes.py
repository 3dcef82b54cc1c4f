"""Recipes of the reinforcement-learning family: one per algorithm, on the environment it is known for,
with a data parameter ``env`` where another environment fits.

    t = get_recipe("ppo_cartpole").trainer(seed=0)
    t.step(t.num_steps); t.last_eval()   # {"eval_return": 500.0, ...}

``num_steps`` counts updates of the algorithm (see ``training.rl.base``); the environment-step budget is
``num_steps`` × the environment steps of one update (PPO: n_envs × n_steps). The network's ``obs_dim``,
``num_actions``, ``continuous`` and, for a Q-table, ``num_states`` follow from the environment.
"""

from __future__ import annotations

from typing import Any

from data.envs import CLASSIC, ENVS, EnvData, env_data
from training.recipes import Recipe, register_recipe
from training.rl.a2c import A2CTask, A2CTrainer
from training.rl.compare import CompareTask, RLCompareTrainer
from training.rl.dqn import DQNTask, DQNTrainer
from training.rl.ppo import PPOPendulumTask, PPOTask, PPOTrainer
from training.rl.reinforce import ReinforceTask, ReinforceTrainer
from training.rl.tabular import TabularTask, TabularTrainer

DISCRETE_ACTIONS = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0")


def _pick(env: str, allowed: tuple[str, ...], what: str) -> EnvData:
    if env not in allowed:
        known = f" (known environments: {', '.join(ENVS)})" if env not in ENVS else ""
        raise ValueError(f"{what} runs on {', '.join(allowed)}, not {env!r}{known}")
    return env_data(env)


def discrete_env(env: str = "CartPole-v1") -> EnvData:
    """A classic-control environment with discrete actions."""
    return _pick(env, DISCRETE_ACTIONS, "this recipe")


def continuous_env(env: str = "Pendulum-v1") -> EnvData:
    return _pick(env, tuple(e for e in CLASSIC if e not in DISCRETE_ACTIONS), "this recipe")


def grid_env(env: str = "GridWorld", slip: float = 0.0, is_slippery: bool = False) -> EnvData:
    """GridWorld (``slip``: chance a move goes sideways) or FrozenLake (``is_slippery``)."""
    if env == "GridWorld":
        return env_data(env, slip=slip) if slip else env_data(env)
    if env == "FrozenLake-v1":
        return env_data(env, is_slippery=is_slippery)
    return _pick(env, ("GridWorld", "FrozenLake-v1"), "tabular Q-learning")


def link(d: EnvData) -> dict[str, Any]:
    return {"obs_dim": d.obs_dim, "num_actions": d.num_actions, "continuous": d.continuous}


def q_link(d: EnvData) -> dict[str, Any]:
    return {"obs_dim": d.obs_dim, "num_actions": d.num_actions}


def table_link(d: EnvData) -> dict[str, Any]:
    return {"num_states": d.num_states, "num_actions": d.num_actions}


register_recipe(
    Recipe(
        name="ppo_cartpole",
        title="PPO on CartPole",
        summary="Proximal policy optimisation: 8 CartPoles side by side, advantages by GAE(λ), and a clipped "
        "surrogate that keeps each update close to the policy that collected the data.",
        arch="actor_critic",
        data=discrete_env,
        data_params=dict(env="CartPole-v1"),
        preset="canonical",
        train_params=dict(lr=1e-3, num_steps=300, eval_every=25),
        link=link,
        task=PPOTask.from_data,
        task_keys=PPOTask.keys(),
        trainer_cls=PPOTrainer,
        max_steps=5_000,
    )
)

register_recipe(
    Recipe(
        name="dqn_cartpole",
        title="DQN on CartPole",
        summary="Deep Q-learning: a replay buffer of past transitions, a target network copied every 500 "
        "steps, ε-greedy exploration falling from 1 to 0.05, and Double DQN's target (a switch).",
        arch="q_mlp",
        archs=("q_mlp", "dueling_q"),
        data=discrete_env,
        data_params=dict(env="CartPole-v1"),
        preset="cartpole",
        train_params=dict(lr=5e-4, batch_size=64, num_steps=4_000, eval_every=250),
        link=q_link,
        task=DQNTask.from_data,
        task_keys=DQNTask.keys(),
        trainer_cls=DQNTrainer,
        max_steps=100_000,
    )
)

register_recipe(
    Recipe(
        name="tabular_q_gridworld",
        title="Tabular Q-learning on the GridWorld",
        summary="A table of Q[s, a], one entry per cell and move, filled in from experience one episode at a "
        "time; SARSA with one switch. Small enough to check against the exact optimum (value iteration).",
        arch="q_table",
        data=grid_env,
        data_params=dict(env="GridWorld"),
        train_params=dict(lr=0.5, num_steps=400, eval_every=20),
        link=table_link,
        task=TabularTask.from_data,
        task_keys=TabularTask.keys(),
        trainer_cls=TabularTrainer,
        max_steps=100_000,
    )
)

register_recipe(
    Recipe(
        name="reinforce_cartpole",
        title="REINFORCE on CartPole",
        summary="The Monte-Carlo policy gradient: play whole episodes, then make each action more likely in "
        "proportion to how much better its return was than a learned baseline V(s) expected.",
        arch="policy_mlp",
        archs=("policy_mlp", "actor_critic"),
        data=discrete_env,
        data_params=dict(env="CartPole-v1"),
        preset="cartpole",
        train_params=dict(lr=3e-3, num_steps=40, eval_every=10),
        link=link,
        task=ReinforceTask.from_data,
        task_keys=ReinforceTask.keys(),
        trainer_cls=ReinforceTrainer,
        max_steps=20_000,
    )
)

register_recipe(
    Recipe(
        name="a2c_cartpole",
        title="A2C on CartPole",
        summary="Advantage actor-critic: 8 CartPoles take 5 steps each, then one gradient step pushes the "
        "policy toward actions with a positive advantage and the critic toward the n-step returns.",
        arch="actor_critic",
        data=discrete_env,
        data_params=dict(env="CartPole-v1"),
        preset="canonical",
        train_params=dict(lr=1e-3, num_steps=1_500, eval_every=100),
        link=link,
        task=A2CTask.from_data,
        task_keys=A2CTask.keys(),
        trainer_cls=A2CTrainer,
        max_steps=100_000,
    )
)

register_recipe(
    Recipe(
        name="ppo_pendulum",
        title="PPO on Pendulum (continuous torque)",
        summary="PPO with a Gaussian policy: the actor outputs the mean torque, a learned log std (the same "
        "in every state) sets how widely it explores; swing the pendulum up and hold it there.",
        arch="actor_critic",
        data=continuous_env,
        data_params=dict(env="Pendulum-v1"),
        preset="pendulum",
        train_params=dict(lr=1e-3, num_steps=100, eval_every=10),  # 102k environment steps
        link=link,
        task=PPOPendulumTask.from_data,
        task_keys=PPOTask.keys(),
        trainer_cls=PPOTrainer,
        max_steps=5_000,
    )
)

register_recipe(
    Recipe(
        name="rl_compare_cartpole",
        title="PPO, A2C, DQN and REINFORCE compared on CartPole",
        summary="Every algorithm, three seeds each, the same budget of environment steps: evaluation "
        "return against environment steps, the mean and the spread over seeds.",
        arch="actor_critic",
        archs=("actor_critic", "policy_mlp", "q_mlp"),
        data=discrete_env,
        data_params=dict(env="CartPole-v1"),
        preset="canonical",
        # ends when every member has used its budget; a smaller num_steps stops it sooner (a quick check)
        train_params=dict(lr=1e-3, num_steps=10**9, eval_every=50),
        link=link,
        task=CompareTask.from_data,
        task_keys=CompareTask.keys(),
        trainer_cls=RLCompareTrainer,
        max_steps=10**9,
    )
)
