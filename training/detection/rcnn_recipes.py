"""The two-stage recipe: a tiny Mask R-CNN (or Faster R-CNN) trained from scratch on 64×64 shape scenes.

    t = get_recipe("rcnn_shapes").trainer(seed=0)
    t.step(t.num_steps); t.last_eval()   # {"map50": ..., "map": ..., "mask_iou": ...}

Evaluation adds "mask_iou" for mask models: the objects of the held-out scenes that a detection finds
(matched as AP@0.5 matches: detections by falling score, each taking the unmatched true box of its class
that it overlaps most, IoU ≥ 0.5), and the mean IoU of the detection's mask (probability ≥ ½) with the
object's true mask.
"""

from __future__ import annotations

import torch
from torch import nn

from archs.detection.boxes import box_iou
from training.detection.data import scene_data
from training.detection.trainer import DetectionTask, DetectionTrainer
from training.recipes import Recipe, register_recipe


def mask_iou_of_matches(detections: list[dict], targets: list[dict], iou_threshold: float = 0.5) -> float:
    """Mean mask IoU over the true objects matched by a detection (greedy by score, same class, box IoU ≥
    ``iou_threshold``); NaN when nothing is matched. Detections carry "masks" (n, H, W) in [0, 1]."""
    ious = []
    for d, t in zip(detections, targets, strict=True):
        if len(d["boxes"]) == 0 or len(t["boxes"]) == 0:
            continue
        overlap = box_iou(d["boxes"].float().cpu(), t["boxes"].float().cpu())  # (n, G)
        same = d["labels"].cpu()[:, None] == t["labels"].cpu()[None, :]
        overlap = torch.where(same, overlap, torch.full_like(overlap, -1.0))
        taken = torch.zeros(len(t["boxes"]), dtype=torch.bool)
        for i in torch.argsort(d["scores"].cpu(), descending=True, stable=True).tolist():
            o = overlap[i].masked_fill(taken, -1.0)
            j = int(o.argmax())
            if o[j] < iou_threshold:
                continue
            taken[j] = True
            pred, true = d["masks"][i].cpu() >= 0.5, t["masks"][j].cpu() > 0
            union = (pred | true).sum().item()
            ious.append((pred & true).sum().item() / union if union else 1.0)
    return float(sum(ious) / len(ious)) if ious else float("nan")


class RCNNTask(DetectionTask):
    """DetectionTask + "mask_iou" of matched objects when the model predicts masks."""

    def extra_metrics(
        self, model: nn.Module, x: torch.Tensor, dets: list[dict], targets: list[dict]
    ) -> dict[str, float]:
        if not dets or "masks" not in dets[0]:
            return {}
        return {"mask_iou": mask_iou_of_matches(dets, targets)}


def scene_link(d) -> dict:
    return {"num_classes": d.num_classes, "in_channels": 1, "image_size": d.meta["size"]}


register_recipe(
    Recipe(
        name="rcnn_shapes",
        title="Mask R-CNN on shape scenes",
        summary="A two-stage detector from scratch: the RPN learns where objects are, the box head what they "
        "are and exactly where, the mask head which pixels; mAP@0.5 and mask IoU on held-out scenes.",
        arch="mask_rcnn",
        archs=("faster_rcnn",),
        data=scene_data,
        data_params=dict(n=600, size=64, max_objects=3),
        train_params=dict(optimizer="adam", lr=2e-3, batch_size=8, num_steps=400, eval_every=100),
        link=scene_link,
        task=RCNNTask.from_data,
        trainer_cls=DetectionTrainer,
        max_steps=20_000,
    )
)
