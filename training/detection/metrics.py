"""Detection metrics: average precision at one IoU threshold and COCO's mAP@[.5:.95].

For each class, the detections of every image are sorted by score; going down the list, a detection is a
true positive when it overlaps a still-unmatched ground-truth box of its class in its image with IoU ≥ the
threshold (the unmatched box it overlaps most), else a false positive: each ground truth is matched once,
so a duplicate detection counts against precision. Precision p = TP / (TP + FP) and recall r = TP / #GT
after each detection trace the precision–recall curve; as in the COCO evaluation (Lin et al. 2014,
arXiv:1405.0312, pycocotools' ``accumulate``) precision is first made non-increasing from the right, then
read at the 101 recalls 0, 0.01, ..., 1 (the first point whose recall reaches each; 0 past the last) and
averaged: AP. mAP averages AP over the classes that have ground truth; COCO's mAP@[.5:.95] averages it
again over the IoU thresholds 0.50, 0.55, ..., 0.95.
"""

from __future__ import annotations

import numpy as np
import torch

RECALLS = np.linspace(0.0, 1.0, 101)
COCO_IOUS = np.linspace(0.5, 0.95, 10)


def _np(a, dtype) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=dtype)


def _iou_np(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) IoU in numpy (a scene's few boxes: numpy's per-call cost is below torch's)."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area = lambda x: np.clip(x[:, 2] - x[:, 0], 0, None) * np.clip(x[:, 3] - x[:, 1], 0, None)  # noqa: E731
    union = area(a)[:, None] + area(b)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _groups(
    detections: list[dict], targets: list[dict], num_classes: int
) -> tuple[list[list[tuple]], np.ndarray]:
    """Per class, per image that has detections or ground truth of it: (scores sorted, IoU matrix
    (D, G) with rows in that order); and the number of ground-truth boxes per class."""
    if len(detections) != len(targets):
        raise ValueError(f"{len(detections)} images of detections but {len(targets)} of ground truth")
    out: list[list[tuple]] = [[] for _ in range(num_classes)]
    n_gt = np.zeros(num_classes, np.int64)
    for det, tgt in zip(detections, targets, strict=True):
        db, ds, dl = (
            _np(det["boxes"], np.float32).reshape(-1, 4),
            _np(det["scores"], np.float64),
            _np(det["labels"], np.int64),
        )
        gb, gl = _np(tgt["boxes"], np.float64).reshape(-1, 4), _np(tgt["labels"], np.int64)
        iou_all = _iou_np(db.astype(np.float64), gb)  # (D, G) of the whole image
        for c in set(dl.tolist()) | set(gl.tolist()):
            if not 0 <= c < num_classes:
                raise ValueError(f"class {c} is outside 0..{num_classes - 1}")
            d, g = np.nonzero(dl == c)[0], np.nonzero(gl == c)[0]
            d = d[np.argsort(-ds[d], kind="stable")]
            out[c].append((ds[d], iou_all[np.ix_(d, g)]))  # (D, G) of class c
            n_gt[c] += len(g)
    return out, n_gt


def _match(iou: np.ndarray, thr: float) -> np.ndarray:
    """(D,) true-positive flags of detections (rows, best score first) greedily matched to ground truth."""
    tp = np.zeros(iou.shape[0], bool)
    if iou.shape[1] == 0:
        return tp
    free = [True] * iou.shape[1]
    for i, row in enumerate(iou.tolist()):  # a few boxes per scene: plain Python beats array calls
        best, bj = -1.0, -1
        for j, v in enumerate(row):
            if free[j] and v > best:
                best, bj = v, j
        if best >= thr:
            tp[i], free[bj] = True, False
    return tp


def _ap(scores: np.ndarray, tp: np.ndarray, n_gt: int) -> tuple[float, np.ndarray, np.ndarray]:
    """101-point interpolated AP of detections pooled over images, and the raw (precision, recall)."""
    order = np.argsort(-scores, kind="stable")
    tpc = np.cumsum(tp[order])
    fpc = np.cumsum(~tp[order])
    recall = tpc / max(n_gt, 1)
    precision = tpc / np.maximum(tpc + fpc, 1)
    if n_gt == 0 or len(scores) == 0:
        return 0.0, precision, recall
    envelope = np.maximum.accumulate(precision[::-1])[::-1]  # non-increasing from the right
    idx = np.searchsorted(recall, RECALLS, side="left")
    q = np.where(idx < len(recall), envelope[np.minimum(idx, len(recall) - 1)], 0.0)
    return float(q.mean()), precision, recall


def _check(iou_threshold: float) -> None:
    if not 0.0 <= iou_threshold <= 1.0:
        raise ValueError(f"the IoU threshold must lie between 0 and 1, not {iou_threshold}")


def _evaluate(groups, n_gts: np.ndarray, num_classes: int, thr: float) -> dict:
    per_class: dict[int, float] = {}
    pooled_s, pooled_tp = [], []
    n_gt_all = 0
    for c in range(num_classes):
        n_gt = int(n_gts[c])
        if not groups[c] and n_gt == 0:
            continue
        scores = np.concatenate([s for s, _ in groups[c]]) if groups[c] else np.zeros(0)
        tp = np.concatenate([_match(iou, thr) for _, iou in groups[c]]) if groups[c] else np.zeros(0, bool)
        pooled_s.append(scores)
        pooled_tp.append(tp)
        n_gt_all += n_gt
        if n_gt:  # a class with no ground truth has no AP (COCO's -1), only false positives
            per_class[c] = _ap(scores, tp, n_gt)[0]
    scores = np.concatenate(pooled_s) if pooled_s else np.zeros(0)
    tp = np.concatenate(pooled_tp) if pooled_tp else np.zeros(0, bool)
    _, precision, recall = _ap(scores, tp, n_gt_all)
    order = np.argsort(-scores, kind="stable")
    return {
        "ap": float(np.mean(list(per_class.values()))) if per_class else 0.0,
        "per_class": per_class,
        "precision": precision,
        "recall": recall,
        "tp": tp[order],
        "scores": scores[order],
        "n_gt": n_gt_all,
    }


def average_precision(
    detections: list[dict], targets: list[dict], num_classes: int, iou_threshold: float = 0.5
) -> dict:
    """AP at one IoU threshold. ``detections``: per image {"boxes" (n, 4), "scores" (n,), "labels" (n,)};
    ``targets``: per image {"boxes", "labels"}. Returns {"ap": mean over classes with ground truth,
    "per_class": {class: AP}, "precision", "recall": the PR curve of all classes pooled (for plotting),
    "tp": the pooled detections' true-positive flags and "scores" their scores (best first), "n_gt"}."""
    _check(iou_threshold)
    return _evaluate(*_groups(detections, targets, num_classes), num_classes, iou_threshold)


def coco_map(detections: list[dict], targets: list[dict], num_classes: int) -> float:
    """COCO's mAP@[.5:.95]: AP averaged over the IoU thresholds 0.50, 0.55, ..., 0.95."""
    groups, n_gts = _groups(detections, targets, num_classes)
    return float(np.mean([_evaluate(groups, n_gts, num_classes, t)["ap"] for t in COCO_IOUS]))
