"""What every YOLO here shares: the conv-BN-activation unit, the config fields, complete IoU, and the
inference path from decoded raw predictions to detections.

A YOLO model implements ``decode(x) -> (boxes (B, N, 4) xyxy pixels, scores (B, N, num_classes))``: every
raw prediction of the image (N = cells × boxes per cell, over all scales) with its final class confidences
(YOLOv1: Pr(object)·IoU-trained confidence × Pr(class | object); YOLOv3: sigmoid(objectness) ×
sigmoid(class); YOLOv8: sigmoid(class)). From it, ``YOLODetector`` gives the family contract:
``raw_scores`` (differentiable, for Grad-CAM), ``candidates`` (before NMS: each prediction's best class
above a score threshold) and ``detect`` (after per-class NMS). ``yolo_anchor_table`` and ``assign`` serve
the page's anchor view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from archs.detection.boxes import batched_nms
from archs.spec import Config, ConfigError, hp


@dataclass(frozen=True)
class YOLOConfig(Config):
    in_channels: int = hp(3, lo=1, hi=4, help="Colour channels of the input: 3 for RGB, 1 for grey scenes.")
    num_classes: int = hp(80, lo=1, hi=1000, help="Object classes to tell apart (80 in COCO, 20 in VOC).")
    image_size: int = hp(
        640,
        lo=32,
        hi=1280,
        step=32,
        help="Side of the square input image in pixels; the network's coarsest grid cell "
        "covers 32 pixels (64 for YOLOv1), so the side must be a multiple of it.",
    )

    def stride(self) -> int:
        return 32

    def validate(self) -> None:
        s = self.stride()
        if self.image_size % s:
            raise ConfigError(
                f"image_size ({self.image_size}) must be a multiple of {s}: the network halves "
                f"the image {int(math.log2(s))} times. Try {max(s, round(self.image_size / s) * s)}."
            )


class ConvBNAct(nn.Sequential):
    """Conv (no bias: the norm's shift replaces it) → BatchNorm → activation, 'same' padding."""

    def __init__(
        self, c_in: int, c_out: int, k: int = 1, s: int = 1, act: type[nn.Module] = nn.SiLU, eps: float = 1e-3
    ):
        a = nn.LeakyReLU(0.1, inplace=True) if act is nn.LeakyReLU else act(inplace=True)
        super().__init__(nn.Conv2d(c_in, c_out, k, s, k // 2, bias=False), nn.BatchNorm2d(c_out, eps=eps), a)


def ciou(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Complete IoU of matching xyxy boxes (..., 4): IoU − centre distance² / enclosing diagonal² − αv,
    v the aspect-ratio discrepancy (Zheng et al. 2020, arXiv:1911.08287), as YOLOv8's box loss uses."""
    w1, h1 = a[..., 2] - a[..., 0], (a[..., 3] - a[..., 1]).clamp(min=eps)
    w2, h2 = b[..., 2] - b[..., 0], (b[..., 3] - b[..., 1]).clamp(min=eps)
    iw = (torch.minimum(a[..., 2], b[..., 2]) - torch.maximum(a[..., 0], b[..., 0])).clamp(min=0)
    ih = (torch.minimum(a[..., 3], b[..., 3]) - torch.maximum(a[..., 1], b[..., 1])).clamp(min=0)
    inter = iw * ih
    iou = inter / (w1 * h1 + w2 * h2 - inter + eps)
    cw = torch.maximum(a[..., 2], b[..., 2]) - torch.minimum(a[..., 0], b[..., 0])
    ch = torch.maximum(a[..., 3], b[..., 3]) - torch.minimum(a[..., 1], b[..., 1])
    c2 = cw**2 + ch**2 + eps
    rho2 = (
        (b[..., 0] + b[..., 2] - a[..., 0] - a[..., 2]) ** 2
        + (b[..., 1] + b[..., 3] - a[..., 1] - a[..., 3]) ** 2
    ) / 4
    v = (4 / math.pi**2) * (torch.atan(w2 / h2) - torch.atan(w1 / h1)) ** 2
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


def check_thresholds(**values: float) -> None:
    for name, v in values.items():
        if not 0.0 <= v <= 1.0:
            raise ValueError(
                f"the {name.replace('_', ' ').replace('iou', 'IoU')} must lie between 0 and 1, not {v}"
            )


class YOLODetector(nn.Module):
    """The inference half of the detection contract, on top of a subclass's ``decode``."""

    def decode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def raw_scores(self, x: torch.Tensor) -> torch.Tensor:
        """(B, N, num_classes) final confidence of every raw prediction (differentiable w.r.t. x)."""
        return self.decode(x)[1]

    @torch.no_grad()
    def candidates(self, x: torch.Tensor, score_threshold: float = 0.05) -> list[dict]:
        """Per image, every raw prediction whose best class scores ≥ the threshold, best first, before NMS:
        {"boxes" (n, 4), "scores" (n,), "labels" (n,), "index" (n,) = position in raw_scores' N axis}."""
        check_thresholds(score_threshold=score_threshold)
        boxes, scores = self.decode(x)
        best, labels = scores.max(-1)  # (B, N)
        size = x.shape[-1]
        out = []
        for b in range(x.shape[0]):
            idx = torch.nonzero(best[b] >= score_threshold).flatten()
            idx = idx[best[b, idx].argsort(descending=True, stable=True)]
            out.append(
                {
                    "boxes": boxes[b, idx].clamp(0, size),
                    "scores": best[b, idx],
                    "labels": labels[b, idx],
                    "index": idx,
                }
            )
        return out

    @torch.no_grad()
    def detect(
        self,
        x: torch.Tensor,
        score_threshold: float = 0.25,
        iou_threshold: float = 0.5,
        max_detections: int = 100,
    ) -> list[dict]:
        """``candidates`` after per-class NMS, at most ``max_detections`` per image, best first."""
        check_thresholds(iou_threshold=iou_threshold)
        out = []
        for c in self.candidates(x, score_threshold):
            keep = batched_nms(c["boxes"], c["scores"], c["labels"], iou_threshold)[:max_detections]
            out.append({k: v[keep] for k, v in c.items()})
        return out


def pad_targets(targets: list[dict], device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Ground truth of a batch padded to the most boxes of any image: boxes (B, M, 4), labels (B, M),
    valid (B, M) bool."""
    m = max([len(t["labels"]) for t in targets] + [1])
    boxes = torch.zeros(len(targets), m, 4, device=device)
    labels = torch.zeros(len(targets), m, dtype=torch.long, device=device)
    valid = torch.zeros(len(targets), m, dtype=torch.bool, device=device)
    for i, t in enumerate(targets):
        n = len(t["labels"])
        boxes[i, :n], labels[i, :n], valid[i, :n] = t["boxes"].to(device), t["labels"].to(device), True
    return boxes, labels, valid


def yolo_anchor_table(model: nn.Module) -> list[tuple[int, list[tuple[float, float]]]]:
    """The page's anchor view: [(stride, [(w, h) × anchors per cell])] from the finest scale up. YOLOv3:
    its nine anchors, three per stride; YOLOv1: one entry with no anchors (its boxes are free);
    YOLOv8 is anchor-free: one entry per stride with no anchors."""
    return model.anchor_table()


def assign(model: nn.Module, targets: dict) -> list[tuple[int, int, int, int]]:
    """Per ground-truth box of one image's targets: (scale, cell row, cell col, anchor index) of the
    prediction that learns it. YOLOv3: the anchor (of nine) whose shape overlaps the box most, at its
    scale, in the cell holding the box's centre; YOLOv1: the centre's cell (anchor index -1: the cell's
    predictor with the best IoU at that moment takes it); YOLOv8: the centre's cell on the scale whose
    stride suits the box (its task-aligned assigner picks the points from the predictions as it trains)."""
    return model.assign_boxes(targets["boxes"])
