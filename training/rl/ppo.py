"""Proximal policy optimisation (PPO) with the clipped surrogate and GAE(λ), discrete or continuous actions.

J. Schulman, F. Wolski, P. Dhariwal, A. Radford & O. Klimov (2017), "Proximal Policy Optimization
Algorithms", arXiv:1707.06347; advantages by J. Schulman, P. Moritz, S. Levine, M. Jordan & P. Abbeel
(2016), "High-Dimensional Continuous Control Using Generalized Advantage Estimation", arXiv:1506.02438.
Written after CleanRL's ppo.py and ppo_continuous_action.py (Huang et al. 2022), with the details that
matter (Huang et al. 2022, "The 37 Implementation Details of PPO", ICLR blog track): orthogonal init,
Adam with ε = 1e-5, a learning rate annealed to 0, advantages normalised per minibatch, a clipped value
loss, gradients clipped to norm 0.5.

One ``step`` = one iteration:

1. Rollout: ``n_envs`` environments (gymnasium's vector API) act ``n_steps`` times with the current policy,
   storing obs, action, log π_old(a|s), reward, done, V(s). Episodes that end restart in the same step
   (``AutoresetMode.SAME_STEP``). An episode cut by the time limit (truncated) did not end in the MDP: its
   last reward gets γ·V(s_T) added, V of the real final observation (``info["final_obs"]``), as SB3 does.
2. GAE: δ_t = r_t + γ V(s_{t+1})(1 − done_t) − V(s_t);  A_t = δ_t + γλ(1 − done_t) A_{t+1};
   returns R_t = A_t + V(s_t).
3. ``update_epochs`` passes over the batch in ``num_minibatches`` shuffled minibatches, minimising
     L = −mean(min(ρ A, clip(ρ, 1 − ε, 1 + ε) A)) + vf_coef · L_V − ent_coef · H[π],
   with ρ = π(a|s) / π_old(a|s).

Logged: policy_loss, value_loss, entropy, approx_kl (the (ρ − 1) − log ρ estimator), clip_frac (share of
samples whose ratio was clipped), explained_variance (of the returns by the values), lr.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from training.rl.base import RLTask, RLTrainer, check


@dataclass(frozen=True)
class PPOTask(RLTask):
    gamma: float = 0.98  # discount of future rewards
    gae_lambda: float = 0.8  # GAE's λ: 0 = one-step TD advantages (biased), 1 = Monte Carlo (noisy)
    n_envs: int = 8  # environments stepped side by side
    n_steps: int = 32  # steps each environment takes per rollout: batch = n_envs × n_steps
    update_epochs: int = 10  # passes over each rollout
    num_minibatches: int = 2  # minibatches per pass
    clip_coef: float = 0.2  # ε: how far the probability ratio may move before the gain is clipped
    clip_vloss: bool = True  # clip the value update the same way (CleanRL's default)
    ent_coef: float = 0.0  # entropy bonus: keeps the policy exploring
    vf_coef: float = 0.5  # weight of the value loss
    max_grad_norm: float = 0.5  # gradients are clipped to this norm
    norm_adv: bool = True  # normalise advantages in each minibatch
    anneal_lr: bool = True  # the learning rate falls linearly to 0 over the run
    reward_scale: float = 1.0  # rewards are multiplied by this (Pendulum's −16 .. 0 is easier at 0.1)

    def validate(self) -> None:
        check(0.0 <= self.gae_lambda <= 1.0, f"gae_lambda must be between 0 and 1, got {self.gae_lambda}.")
        check(self.n_envs >= 1, f"n_envs must be at least 1, got {self.n_envs}.")
        check(self.n_steps >= 1, f"n_steps must be at least 1, got {self.n_steps}.")
        check(self.update_epochs >= 1, f"update_epochs must be at least 1, got {self.update_epochs}.")
        check(
            1 <= self.num_minibatches <= self.n_envs * self.n_steps,
            f"num_minibatches ({self.num_minibatches}) must be between 1 and the rollout's "
            f"{self.n_envs * self.n_steps} samples (n_envs × n_steps).",
        )
        check(
            0.0 < self.clip_coef < 1.0, f"clip_coef must be between 0 and 1, got {self.clip_coef}; try 0.2."
        )
        check(self.ent_coef >= 0 and self.vf_coef >= 0, "ent_coef and vf_coef cannot be negative.")
        check(self.max_grad_norm > 0, f"max_grad_norm must be positive, got {self.max_grad_norm}.")
        check(self.reward_scale > 0, f"reward_scale must be positive, got {self.reward_scale}.")


class PPOTrainer(RLTrainer):
    """PPO on an actor_critic network (discrete or continuous)."""

    kinds = ("actor_critic",)

    def __init__(self, model: nn.Module, task: PPOTask, data, **kw: Any):
        super().__init__(model, task, data, **kw)
        self.optimizer = torch.optim.Adam(model.parameters(), lr=self.lr, eps=1e-5)
        self.envs = data.make_vec(task.n_envs, self.seed)
        obs, _ = self.envs.reset(seed=self.seed)
        self.next_obs = obs
        self._ep_ret = np.zeros(task.n_envs)
        self._ep_len = np.zeros(task.n_envs, dtype=int)
        self._shuffle = torch.Generator().manual_seed(self.seed)
        torch.manual_seed(self.seed)  # action sampling draws from the global generator

    # ------------------------------------------------------------------------------------- rollout

    @torch.no_grad()
    def rollout(self) -> dict[str, torch.Tensor]:
        """n_steps × n_envs transitions of the current policy, and the GAE advantages and returns."""
        t, T, N = self.task, self.task.n_steps, self.task.n_envs
        obs_l, act_l, logp_l, rew_l, done_l, val_l = [], [], [], [], [], []
        for _ in range(T):
            o = self.obs_tensor(self.next_obs)  # (N, obs_dim)
            dist = self.model.dist(o)
            a = dist.sample()  # (N,) or (N, A)
            (
                obs_l.append(o),
                act_l.append(a),
                logp_l.append(dist.log_prob(a)),
                val_l.append(self.model.value(o)),
            )
            next_obs, r, term, trunc, info = self.envs.step(self.env_actions(a))
            self._track(r, term | trunc)
            r = np.asarray(r, dtype=np.float64) * t.reward_scale
            if trunc.any():  # bootstrap a cut episode from its real last observation
                final = np.stack([info["final_obs"][i] for i in np.flatnonzero(trunc)])
                r[trunc] += t.gamma * self.model.value(self.obs_tensor(final)).cpu().numpy()
            rew_l.append(torch.as_tensor(r, dtype=torch.float32))
            done_l.append(torch.as_tensor(term | trunc, dtype=torch.float32))
            self.next_obs = next_obs
        self.samples_seen += T * N
        values = torch.stack(val_l)  # (T, N)
        rewards, dones = torch.stack(rew_l), torch.stack(done_l)  # (T, N)
        last_value = self.model.value(self.obs_tensor(self.next_obs))  # (N,)
        adv = torch.zeros_like(rewards)
        gae = torch.zeros(N)
        for i in reversed(range(T)):
            nxt = last_value if i == T - 1 else values[i + 1]
            delta = rewards[i] + t.gamma * nxt * (1 - dones[i]) - values[i]
            gae = delta + t.gamma * t.gae_lambda * (1 - dones[i]) * gae
            adv[i] = gae
        flat = lambda x: x.reshape(T * N, *x.shape[2:])  # noqa: E731  (T, N, ...) -> (T·N, ...)
        return {
            "obs": flat(torch.stack(obs_l)),
            "actions": flat(torch.stack(act_l)),
            "logp": flat(torch.stack(logp_l)),
            "values": flat(values),
            "advantages": flat(adv),
            "returns": flat(adv + values),
        }

    def _track(self, rewards: np.ndarray, done: np.ndarray) -> None:
        self._ep_ret += rewards
        self._ep_len += 1
        for i in np.flatnonzero(done):
            self.episode_ended(self._ep_ret[i], self._ep_len[i])
            self._ep_ret[i], self._ep_len[i] = 0.0, 0

    # -------------------------------------------------------------------------------------- update

    def minibatch_loss(self, b: dict[str, torch.Tensor]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The clipped-surrogate loss of one minibatch and its terms."""
        t = self.task
        dist = self.model.dist(b["obs"])
        logp = dist.log_prob(b["actions"])
        log_ratio = logp - b["logp"]
        ratio = log_ratio.exp()
        adv = b["advantages"]
        if t.norm_adv and len(adv) > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        policy_loss = torch.max(-adv * ratio, -adv * ratio.clamp(1 - t.clip_coef, 1 + t.clip_coef)).mean()
        v = self.model.value(b["obs"])
        if t.clip_vloss:
            v_clipped = b["values"] + (v - b["values"]).clamp(-t.clip_coef, t.clip_coef)
            value_loss = 0.5 * torch.max((v - b["returns"]) ** 2, (v_clipped - b["returns"]) ** 2).mean()
        else:
            value_loss = 0.5 * ((v - b["returns"]) ** 2).mean()
        entropy = dist.entropy().mean()
        loss = policy_loss + t.vf_coef * value_loss - t.ent_coef * entropy
        with torch.no_grad():
            terms = {
                "policy_loss": policy_loss.detach(),
                "value_loss": value_loss.detach(),
                "entropy": entropy.detach(),
                "approx_kl": ((ratio - 1) - log_ratio).mean(),
                "clip_frac": ((ratio - 1).abs() > t.clip_coef).float().mean(),
            }
        return loss, terms

    def update(self) -> dict[str, float]:
        t = self.task
        if t.anneal_lr:
            for g in self.optimizer.param_groups:
                g["lr"] = self.lr * (1.0 - self.step_count / self.num_steps)
        batch = self.rollout()
        n = len(batch["obs"])
        size = n // t.num_minibatches
        losses, terms = [], []
        for _ in range(t.update_epochs):
            perm = torch.randperm(n, generator=self._shuffle)
            for k in range(t.num_minibatches):
                idx = perm[k * size : (k + 1) * size]
                loss, tm = self.minibatch_loss({key: v[idx] for key, v in batch.items()})
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(self.model.parameters(), t.max_grad_norm)
                self.optimizer.step()
                losses.append(loss.detach()), terms.append(tm)
        out = {"loss": float(torch.stack(losses).mean())}
        out.update({k: float(torch.stack([tm[k] for tm in terms]).mean()) for k in terms[0]})
        var = batch["returns"].var()
        out["explained_variance"] = (
            float(1 - (batch["returns"] - batch["values"]).var() / var) if var > 0 else 0.0
        )
        out["lr"] = self.optimizer.param_groups[0]["lr"]
        return out


@dataclass(frozen=True)
class PPOPendulumTask(PPOTask):
    """PPO's defaults for Pendulum (after rl-baselines3-zoo's): a short horizon (γ = 0.9: the torque now
    matters for the next ten steps or so), longer rollouts of 4 × 256 steps in 8 minibatches, and rewards
    scaled by 0.1 (each step's −16 .. 0 would otherwise make the value loss dwarf the policy's). Seed 0
    reaches about −160 after 100 updates (102k environment steps; a random policy: about −1,200)."""

    gamma: float = 0.9
    gae_lambda: float = 0.95
    n_envs: int = 4
    n_steps: int = 256
    num_minibatches: int = 8
    reward_scale: float = 0.1
