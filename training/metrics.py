"""Metrics computed on tensors, returned as plain floats / arrays."""

from __future__ import annotations

import numpy as np
import torch


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    return float((logits.argmax(-1) == y).float().mean())


def confusion_matrix(pred: np.ndarray, y: np.ndarray, num_classes: int) -> np.ndarray:
    """(num_classes, num_classes) counts; rows are the true class, columns the prediction."""
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(y, dtype=np.int64), np.asarray(pred, dtype=np.int64)), 1)
    return cm


def r2_score(pred: torch.Tensor, y: torch.Tensor) -> float:
    ss_res = float(((pred - y) ** 2).sum())
    ss_tot = float(((y - y.mean()) ** 2).sum()) + 1e-12
    return 1.0 - ss_res / ss_tot


def history_csv(history: list[dict]) -> str:
    """A run's history (Trainer.history rows) as CSV: ``step`` first, then every other column in the
    order it first appears; a row without a value leaves its cell empty (evaluations are sparser than
    steps)."""
    import csv
    import io

    cols: list[str] = ["step"]
    for row in history:
        cols += [k for k in row if k not in cols]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for row in history:
        w.writerow({k: v for k, v in row.items() if isinstance(v, (int, float, str, bool)) or v is None})
    return buf.getvalue()
