"""Probes: functions of a model that pages draw (decision boundary, neuron maps, confusion matrix).

A probe takes the model (in eval mode, without gradients, under the job's lock) and returns numpy
arrays; ``Trainer.snapshot(probes)`` runs them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from data.base import Supervised
from data.toy2d import Toy2D, grid
from training.metrics import confusion_matrix


def _device(model: nn.Module) -> torch.device:
    return next((p.device for p in model.parameters()), torch.device("cpu"))


def plane_probe(ds: Toy2D, resolution: int = 50, hidden: bool = True) -> Callable[[nn.Module], dict]:
    """Model output over a grid of the plane (class probabilities or values) and, if the model
    exposes them (``forward(x, return_hidden=True)``), every hidden neuron's output there."""
    xs, _, pts = grid(resolution)
    feats = torch.from_numpy(ds.featurize(pts))

    def probe(model: nn.Module) -> dict:
        x = feats.to(_device(model))
        try:
            out, hid = model(x, return_hidden=True) if hidden else (model(x), [])
        except TypeError:
            out, hid = model(x), []
        out = out.float()
        out = out.softmax(-1) if ds.kind == "classification" else out[:, 0]
        R = resolution
        return {
            "xs": xs,
            "out": out.reshape(R, R, -1).cpu().numpy()
            if ds.kind == "classification"
            else out.reshape(R, R).cpu().numpy(),
            "hidden": [h.float().reshape(R, R, -1).cpu().numpy() for h in hid],
        }

    return probe


def confusion_probe(data: Supervised, split: str = "test") -> Callable[[nn.Module], dict]:
    """Confusion matrix and predictions on a split of a classification set."""
    x_np, y_np = data.splits()[split]
    x = torch.from_numpy(np.ascontiguousarray(x_np))

    def probe(model: nn.Module) -> dict:
        logits = model(x.to(_device(model))).float()
        pred = logits.argmax(-1).cpu().numpy()
        return {
            "confusion": confusion_matrix(pred, y_np, data.num_classes),
            "pred": pred,
            "prob": logits.softmax(-1).cpu().numpy(),
        }

    return probe


def first_layer_weights(model: nn.Module) -> np.ndarray | None:
    """The first weight matrix (out, in) of the model, e.g. to draw as input-shaped images."""
    for p in model.parameters():
        if p.dim() == 2:
            return p.detach().float().cpu().numpy()
    return None
