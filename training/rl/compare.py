"""Several algorithms × seeds on one environment with the same environment-step budget: the page's
"compare algorithms" view. Sample efficiency is the RL question a curve against environment steps answers
(against wall time, or against updates, the algorithms would not be compared on the same footing).

``RLCompareTrainer`` (recipe ``rl_compare_cartpole``) holds one member trainer per (algorithm, seed), each
built by the algorithm's own recipe with its default hyperparameters and a step budget sized to
``env_budget`` (so that PPO's and DQN's learning rates anneal to 0 exactly at the budget). One ``step``
advances the member furthest behind in environment steps by one of its updates, so all members move
through the budget together; a member stops once it has used the budget (it may overshoot by less than one
update: PPO's 256 steps, one REINFORCE batch). Each member is evaluated (``eval_episodes`` greedy
episodes) at env steps 0 and every ``env_budget / eval_points``, and at its end.

Mirrored for the page (``curves``): {algo: [(env_steps (K,), eval returns (K,)) for each seed]}, which it
draws as the mean ± a band over seeds against environment steps. ``member_messages`` says which members
failed and why (one failing member does not stop the others). ``self.model`` is the first member's network
(the first algorithm, first seed), for probes. How many steps the budget takes is not known in advance
(REINFORCE's episodes vary): the recipe's ``num_steps`` is 10⁹, the run ends when the budget is used (a
smaller ``num_steps`` stops it sooner), and progress is ``samples_seen / env_total``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from torch import nn

from training.recipes import get_recipe
from training.rl.base import RLTask, RLTrainer, check

ALGOS: dict[str, str] = {
    "ppo": "ppo_cartpole",
    "a2c": "a2c_cartpole",
    "dqn": "dqn_cartpole",
    "reinforce": "reinforce_cartpole",
}


@dataclass(frozen=True)
class CompareTask(RLTask):
    algos: tuple[str, ...] = ("ppo", "a2c", "dqn", "reinforce")  # contenders
    seeds: tuple[int, ...] = (0, 1, 2)  # every contender runs once per seed
    env_budget: int = 25_000  # environment steps each run may use
    eval_points: int = 10  # evaluations along the budget (besides the one at 0)
    eval_episodes: int = 5

    def __post_init__(self) -> None:
        object.__setattr__(self, "algos", tuple(self.algos))
        object.__setattr__(self, "seeds", tuple(int(s) for s in self.seeds))
        super().__post_init__()

    def validate(self) -> None:
        unknown = [a for a in self.algos if a not in ALGOS]
        check(
            not unknown and self.algos, f"algos must be some of {', '.join(ALGOS)}; got {list(self.algos)}."
        )
        check(len(set(self.algos)) == len(self.algos), "Each algorithm may be listed once.")
        check(
            1 <= len(self.seeds) <= 10 and len(set(self.seeds)) == len(self.seeds),
            "Give 1 to 10 distinct seeds.",
        )
        check(
            1_000 <= self.env_budget <= 1_000_000,
            f"env_budget must be 1,000 to 1,000,000, got {self.env_budget}.",
        )
        check(1 <= self.eval_points <= 100, f"eval_points must be 1 to 100, got {self.eval_points}.")


def steps_for_budget(algo: str, budget: int) -> int:
    """Updates of ``algo`` (default hyperparameters) that use ``budget`` environment steps."""
    recipe = get_recipe(ALGOS[algo])
    task = recipe.task.__self__()  # the algorithm's default hyperparameters
    if algo in ("ppo", "a2c"):
        return max(1, math.ceil(budget / (task.n_envs * task.n_steps)))
    if algo == "dqn":
        fill = max(task.learning_starts, recipe.train_params.get("batch_size", 64), task.train_freq)
        return max(1, math.ceil((budget - fill) / task.train_freq) + 1)
    return recipe.max_steps  # REINFORCE: episodes vary in length; it stops at the budget


class RLCompareTrainer(RLTrainer):
    kinds = ("actor_critic", "policy", "q")
    watch_updates = False  # the members watch their own updates
    mirrored = ("random_baseline", "curves", "member_messages", "env_total")

    def __init__(self, model: nn.Module, task: CompareTask, data, **kw: Any):
        super().__init__(model, task, data, **kw)
        self.members: list[tuple[str, int, RLTrainer]] = []
        for algo in task.algos:
            n = steps_for_budget(algo, task.env_budget)
            for seed in task.seeds:
                t = get_recipe(ALGOS[algo]).trainer(
                    env=data.env_id, seed=seed, num_steps=n, eval_every=10**9, device=self.device
                )
                t.task = type(t.task)(**{**t.task.__dict__, "eval_episodes": task.eval_episodes})
                self.members.append((algo, seed, t))
        self.model = self.members[0][2].model
        self.curves: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {a: [] for a in task.algos}
        self._points: list[list[tuple[int, float]]] = []
        for _, _, t in self.members:
            self._points.append([(0, t.evaluate()["eval_return"])])
        self.member_messages: dict[str, str] = {}
        self.env_total = task.env_budget * len(self.members)  # progress: samples_seen / env_total
        self._publish()

    def _active(self) -> list[int]:
        return [
            i
            for i, (_, _, t) in enumerate(self.members)
            if not t.finished and t.samples_seen < self.task.env_budget
        ]

    def _publish(self) -> None:
        self.curves = {a: [] for a in self.task.algos}
        for (algo, _, _), pts in zip(self.members, self._points, strict=True):
            xs, ys = zip(*pts, strict=True)
            self.curves[algo].append((np.asarray(xs, dtype=np.int64), np.asarray(ys, dtype=np.float64)))

    def update(self) -> dict[str, float]:
        active = self._active()
        i = min(active, key=lambda k: self.members[k][2].samples_seen)
        algo, seed, t = self.members[i]
        before = t.samples_seen
        t.step(1)
        self.samples_seen += t.samples_seen - before
        every = self.task.env_budget / self.task.eval_points
        ended = t.finished or t.samples_seen >= self.task.env_budget
        if t.status == "failed":
            self.member_messages[f"{algo} seed {seed}"] = t.message
        elif ended or int(t.samples_seen // every) > int(before // every):
            self._points[i].append((t.samples_seen, t.evaluate()["eval_return"]))
        row = t.history[-1] if t.history else {}
        for k in ("episode_return", "episode_length"):
            if k in row:
                self._ended.append((row["episode_return"], int(row["episode_length"])))
                break
        if not self._active():
            self._publish()
            if len(self.member_messages) == len(self.members):
                raise RuntimeError("every member failed: " + "; ".join(self.member_messages.values()))
            self.num_steps = self.step_count + 1  # this is the last step
        return {"loss": float(row.get("loss", 0.0)), "member": float(i)}

    def progress(self) -> tuple[float, float, str]:
        return float(self.samples_seen), float(self.env_total), "environment step"

    def evaluate(self, max_examples: int | None = None) -> dict[str, float]:
        """The latest evaluation of every member: its mean per algorithm and over all of them."""
        self._publish()
        out: dict[str, float] = {}
        for algo in self.task.algos:
            out[f"eval_return_{algo}"] = float(np.mean([ys[-1] for _, ys in self.curves[algo]]))
        vals = [ys[-1] for runs in self.curves.values() for _, ys in runs]
        out.update(eval_return=float(np.mean(vals)), eval_return_std=float(np.std(vals)), eval_length=0.0)
        return out

    def diagnose(self) -> str | None:
        if self.member_messages:
            return "Some runs failed: " + "; ".join(f"{k}: {v}" for k, v in self.member_messages.items())
        return None
