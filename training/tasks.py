"""Tasks: what a model is trained to do, as a loss on a batch and metrics on a split.

A Task is stateless and knows nothing of the UI. ``loss`` runs every step and returns a tensor (no
host sync); ``metrics`` runs at evaluation time and may return floats.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from training.metrics import accuracy, r2_score


class Task:
    """``loss`` returns the loss tensor, or (loss, {"term": tensor, ...}) to log terms beside it
    (e.g. a VAE's reconstruction and KL); terms are synchronised with the loss, once per slice."""

    name = "task"
    higher_is_better = "acc"  # the headline metric's name

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor):
        raise NotImplementedError

    @torch.no_grad()
    def metrics(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        raise NotImplementedError


class Classification(Task):
    """Scores per class; the loss is softmax cross-entropy, or the mean squared error between the
    softmax probabilities and the one-hot target (the loss TensorFlow Playground uses)."""

    name = "classification"
    higher_is_better = "acc"

    def __init__(self, loss: Literal["cross_entropy", "mse"] = "cross_entropy"):
        if loss not in ("cross_entropy", "mse"):
            raise ValueError(f"unknown classification loss {loss!r}")
        self.loss_name = loss

    def _loss(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.loss_name == "cross_entropy":
            return F.cross_entropy(logits, y)
        onehot = F.one_hot(y, logits.shape[-1]).to(logits.dtype)
        return F.mse_loss(logits.softmax(-1), onehot)

    def loss(self, model, x, y):
        return self._loss(model(x), y)

    @torch.no_grad()
    def metrics(self, model, x, y):
        logits = model(x)
        return {"loss": float(self._loss(logits, y)), "acc": accuracy(logits, y)}


class Regression(Task):
    """One real-valued output per example; mean squared error."""

    name = "regression"
    higher_is_better = "r2"

    def loss(self, model, x, y):
        return F.mse_loss(model(x).squeeze(-1), y)

    @torch.no_grad()
    def metrics(self, model, x, y):
        pred = model(x).squeeze(-1)
        return {"loss": float(F.mse_loss(pred, y)), "r2": r2_score(pred, y)}


def make_task(kind: str, **kwargs) -> Task:
    if kind == "classification":
        return Classification(**kwargs)
    if kind == "regression":
        return Regression()
    raise ValueError(f"unknown task {kind!r}")
