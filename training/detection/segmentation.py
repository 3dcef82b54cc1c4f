"""Training semantic segmenters (U-Net, DeepLabv3+) on procedural shape scenes.

Data: the family's scene set (training/detection/data.py) as a supervised set: x (N, 1, H, W) images in
[0, 1], y (N, H, W) int64 semantic maps (0 = background, k + 1 = shape class k), so the shared Trainer
batches it as it batches any image set. The model's ``losses(x, semantic)`` gives the terms trained
(per-pixel cross-entropy "ce", and the weighted soft Dice loss "dice" when the model's dice_weight > 0);
each is logged as ``loss_<term>`` beside their sum ``loss``.

Evaluation (every ``eval_every`` steps): on the held-out scenes ``test_miou`` (mean IoU over the classes,
background included), ``test_dice`` (mean Dice over the shape classes) and ``test_loss`` (cross-entropy);
the same on the first 128 training scenes (``train_*``). ``snapshot()`` adds ``scenes``: four fixed
held-out scenes with their true and predicted maps, for the page to draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from data.base import Supervised
from training.detection.data import scene_set
from training.detection.seg_metrics import confusion, per_class_dice, per_class_iou
from training.tasks import Task
from training.trainer import Trainer

SNAPSHOT_SCENES = 4
TRAIN_EVAL = 128  # training scenes evaluated (the held-out scenes are evaluated in full)


def segmentation_scenes(
    n: int = 600, size: int = 64, max_objects: int = 3, seed: int = 0, test_frac: float = 0.2
) -> Supervised:
    """The scene set as images and semantic maps; class 0 is the background."""
    s = scene_set(n=n, size=size, max_objects=max_objects, seed=seed, test_frac=test_frac)
    return Supervised(
        x_train=s.images_train.numpy(),
        y_train=s.semantic_train.numpy(),
        x_test=s.images_test.numpy(),
        y_test=s.semantic_test.numpy(),
        kind="segmentation",
        num_classes=s.num_classes + 1,
        class_names=("background", *s.class_names),
        name=f"shape scenes {size}×{size}",
    )


def link(d: Supervised) -> dict[str, Any]:
    """Architecture settings the data dictates: grey images, its classes plus background."""
    return {"in_channels": d.input_shape[0], "num_classes": d.num_classes}


class SegmentationTask(Task):
    name = "segmentation"
    higher_is_better = "miou"

    def __init__(self, num_classes: int, batch: int = 64):
        self.num_classes, self.batch = num_classes, batch

    @classmethod
    def from_data(cls, data: Supervised) -> SegmentationTask:
        return cls(data.num_classes)

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor):
        terms = model.losses(x, y)
        return sum(terms.values()), {f"loss_{k}": v for k, v in terms.items()}

    @torch.no_grad()
    def metrics(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        conf = np.zeros((self.num_classes, self.num_classes), np.int64)
        ce = 0.0
        for i in range(0, len(x), self.batch):
            logits = model.logits(x[i : i + self.batch])  # (b, K, H, W)
            target = y[i : i + self.batch]
            ce += float(F.cross_entropy(logits, target, reduction="sum")) / target[0].numel()
            conf += confusion(logits.argmax(1), target, self.num_classes)
        iou, dice = per_class_iou(conf), per_class_dice(conf)[1:]
        return {
            "loss": ce / max(len(x), 1),
            "miou": float(np.nanmean(iou)) if np.isfinite(iou).any() else 1.0,
            "dice": float(np.nanmean(dice)) if np.isfinite(dice).any() else 1.0,
        }


class SegmentationTrainer(Trainer):
    """The shared stepper with segmentation's evaluation and a snapshot of held-out scenes."""

    eval_key = "test_miou"

    @torch.no_grad()
    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        was_training = self.model.training
        self.model.eval()
        out: dict[str, float] = {}
        try:
            for split, (x, y) in self.splits.items():
                n = TRAIN_EVAL if split == "train" else max_examples
                m = self.task.metrics(self.model, x[:n], y[:n])
                out.update({f"{split}_{k}": v for k, v in m.items()})
        finally:
            self.model.train(was_training)
        return out

    @torch.no_grad()
    def scenes(self) -> dict[str, Any]:
        """Four fixed held-out scenes: images (K, 1, H, W) float32, semantic_true / semantic_pred (K, H, W)
        int64, and the class names (index 0: background)."""
        x, y = self.splits["test"]
        x, y = x[:SNAPSHOT_SCENES], y[:SNAPSHOT_SCENES]
        was_training = self.model.training
        self.model.eval()
        try:
            pred = self.model.segment(x)
        finally:
            self.model.train(was_training)
        return {
            "images": x.float().cpu().numpy(),
            "semantic_true": y.cpu().numpy().astype(np.int64),
            "semantic_pred": pred.cpu().numpy().astype(np.int64),
            "class_names": tuple(self.data.class_names),
        }

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        snap["scenes"] = self.scenes()
        return snap
