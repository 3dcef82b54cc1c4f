"""What the reinforcement-learning networks share: the config fields, the MLP trunk with the orthogonal
initialisation of the reference PPO implementations, and the action distributions.

Every RL module has a ``kind`` class attribute that says which interface it offers:

- ``"policy"`` (policy_mlp): ``forward(obs)`` -> logits (B, A), or the Gaussian mean (B, A) when
  continuous; ``dist(obs)`` -> a torch Distribution; ``act(obs, deterministic)``.
- ``"q"`` (q_mlp, dueling_q, dqn_atari, q_table): ``forward(obs)`` = ``q(obs)`` -> Q values (B, A);
  ``value(obs)`` -> max_a Q (B,); ``act`` -> argmax_a Q (B,).
- ``"actor_critic"``: ``forward(obs)`` -> (logits or mean (B, A), value (B,)); ``dist``, ``value``, ``act``.

The orthogonal initialisation (gain √2 in hidden layers, 0.01 on the policy's output so that the first
policy is nearly uniform, 1 on a value head) follows Engstrom et al. (2020), "Implementation Matters in Deep
Policy Gradients", arXiv:2005.12729, and CleanRL's ``layer_init``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn
from torch.distributions import Categorical, Distribution, Independent, Normal

from archs.spec import Config, hp

Activation = Literal["tanh", "relu"]
ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}


@dataclass(frozen=True)
class RLConfig(Config):
    """The fields every RL network on vector observations has."""

    obs_dim: int = hp(
        4,
        lo=1,
        hi=4096,
        help="How many numbers the agent observes at each step (CartPole: 4, the cart's position and "
        "velocity and the pole's angle and angular velocity). A grid world's cell is given one-hot: one "
        "input per cell.",
    )
    num_actions: int = hp(
        2,
        lo=1,
        hi=256,
        help="How many actions the agent can choose from (CartPole: 2, push left or right). For a continuous "
        "policy: how many numbers make one action (Pendulum: 1, the torque).",
    )
    hidden_dim: int = hp(
        64, lo=1, hi=1024, help="Neurons in each hidden layer (64 in the reference PPO and A2C agents)."
    )
    num_layers: int = hp(
        2,
        lo=0,
        hi=8,
        help="Hidden layers between observation and output. 0 gives a linear function of the observation, "
        "which already balances CartPole's pole.",
    )
    activation: Activation = hp(
        "tanh",
        help="The nonlinearity of the hidden layers. tanh is the policy-gradient tradition (bounded, "
        "smooth); relu is the DQN tradition.",
    )


@dataclass(frozen=True)
class PolicyConfig(RLConfig):
    """A policy's config: discrete (a categorical over actions) or continuous (a Gaussian)."""

    continuous: bool = hp(
        False,
        help="Off: choose one of num_actions actions (a categorical distribution over the network's "
        "scores). On: output num_actions real numbers, drawn from a Gaussian whose mean the network "
        "computes and whose spread (log std) is learned but the same in every state.",
    )
    init_log_std: float = hp(
        0.0,
        lo=-5.0,
        hi=2.0,
        step=0.1,
        help="Continuous policies only: the starting log standard deviation of the Gaussian (0 means std 1: "
        "wide exploration at first). It is learned; the policy narrows it as it grows sure.",
    )


def layer_init(layer: nn.Linear, std: float = math.sqrt(2), bias: float = 0.0) -> nn.Linear:
    """Orthogonal weights scaled by ``std`` and a constant bias (CleanRL's ``layer_init``)."""
    nn.init.orthogonal_(layer.weight, std)
    nn.init.constant_(layer.bias, bias)
    return layer


def mlp(d_in: int, hidden: int, layers: int, d_out: int, activation: str, out_std: float) -> nn.Sequential:
    """d_in -> hidden (× layers, each followed by the activation) -> d_out, orthogonally initialised; the
    output layer's gain is ``out_std``."""
    act = ACTIVATIONS[activation]
    dims = [d_in] + [hidden] * layers
    mods: list[nn.Module] = []
    for a, b in zip(dims, dims[1:], strict=False):
        mods += [layer_init(nn.Linear(a, b)), act()]
    mods.append(layer_init(nn.Linear(dims[-1], d_out), out_std))
    return nn.Sequential(*mods)


def action_dist(out: torch.Tensor, log_std: torch.Tensor | None) -> Distribution:
    """Categorical over logits ``out`` (B, A); or, with ``log_std`` (A,), a diagonal Gaussian with mean
    ``out`` (B, A): Normal per action dimension, made one event by Independent (log_prob sums over A)."""
    if log_std is None:
        return Categorical(logits=out, validate_args=False)  # skipping the checks: 2× faster on small batches
    return Independent(Normal(out, log_std.exp().expand_as(out), validate_args=False), 1, validate_args=False)


def dist_mode(out: torch.Tensor, continuous: bool) -> torch.Tensor:
    """The most likely action: argmax of the logits (B,), or the Gaussian's mean (B, A)."""
    return out if continuous else out.argmax(-1)


def example_obs(cfg: RLConfig, batch: int = 2) -> torch.Tensor:
    """(B, obs_dim) a seeded batch of observations."""
    return torch.randn(batch, cfg.obs_dim, generator=torch.Generator().manual_seed(0))
