"""Tabular Q-learning and SARSA on environments with numbered states, and value iteration for the optimum.

Q-learning: C. J. C. H. Watkins (1989), "Learning from Delayed Rewards", PhD thesis, Cambridge; Watkins &
Dayan (1992), "Q-learning", Machine Learning 8, 279-292. SARSA: G. A. Rummery & M. Niranjan (1994),
"On-line Q-learning using connectionist systems", Cambridge tech. report CUED/F-INFENG/TR 166. Both as in
Sutton & Barto (2018), "Reinforcement Learning: An Introduction", 2nd ed., §6.4-6.5.

One ``step`` = one episode. At every environment step, with the ε-greedy action a in state s:

    Q-learning (off-policy):  Q[s, a] += α (r + γ max_a' Q[s', a'] − Q[s, a])
    SARSA (on-policy):        Q[s, a] += α (r + γ Q[s', a'] − Q[s, a]),  a' the ε-greedy action taken next

(no bootstrap from a terminal s'). ε falls linearly from ``eps_start`` to ``eps_end`` over the first
``eps_fraction`` of the episodes; ties between equal Q values are broken at random, so that an untried
table does not always pick "up". Logged: loss (mean ½ δ² over the episode), td_error (mean |δ|), epsilon.

``value_iteration`` solves a GridWorld exactly from its known model (``GridWorld.transitions``):
V(s) ← max_a Σ_s' p(s'|s, a) [r + γ V(s') (1 − terminal)] until it stops changing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from archs.spec import ConfigError
from data.envs import GridWorld
from training.rl.base import RLTask, RLTrainer, check


@dataclass(frozen=True)
class TabularTask(RLTask):
    gamma: float = 0.95  # discount of future rewards
    alpha: float = 0.5  # step size α: how far each update moves Q[s, a] toward its target
    eps_start: float = 1.0  # ε at the first episode: the share of random actions
    eps_end: float = 0.05  # ε after the schedule
    eps_fraction: float = 0.5  # share of the episodes over which ε falls
    sarsa: bool = False  # SARSA (on-policy: bootstrap from the action taken next) instead of Q-learning

    def validate(self) -> None:
        check(
            0.0 < self.alpha <= 1.0, f"The step size alpha must be above 0 and at most 1, got {self.alpha}."
        )
        for k in ("eps_start", "eps_end"):
            check(
                0.0 <= getattr(self, k) <= 1.0,
                f"{k} is a probability: between 0 and 1, got {getattr(self, k)}.",
            )
        check(0.0 < self.eps_fraction <= 1.0, f"eps_fraction must be in (0, 1], got {self.eps_fraction}.")


class TabularTrainer(RLTrainer):
    """Q-learning or SARSA on a q_table, one episode per step; the table is updated in place (α is the
    step size; the optimizer the base Trainer makes is not used)."""

    kinds = ("q",)
    needs_discrete_actions = True
    watch_updates = False  # α, not a learning rate, sets the step; a table starting at 0 has no size

    def __init__(self, model: nn.Module, task: TabularTask, data, **kw: Any):
        super().__init__(model, task, data, **kw)
        if not (self.tabular and data.discrete_obs):
            raise ConfigError(
                "Tabular Q-learning needs a Q-table (q_table) and an environment whose states are numbered "
                f"(GridWorld, FrozenLake); {data.env_id} with {type(model).__name__} is not that."
            )
        self.env = data.make(seed=self.seed)
        self.rng = np.random.default_rng(self.seed)

    def epsilon(self) -> float:
        t = self.task
        frac = min(1.0, self.step_count / max(1.0, t.eps_fraction * self.num_steps))
        return t.eps_start + frac * (t.eps_end - t.eps_start)

    def choose(self, q: np.ndarray, eps: float) -> int:
        if self.rng.random() < eps:
            return int(self.rng.integers(len(q)))
        best = np.flatnonzero(q >= q.max() - 1e-12)
        return int(self.rng.choice(best))

    @torch.no_grad()
    def update(self) -> dict[str, float]:
        t, Q = self.task, self.model.table.data  # (S, A), updated in place
        eps = self.epsilon()
        s, _ = self.env.reset(seed=int(self.rng.integers(2**31)))
        a = self.choose(Q[s].cpu().numpy(), eps)
        deltas, ret, done = [], 0.0, False
        while not done:
            s2, r, term, trunc, _ = self.env.step(a)
            a2 = self.choose(Q[s2].cpu().numpy(), eps)
            if term:
                bootstrap = 0.0
            else:
                bootstrap = float(Q[s2, a2]) if t.sarsa else float(Q[s2].max())
            delta = float(r) + t.gamma * bootstrap - float(Q[s, a])
            Q[s, a] += t.alpha * delta
            deltas.append(delta)
            ret += float(r)
            self.samples_seen += 1
            done = term or trunc
            s, a = s2, a2
        self.episode_ended(ret, len(deltas))
        d = np.asarray(deltas)
        return {"loss": float(0.5 * (d**2).mean()), "td_error": float(np.abs(d).mean()), "epsilon": eps}


def value_iteration(grid: GridWorld, gamma: float, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """(V (H, W), greedy (H, W)) of the optimal policy on ``grid``: V is 0 on terminal cells and NaN on
    walls; greedy holds the first best action id (0 up, 1 right, 2 down, 3 left), −1 on walls and terminal
    cells."""
    H, W = grid.shape
    S = H * W
    V = np.zeros(S)
    model = [[grid.transitions(s, a) for a in range(4)] for s in range(S)]
    live = [s for s in range(S) if model[s][0]]  # neither wall nor terminal
    for _ in range(10_000):
        new = V.copy()
        for s in live:
            new[s] = max(
                sum(p * (r + gamma * V[s2] * (not done)) for p, s2, r, done in model[s][a]) for a in range(4)
            )
        change = np.abs(new - V).max()
        V = new
        if change < tol:
            break
    greedy = np.full(S, -1)
    for s in live:
        q = [sum(p * (r + gamma * V[s2] * (not done)) for p, s2, r, done in model[s][a]) for a in range(4)]
        greedy[s] = int(np.argmax(np.round(q, 9)))
    Vg = V.reshape(H, W).astype(float)
    for r, c in grid.walls:
        Vg[r, c] = np.nan
    return Vg, greedy.reshape(H, W)


def optimal_actions(grid: GridWorld, gamma: float, tol: float = 1e-9) -> np.ndarray:
    """(H, W, 4) bool: every action whose value under the optimum equals the best one, Q*(s, a) = V*(s)
    (ties count: in an open grid, "up" and "right" are often both optimal); all False on walls and
    terminal cells. A learned greedy policy is optimal where its action is one of these."""
    V, _ = value_iteration(grid, gamma)
    H, W = grid.shape
    best = np.zeros((H, W, 4), dtype=bool)
    for s in range(H * W):
        r, c = grid.cell(s)
        moves = [grid.transitions(s, a) for a in range(4)]
        if not moves[0]:  # a wall or a terminal cell: no action there
            continue
        q = [
            sum(p * (rew + gamma * (0.0 if done else V[grid.cell(s2)])) for p, s2, rew, done in m)
            for m in moves
        ]
        best[r, c] = np.asarray(q) >= max(q) - tol
    return best
