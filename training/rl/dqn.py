"""Deep Q-learning (DQN): a Q-network fitted to bootstrapped targets from a replay buffer, with a target
network and ε-greedy exploration; Double DQN by a switch.

V. Mnih et al. (2015), "Human-level control through deep reinforcement learning", Nature 518, 529-533
(replay memory, a target network copied every C steps, the error clipped: the Huber loss); H. van Hasselt,
A. Guez & D. Silver (2016), "Deep Reinforcement Learning with Double Q-learning", arXiv:1509.06461 (the
online network picks the next action, the target network values it, against max's overestimation).
Written after CleanRL's dqn.py.

One ``step`` = ``train_freq`` environment steps (ε-greedy), stored in the buffer, then one gradient step on
``batch_size`` transitions drawn uniformly from it:

    target y = r + γ (1 − terminated) Q_target(s', a*),   a* = argmax_a Q_target(s', a)   (DQN)
                                                          a* = argmax_a Q_online(s', a)   (Double DQN)
    loss = Huber(Q(s, a) − y)   (or its square, ``huber=False``)

The first step first fills the buffer with ``learning_starts`` transitions. ε falls linearly from
``eps_start`` to ``eps_end`` over the first ``eps_fraction`` of the run's environment steps. The target
network is a copy of the online one, refreshed every ``target_update`` environment steps. An episode cut by
the time limit is not terminated: its last transition still bootstraps from Q(s_T).

Logged: q_loss, td_error (mean |y − Q(s, a)|), q_mean (mean Q(s, a) of the batch), epsilon.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from archs.spec import ConfigError
from training.rl.base import RLTask, RLTrainer, check


@dataclass(frozen=True)
class DQNTask(RLTask):
    gamma: float = 0.99  # discount of future rewards
    buffer_size: int = 50_000  # transitions the replay buffer keeps (the oldest are overwritten)
    learning_starts: int = 1_000  # transitions collected before the first gradient step
    train_freq: int = 4  # environment steps per gradient step
    target_update: int = 500  # environment steps between copies of the online network into the target
    eps_start: float = 1.0  # ε at the start: the share of random actions
    eps_end: float = 0.05  # ε at the end of the schedule
    eps_fraction: float = 0.2  # share of the run over which ε falls from eps_start to eps_end
    # Double DQN: the online network chooses the next action, the target values it. On by default: on
    # CartPole (seeds 0-2, 25k steps) it ended at 325 / 356 / 271 against 168 / 254 / 284 without
    double: bool = True
    huber: bool = False  # Huber loss (the Nature DQN's clipped error); off: squared error (CleanRL's)
    max_grad_norm: float = 10.0  # gradients are clipped to this norm
    # the learning rate falls linearly to 0 over the run: without it the greedy policy drifted off its peak
    # late in the run (CartPole, seeds 3-5: 177 / 167 / 181 at the end; with it, seeds 0-5: 215 to 370)
    anneal_lr: bool = True

    def validate(self) -> None:
        check(self.buffer_size >= 1, f"buffer_size must be at least 1, got {self.buffer_size}.")
        check(self.learning_starts >= 0, f"learning_starts cannot be negative, got {self.learning_starts}.")
        check(self.train_freq >= 1, f"train_freq must be at least 1, got {self.train_freq}.")
        check(self.target_update >= 1, f"target_update must be at least 1, got {self.target_update}.")
        for k in ("eps_start", "eps_end"):
            check(
                0.0 <= getattr(self, k) <= 1.0,
                f"{k} is a probability: between 0 and 1, got {getattr(self, k)}.",
            )
        check(0.0 < self.eps_fraction <= 1.0, f"eps_fraction must be in (0, 1], got {self.eps_fraction}.")
        check(self.max_grad_norm > 0, f"max_grad_norm must be positive, got {self.max_grad_norm}.")


class ReplayBuffer:
    """A ring buffer of transitions (s, a, r, s', terminated) in numpy arrays; uniform sampling."""

    def __init__(self, size: int, obs_shape: tuple[int, ...], obs_dtype, seed: int):
        self.size, self.n, self.i = size, 0, 0
        self.obs = np.zeros((size, *obs_shape), dtype=obs_dtype)
        self.next_obs = np.zeros_like(self.obs)
        self.actions = np.zeros(size, dtype=np.int64)
        self.rewards = np.zeros(size, dtype=np.float32)
        self.terminated = np.zeros(size, dtype=np.float32)
        self.rng = np.random.default_rng(seed)

    def add(self, obs, action, reward, next_obs, terminated) -> None:
        self.obs[self.i], self.next_obs[self.i] = obs, next_obs
        self.actions[self.i], self.rewards[self.i], self.terminated[self.i] = action, reward, terminated
        self.i = (self.i + 1) % self.size
        self.n = min(self.n + 1, self.size)

    def sample(self, batch: int) -> tuple[np.ndarray, ...]:
        idx = self.rng.integers(0, self.n, batch)
        return self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx], self.terminated[idx]


class DQNTrainer(RLTrainer):
    """DQN on a Q-network (q_mlp, dueling_q, or a q_table seen as a network)."""

    kinds = ("q",)
    needs_discrete_actions = True
    mirrored = ("random_baseline", "target_syncs")

    def __init__(self, model: nn.Module, task: DQNTask, data, **kw: Any):
        kw.setdefault("batch_size", 64)
        super().__init__(model, task, data, **kw)
        if task.buffer_size < self.batch_size:
            raise ConfigError(
                f"The replay buffer (buffer_size {task.buffer_size}) is smaller than one batch (batch_size "
                f"{self.batch_size}): each gradient step draws batch_size transitions from it. Make the "
                "buffer larger or the batch smaller."
            )
        self.target = copy.deepcopy(model).requires_grad_(False)
        self.env = data.make(seed=self.seed)
        self.obs, _ = self.env.reset(seed=self.seed)
        shape = () if data.discrete_obs else (data.obs_dim,)
        self.buffer = ReplayBuffer(
            task.buffer_size, shape, np.int64 if data.discrete_obs else np.float32, self.seed
        )
        self.rng = np.random.default_rng(self.seed)
        self.fill = max(task.learning_starts, self.batch_size, task.train_freq)  # env steps of the first step
        self.total_env_steps = self.fill + (self.num_steps - 1) * task.train_freq
        self.target_syncs = 0
        self._ep_ret, self._ep_len = 0.0, 0

    def epsilon(self) -> float:
        t = self.task
        frac = min(1.0, self.samples_seen / (t.eps_fraction * self.total_env_steps))
        return t.eps_start + frac * (t.eps_end - t.eps_start)

    def collect(self, n: int) -> None:
        """n ε-greedy environment steps into the buffer."""
        for _ in range(n):
            if self.rng.random() < self.epsilon():
                a = int(self.rng.integers(self.env_data.num_actions))
            else:
                a = int(self.policy_act(np.asarray(self.obs)[None], deterministic=True)[0])
            nxt, r, term, trunc, _ = self.env.step(a)
            self.buffer.add(self.obs, a, r, nxt, float(term))  # s' is the real last state, even if cut
            self._ep_ret, self._ep_len = self._ep_ret + float(r), self._ep_len + 1
            self.samples_seen += 1
            if self.samples_seen % self.task.target_update == 0:
                self.target.load_state_dict(self.model.state_dict())
                self.target_syncs += 1
            if term or trunc:
                self.episode_ended(self._ep_ret, self._ep_len)
                self._ep_ret, self._ep_len = 0.0, 0
                nxt, _ = self.env.reset()
            self.obs = nxt

    def update(self) -> dict[str, float]:
        t = self.task
        if t.anneal_lr:
            for g in self.optimizer.param_groups:
                g["lr"] = self.lr * (1.0 - self.step_count / self.num_steps)
        self.collect(self.fill if self.step_count == 0 else t.train_freq)
        obs, actions, rewards, next_obs, term = self.buffer.sample(self.batch_size)
        s, s2 = self.obs_tensor(obs), self.obs_tensor(next_obs)
        a = torch.as_tensor(actions, device=self.device)
        with torch.no_grad():
            q_next = self.target(s2)  # (B, A)
            a_star = self.model(s2).argmax(-1) if t.double else q_next.argmax(-1)
            y = torch.as_tensor(rewards, device=self.device) + t.gamma * (
                1 - torch.as_tensor(term, device=self.device)
            ) * q_next.gather(1, a_star[:, None]).squeeze(1)  # (B,)
        q = self.model(s).gather(1, a[:, None]).squeeze(1)  # (B,) Q(s, a)
        loss = F.smooth_l1_loss(q, y) if t.huber else F.mse_loss(q, y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(self.model.parameters(), t.max_grad_norm)
        self.optimizer.step()
        loss_v = float(loss.detach())
        return {
            "loss": loss_v,
            "q_loss": loss_v,
            "td_error": float((y - q.detach()).abs().mean()),
            "q_mean": float(q.detach().mean()),
            "epsilon": self.epsilon(),
        }
