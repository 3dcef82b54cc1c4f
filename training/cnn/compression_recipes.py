"""Issue 22 (compression): recipes of the CNN family, registered on import from training/cnn/recipes.py.

- ``prune_digits``: the trained base model (training.compression.BASE_DEMO, LeNet-5 on 28×28 digits)
  pruned by magnitude with torch.nn.utils.prune (``method``: global, layer, channels; ``sparsity``), then
  fine-tuned with its masks held; the first history row (step 0) is the pruned model before fine-tuning.
- ``quantize_digits``: quantization-aware training: the base model with every Linear weight fake-quantized
  to ``bits`` bits (straight-through estimator), fine-tuned; step 0 is post-training quantization alone.
- ``distill_digits``: a small LeNet-5 (4 and 8 filters, 32 units: 7,674 weights, 1/8 of the base's)
  trained with Hinton et al.'s loss against the base model as teacher (``temperature`` T, ``alpha``); with
  ``alpha = 0`` it is the same student trained alone on the labels.
"""

from __future__ import annotations

import torch
from torch import nn

from archs.spec import ConfigError
from data import digits
from data.base import Supervised
from training import compression as cmp
from training.recipes import Recipe, register_recipe
from training.tasks import Classification
from training.trainer import Trainer

from .recipes import image_link

BASE_ARCH = dict(activation="relu", pool="max", channels=(6, 16), hidden_dims=(120, 84))
STUDENT_ARCH = dict(activation="relu", pool="max", channels=(4, 8), hidden_dims=(32,))


class PruneTask(Classification):
    """Classification of a model pruned by ``method`` to ``sparsity`` (see training.compression)."""

    def __init__(self, method: str = "global", sparsity: float = 0.9):
        super().__init__()
        if method not in cmp.PRUNE_METHODS:
            raise ConfigError(
                f"Unknown pruning method {method!r}; choose one of {', '.join(cmp.PRUNE_METHODS)}."
            )
        self.method, self.sparsity = method, cmp.check_sparsity(sparsity)

    def prepare(self, model: nn.Module) -> None:
        cmp.prune_model(model, self.method, self.sparsity)

    def extra(self, model: nn.Module) -> dict[str, float]:
        return {"sparsity": cmp.weight_sparsity(model)}


class QATTask(Classification):
    """Classification of the model with its Linear weights fake-quantized to ``bits`` bits."""

    def __init__(self, bits: int = 8):
        super().__init__()
        if bits not in (2, 3, 4, 5, 6, 7, 8):
            raise ConfigError(f"Fake quantization simulates 2 to 8 bits, not {bits}.")
        self.bits = int(bits)

    def prepare(self, model: nn.Module) -> None:
        cmp.add_fake_quant(model, self.bits)

    def extra(self, model: nn.Module) -> dict[str, float]:
        return {}


class FromBaseTrainer(Trainer):
    """A Trainer whose model starts as the trained base model, then ``task.prepare(model)`` (prune it, add
    fake quantization); step 0 of the history is that model's evaluation before any fine-tuning."""

    def __init__(self, model: nn.Module, task, data: Supervised, **kw):
        try:
            model.load_state_dict(cmp.base_model().state_dict())
        except RuntimeError as e:
            raise ConfigError(
                "This recipe starts from the page's trained base model (LeNet-5 with 6 and 16 filters, 120 "
                "and 84 units, on 28×28 digits); keep its architecture settings."
            ) from e
        task.prepare(model)
        super().__init__(model, task, data, **kw)
        self._record_eval()

    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        return {**super().evaluate(max_examples), **self.task.extra(self.model)}


class DistillTask(Classification):
    """The student's loss against the frozen base model's logits (training.compression.distill_loss)."""

    def __init__(self, temperature: float = 8.0, alpha: float = 0.9):
        super().__init__()
        cmp.check_distill(temperature, alpha)
        self.temperature, self.alpha = float(temperature), float(alpha)
        self._teacher: nn.Module | None = None

    def teacher(self, device: torch.device) -> nn.Module:
        if self._teacher is None:
            self._teacher = cmp.base_model().requires_grad_(False)
        return self._teacher.to(device)

    def loss(self, model, x, y):
        with torch.no_grad():
            t = self.teacher(x.device)(x)
        return cmp.distill_loss(model(x), t, y, self.temperature, self.alpha)


def _prune_task(data: Supervised, method="global", sparsity=0.9) -> PruneTask:
    return PruneTask(method, sparsity)


def _qat_task(data: Supervised, bits=8) -> QATTask:
    return QATTask(bits)


def _distill_task(data: Supervised, temperature=8.0, alpha=0.9) -> DistillTask:
    return DistillTask(temperature, alpha)


_COMMON = dict(
    arch="lenet5",
    preset="tiny",
    data=digits,
    data_params=dict(size=28),
    link=image_link,
)

register_recipe(
    Recipe(
        name="prune_digits",
        title="Pruning the digits LeNet-5, then fine-tuning",
        summary="The trained base model (LeNet-5 on 28×28 digits) loses its smallest weights (globally, "
        "layer by layer, or whole channels) through torch.nn.utils.prune, then fine-tunes with the pruned "
        "weights held at zero.",
        arch_overrides=BASE_ARCH,
        train_params=dict(optimizer="adam", lr=1e-3, batch_size=64, num_steps=200, eval_every=50),
        task=_prune_task,
        task_keys=("method", "sparsity"),
        trainer_cls=FromBaseTrainer,
        max_steps=5_000,
        **_COMMON,
    )
)

register_recipe(
    Recipe(
        name="quantize_digits",
        title="Quantization-aware training of the digits LeNet-5",
        summary="The trained base model with its fully connected weights rounded to a few bits in every "
        "forward pass (fake quantization, straight-through gradients), fine-tuned to live with the rounding.",
        arch_overrides=BASE_ARCH,
        train_params=dict(optimizer="adam", lr=5e-4, batch_size=64, num_steps=200, eval_every=50),
        task=_qat_task,
        task_keys=("bits",),
        trainer_cls=FromBaseTrainer,
        max_steps=5_000,
        **_COMMON,
    )
)

register_recipe(
    Recipe(
        name="distill_digits",
        title="Distilling the digits LeNet-5 into a small student",
        summary="A LeNet-5 with 4 and 8 filters and 32 units learns from the base model's softened outputs "
        "(temperature T, weight alpha) and the labels; alpha = 0 trains the same student alone.",
        arch_overrides=STUDENT_ARCH,
        train_params=dict(optimizer="adam", lr=3e-3, batch_size=64, num_steps=300, eval_every=50),
        task=_distill_task,
        task_keys=("temperature", "alpha"),
        max_steps=10_000,
        **_COMMON,
    )
)
