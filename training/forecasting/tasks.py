"""The forecasting task, the persistence baseline, and predictions in the series' own units.

Models are trained on scaled values (scaling fitted on the training span, see ``data.timeseries``)
with the mean squared error; evaluation also reports RMSE, MSE, MAE and MAPE after undoing the
scaling, so numbers are in the units of the series and comparable across scalings.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from data.base import Supervised
from data.timeseries import unscale
from training.forecasting.metrics import METRICS, all_metrics
from training.tasks import Task


class Forecasting(Task):
    """Direct multi-step forecasting: the model maps (B, window, C) to (B, horizon, C_out)."""

    name = "forecasting"
    higher_is_better = "rmse"  # the headline metric (lower is better)

    def __init__(self, data: Supervised):
        m = data.meta
        idx = m["target_idx"]
        self.scale = torch.as_tensor(np.asarray(m["scale"])[idx], dtype=torch.float32)
        self.shift = torch.as_tensor(np.asarray(m["shift"])[idx], dtype=torch.float32)

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor):
        return F.mse_loss(model(x), y)

    @torch.no_grad()
    def metrics(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        pred = model(x).float()
        out = {"loss": float(F.mse_loss(pred, y))}
        s, b = self.scale.to(pred.device), self.shift.to(pred.device)
        scores = all_metrics((pred * s + b).cpu().numpy(), (y.float() * s + b).cpu().numpy())
        out.update({k.lower(): v for k, v in scores.items()})
        return out


def forecasting_task(data: Supervised) -> Forecasting:
    return Forecasting(data)


def split_arrays(data: Supervised, split: str) -> tuple[np.ndarray, np.ndarray]:
    splits = data.splits()
    if split not in splits:
        raise ValueError(f"this data set has no {split} split")
    return splits[split]


@torch.no_grad()
def predict(model: nn.Module, data: Supervised, split: str = "test", batch: int = 1024) -> np.ndarray:
    """The model's forecasts for every example of ``split``, (N, horizon, C_out) in the series' units."""
    x, _ = split_arrays(data, split)
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    was_training = model.training
    model.eval()
    try:
        out = [
            model(torch.from_numpy(np.ascontiguousarray(x[i : i + batch])).to(device)).float().cpu().numpy()
            for i in range(0, len(x), batch)
        ]
    finally:
        model.train(was_training)
    return unscale(np.concatenate(out), data)


def truth(data: Supervised, split: str = "test") -> np.ndarray:
    """The true future values of ``split``, (N, horizon, C_out) in the series' units."""
    return unscale(split_arrays(data, split)[1].astype(np.float64), data)


def persistence(data: Supervised, split: str = "test") -> np.ndarray:
    """The naive forecast: every future value equals the last observed value of its series."""
    x, y = split_arrays(data, split)
    last = x[:, -1, data.meta["target_idx"]]  # (N, C_out), scaled
    return unscale(np.repeat(last[:, None, :], y.shape[1], axis=1).astype(np.float64), data)


def score(pred: np.ndarray, data: Supervised, split: str = "test") -> dict[str, float]:
    """RMSE, MSE, MAE and MAPE of ``pred`` against the truth of ``split``."""
    return all_metrics(pred, truth(data, split))


__all__ = ["Forecasting", "forecasting_task", "predict", "truth", "persistence", "score", "METRICS"]


@torch.no_grad()
def internals(model: nn.Module, window: np.ndarray) -> dict:
    """What a forecaster computes inside for one input window (T, C), as arrays to draw:

    - LSTM / GRU / BiLSTM: the hidden state at every time step, (hidden·directions, T);
    - TCN: every block's output channels over time, (blocks, C, T);
    - Transformer: each block's attention, averaged over heads, (depth, T, T);
    - linear AR: the weight of each past step and input series for the first forecast, (T, C)."""
    from archs.forecasting.forecasters import (
        LinearAR,
        RecurrentForecaster,
        TCNForecaster,
        TransformerForecaster,
    )

    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    x = torch.as_tensor(np.ascontiguousarray(window), dtype=torch.float32, device=device)[None]  # (1, T, C)
    was_training = model.training
    model.eval()
    try:
        z = x - x[:, -1:] if model.cfg.subtract_last else x  # what the core sees
        if isinstance(model, RecurrentForecaster):
            seq, _ = model.rnn(z)  # (1, T, D·hidden)
            return {"kind": "hidden", "z": seq[0].T.cpu().numpy()}
        if isinstance(model, TCNForecaster):
            h, maps = z.transpose(1, 2), []  # (1, C, T)
            for blk in model.blocks:
                h = blk(h)
                maps.append(h[0].cpu().numpy())
            return {"kind": "tcn", "z": np.stack(maps), "receptive_field": model.cfg.receptive_field}
        if isinstance(model, TransformerForecaster):
            maps = model.attention(x)  # applies subtract_last itself
            return {"kind": "attention", "z": np.stack([a[0].mean(0).cpu().numpy() for a in maps])}
        if isinstance(model, LinearAR):
            cfg = model.cfg
            w = model.linear.weight.view(cfg.horizon * cfg.num_outputs, cfg.window, cfg.in_features)
            return {"kind": "ar", "z": w[0].cpu().numpy()}
        return {"kind": "none"}
    finally:
        model.train(was_training)
