"""Forecast error metrics on numpy arrays, in the series' own units.

With e = y − ŷ over all n forecast values:
MSE = Σe²/n, RMSE = √MSE, MAE = Σ|e|/n, MAPE = 100 · Σ|e/y| / n (in percent). MAPE is undefined where
y = 0; those points are left out of it (and MAPE is NaN if every y is 0), which is why it misleads on
series that cross zero.
"""

from __future__ import annotations

import numpy as np

METRICS = ("RMSE", "MSE", "MAE", "MAPE")


def _pair(pred, true) -> tuple[np.ndarray, np.ndarray]:
    p, t = np.asarray(pred, dtype=np.float64), np.asarray(true, dtype=np.float64)
    if p.shape != t.shape:
        raise ValueError(f"predictions {p.shape} and targets {t.shape} differ in shape")
    if p.size == 0:
        raise ValueError("no values to score")
    return p, t


def mse(pred, true) -> float:
    p, t = _pair(pred, true)
    return float(np.mean((t - p) ** 2))


def rmse(pred, true) -> float:
    return float(np.sqrt(mse(pred, true)))


def mae(pred, true) -> float:
    p, t = _pair(pred, true)
    return float(np.mean(np.abs(t - p)))


def mape(pred, true) -> float:
    """Mean absolute percentage error in percent, over the points where the truth is not 0."""
    p, t = _pair(pred, true)
    nz = np.abs(t) > 1e-12
    if not nz.any():
        return float("nan")
    return float(100.0 * np.mean(np.abs((t[nz] - p[nz]) / t[nz])))


def all_metrics(pred, true) -> dict[str, float]:
    """{"RMSE", "MSE", "MAE", "MAPE"} of ``pred`` against ``true`` (same shape)."""
    return {
        "RMSE": rmse(pred, true),
        "MSE": mse(pred, true),
        "MAE": mae(pred, true),
        "MAPE": mape(pred, true),
    }
