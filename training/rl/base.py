"""The RL trainer's skeleton: ``RLTrainer`` keeps the stepper Trainer's contract (``step(n)``, ``run_for``,
``status``, ``snapshot(probes)``, ``cap_time``) for algorithms that collect their own data by acting.

One ``step`` is one update of the algorithm: PPO and A2C one rollout and its update epochs, DQN
``train_freq`` environment steps and one gradient step, REINFORCE one batch of episodes, tabular Q-learning
one episode. ``samples_seen`` counts environment steps (what RL budgets are measured in).

History rows, one per step: ``step``, ``loss``, ``env_steps``, what the algorithm logs (``policy_loss``,
``value_loss``, ``entropy``, ``approx_kl``, ``clip_frac``, ``q_loss``, ``epsilon``, ``td_error`` ...) and,
when episodes ended during the step, ``episode_return`` and ``episode_length`` (their means). Every
``eval_every`` steps an evaluation adds ``eval_return``, ``eval_return_std`` and ``eval_length``: the
greedy (deterministic) policy over ``eval_episodes`` episodes of a separately seeded environment, the same
start states each time, so that the evaluation curve moves only when the policy does.

A run fails (status "failed", a sentence naming the learning rate) when a loss or a parameter stops being a
finite number, or when the parameters blow up (their largest entry beyond ``PARAM_LIMIT``). The base
Trainer's rule "a loss 10,000× its start has exploded" is not used: value losses legitimately grow by
orders of magnitude as the returns they predict grow.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import torch
from torch import nn

from archs.spec import ConfigError
from data.envs import EnvData
from training.tasks import Task
from training.trainer import Trainer

PARAM_LIMIT = 1e4  # trained RL networks stay within a few hundred; beyond this the optimizer has run away
# one update may not move the weights by more than their own size (‖Δθ‖ / ‖θ‖); at sane learning rates
# it moves them by a few percent at most (largest seen over whole default runs: see tests/rl)
UPDATE_LIMIT = 1.0
EVAL_SEED = 1_000_000  # evaluation episodes use seeds EVAL_SEED + i, never a training seed


@dataclass(frozen=True)
class RLTask(Task):
    """The algorithm's hyperparameters (a recipe routes them by ``task_keys``), validated on creation."""

    gamma: float = 0.99
    eval_episodes: int = 10

    name = "rl"
    higher_is_better = "eval_return"

    def __post_init__(self) -> None:
        if not (isinstance(self.gamma, (int, float)) and 0.0 < self.gamma <= 1.0):
            raise ConfigError(
                f"The discount gamma must be above 0 and at most 1 (got {self.gamma}): it weighs a reward "
                "k steps ahead by γᵏ. Try 0.99."
            )
        if self.eval_episodes < 1:
            raise ConfigError(f"eval_episodes must be at least 1, got {self.eval_episodes}.")
        self.validate()

    def validate(self) -> None:
        pass

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_data(cls, data: EnvData, **kw: Any) -> RLTask:
        """A recipe's task factory: the hyperparameters; the data (the environment) is the trainer's."""
        return cls(**kw)

    def loss(self, model, x, y):  # the Trainer's supervised path is not used
        raise NotImplementedError("an RL trainer computes its losses from its own rollouts")


def check(ok: bool, message: str) -> None:
    """Raise ConfigError(message) unless ``ok``."""
    if not ok:
        raise ConfigError(message)


def obs_to_tensor(d: EnvData, model: nn.Module, obs: np.ndarray | int, device: torch.device) -> torch.Tensor:
    """Observations as the network takes them: (B, obs_dim) float32; a discrete cell id one-hot
    (B, num_states), or kept as ids (B,) for a Q-table (a module with a ``table``)."""
    a = np.asarray(obs)
    if d.discrete_obs:
        ids = torch.as_tensor(a.reshape(-1), dtype=torch.long, device=device)
        if hasattr(model, "table"):
            return ids  # (B,)
        return nn.functional.one_hot(ids, d.num_states).float()  # (B, S)
    return torch.as_tensor(a, dtype=torch.float32, device=device).reshape(-1, d.obs_dim)


# ------------------------------------------------------------------------------ random-policy baseline

_RANDOM: dict[EnvData, tuple[float, float]] = {}
_RANDOM_LOCK = threading.Lock()


def random_return(d: EnvData, episodes: int = 10) -> tuple[float, float]:
    """(mean, std) return of the uniformly random policy on ``d``, measured once per EnvData and cached."""
    with _RANDOM_LOCK:
        if d not in _RANDOM:
            env, out = d.make(), []
            for i in range(episodes):
                env.reset(seed=EVAL_SEED + i)
                env.action_space.seed(EVAL_SEED + i)
                total, done = 0.0, False
                while not done:
                    _, r, term, trunc, _ = env.step(env.action_space.sample())
                    total, done = total + float(r), term or trunc
                out.append(total)
            _RANDOM[d] = (float(np.mean(out)), float(np.std(out)))
        return _RANDOM[d]


# ---------------------------------------------------------------------------------------- trainer


class RLTrainer(Trainer):
    """Builds the agent's view of the environment from the EnvData and owns the optimizer (the base
    Trainer's, over the model's parameters). Subclasses set ``kinds`` (the model kinds they train) and
    implement ``update() -> dict`` (one step of the algorithm: its metrics, floats, with "loss")."""

    eval_key = "eval_return"
    # sent from a worker process to the page's mirror with each evaluation: (mean, std) return of the
    # random policy, measured when the run ends (diagnose)
    mirrored: tuple[str, ...] = ("random_baseline",)
    kinds: tuple[str, ...] = ()
    watch_updates = True  # log "weight_change" and fail when one update moves the weights too far
    needs_discrete_actions = False

    def __init__(self, model: nn.Module, task: RLTask, data: EnvData, **kw: Any):
        kw.setdefault("batch_size", 1)
        super().__init__(model, task, data, **kw)
        self.env_data, self.seed = data, int(kw.get("seed", 0))
        kind = getattr(model, "kind", None)
        if kind not in self.kinds:
            raise ConfigError(
                f"{type(self).__name__.removesuffix('Trainer')} trains {' or '.join(self.kinds)} networks; "
                f"{type(model).__name__} is a {kind or 'non-RL'} network."
            )
        if self.needs_discrete_actions and data.continuous:
            raise ConfigError(
                f"{data.env_id} has continuous actions; this algorithm picks among discrete ones."
            )
        if bool(getattr(model, "continuous", False)) != data.continuous:
            raise ConfigError(f"The network's continuous setting does not match {data.env_id}'s actions.")
        self.tabular = hasattr(model, "table")
        self._ended: list[tuple[float, int]] = []  # (return, length) of episodes ended in this step
        self._eval_envs: list | None = None
        self.random_baseline: tuple[float, float] | None = None

    # ------------------------------------------------------------------------------------ plumbing

    def obs_tensor(self, obs: np.ndarray | int) -> torch.Tensor:
        return obs_to_tensor(self.env_data, self.model, obs, self.device)

    def env_actions(self, actions: torch.Tensor) -> np.ndarray:
        """Network actions -> what the environment takes: ids (B,), or continuous (B, A) clipped to the
        action space's bounds (the Gaussian's samples are unbounded)."""
        a = actions.detach().cpu().numpy()
        if self.env_data.continuous:
            hi = self._action_high()
            return np.clip(a, -hi, hi).astype(np.float32)
        return a.astype(np.int64)

    def _action_high(self) -> np.ndarray:
        if not hasattr(self, "_high"):
            self._high = np.asarray(self.env_data.make().action_space.high, dtype=np.float32)
        return self._high

    @torch.no_grad()
    def policy_act(self, obs: np.ndarray, deterministic: bool) -> np.ndarray:
        return self.env_actions(self.model.act(self.obs_tensor(obs), deterministic=deterministic))

    def episode_ended(self, ret: float, length: int) -> None:
        self._ended.append((float(ret), int(length)))

    # -------------------------------------------------------------------------------------- stepping

    def update(self) -> dict[str, float]:
        raise NotImplementedError

    def _flat_params(self) -> torch.Tensor:
        return torch.cat([p.detach().reshape(-1) for p in self.model.parameters()]).clone()

    def _one_step(self) -> None:
        before = self._flat_params() if self.watch_updates else None
        metrics = self.update()
        self.step_count += 1
        row: dict[str, Any] = {"step": self.step_count, "loss": float(metrics.pop("loss"))}
        row["env_steps"] = self.samples_seen
        row.update({k: float(v) for k, v in metrics.items()})
        if before is not None:  # how far this update moved the weights, relative to their size
            row["weight_change"] = float(
                (self._flat_params() - before).norm() / before.norm().clamp(min=1e-8)
            )
        if self._ended:
            row["episode_return"] = float(np.mean([r for r, _ in self._ended]))
            row["episode_length"] = float(np.mean([n for _, n in self._ended]))
            self._ended.clear()
        self.history.append(row)
        self._check_finite(row)

    def _check_finite(self, row: dict[str, Any]) -> None:
        bad = next((k for k, v in row.items() if isinstance(v, float) and not math.isfinite(v)), None)
        if bad is not None:
            self._fail(
                f"The {bad.replace('_', ' ')} became {row[bad]} at step {row['step']}: training diverged. "
                + self.divergence_advice(row, math.inf)
            )
            return
        change = row.get("weight_change", 0.0)
        if change > UPDATE_LIMIT:
            self._fail(
                f"One update moved the network's weights by {change:.3g}× their own size at step "
                f"{row['step']}: training diverged. " + self.divergence_advice(row, math.inf)
            )
            return
        with torch.no_grad():
            peak = max(
                (float(p.detach().abs().max()) for p in self.model.parameters() if p.numel()), default=0.0
            )
        if not math.isfinite(peak) or peak > PARAM_LIMIT:
            what = (
                "stopped being finite numbers"
                if not math.isfinite(peak)
                else f"blew up (|θ| up to {peak:.3g})"
            )
            self._fail(
                f"The network's weights {what} at step {row['step']}: training diverged. "
                + self.divergence_advice(row, math.inf)
            )

    def divergence_advice(self, terms: dict[str, float], limit: float) -> str:
        return (
            f"The learning rate ({self.lr:g}) is too high for this agent: each update overshoots, and the "
            "policy and value estimates feed on each other's errors. Lower it (try 3e-4 to 1e-3) and reset."
        )

    def _run(self, more):
        # stop at once when a step failed (the base loop checks only at evaluations)
        return super()._run(lambda i: not self.finished and more(i))

    def _flush(self) -> None:  # rows are written by _one_step; nothing is pending
        self._pending.clear()
        self._pending_terms.clear()

    # ------------------------------------------------------------------------------------ evaluation

    @torch.no_grad()
    def play_episodes(
        self, envs: list, seeds: list[int], deterministic: bool, record: bool = False
    ) -> list[dict]:
        """One whole episode in each of ``envs`` (reset with ``seeds``), played side by side with one
        batched forward pass per time step. Each: {"rewards": [...]} and, if ``record``, "obs" (the
        observations acted on) and "actions" (the network's actions as tensors, before any clipping)."""
        n = len(envs)
        obs = [env.reset(seed=s)[0] for env, s in zip(envs, seeds, strict=True)]
        eps: list[dict] = [{"obs": [], "actions": [], "rewards": []} for _ in range(n)]
        live = list(range(n))
        while live:
            raw = self.model.act(self.obs_tensor(np.stack([np.asarray(obs[i]) for i in live])), deterministic)
            acts = self.env_actions(raw)
            still = []
            for j, i in enumerate(live):
                if record:
                    eps[i]["obs"].append(obs[i])
                    eps[i]["actions"].append(raw[j])
                obs[i], r, term, trunc, _ = envs[i].step(acts[j])
                eps[i]["rewards"].append(float(r))
                if not (term or trunc):
                    still.append(i)
            live = still
        return eps

    def evaluate(self, max_examples: int | None = None) -> dict[str, float]:
        """The deterministic policy over ``eval_episodes`` episodes (seeds EVAL_SEED + i), played side by
        side: {"eval_return": mean, "eval_return_std", "eval_length": mean}."""
        n = self.task.eval_episodes
        if self._eval_envs is None:
            self._eval_envs = [self.env_data.make() for _ in range(n)]
        was = self.model.training
        self.model.eval()
        try:
            eps = self.play_episodes(self._eval_envs, [EVAL_SEED + i for i in range(n)], deterministic=True)
        finally:
            self.model.train(was)
        returns = np.array([sum(e["rewards"]) for e in eps])
        return {
            "eval_return": float(returns.mean()),
            "eval_return_std": float(returns.std()),
            "eval_length": float(np.mean([len(e["rewards"]) for e in eps])),
        }

    def diagnose(self) -> str | None:
        """A sentence when the final greedy policy does no better than acting at random."""
        ev = self.last_eval()
        if "eval_return" not in ev:
            return None
        mean, std = random_return(self.env_data)
        self.random_baseline = (mean, std)
        if ev["eval_return"] > mean + max(0.1 * abs(mean), 0.5 * std, 1e-6):
            return None
        what = (
            f"It finished no better than acting at random: evaluation return {ev['eval_return']:.3g} against "
            f"{mean:.3g} for a random policy on {self.env_data.env_id}."
        )
        if self.lr >= 1e-2:
            hint = f"The learning rate ({self.lr:g}) is probably too high; try 3e-4 to 1e-3."
        elif self.lr <= 1e-5:
            hint = f"The learning rate ({self.lr:g}) may be too low to move in {self.num_steps} steps."
        elif self.env_data.env_id == "MountainCar-v0":
            hint = (
                "MountainCar pays −1 every step until the car reaches the flag, which random pushing almost "
                "never does: there is nothing to learn from until it does. It needs far more steps, or "
                "cleverer exploration."
            )
        else:
            hint = "Try more steps, or another seed: RL runs vary a lot from seed to seed."
        return f"{what} {hint}"
