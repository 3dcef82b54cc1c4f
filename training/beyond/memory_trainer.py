"""Training memory networks on the copy task (data/copy_task.py): the loss, the bit-error metrics by sequence
length, and the snapshot the page draws (one longer sequence with the heads' weightings).

Logged per step: ``loss`` (binary cross-entropy per output bit, output steps only). Each evaluation adds
``train_loss``/``test_loss`` and ``train_bit_errors``/``test_bit_errors`` (wrong bits per sequence, output
rounded at 0.5), ``bit_errors`` (the test split's: lengths seen in training) and ``bit_errors_by_length``
{L: mean wrong bits per sequence} on fixed held-out sets of training lengths and of longer ones.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from data.base import Supervised
from data.copy_task import copy_sequences, pack_targets
from training.tasks import Task
from training.trainer import Trainer

EVAL_PER_LENGTH = 64  # held-out sequences per length


class CopyTask(Task):
    """y (B, T, width + 1): the target bits and, last, the mask of the output steps."""

    name = "copy"
    higher_is_better = "bit_errors"

    @staticmethod
    def _split(y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return y[..., :-1], y[..., -1:]  # (B, T, width), (B, T, 1)

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        target, mask = self._split(y)
        bce = F.binary_cross_entropy_with_logits(model(x), target, reduction="none") * mask
        return bce.sum() / (mask.sum() * target.shape[-1]).clamp_min(1)

    @torch.no_grad()
    def metrics(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        target, mask = self._split(y)
        logits = model(x)
        bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none") * mask
        wrong = ((logits > 0).float() != target).float() * mask
        return {
            "loss": float(bce.sum() / (mask.sum() * target.shape[-1]).clamp_min(1)),
            "bit_errors": float(wrong.sum() / len(x)),
        }


def copy_task(data: Supervised) -> CopyTask:
    return CopyTask()


def eval_lengths(max_len: int) -> list[int]:
    """Lengths scored by length: 1, about half and all of the longest trained, then 1.5× and 2× it."""
    half = math.ceil(max_len / 2)
    return sorted({1, half, max_len, max_len + half, 2 * max_len})


class CopyTrainer(Trainer):
    """The Trainer with copy-task evaluation by length and a snapshot of one longer sequence."""

    def __init__(self, model: nn.Module, task: Task, data: Supervised, **kw: Any):
        super().__init__(model, task, data, **kw)
        width, max_len = data.meta["width"], data.meta["max_len"]
        seed = int(kw.get("seed", 0))
        self.lengths = eval_lengths(max_len)
        self.by_length = {}
        for L in self.lengths:
            s = copy_sequences(EVAL_PER_LENGTH, L, L, width, seed=20_000 + 97 * L + seed)
            self.by_length[L] = (torch.as_tensor(s.inputs), torch.as_tensor(pack_targets(s)))
        s = copy_sequences(1, 2 * max_len, 2 * max_len, width, seed=30_000 + seed)
        self.example = (s.inputs[0], s.targets[0], 2 * max_len)

    @torch.no_grad()
    def evaluate(self, max_examples: int = 256) -> dict[str, Any]:
        out: dict[str, Any] = super().evaluate(max_examples=max_examples)
        was_training = self.model.training
        self.model.eval()
        try:
            by_length = {
                L: self.task.metrics(self.model, x.to(self.device), y.to(self.device))["bit_errors"]
                for L, (x, y) in self.by_length.items()
            }
        finally:
            self.model.train(was_training)
        out["bit_errors"] = out["test_bit_errors"]
        out["bit_errors_by_length"] = by_length
        return out

    @torch.no_grad()
    def example_trace(self) -> dict[str, Any]:
        """The fixed longer sequence (2 × the longest trained): inputs, targets, sigmoid outputs and, for a
        memory network, the first read head's and the write head's weightings (T, N) (None for the LSTM)."""
        inputs, targets, length = self.example
        was_training = self.model.training
        self.model.eval()
        try:
            x = torch.as_tensor(inputs)[None].to(self.device)  # (1, T, width + 2)
            outputs = torch.sigmoid(self.model(x))[0].float().cpu()  # (T, width)
        finally:
            self.model.train(was_training)
        trace = getattr(self.model, "last_trace", None) or {}
        read_w = trace["read_w"][0, :, 0].float().cpu() if "read_w" in trace else None  # (T, N)
        write_w = trace["write_w"][0].float().cpu() if "write_w" in trace else None  # (T, N)
        return dict(
            length=length,
            inputs=torch.as_tensor(inputs),
            targets=torch.as_tensor(targets),
            outputs=outputs,
            read_w=read_w,
            write_w=write_w,
        )

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        snap["example"] = self.example_trace()
        return snap


def longer_mean(row: dict[str, Any], max_len: int) -> float:
    """Mean wrong bits per sequence over the scored lengths longer than ``max_len``."""
    vals = [v for L, v in row["bit_errors_by_length"].items() if L > max_len]
    return float(np.mean(vals)) if vals else float("nan")
