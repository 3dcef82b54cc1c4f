"""CNN recipes: a small CNN on digits, and the degradation experiment (plain vs residual, side by side).

``resnet_vs_plain_digits`` trains two networks of the same depth and the same initial weights — one
with identity shortcuts, one without — in one Trainer (``TwinTrainer``): both see the same batches,
each has its own loss, and the history logs ``plain_loss`` and ``residual_loss`` at every step, so
the curves can be overlaid. Adam keeps a separate state per parameter, so optimising the sum of the
two (independent) losses is exactly training each network on its own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import archs
from archs.cnn.degradation import DeepCNN
from archs.spec import ConfigError
from data import digits
from data.augment import ALL_OPS, apply_ops, cutmix, mixup, rand_augment, soft_labels
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


# ------------------------------------------------------------------ augmentation on few digits (issue 23)

MIXES = ("mixup", "cutmix")
POLICIES = ("randaugment",)


def digits_per_class(per_class: int = 50, size: int = 16) -> Supervised:
    """Digits with only ``per_class`` labelled training images of each class (the first ones of the fixed
    split); validation and test stay whole, so every setting is judged on the same 360 test digits."""
    d = digits(size=size)
    if not 1 <= per_class <= 100:
        raise ValueError(f"per_class must be between 1 and 100 images per class, not {per_class}")
    keep = np.sort(np.concatenate([np.flatnonzero(d.y_train == c)[:per_class] for c in range(10)]))
    return replace(
        d, x_train=d.x_train[keep], y_train=d.y_train[keep], name=f"{d.name}, {per_class} per class"
    )


class AugmentedClassification(Task):
    """Cross-entropy on augmented training batches; evaluation sees the images as they are.

    ``augmentations`` names operations of ``data.augment.ALL_OPS`` (applied together, each image drawing
    its own parameters), "randaugment" (``num_ops`` operations drawn per image) and at most one of
    "mixup" or "cutmix" (applied last; the loss is then the cross-entropy with the mixed labels)."""

    name = "augmented_classification"
    higher_is_better = "acc"

    def __init__(
        self,
        augmentations=(),
        magnitude: float = 0.5,
        num_ops: int = 2,
        alpha: float = 1.0,
        seed: int = 0,
        num_classes: int = 10,
    ):
        ops = tuple(augmentations)
        known = (*ALL_OPS, *POLICIES, *MIXES)
        bad = [o for o in ops if o not in known]
        if bad:
            raise ConfigError(f"Unknown augmentation {bad[0]!r}; choose from {', '.join(known)}.")
        if sum(o in MIXES for o in ops) > 1:
            raise ConfigError("Choose mixup or cutmix, not both: each replaces the labels of the batch.")
        if not 0.0 <= magnitude <= 1.0:
            raise ConfigError(f"The augmentation magnitude must be between 0 and 1, not {magnitude}.")
        if alpha <= 0:
            raise ConfigError(f"The mixing parameter alpha must be positive, not {alpha}.")
        self.ops, self.magnitude, self.num_ops, self.alpha = ops, float(magnitude), int(num_ops), float(alpha)
        self.gen = torch.Generator().manual_seed(int(seed))
        self.num_classes = int(num_classes)

    def augment(self, x: torch.Tensor, y: torch.Tensor, num_classes: int):
        """The training batch as the model sees it: images and (B, K) label probabilities."""
        x = apply_ops(x, tuple(o for o in self.ops if o in ALL_OPS), self.magnitude, self.gen)
        if "randaugment" in self.ops:
            x, _ = rand_augment(x, self.num_ops, self.magnitude, self.gen)
        if "mixup" in self.ops:
            return mixup(x, y, num_classes, self.alpha, self.gen)[:2]
        if "cutmix" in self.ops:
            return cutmix(x, y, num_classes, self.alpha, self.gen)[:2]
        return x, soft_labels(y, num_classes)

    def loss(self, model, x, y):
        xa, ya = self.augment(x, y, self.num_classes)
        return -(ya * F.log_softmax(model(xa), -1)).sum(-1).mean()  # cross-entropy with soft labels

    @torch.no_grad()
    def metrics(self, model, x, y):
        logits = model(x)
        return {"loss": float(F.cross_entropy(logits, y)), "acc": accuracy(logits, y)}


def _augmented_task(data: Supervised, augmentations=(), magnitude=0.5, num_ops=2, alpha=1.0) -> Task:
    return AugmentedClassification(augmentations, magnitude, num_ops, alpha, num_classes=data.num_classes)


register_recipe(
    Recipe(
        name="augment_digits",
        title="Augmentation on few digits",
        summary="LeNet-5 on only 50 labelled digits per class, with or without augmentation (rotation, "
        "shifts, RandAugment, mixup, cutmix...): one network, one budget, judged on the same test set.",
        arch="lenet5",
        archs=TINY_ON_DIGITS,
        preset="tiny",
        data=digits_per_class,
        data_params=dict(per_class=50, size=16),
        arch_overrides=dict(activation="relu", pool="max", channels=(8, 16), hidden_dims=(128, 64)),
        train_params=dict(optimizer="adam", lr=2e-3, batch_size=64, num_steps=600, eval_every=50),
        link=image_link,
        task=_augmented_task,
        task_keys=("augmentations", "magnitude", "num_ops", "alpha"),
        max_steps=5_000,
    )
)

# the Engineering pages' recipes (issue 22): imported last, they may use this module's helpers
from training.cnn import compression_recipes, nas_recipes, transfer_recipes  # noqa: E402, F401
