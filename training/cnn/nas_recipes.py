"""Issue 22 (architecture search): recipes of the CNN family, registered on import from
training/cnn/recipes.py.

- ``nas_evolution_digits``: random search or regularised evolution over ``training.nas``'s macro space
  (one step = one candidate trained and scored), budget = ``num_steps``.
- ``darts_search_digits``: DARTS's first-order bilevel search (Liu et al., 2019) of a cell on 8×8 digits:
  each step updates α on a validation batch (Adam, lr 3e-3 here, weight decay 1e-3 as in the paper), then
  the supernet's weights on a training batch; α's softmax is recorded at every evaluation.
- ``darts_digits``: the ``darts`` network of a genotype (a published one or the search's) trained on digits.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import torch
import torch.nn.functional as F

from archs.cnn.darts import PRIMITIVES, format_genotype
from archs.cnn.darts_search import DARTSSupernet
from archs.spec import ConfigError
from data import digits
from training.cnn.recipes import image_link
from training.nas import SearchTask, SearchTrainer
from training.recipes import Recipe, register_recipe
from training.tasks import Classification
from training.trainer import Trainer


@dataclass(frozen=True)
class DartsSearchTask:
    """The supernet's size and α's optimiser; the loss is classification's cross-entropy."""

    init_channels: int = 4
    layers: int = 3
    nodes: int = 4
    arch_lr: float = 3e-3
    arch_weight_decay: float = 1e-3

    def __post_init__(self) -> None:
        if not 1 <= self.nodes <= 4:
            raise ConfigError(f"A DARTS cell here has 1 to 4 intermediate nodes, not {self.nodes}.")
        if not 3 <= self.layers <= 8:
            raise ConfigError(
                f"The supernet needs 3 to 8 cells (two of them reduction cells), not {self.layers}."
            )
        if self.arch_lr <= 0:
            raise ConfigError("The learning rate of α must be positive.")

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_data(cls, _data, **kw: Any) -> DartsSearchTask:
        return cls(**kw)

    def loss(self, model, x, y):
        return _CE.loss(model, x, y)

    def metrics(self, model, x, y) -> dict[str, float]:
        return _CE.metrics(model, x, y)


_CE = Classification()


class DartsSearchTrainer(Trainer):
    """First-order DARTS: α steps on validation batches, weights on training batches, alternating."""

    mirrored = ("alpha_history", "genotype")

    def __init__(self, model, task: DartsSearchTask, data, **kw: Any):
        torch.manual_seed(int(kw.get("seed", 0)))
        net = DARTSSupernet(
            task.init_channels, data.num_classes, task.layers, task.nodes, data.input_shape[0]
        )
        super().__init__(net, task, data, **kw)
        self.optimizer = torch.optim.Adam(net.weights(), lr=self.lr)  # weights only: α has its own
        self.arch_optimizer = torch.optim.Adam(
            net.arch_parameters(), lr=task.arch_lr, betas=(0.5, 0.999), weight_decay=task.arch_weight_decay
        )
        self.primitives = PRIMITIVES
        self.alpha_history: list[dict] = []
        self.genotype = format_genotype(net.genotype())
        self._record_alphas()

    def _val_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self.splits["val"]
        idx = torch.randint(len(x), (min(self.batch_size, len(x)),), generator=self._gen)
        return x[idx], y[idx]

    def _one_step(self) -> None:
        x, y = self._val_batch()
        self.arch_optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(self.model(x), y).backward()  # ∂L_val/∂α (first order: w held fixed)
        self.arch_optimizer.step()
        super()._one_step()  # a weight step on a training batch (α's gradient from it is cleared below)
        for a in self.model.arch_parameters():
            a.grad = None

    def _record_alphas(self) -> None:
        with torch.no_grad():
            n, r = (F.softmax(a, -1).cpu().numpy().tolist() for a in self.model.arch_parameters())
        self.alpha_history.append({"step": self.step_count, "normal": n, "reduce": r})
        self.genotype = format_genotype(self.model.genotype())

    def evaluate(self, max_examples: int = 256) -> dict[str, float]:
        return super().evaluate(max_examples)  # the supernet is slow: a sample of each split

    def _record_eval(self) -> None:
        super()._record_eval()
        self._record_alphas()


register_recipe(
    Recipe(
        name="nas_evolution_digits",
        title="Architecture search on digits: random search or regularised evolution",
        summary="Each step trains one residual CNN of the search space (depth, three widths) for a few dozen "
        "steps on 8×8 digits; evolution mutates the best of a tournament and retires the oldest model.",
        arch="residual_cnn",
        data=digits,
        data_params=dict(size=8),
        link=image_link,
        train_params=dict(num_steps=16, eval_every=1, lr=1e-2),
        task=SearchTask.from_data,
        task_keys=SearchTask.keys(),
        trainer_cls=SearchTrainer,
        max_steps=500,
    )
)

register_recipe(
    Recipe(
        name="darts_search_digits",
        title="DARTS: a differentiable search of a cell on digits",
        summary="A supernet of 3 cells whose every edge mixes the 8 primitives by softmax(α); α learns on "
        "validation batches, the weights on training batches; the derived cell keeps two edges per node.",
        arch="darts",
        data=digits,
        data_params=dict(size=8),
        link=image_link,
        train_params=dict(optimizer="adam", lr=3e-3, batch_size=32, num_steps=60, eval_every=10),
        task=DartsSearchTask.from_data,
        task_keys=DartsSearchTask.keys(),
        trainer_cls=DartsSearchTrainer,
        max_steps=2_000,
    )
)

register_recipe(
    Recipe(
        name="darts_digits",
        title="A DARTS network on digits",
        summary="Three cells of a genotype (DARTS V2 by default, or the one the search derived), C = 4, "
        "trained on 8×8 digits.",
        arch="darts",
        data=digits,
        data_params=dict(size=8),
        arch_overrides=dict(init_channels=4),
        link=image_link,
        train_params=dict(optimizer="adam", lr=3e-3, batch_size=64, num_steps=200, eval_every=50),
        max_steps=20_000,
    )
)
