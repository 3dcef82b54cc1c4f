"""Advantage actor-critic (A2C): the synchronous, single-learner form of A3C.

V. Mnih, A. P. Badia, M. Mirza, A. Graves, T. Lillicrap, T. Harley, D. Silver & K. Kavukcuoglu (2016),
"Asynchronous Methods for Deep Reinforcement Learning", arXiv:1602.01783; the synchronous variant is
OpenAI Baselines' A2C (Wu et al. 2017), whose defaults SB3 keeps: 8 environments, 5 steps each per update.

It shares PPO's rollout (``training.rl.ppo``: vector environments, GAE, the truncation bootstrap); with
λ = 1 its advantages are the n-step returns minus V. One ``step`` = one rollout and ONE gradient step on

    L = −mean(log π(a|s) · A) + vf_coef · mean(R − V(s))² / 2 − ent_coef · H[π]

(no ratio, no clipping, no second pass: the data is used once, by the policy that collected it; PPO's
clip_coef and clip_vloss, inherited with its task, play no part).
Logged: policy_loss, value_loss, entropy, explained_variance, lr.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from training.rl.base import check
from training.rl.ppo import PPOTask, PPOTrainer


@dataclass(frozen=True)
class A2CTask(PPOTask):
    gamma: float = 0.99
    gae_lambda: float = 1.0  # 1: plain n-step returns, as in A3C
    n_envs: int = 8
    n_steps: int = 5  # a short rollout: A2C updates often, from little data
    update_epochs: int = 1  # fixed: A2C uses each rollout once
    num_minibatches: int = 1  # fixed: the whole rollout is one batch
    ent_coef: float = 0.0
    vf_coef: float = 0.5
    max_grad_norm: float = 0.5
    norm_adv: bool = False
    anneal_lr: bool = True

    def validate(self) -> None:
        super().validate()
        check(
            self.update_epochs == 1 and self.num_minibatches == 1,
            "A2C uses each rollout once, in one batch: update_epochs and num_minibatches must be 1 "
            "(several passes with a clipped ratio is PPO).",
        )


class A2CTrainer(PPOTrainer):
    """A2C on an actor_critic network: PPO's rollout, one plain policy-gradient step per rollout."""

    def minibatch_loss(self, b: dict[str, torch.Tensor]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        t = self.task
        dist = self.model.dist(b["obs"])
        adv = b["advantages"]
        if t.norm_adv and len(adv) > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        policy_loss = -(dist.log_prob(b["actions"]) * adv).mean()
        value_loss = 0.5 * ((self.model.value(b["obs"]) - b["returns"]) ** 2).mean()
        entropy = dist.entropy().mean()
        loss = policy_loss + t.vf_coef * value_loss - t.ent_coef * entropy
        terms = {
            "policy_loss": policy_loss.detach(),
            "value_loss": value_loss.detach(),
            "entropy": entropy.detach(),
        }
        return loss, terms
