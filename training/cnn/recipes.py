"""CNN recipes: a small CNN on digits, and the degradation experiment (plain vs residual, side by side).

``resnet_vs_plain_digits`` trains two networks of the same depth and the same initial weights — one
with identity shortcuts, one without — in one Trainer (``TwinTrainer``): both see the same batches,
each has its own loss, and the history logs ``plain_loss`` and ``residual_loss`` at every step, so
the curves can be overlaid. Adam keeps a separate state per parameter, so optimising the sum of the
two (independent) losses is exactly training each network on its own.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

import archs
from archs.cnn.degradation import DeepCNN
from data import digits
from data.base import Supervised
from training.metrics import accuracy
from training.recipes import Recipe, register_recipe
from training.tasks import Task
from training.trainer import Trainer

# Every CNN of the family whose tiny preset runs on digits: the recipe links the input size to the data.
TINY_ON_DIGITS = tuple(s.name for s in archs.list_archs("cnn"))


def image_link(d: Supervised) -> dict[str, Any]:
    c, h, _ = d.input_shape
    return {"in_channels": int(c), "num_classes": d.num_classes, "image_size": int(h)}


register_recipe(
    Recipe(
        name="cnn_digits",
        title="A small CNN on handwritten digits",
        summary="LeNet-5 (ReLU, max-pooling) reads scikit-learn's digits upsampled to 28×28; any tiny "
        "CNN of the family can take its place.",
        arch="lenet5",
        archs=TINY_ON_DIGITS,
        preset="tiny",
        data=digits,
        data_params=dict(size=28),
        arch_overrides=dict(activation="relu", pool="max", channels=(8, 16), hidden_dims=(128, 64)),
        train_params=dict(optimizer="adam", lr=2e-3, batch_size=64, num_steps=600, eval_every=100),
        link=image_link,
        max_steps=20_000,
    )
)


class Twins(nn.Module):
    """The plain network and its residual twin; ``forward`` is the residual one's (for probes)."""

    def __init__(self, plain: nn.Module, residual: nn.Module):
        super().__init__()
        self.plain, self.residual = plain, residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.residual(x)


class TwinClassification(Task):
    """Cross-entropy of each twin; the loss is their sum, the terms are logged apart."""

    name = "twin_classification"
    higher_is_better = "acc"

    def loss(self, model: Twins, x, y):
        lp, lr = F.cross_entropy(model.plain(x), y), F.cross_entropy(model.residual(x), y)
        return lp + lr, {"plain_loss": lp, "residual_loss": lr}

    @torch.no_grad()
    def metrics(self, model: Twins, x, y):
        out: dict[str, float] = {}
        for name in ("plain", "residual"):
            logits = getattr(model, name)(x)
            out[f"{name}_loss"] = float(F.cross_entropy(logits, y))
            out[f"{name}_acc"] = accuracy(logits, y)
        out["loss"], out["acc"] = out["residual_loss"], out["residual_acc"]
        return out


class TwinTrainer(Trainer):
    """Builds the plain twin of the given residual DeepCNN with the same seed (so both start from the
    same weights: option-A shortcuts have none) and trains both together."""

    def __init__(self, model: DeepCNN, task: Task, data: Supervised, **kw: Any):
        torch.manual_seed(int(kw.get("seed", 0)))
        plain = DeepCNN(model.cfg.replace(residual=False))
        super().__init__(Twins(plain, model), task, data, **kw)


def _twin_task(data: Supervised) -> Task:
    return TwinClassification()


register_recipe(
    Recipe(
        name="resnet_vs_plain_digits",
        title="Residual vs plain: the degradation problem",
        summary="Two 32-layer CNNs, identical but for the identity shortcuts, trained side by side on "
        "digits: without shortcuts the deep stack trains far worse.",
        arch="residual_cnn",
        preset="deep",
        data=digits,
        data_params=dict(size=16),
        train_params=dict(optimizer="sgd", lr=0.05, batch_size=64, num_steps=300, eval_every=50),
        link=image_link,
        task=_twin_task,
        trainer_cls=TwinTrainer,
        max_steps=5_000,
    )
)
