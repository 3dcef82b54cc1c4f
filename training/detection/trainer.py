"""Training detectors on shape scenes: the task (sum of the model's loss terms; mAP on held-out scenes) and
the Trainer that evaluates it and draws held-out scenes with their detections.

Every detector here (YOLO, Faster/Mask R-CNN) exposes ``losses(x, targets) -> {"box": ..., "cls": ...}`` and
``detect(x, score_threshold, iou_threshold, max_detections) -> [{"boxes", "scores", "labels", ...}]``;
the task trains the sum of the terms and logs each as ``loss_<term>``. Data comes from
``training.detection.data.scene_data``: y holds scene indices into ``data.meta["targets"]``, so the
Trainer's own batching draws scenes and the task looks their targets up.

    t = get_recipe("yolo_shapes").trainer(num_steps=300)
    t.step(300); t.last_eval()          # {"step": 300, "map50": ..., "map": ...}
    t.snapshot()["scenes"]              # four held-out scenes, their targets and detections (numpy)

A family member with more to measure (Mask R-CNN's mask IoU) subclasses ``DetectionTask`` and overrides
``extra_metrics``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from data.base import Supervised
from training.detection.metrics import average_precision, coco_map
from training.tasks import Task
from training.trainer import Trainer

SHOW = 4  # held-out scenes a snapshot draws
SHOW_THRESHOLD = 0.25  # their detections' score threshold


class DetectionTask(Task):
    """Loss = the sum of ``model.losses``; metrics = AP@0.5 ("map50") and COCO mAP@[.5:.95] ("map")."""

    name = "detection"
    higher_is_better = "map50"

    def __init__(
        self, targets: list[dict], num_classes: int, score_threshold: float = 0.01, eval_batch: int = 32
    ):
        self.targets, self.num_classes = targets, num_classes
        # mAP ranks every detection by score, so evaluation keeps low-scoring ones (COCO keeps 0.001 up)
        self.score_threshold, self.eval_batch = score_threshold, eval_batch
        self._on: dict[str, list[dict]] = {}

    @classmethod
    def from_data(cls, data: Supervised, **kw) -> DetectionTask:
        return cls(data.meta["targets"], data.num_classes, **kw)

    def targets_of(self, y: torch.Tensor, device: torch.device) -> list[dict]:
        """The target dicts of scene indices ``y``, on ``device`` (moved there once, then cached)."""
        key = str(device)
        if key not in self._on:
            self._on[key] = [{k: v.to(device) for k, v in t.items()} for t in self.targets]
        on = self._on[key]
        return [on[i] for i in y.tolist()]

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor):
        terms = model.losses(x, self.targets_of(y, x.device))
        return sum(terms.values()), {f"loss_{k}": v for k, v in terms.items()}

    @torch.no_grad()
    def detect(self, model: nn.Module, x: torch.Tensor, score_threshold: float | None = None) -> list[dict]:
        thr = self.score_threshold if score_threshold is None else score_threshold
        out: list[dict] = []
        for s in range(0, len(x), self.eval_batch):
            out += model.detect(x[s : s + self.eval_batch], score_threshold=thr)
        return out

    @torch.no_grad()
    def metrics(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        dets = self.detect(model, x)
        targets = self.targets_of(y, x.device)
        out = {
            "map50": average_precision(dets, targets, self.num_classes, 0.5)["ap"],
            "map": coco_map(dets, targets, self.num_classes),
        }
        out.update(self.extra_metrics(model, x, dets, targets))
        return out

    def extra_metrics(
        self, model: nn.Module, x: torch.Tensor, dets: list[dict], targets: list[dict]
    ) -> dict[str, float]:
        """More metrics on the held-out scenes (a subclass's hook: Mask R-CNN adds "mask_iou")."""
        return {}


def _numpy(d: dict) -> dict:
    return {
        k: v.detach().float().cpu().numpy() if v.is_floating_point() else v.detach().cpu().numpy()
        for k, v in d.items()
    }


class DetectionTrainer(Trainer):
    """The stepper Trainer on scene batches; evaluation runs on the held-out scenes only."""

    eval_key = "map50"

    @torch.no_grad()
    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        """{"map50", "map", ...} on up to ``max_examples`` held-out scenes."""
        was_training = self.model.training
        self.model.eval()
        try:
            x, y = self.splits["test"]
            return self.task.metrics(self.model, x[:max_examples], y[:max_examples])
        finally:
            self.model.train(was_training)

    def diagnose(self) -> str | None:
        ev = self.last_eval()
        if ev.get("map50", 1.0) < 0.05:
            return (
                f"It finished with mAP@0.5 of {ev['map50']:.2f}: the detector found almost nothing. "
                f"Train for more steps, or try a learning rate near 1e-3 (now {self.lr:g})."
            )
        return None

    @torch.no_grad()
    def predict(self, x: np.ndarray | torch.Tensor, score_threshold: float = SHOW_THRESHOLD) -> list[dict]:
        """Detections (dicts of numpy arrays, one per image) of images (B, C, H, W) in [0, 1]."""
        was_training = self.model.training
        self.model.eval()
        try:
            t = torch.as_tensor(np.asarray(x, np.float32)).to(self.device)
            return [_numpy(d) for d in self.task.detect(self.model, t, score_threshold)]
        finally:
            self.model.train(was_training)

    def snapshot(self, probes=None) -> dict[str, Any]:
        """The Trainer's snapshot plus "scenes": {"images" (K, 1, H, W), "targets", "detections"} of the
        first K = 4 held-out scenes, as numpy (detections at score ≥ 0.25)."""
        snap = super().snapshot(probes)
        x, y = self.splits["test"]
        x, y = x[:SHOW], y[:SHOW]
        snap["scenes"] = {
            "images": x.float().cpu().numpy(),
            "targets": [_numpy(t) for t in self.task.targets_of(y, torch.device("cpu"))],
            "detections": self.predict(x, SHOW_THRESHOLD),
        }
        return snap
