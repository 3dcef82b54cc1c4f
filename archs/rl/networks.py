"""The networks of deep reinforcement learning on vector observations: a policy, a Q-network, a dueling
Q-network and an actor-critic.

- ``policy_mlp``: π(a | s) as an MLP: logits of a categorical distribution, or the mean of a Gaussian
  with a learned, state-independent log std. The policy of REINFORCE: R. J. Williams (1992), "Simple
  statistical gradient-following algorithms for connectionist reinforcement learning", Machine
  Learning 8, 229-256.
- ``q_mlp``: Q(s, ·) as an MLP, one output per action: the Q-network of DQN (Mnih et al. 2013, "Playing
  Atari with Deep Reinforcement Learning", arXiv:1312.5602) on vector observations.
- ``dueling_q``: Q(s, a) = V(s) + A(s, a) − mean_a' A(s, a'), two streams after a shared trunk (Wang et
  al. 2016, "Dueling Network Architectures for Deep Reinforcement Learning", arXiv:1511.06581, eq. 9).
- ``actor_critic``: a policy (actor) and a state-value function V(s) (critic) with separate trunks, as in
  the reference PPO implementations (Schulman et al. 2017, "Proximal Policy Optimization Algorithms",
  arXiv:1707.06347; CleanRL ppo.py). Canonical: CleanRL's CartPole agent, 4 -> 64 -> 64 -> 1 critic and
  4 -> 64 -> 64 -> 2 actor with tanh: (4·64 + 64) + (64·64 + 64) + (64 + 1) = 4,545 critic and
  (4·64 + 64) + (64·64 + 64) + (64·2 + 2) = 4,610 actor parameters, 9,155 in all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.distributions import Distribution

from archs.registry import register
from archs.rl.common import Activation, PolicyConfig, RLConfig, action_dist, dist_mode, example_obs, mlp
from archs.spec import ArchSpec, Paper, hp


class QNetwork(nn.Module):
    """What every Q-network offers on top of ``q(obs)`` (B, A): the greedy value and action."""

    kind = "q"

    def q(self, obs: torch.Tensor) -> torch.Tensor:
        return self(obs)

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        """V(s) = max_a Q(s, a), (B,)."""
        return self.q(obs).amax(-1)

    def act(self, obs: torch.Tensor, deterministic: bool = True) -> torch.Tensor:
        """argmax_a Q(s, a), (B,). Exploration (ε-greedy) is the algorithm's business, not the network's."""
        return self.q(obs).argmax(-1)


class PolicyMLP(nn.Module):
    """obs (B, obs_dim) -> logits (B, A) of a categorical policy, or the mean (B, A) of a Gaussian one."""

    kind = "policy"

    def __init__(self, cfg: PolicyConfig):
        super().__init__()
        self.cfg, self.continuous = cfg, cfg.continuous
        self.net = mlp(cfg.obs_dim, cfg.hidden_dim, cfg.num_layers, cfg.num_actions, cfg.activation, 0.01)
        # state-independent: one learned log std per action dimension, the same in every state
        self.log_std = (
            nn.Parameter(torch.full((cfg.num_actions,), cfg.init_log_std)) if cfg.continuous else None
        )

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(obs)  # (B, A)

    def dist(self, obs: torch.Tensor) -> Distribution:
        return action_dist(self(obs), self.log_std)

    def act(self, obs: torch.Tensor, deterministic: bool = False) -> torch.Tensor:
        """(B,) action ids, or (B, A) continuous actions: the mode if deterministic, else a sample."""
        out = self(obs)
        return dist_mode(out, self.continuous) if deterministic else action_dist(out, self.log_std).sample()


class QMLP(QNetwork):
    """obs (B, obs_dim) -> Q(s, a) for every action (B, A)."""

    def __init__(self, cfg: RLConfig):
        super().__init__()
        self.cfg = cfg
        self.net = mlp(cfg.obs_dim, cfg.hidden_dim, cfg.num_layers, cfg.num_actions, cfg.activation, 1.0)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(obs)  # (B, A)


class DuelingQ(QNetwork):
    """A shared trunk, then a value stream V(s) and an advantage stream A(s, a), each with its own hidden
    layer as in the paper, recombined as Q = V + A − mean_a A (subtracting the mean makes V and A
    identifiable: adding c to V and −c to A would otherwise give the same Q)."""

    def __init__(self, cfg: RLConfig):
        super().__init__()
        self.cfg = cfg
        trunk_layers = max(cfg.num_layers - 1, 0)
        act = "relu" if cfg.activation == "relu" else "tanh"
        d = cfg.hidden_dim if trunk_layers else cfg.obs_dim
        self.trunk = (
            mlp(cfg.obs_dim, cfg.hidden_dim, trunk_layers - 1, cfg.hidden_dim, act, math.sqrt(2))
            if trunk_layers
            else nn.Identity()
        )
        self.act_fn = nn.ReLU() if cfg.activation == "relu" else nn.Tanh()
        self.value_stream = mlp(d, cfg.hidden_dim, 1, 1, act, 1.0)
        self.advantage_stream = mlp(d, cfg.hidden_dim, 1, cfg.num_actions, act, 1.0)

    def features(self, obs: torch.Tensor) -> torch.Tensor:
        h = self.trunk(obs)
        return self.act_fn(h) if not isinstance(self.trunk, nn.Identity) else h  # (B, d)

    def streams(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(value (B,), advantage (B, A)) before they are combined."""
        h = self.features(obs)
        return self.value_stream(h).squeeze(-1), self.advantage_stream(h)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        v, a = self.streams(obs)
        return v.unsqueeze(-1) + a - a.mean(-1, keepdim=True)  # (B, A)


class ActorCritic(nn.Module):
    """An actor (policy) and a critic (V) with separate trunks, so that the value loss cannot disturb the
    policy's features. obs (B, obs_dim) -> (logits or mean (B, A), value (B,))."""

    kind = "actor_critic"

    def __init__(self, cfg: PolicyConfig):
        super().__init__()
        self.cfg, self.continuous = cfg, cfg.continuous
        self.critic = mlp(cfg.obs_dim, cfg.hidden_dim, cfg.num_layers, 1, cfg.activation, 1.0)
        self.actor = mlp(cfg.obs_dim, cfg.hidden_dim, cfg.num_layers, cfg.num_actions, cfg.activation, 0.01)
        self.log_std = (
            nn.Parameter(torch.full((cfg.num_actions,), cfg.init_log_std)) if cfg.continuous else None
        )

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.actor(obs), self.critic(obs).squeeze(-1)  # (B, A), (B,)

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(obs).squeeze(-1)  # (B,)

    def dist(self, obs: torch.Tensor) -> Distribution:
        return action_dist(self.actor(obs), self.log_std)

    def act(self, obs: torch.Tensor, deterministic: bool = False) -> torch.Tensor:
        out = self.actor(obs)
        return dist_mode(out, self.continuous) if deterministic else action_dist(out, self.log_std).sample()


@dataclass(frozen=True)
class QConfig(RLConfig):
    activation: Activation = hp(
        "relu",
        help="The nonlinearity of the hidden layers; relu is the DQN tradition.",
    )
    hidden_dim: int = hp(
        120,
        lo=1,
        hi=1024,
        help="Neurons in each hidden layer (CleanRL's DQN on CartPole: 120, then 84).",
    )


WILLIAMS = Paper(
    "R. J. Williams",
    1992,
    "Simple statistical gradient-following algorithms for connectionist reinforcement learning",
    url="https://doi.org/10.1007/BF00992696",
)

register(
    ArchSpec(
        name="policy_mlp",
        title="Policy network (MLP)",
        family="rl",
        year=1992,
        paper=WILLIAMS,
        summary="An MLP that maps an observation to a probability for each action (or a Gaussian over "
        "continuous actions): the policy that REINFORCE pushes toward actions that led to high returns.",
        tasks=("policy gradient",),
        config=PolicyConfig,
        build=PolicyMLP,
        example_input=example_obs,
        presets={
            "tiny": {"hidden_dim": 16, "num_layers": 1},
            "cartpole": {},
            "pendulum": {"obs_dim": 3, "num_actions": 1, "continuous": True},
        },
    )
)

register(
    ArchSpec(
        name="q_mlp",
        title="Q-network (MLP)",
        family="rl",
        year=2013,
        paper=Paper(
            "V. Mnih, K. Kavukcuoglu, D. Silver, A. Graves, I. Antonoglou, D. Wierstra, M. Riedmiller",
            2013,
            "Playing Atari with Deep Reinforcement Learning",
            arxiv="1312.5602",
        ),
        summary="An MLP with one output per action: its estimate of the return Q(s, a) of taking that action "
        "and acting well afterwards. Acting greedily means taking the largest output.",
        tasks=("value-based control",),
        config=QConfig,
        build=QMLP,
        example_input=example_obs,
        presets={"tiny": {"hidden_dim": 16, "num_layers": 1}, "cartpole": {"hidden_dim": 128}},
    )
)

register(
    ArchSpec(
        name="dueling_q",
        title="Dueling Q-network",
        family="rl",
        year=2016,
        paper=Paper(
            "Z. Wang, T. Schaul, M. Hessel, H. van Hasselt, M. Lanctot, N. de Freitas",
            2016,
            "Dueling Network Architectures for Deep Reinforcement Learning",
            arxiv="1511.06581",
        ),
        summary="A Q-network split into two streams: how good the state is, V(s), and how much better each "
        "action is than the average, A(s, a); Q = V + A − mean A.",
        tasks=("value-based control",),
        config=QConfig,
        build=DuelingQ,
        example_input=example_obs,
        presets={"tiny": {"hidden_dim": 16, "num_layers": 1}, "cartpole": {"hidden_dim": 128}},
    )
)

register(
    ArchSpec(
        name="actor_critic",
        title="Actor-critic (separate trunks)",
        family="rl",
        year=2017,
        paper=Paper(
            "J. Schulman, F. Wolski, P. Dhariwal, A. Radford, O. Klimov",
            2017,
            "Proximal Policy Optimization Algorithms",
            arxiv="1707.06347",
        ),
        summary="Two MLPs side by side: the actor chooses actions, the critic estimates the return V(s) from "
        "here, so that the actor learns from advantages (better or worse than expected), not raw returns.",
        tasks=("policy gradient", "actor-critic"),
        config=PolicyConfig,
        build=ActorCritic,
        example_input=example_obs,
        presets={
            "tiny": {"hidden_dim": 16, "num_layers": 1},
            "canonical": {"obs_dim": 4, "num_actions": 2, "hidden_dim": 64, "num_layers": 2},
            "pendulum": {"obs_dim": 3, "num_actions": 1, "continuous": True},
        },
        published_params=9_155,
        published_source="CleanRL ppo.py Agent on CartPole-v1 (Huang et al. 2022, 'CleanRL', JMLR 23(274)): "
        "critic 4->64->64->1 and actor 4->64->64->2, tanh; 4,545 + 4,610 = 9,155 parameters.",
    )
)
