"""Training a sequence model on selective copying (data/selective_copy.py): the task, and a Trainer whose
evaluation reports the held-out per-token accuracy on the answer positions and whose snapshot shows one
held-out example with what the model made of it (Mamba's selection Δ, B, C; S4's fixed kernel).

last_eval(): ``accuracy`` (held-out, answer positions only), ``test_loss``, ``train_accuracy``,
``train_loss``. snapshot() adds ``example`` = dict(inputs, targets, predicted, answer_mask) (lists, length
L) and, for Mamba, ``delta`` (L, D_inner), ``B`` (L, N), ``C`` (L, N) of the first block on that example;
for S4, ``kernel`` (H, L) of the first layer.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from data.selective_copy import IGNORE
from training.tasks import Task
from training.trainer import Trainer


class SelectiveCopyTask(Task):
    """Next-token scores at every position; the loss and the accuracy count only the answer positions."""

    name = "selective_copy"
    higher_is_better = "accuracy"

    @classmethod
    def from_data(cls, data) -> SelectiveCopyTask:
        return cls()

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor):
        logits = model(x)  # (B, L, V)
        return F.cross_entropy(logits.flatten(0, 1), y.flatten(), ignore_index=IGNORE)

    @torch.no_grad()
    def metrics(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        logits = model(x)
        mask = y != IGNORE
        hit = (logits.argmax(-1) == y) & mask
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten(), ignore_index=IGNORE)
        return {"loss": float(loss), "accuracy": float(hit.sum() / mask.sum().clamp(min=1))}


class SelectiveCopyTrainer(Trainer):
    eval_key = "accuracy"

    def evaluate(self, max_examples: int = 512) -> dict[str, float]:
        out = super().evaluate(max_examples)  # 512 examples per split: the scan is a loop over time
        out["accuracy"] = out["test_accuracy"]
        return out

    @torch.no_grad()
    def example(self) -> dict[str, Any]:
        """The first held-out example, the model's predictions on it, and its internals."""
        x, y = self.splits["test"]
        x, y = x[:1], y[:1]
        was_training = self.model.training
        self.model.eval()
        try:
            pred = self.model(x).argmax(-1)[0]  # (L,)
        finally:
            self.model.train(was_training)
        out: dict[str, Any] = {
            "example": dict(
                inputs=x[0].tolist(),
                targets=y[0].tolist(),
                predicted=pred.tolist(),
                answer_mask=(y[0] != IGNORE).tolist(),
            )
        }
        first = self.model.layers[0]
        if hasattr(first, "last_internals"):  # Mamba: what the selection did on this example
            out.update({k: v[0].float().cpu() for k, v in first.last_internals.items()})
        if hasattr(first, "ssm"):  # S4: the fixed convolution kernel
            out["kernel"] = first.ssm.kernel(x.shape[1]).float().cpu()
        return out

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        snap.update(self.example())
        return snap
