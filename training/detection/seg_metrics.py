"""Metrics of semantic segmentation, computed from one confusion matrix over all the pixels of a set (the
PASCAL VOC convention: a class's pixels are pooled over the images before the ratio is taken).

    confusion[t, p] = number of pixels of true class t predicted as p
    IoU_k  = TP_k / (TP_k + FP_k + FN_k)          (intersection over union of class k's pixels)
    Dice_k = 2·TP_k / (2·TP_k + FP_k + FN_k)      (= F1 of class k; Dice = 2·IoU / (1 + IoU))

``miou`` averages IoU over the classes present in the prediction or the truth, background included;
``dice`` averages Dice over the foreground classes present in either (1.0 when both are all background:
nothing to find, nothing found). Inputs are class-id maps of any equal shape, torch or numpy.
"""

from __future__ import annotations

import numpy as np
import torch


def _flat(a, name: str) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(a) if not isinstance(a, torch.Tensor) else a)
    if t.is_floating_point():
        raise ValueError(f"{name} must hold class ids (integers), not {t.dtype}")
    return t.reshape(-1).long().cpu()


def confusion(pred, true, num_classes: int) -> np.ndarray:
    """(K, K) int64 counts: rows are the true class, columns the predicted one."""
    p, t = _flat(pred, "pred"), _flat(true, "true")
    if p.shape != t.shape:
        raise ValueError(f"pred has {p.numel()} pixels but true has {t.numel()}")
    for name, v in (("pred", p), ("true", t)):
        if v.numel() and (int(v.min()) < 0 or int(v.max()) >= num_classes):
            raise ValueError(f"{name} holds class ids outside 0..{num_classes - 1}")
    counts = torch.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).numpy()  # (K, K)


def per_class_iou(conf: np.ndarray) -> np.ndarray:
    """IoU of each class from a confusion matrix; NaN where the class is in neither map."""
    tp = np.diag(conf).astype(np.float64)
    union = conf.sum(0) + conf.sum(1) - tp  # TP + FP + FN
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, tp / union, np.nan)


def per_class_dice(conf: np.ndarray) -> np.ndarray:
    """Dice of each class from a confusion matrix; NaN where the class is in neither map."""
    tp = np.diag(conf).astype(np.float64)
    denom = conf.sum(0) + conf.sum(1)  # 2·TP + FP + FN
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, 2 * tp / denom, np.nan)


def miou(pred, true, num_classes: int) -> float:
    """Mean IoU over the classes present in the prediction or the truth, background included."""
    iou = per_class_iou(confusion(pred, true, num_classes))
    return float(np.nanmean(iou)) if np.isfinite(iou).any() else 1.0


def dice(pred, true, num_classes: int) -> float:
    """Mean Dice over the foreground classes (1…K−1) present in the prediction or the truth."""
    d = per_class_dice(confusion(pred, true, num_classes))[1:]
    return float(np.nanmean(d)) if np.isfinite(d).any() else 1.0
