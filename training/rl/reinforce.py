"""REINFORCE: the Monte-Carlo policy gradient, with a learned value baseline.

R. J. Williams (1992), "Simple statistical gradient-following algorithms for connectionist reinforcement
learning", Machine Learning 8, 229-256; with a baseline as in Sutton & Barto (2018), §13.4.

One ``step`` = ``batch_episodes`` whole episodes played with the current (sampled) policy, side by side,
then one gradient step on

    L = −mean_t [ log π(a_t | s_t) · (G_t − b(s_t)) ] − ent_coef · H[π]  +  mean_t (G_t − V(s_t))² / 2,

with G_t = Σ_k γ^k r_{t+k} the return that followed, and b(s_t) = V(s_t) the learned baseline (detached
in the policy term: it only lowers the gradient's variance, it does not bias it). The baseline is the
network's own critic when it has one (actor_critic), else a separate MLP of the same width owned by the
trainer (``critic``, with its own optimizer). Advantages are normalised across the batch when
``norm_adv``. Logged: policy_loss, value_loss, entropy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from archs.rl.common import mlp
from training.rl.base import RLTask, RLTrainer, check


@dataclass(frozen=True)
class ReinforceTask(RLTask):
    gamma: float = 0.99  # discount of future rewards
    batch_episodes: int = 8  # whole episodes per update
    baseline: bool = True  # subtract a learned V(s) from the return (lower variance, same expectation)
    norm_adv: bool = True  # normalise the advantages G_t − b(s_t) across the batch
    ent_coef: float = 0.0  # entropy bonus
    vf_coef: float = 0.5  # weight of the baseline's loss

    def validate(self) -> None:
        check(self.batch_episodes >= 1, f"batch_episodes must be at least 1, got {self.batch_episodes}.")
        check(self.ent_coef >= 0 and self.vf_coef >= 0, "ent_coef and vf_coef cannot be negative.")


def returns_to_go(rewards: list[float], gamma: float) -> np.ndarray:
    """G_t = r_t + γ G_{t+1}, computed backwards."""
    out, g = np.zeros(len(rewards)), 0.0
    for i in reversed(range(len(rewards))):
        g = rewards[i] + gamma * g
        out[i] = g
    return out


class ReinforceTrainer(RLTrainer):
    """REINFORCE on a policy_mlp (baseline: the trainer's own critic) or an actor_critic (its critic)."""

    kinds = ("policy", "actor_critic")

    def __init__(self, model: nn.Module, task: ReinforceTask, data, **kw: Any):
        super().__init__(model, task, data, **kw)
        self.critic = None
        if task.baseline and not hasattr(model, "value"):
            c = model.cfg
            self.critic = mlp(c.obs_dim, c.hidden_dim, c.num_layers, 1, c.activation, 1.0).to(self.device)
            self.critic_optimizer = torch.optim.Adam(self.critic.parameters(), lr=self.lr)
        self.envs = [data.make() for _ in range(task.batch_episodes)]
        self._episode = 0

    def baseline(self, obs: torch.Tensor) -> torch.Tensor:
        return self.model.value(obs) if self.critic is None else self.critic(obs).squeeze(-1)  # (T,)

    def update(self) -> dict[str, float]:
        t = self.task
        seeds = [self.seed * 1_000_003 + self._episode + i for i in range(len(self.envs))]
        self._episode += len(self.envs)
        episodes = self.play_episodes(self.envs, seeds, deterministic=False, record=True)
        obs = self.obs_tensor(np.concatenate([np.asarray(e["obs"]) for e in episodes]))  # (ΣT, obs_dim)
        actions = torch.cat([torch.stack(e["actions"]) for e in episodes])  # (ΣT,) or (ΣT, A)
        g = torch.as_tensor(np.concatenate([returns_to_go(e["rewards"], t.gamma) for e in episodes]))
        g = g.float().to(self.device)
        for e in episodes:
            self.episode_ended(sum(e["rewards"]), len(e["rewards"]))
        self.samples_seen += len(g)
        dist = self.model.dist(obs)
        logp = dist.log_prob(actions)
        if t.baseline:
            v = self.baseline(obs)
            value_loss = 0.5 * ((g - v) ** 2).mean()
            adv = g - v.detach()
        else:
            value_loss, adv = torch.zeros((), device=self.device), g
        if t.norm_adv and len(adv) > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        policy_loss = -(logp * adv).mean()
        entropy = dist.entropy().mean()
        loss = policy_loss - t.ent_coef * entropy + t.vf_coef * value_loss
        opts = [self.optimizer] + ([self.critic_optimizer] if self.critic is not None else [])
        for o in opts:
            o.zero_grad(set_to_none=True)
        loss.backward()
        for o in opts:
            o.step()
        return {
            "loss": float(loss.detach()),
            "policy_loss": float(policy_loss.detach()),
            "value_loss": float(value_loss.detach()),
            "entropy": float(entropy.detach()),
        }
