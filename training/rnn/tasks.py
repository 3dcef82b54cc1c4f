"""Tasks and a Trainer for the recurrent networks page.

- ``CopyTask``: classify the symbols to recall at the last K steps (model readout "sequence").
- ``AddingTask``: regress the sum of the two marked numbers; "accuracy" = error below 0.04, the
  threshold of Hochreiter & Schmidhuber (1997).
- ``Seq2SeqTask``: teacher-forced cross-entropy; metrics by greedy decoding (token accuracy and
  exact match of the whole output).
- ``SideBySide`` + ``CompareTask`` + ``CompareTrainer``: several models trained at once on the same
  batches, each with its own loss and metrics (``rnn_acc``, ``lstm_acc``, …). One Adam over the union
  of parameters is the same as one Adam per model (Adam is per parameter and the losses are
  independent); gradient clipping is applied to each model separately.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

import archs
from data.sequences import BOS
from training.tasks import Task
from training.trainer import Trainer


class CopyTask(Task):
    name = "copy"
    higher_is_better = "acc"

    def _logits(self, model, x, y):
        out = model(x)  # (B, T, C)
        return out[:, -y.shape[1] :] if out.dim() == 3 else out.unsqueeze(1)  # (B, K, C)

    def loss(self, model, x, y):
        lo = self._logits(model, x, y)
        return F.cross_entropy(lo.reshape(-1, lo.shape[-1]), y.reshape(-1))

    @torch.no_grad()
    def metrics(self, model, x, y):
        lo = self._logits(model, x, y)
        hit = lo.argmax(-1) == y
        return {
            "loss": float(F.cross_entropy(lo.reshape(-1, lo.shape[-1]), y.reshape(-1))),
            "acc": float(hit.float().mean()),
        }


class AddingTask(Task):
    name = "adding"
    higher_is_better = "acc"
    tolerance = 0.04

    def loss(self, model, x, y):
        return F.mse_loss(model(x).squeeze(-1), y)

    @torch.no_grad()
    def metrics(self, model, x, y):
        pred = model(x).squeeze(-1)
        return {
            "loss": float(F.mse_loss(pred, y)),
            "acc": float(((pred - y).abs() < self.tolerance).float().mean()),
        }


class Seq2SeqTask(Task):
    name = "seq2seq"
    higher_is_better = "acc"

    @staticmethod
    def shift(y: torch.Tensor) -> torch.Tensor:
        """Decoder input: BOS then the target without its last token (teacher forcing)."""
        return torch.cat([torch.full_like(y[:, :1], BOS), y[:, :-1]], 1)  # (B, Tt)

    def loss(self, model, x, y):
        lo = model(x, self.shift(y))  # (B, Tt, V)
        return F.cross_entropy(lo.reshape(-1, lo.shape[-1]), y.reshape(-1))

    @torch.no_grad()
    def metrics(self, model, x, y):
        x, y = x[:1000], y[:1000]  # greedy decoding is a Python loop: keep evaluation quick
        lo = model(x, self.shift(y))
        pred, _ = model.greedy(x, y.shape[1])
        return {
            "loss": float(F.cross_entropy(lo.reshape(-1, lo.shape[-1]), y.reshape(-1))),
            "token_acc": float((pred == y).float().mean()),
            "acc": float((pred == y).all(1).float().mean()),  # exact match
        }


def memory_task_for(data, **_) -> Task:
    return AddingTask() if data.kind == "adding" else CopyTask()


class SideBySide(nn.Module):
    """Several models under one parent; ``forward`` runs the first (so generic code still works)."""

    def __init__(self, models: dict[str, nn.Module]):
        super().__init__()
        self.models = nn.ModuleDict(models)

    def forward(self, x):
        return next(iter(self.models.values()))(x)


class CompareTask(Task):
    """Wraps a task: the loss is the sum of every model's loss, each logged as ``<name>_loss``;
    metrics are every model's metrics prefixed by its name, plus the mean loss."""

    def __init__(self, base: Task, names: tuple[str, ...], forget_bias: float = 1.0):
        self.base, self.names, self.forget_bias = base, names, forget_bias
        self.name = f"compare {base.name}"

    def loss(self, model: SideBySide, x, y):
        losses = {n: self.base.loss(model.models[n], x, y) for n in self.names}
        return sum(losses.values()), {f"{n}_loss": v for n, v in losses.items()}

    @torch.no_grad()
    def metrics(self, model: SideBySide, x, y):
        out: dict[str, float] = {}
        for n in self.names:
            out.update({f"{n}_{k}": v for k, v in self.base.metrics(model.models[n], x, y).items()})
        out["loss"] = sum(out[f"{n}_loss"] for n in self.names) / len(self.names)
        return out


def compare_task(
    data, contenders: tuple[str, ...] = ("rnn", "lstm", "gru"), forget_bias: float = 1.0
) -> CompareTask:
    bad = [c for c in contenders if c not in ("rnn", "lstm", "gru")]
    if bad or not contenders:
        raise archs.ConfigError(f"Compare some of rnn, lstm, gru; got {', '.join(contenders) or 'none'}.")
    return CompareTask(memory_task_for(data), tuple(contenders), forget_bias)


class CompareTrainer(Trainer):
    """Builds one model per contender with the hidden size, depth and data-linked sizes of the recipe's
    model (the LSTM with the task's ``forget_bias``), and trains them side by side on identical batches."""

    def __init__(self, model: nn.Module, task: CompareTask, data, **kw):
        cfg = model.cfg
        shared = {
            k: getattr(cfg, k)
            for k in (
                "vocab_size",
                "input_dim",
                "embed_dim",
                "hidden_dim",
                "num_layers",
                "num_classes",
                "readout",
                "seq_len",
            )
        }
        models = {}
        for name in task.names:
            extra = {"forget_bias": task.forget_bias} if name == "lstm" else {}
            if name == "rnn" and hasattr(cfg, "nonlinearity"):
                extra = {"nonlinearity": cfg.nonlinearity}
            models[name] = archs.build_model(name, "tiny", **shared, **extra)
        super().__init__(SideBySide(models), task, data, **kw)

    def evaluate(self, max_examples: int = 512) -> dict[str, float]:
        """Three models evaluated every few steps: the first 512 examples of each split are plenty."""
        return super().evaluate(max_examples)

    def _one_step(self) -> None:
        x, y = self._batch()
        loss, terms = self.task.loss(self.model, x, y)
        self._pending_terms.append({k: v.detach() for k, v in terms.items()})
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.grad_clip:
            for m in self.model.models.values():
                torch.nn.utils.clip_grad_norm_(m.parameters(), self.grad_clip)
        self.optimizer.step()
        self.step_count += 1
        self.samples_seen += len(x)
        # the models learn from the sum (each gets its own gradient); the curve and the status line show
        # the mean, as the evaluation's "loss" does, so the two agree
        self._pending.append(loss.detach() / len(self.task.names))
