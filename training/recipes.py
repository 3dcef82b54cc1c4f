"""Recipes: ready experiments (architecture + data + task + defaults) that build a Trainer.

Pages, tests and benchmarks start training only through recipes:

    t = get_recipe("mlp_toy2d").trainer(dataset="spiral", hidden_dims=(16, 16), lr=0.03)

Overrides are routed by name: data parameters go to the data loader, training parameters (lr,
optimizer, batch_size, num_steps, ...) to the Trainer, ``arch``/``config``/``preset`` choose the
model, and anything else is a hyperparameter of the architecture (validated, ConfigError if not).
"""

from __future__ import annotations

import difflib
import importlib.util
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

import archs
from archs.registry import family_packages, load_once
from archs.spec import ConfigError
from data.base import Supervised
from training.device import pick_device
from training.tasks import Task, make_task
from training.trainer import Trainer

TRAIN_KEYS = (
    "optimizer",
    "lr",
    "momentum",
    "weight_decay",
    "l1",
    "l2",
    "batch_size",
    "num_steps",
    "eval_every",
    "grad_clip",
    "seed",
    "device",
    "loss",
    "step_delay",
)

ALIASES = {
    "learning_rate": "lr",
    "steps": "num_steps",
    "bs": "batch_size",
    "opt": "optimizer",
    "dataset": "name",
    "layers": "hidden_dims",
    "act": "activation",
}


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    summary: str
    arch: str  # default architecture
    data: Callable[..., Supervised]
    archs: tuple[str, ...] = ()  # other architectures this recipe can train
    preset: str = "tiny"
    data_params: dict[str, Any] = field(default_factory=dict)
    arch_overrides: dict[str, Any] = field(default_factory=dict)
    train_params: dict[str, Any] = field(default_factory=dict)
    link: Callable[[Supervised], dict[str, Any]] | None = None  # arch settings dictated by the data
    max_steps: int = 20_000
    task: Callable[..., Task] | None = None  # task factory (data, **task_kw); default: by data.kind
    trainer_cls: type[Trainer] = Trainer  # a family may subclass the Trainer (e.g. two optimizers)
    task_keys: tuple[str, ...] = ()  # override names routed to the task factory

    @property
    def compatible(self) -> tuple[str, ...]:
        return (self.arch, *[a for a in self.archs if a != self.arch])

    def defaults(self) -> dict[str, Any]:
        return {**self.data_params, **self.train_params}

    def make_data(self, **overrides: Any) -> Supervised:
        params = {**self.data_params, **overrides}
        try:
            return self.data(**params)
        except ValueError as e:
            raise ConfigError(str(e)[0].upper() + str(e)[1:] + ".") from e

    def trainer(self, **overrides: Any) -> Trainer:
        """A fresh, seeded Trainer with ``overrides`` applied (see the module docstring). The trainer
        remembers where it came from (``trainer.origin``: this recipe's name and the overrides), so a
        worker process can build the very same one."""
        origin = (self.name, dict(overrides))
        overrides = dict(overrides)
        arch_name = overrides.pop("arch", self.arch)
        if arch_name not in self.compatible:
            raise ConfigError(f"Recipe {self.name} trains {', '.join(self.compatible)}, not {arch_name}.")
        spec = archs.get_arch(arch_name)
        config = overrides.pop("config", None)
        preset = overrides.pop("preset", self.preset)
        data_keys = set(inspect.signature(self.data).parameters) | set(self.data_params)
        data_kw = {k: overrides.pop(k) for k in list(overrides) if k in data_keys}
        train_kw = {**self.train_params, **{k: overrides.pop(k) for k in list(overrides) if k in TRAIN_KEYS}}
        task_kw = {k: overrides.pop(k) for k in list(overrides) if k in self.task_keys}
        arch_fields = {f.name for f in spec.fields}
        unknown = [k for k in overrides if k not in arch_fields]
        if unknown:
            everything = sorted(
                data_keys | set(TRAIN_KEYS) | arch_fields | set(self.task_keys) | {"arch", "config", "preset"}
            )
            close = (
                [ALIASES[unknown[0]]]
                if unknown[0] in ALIASES
                else difflib.get_close_matches(unknown[0], everything, n=3)
            )
            raise ConfigError(
                f"Recipe {self.name} has no setting {unknown[0]!r}."
                + (f" Did you mean {', '.join(close)}?" if close else "")
            )
        seed = int(train_kw.pop("seed", 0))
        if "seed" in inspect.signature(self.data).parameters and "seed" not in data_kw:
            data_kw["seed"] = seed
        data = self.make_data(**data_kw)
        linked = self.link(data) if self.link else {}
        if config is None:
            arch_kw = {**(self.arch_overrides if arch_name == self.arch else {}), **overrides, **linked}
            config = spec.make_config(preset, **arch_kw)
        else:
            config = config.replace(**linked) if linked else config
        num_steps = int(train_kw.pop("num_steps", 1000))
        if num_steps > self.max_steps:
            raise ConfigError(f"{num_steps} steps is more than this recipe's cap of {self.max_steps}.")
        if self.task is not None:
            task = self.task(data, **task_kw)
        else:
            task = make_task(data.kind, **({"loss": train_kw.pop("loss")} if "loss" in train_kw else {}))
        device = pick_device(train_kw.pop("device", None))
        torch.manual_seed(seed)  # the same seed gives the same initial weights
        model = archs.build_from_config(spec, config)
        trainer = self.trainer_cls(
            model,
            task,
            data,
            num_steps=num_steps,
            seed=seed,
            device=device,
            name=f"{self.name}:{arch_name}",
            **train_kw,
        )
        trainer.arch, trainer.config = spec.name, config  # for checkpoints
        trainer.origin = origin
        return trainer


_RECIPES: dict[str, Recipe] = {}


def register_recipe(r: Recipe) -> Recipe:
    if r.name in _RECIPES:
        raise ValueError(f"recipe {r.name!r} registered twice")
    _RECIPES[r.name] = r
    return r


@load_once
def _load() -> None:
    """Import every family's ``training/<family>/recipes.py``: each family declares its recipes there."""
    import training

    for pkg in family_packages(training):
        if importlib.util.find_spec(f"{pkg.__name__}.recipes") is not None:
            importlib.import_module(f"{pkg.__name__}.recipes")


def list_recipes(arch: str | None = None) -> list[Recipe]:
    """All recipes, or those that can train ``arch``."""
    _load()
    return [r for r in _RECIPES.values() if arch is None or arch in r.compatible]


def get_recipe(name: str) -> Recipe:
    _load()
    if name not in _RECIPES:
        close = difflib.get_close_matches(name, list(_RECIPES), n=3)
        raise KeyError(
            f"No recipe called {name!r}." + (f" Did you mean {', '.join(close)}?" if close else "")
        )
    return _RECIPES[name]
