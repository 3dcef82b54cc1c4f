"""Neural architecture search: a macro search space, random search and regularised (aging) evolution
(Real, Aggarwal, Huang & Le, 2019, "Regularized Evolution for Image Classifier Architecture Search",
arXiv:1802.01548); the Pareto front of accuracy against parameters and mult-adds. DARTS's supernet is in
``training.darts_search``.

The space: the CIFAR ResNet layout of the registered ``residual_cnn`` (three stages of residual blocks,
the 2nd and 3rd halving the map), with the depth (blocks per stage) and each stage's width searched. A
candidate is trained for ``candidate_steps`` Adam steps on 8×8 digits and scored by its validation
accuracy (the test split is only reported). Aging evolution keeps a queue of the last ``population``
models; each cycle samples ``sample_size`` of them, mutates the best (one gene changed) and pushes the
child while the *oldest* model leaves, not the worst: a lucky model cannot stay forever.

A search is a Trainer whose one step evaluates one candidate, so it runs as a job of the job runner
(queued, paused, capped) like any training run; ``num_steps`` is the budget of candidates.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F

import archs
from archs.cost import mult_adds
from archs.spec import ConfigError
from training.trainer import Trainer

ARCH = "residual_cnn"
SPACE: dict[str, tuple[int, ...]] = {
    "blocks": (1, 2),  # residual blocks per stage (depth 6n + 2)
    "w1": (2, 4, 8, 16),
    "w2": (2, 4, 8, 16),
    "w3": (2, 4, 8, 16),
}
Genome = tuple[int, int, int, int]


def space_size() -> int:
    return int(np.prod([len(v) for v in SPACE.values()]))


def random_genome(rng: random.Random) -> Genome:
    return tuple(rng.choice(v) for v in SPACE.values())  # type: ignore[return-value]


def mutate(g: Genome, rng: random.Random) -> Genome:
    """Change exactly one gene to another of its values (Real et al.'s mutation, in a macro space)."""
    i = rng.randrange(len(g))
    choices = [v for v in list(SPACE.values())[i] if v != g[i]]
    return tuple(rng.choice(choices) if k == i else x for k, x in enumerate(g))  # type: ignore[return-value]


def label(g: Genome) -> str:
    return f"n={g[0]} · widths {g[1]}/{g[2]}/{g[3]}"


def build(g: Genome, image_size: int = 8, num_classes: int = 10, in_channels: int = 1):
    return archs.build_model(
        ARCH, "tiny", blocks_per_stage=g[0], widths=g[1:], image_size=image_size,
        num_classes=num_classes, in_channels=in_channels,
    )  # fmt: skip


def evaluate_genome(g: Genome, splits: dict, steps: int, seed: int, lr: float = 1e-2, bs: int = 64) -> dict:
    """Train the candidate ``steps`` Adam steps from a seeded start; its size and accuracies."""
    x, y = splits["train"]
    torch.manual_seed(seed)
    model = build(g, image_size=x.shape[-1], in_channels=x.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(steps):
        idx = torch.randint(len(x), (bs,), generator=gen)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = {k: (model(xs).argmax(1) == ys).float().mean().item() for k, (xs, ys) in splits.items()}
        madds = mult_adds(model, x[:1])
    return dict(
        genome=list(g), label=label(g), params=archs.count_params(model), madds=int(madds),
        val_acc=acc.get("val", acc["test"]), test_acc=acc["test"], train_acc=acc["train"],
    )  # fmt: skip


def space_costs(image_size: int = 8) -> list[dict]:
    """Every architecture of the space with its parameters and mult-adds, for the map of the space a search
    explores, drawn before anything is trained."""
    out = []
    for g in itertools.product(*SPACE.values()):
        model = build(g, image_size=image_size)  # type: ignore[arg-type]
        x = torch.zeros(1, 1, image_size, image_size)
        madds = int(mult_adds(model, x))
        out.append(dict(genome=g, label=label(g), params=archs.count_params(model), madds=madds))
    return out


def pareto_front(acc: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Indices of the points no other point beats: at least as accurate and as cheap, better in one.
    Sorted by cost."""
    acc, cost = np.asarray(acc, float), np.asarray(cost, float)
    keep = [
        i
        for i in range(len(acc))
        if not np.any((acc >= acc[i]) & (cost <= cost[i]) & ((acc > acc[i]) | (cost < cost[i])))
    ]
    return np.asarray(sorted(keep, key=lambda i: (cost[i], -acc[i])), dtype=np.int64)


@dataclass(frozen=True)
class SearchTask:
    """How to search: the strategy and its settings (the budget is the Trainer's ``num_steps``)."""

    strategy: Literal["random", "evolution"] = "evolution"
    population: int = 6  # P: the aging queue's length (random samples fill it first)
    sample_size: int = 3  # S: the tournament size
    candidate_steps: int = 30  # Adam steps each candidate trains for

    def __post_init__(self) -> None:
        if self.strategy not in ("random", "evolution"):
            raise ConfigError(f"The search strategy must be random or evolution, not {self.strategy!r}.")
        if self.population < 2:
            raise ConfigError(f"The population must hold at least 2 models, got {self.population}.")
        if not 1 <= self.sample_size <= self.population:
            raise ConfigError(
                f"The sample size ({self.sample_size}) must be between 1 and the population "
                f"({self.population}): a tournament draws from the population."
            )
        if self.candidate_steps < 1:
            raise ConfigError("Each candidate needs at least one training step.")

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_data(cls, _data, **kw: Any) -> SearchTask:
        return cls(**kw)

    def loss(self, model, x, y):  # the Task interface; a search does not train one model
        raise NotImplementedError

    def metrics(self, model, x, y) -> dict[str, float]:
        return {}


class SearchTrainer(Trainer):
    """One step = one candidate sampled (random) or bred (evolution), trained and scored."""

    eval_key = "best_val_acc"
    mirrored = ("samples",)

    def __init__(self, model, task: SearchTask, data, **kw: Any):
        if int(kw.get("num_steps", 1)) < 1:
            raise ConfigError("The search budget must be at least one architecture: raise it above zero.")
        super().__init__(model, task, data, **kw)
        self.rng = random.Random(kw.get("seed", 0))
        self.population: deque[dict] = deque()
        self.samples: list[dict] = []  # every candidate evaluated, in order, with its "origin"
        self._seed = int(kw.get("seed", 0))

    def _next(self) -> tuple[Genome, str]:
        t: SearchTask = self.task
        if t.strategy == "random" or len(self.population) < t.population:
            return random_genome(self.rng), "random"
        contenders = self.rng.sample(list(self.population), t.sample_size)
        parent = max(contenders, key=lambda s: s["val_acc"])
        return mutate(tuple(parent["genome"]), self.rng), "mutation"

    def _one_step(self) -> None:
        g, origin = self._next()
        s = evaluate_genome(g, self.splits, self.task.candidate_steps, self._seed * 1000 + self.step_count)
        s.update(index=len(self.samples), origin=origin)
        self.samples.append(s)
        self.population.append(s)
        if len(self.population) > self.task.population:
            self.population.popleft()  # aging: the oldest dies, whatever its accuracy
        self.step_count += 1
        self.samples_seen += 1
        self._pending.append(torch.tensor(1.0 - s["val_acc"]))  # the "loss" curve: 1 − accuracy

    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        if not self.samples:
            return {"best_val_acc": 0.0}
        best = max(self.samples, key=lambda s: s["val_acc"])
        return {"best_val_acc": best["val_acc"], "test_acc": best["test_acc"], "best_params": best["params"]}

    def progress(self) -> tuple[float, float, str]:
        return float(self.step_count), float(self.num_steps), "architecture"

    def diagnose(self) -> str | None:
        return None


def run_search(strategy: str, budget: int, seed: int = 0, **task_kw: Any) -> list[dict]:
    """A whole search now (tests, notebooks): the candidates in the order they were evaluated."""
    from training.recipes import get_recipe

    t = get_recipe("nas_evolution_digits").trainer(strategy=strategy, num_steps=budget, seed=seed, **task_kw)
    t.step(budget)
    if t.status == "failed":
        raise RuntimeError(t.message)
    return t.samples
