"""The stepper Trainer: it never blocks until done; the UI's clock (or a job thread) drives it.

    t = get_recipe("mlp_digits").trainer(num_steps=500)
    t.step(10)          # ten optimisation steps, now
    t.run_for(0.2)      # as many steps as fit in 0.2 s
    t.evaluate()        # {"train_loss": ..., "test_acc": ...}
    t.history[-1]       # {"step": 10, "loss": ..., ...}

Losses stay on the device between flushes: the host synchronises once per ``step``/``run_for`` call,
not once per optimisation step. A NaN loss, an out-of-memory error or any other exception ends the
run as ``failed`` with a sentence saying why; the Trainer never raises out of ``step``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import torch
from torch import nn

from archs.spec import ConfigError
from data.base import Supervised
from training.tasks import Task

Status = Literal["idle", "running", "paused", "done", "failed"]
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")


def make_optimizer(name: str, params, lr: float, momentum: float = 0.9, weight_decay: float = 0.0):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ConfigError(f"Unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}.")


def _bytes_asked(message: str) -> str:
    """'16.0 GB' from PyTorch's "you tried to allocate 16000000000 bytes", or 'the memory it needed'."""
    import re

    m = re.search(r"allocate (\d+) bytes", message)
    return f"{int(m.group(1)) / 1e9:.1f} GB" if m else "the memory it needed"


def _to_tensor(a: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.ascontiguousarray(a)).to(device)


class Trainer:
    # attributes a family's views read besides progress and history (a GAN's sample snapshots): a job
    # in another process sends them to the server's mirror of the trainer whenever it evaluates
    mirrored: tuple[str, ...] = ()
    # the metric every evaluation row holds (an RL trainer evaluates returns, not a test split)
    eval_key: str = "test_loss"

    def __init__(
        self,
        model: nn.Module,
        task: Task,
        data: Supervised,
        *,
        optimizer: str = "adam",
        lr: float = 1e-3,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        l1: float = 0.0,
        l2: float = 0.0,
        batch_size: int = 32,
        num_steps: int = 1000,
        eval_every: int = 50,
        grad_clip: float | None = None,
        seed: int = 0,
        device: str | torch.device = "cpu",
        name: str = "",
        step_delay: float = 0.0,
    ):
        if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
            raise ConfigError(f"The learning rate must be a positive number, got {lr}.")
        if batch_size < 1:
            raise ConfigError(f"The batch size must be at least 1, got {batch_size}.")
        if num_steps < 1:
            raise ConfigError(f"The number of steps must be at least 1, got {num_steps}.")
        if l1 < 0 or l2 < 0 or weight_decay < 0:
            raise ConfigError("Regularisation rates (L1, L2, weight decay) cannot be negative.")
        self.name = name
        self.device = torch.device(device)
        self.model = model.to(self.device)
        self.task, self.data = task, data
        self.lr, self.batch_size, self.num_steps, self.eval_every = (
            lr,
            batch_size,
            num_steps,
            max(1, eval_every),
        )
        self.l1, self.l2, self.grad_clip = l1, l2, grad_clip
        self.optimizer_name = optimizer
        self.optimizer = make_optimizer(optimizer, model.parameters(), lr, momentum, weight_decay)
        # weight matrices only: biases and norm gains are not penalised (as in TensorFlow Playground)
        self._penalised = [p for p in model.parameters() if p.dim() > 1]
        self.splits = {
            k: (_to_tensor(x, self.device), _to_tensor(y, self.device)) for k, (x, y) in data.splits().items()
        }
        self._gen = torch.Generator(device=self.device if self.device.type != "mps" else "cpu").manual_seed(
            seed
        )
        self._perm: torch.Tensor | None = None
        self._cursor = 0
        self.step_count = 0
        self.history: list[dict[str, Any]] = []
        self._pending: list[torch.Tensor] = []
        self._pending_terms: list[dict[str, torch.Tensor]] = []
        self._ref_loss: float | None = None
        self.status: Status = "idle"
        self.message = ""
        self.warning: str | None = None  # set when a finished run learned nothing (see diagnose)
        self.samples_seen = 0
        self.train_seconds = 0.0
        self.arch: str | None = None  # set by the recipe: what a checkpoint records
        self.config = None
        self.origin: tuple[str, dict] | None = None  # (recipe, overrides) that rebuild this trainer
        self.step_delay = float(step_delay)  # seconds to wait after each step: a page's slow motion

    # ------------------------------------------------------------------------------------ stepping

    def _batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self.splits["train"]
        n = len(x)
        if self.batch_size >= n:
            return x, y
        if self._perm is None or self._cursor + self.batch_size > n:
            self._perm = torch.randperm(n, generator=self._gen, device=self._gen.device).to(self.device)
            self._cursor = 0
        idx = self._perm[self._cursor : self._cursor + self.batch_size]
        self._cursor += self.batch_size
        return x[idx], y[idx]

    def _one_step(self) -> None:
        x, y = self._batch()
        loss = self.task.loss(self.model, x, y)
        if isinstance(loss, tuple):  # (loss, {"recon": ..., "kl": ...}): terms logged beside the loss
            loss, terms = loss
            self._pending_terms.append({k: v.detach() for k, v in terms.items()})
        total = loss
        if self.l1:
            total = total + self.l1 * sum(p.abs().sum() for p in self._penalised)
        if self.l2:
            total = total + self.l2 * sum((p * p).sum() for p in self._penalised)
        self.optimizer.zero_grad(set_to_none=True)
        total.backward()
        if self.grad_clip:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.grad_clip)
        self.optimizer.step()
        self.step_count += 1
        self.samples_seen += len(x)
        self._pending.append(loss.detach())

    def _flush(self) -> None:
        if not self._pending:
            return
        values = torch.stack(self._pending).float().cpu().tolist()  # one host sync for the whole slice
        first = self.step_count - len(values) + 1
        self._pending.clear()
        terms: list[dict[str, float]] = []
        if self._pending_terms:  # steps may log different terms (e.g. the stages of a two-stage run)
            flat = [(i, k, v) for i, t in enumerate(self._pending_terms) for k, v in t.items()]
            terms = [{} for _ in self._pending_terms]
            if flat:
                got = torch.stack([v.float().reshape(()) for _, _, v in flat]).cpu().tolist()
                for (i, k, _), g in zip(flat, got, strict=True):
                    terms[i][k] = g
            self._pending_terms.clear()
        if self._ref_loss is None and values and math.isfinite(values[0]):
            self._ref_loss = abs(values[0])
        limit = 1e4 * ((self._ref_loss or 0.0) + 1.0)  # a loss 10,000× its start has exploded
        for i, v in enumerate(values):
            self.history.append({"step": first + i, "loss": v, **(terms[i] if i < len(terms) else {})})
            if not math.isfinite(v) or abs(v) > limit:
                what = f"became {v}" if not math.isfinite(v) else f"exploded to {v:.3g}"
                self._fail(
                    f"The loss {what} at step {first + i}: training diverged. "
                    + self.divergence_advice(terms[i] if i < len(terms) else {}, limit)
                )
                return

    def divergence_advice(self, terms: dict[str, float], limit: float) -> str:
        """What to change when the loss blew up (a family with several optimizers says which)."""
        return f"The learning rate ({self.lr:g}) is probably too high for this model; lower it and reset."

    def _fail(self, message: str) -> None:
        self.status, self.message = "failed", message
        self._pending.clear()
        self._pending_terms.clear()

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def step(self, n: int = 1) -> Trainer:
        """Run ``n`` optimisation steps (fewer if the run reaches ``num_steps``)."""
        return self._run(lambda i: i < n)

    def run_for(self, seconds: float, until: Callable[[], bool] | None = None) -> Trainer:
        """Train for about ``seconds`` of wall time (at least one step). ``until()``, asked between
        steps, ends the slice early when it returns True: a job with a Pause or a page's request
        waiting answers it after the step in progress, not at the slice's end."""
        deadline = time.perf_counter() + seconds
        if until is None:
            return self._run(lambda i: i == 0 or time.perf_counter() < deadline)
        return self._run(lambda i: i == 0 or (time.perf_counter() < deadline and not until()))

    def _run(self, more: Callable[[int], bool]) -> Trainer:
        if self.finished:
            return self
        t0 = time.perf_counter()
        self.model.train()
        i = 0
        try:
            while self.step_count < self.num_steps and more(i):
                self._one_step()
                i += 1
                if self.step_delay:
                    time.sleep(self.step_delay)
                if self.step_count % self.eval_every == 0:
                    self._flush()
                    if self.finished:
                        break
                    self._record_eval()
            self._flush()
            if not self.finished and self.status == "idle":
                self.status = "paused"
            if not self.finished and self.step_count >= self.num_steps:
                if not self.history or self.eval_key not in self.history[-1]:
                    self._record_eval()
                self.status, self.message = "done", f"Finished {self.num_steps} steps."
                self.warning = self.diagnose()
        except torch.cuda.OutOfMemoryError:
            self._fail("The GPU ran out of memory. Lower the batch size or the model's size, then reset.")
        except MemoryError:
            self._fail("The machine ran out of memory. Lower the batch size or the model's size, then reset.")
        except RuntimeError as e:
            if "can't allocate memory" in str(e) or "out of memory" in str(e).lower():  # PyTorch's allocator
                self._fail(
                    "The machine ran out of memory (PyTorch could not allocate "
                    f"{_bytes_asked(str(e))}). Lower the batch size or the model's size, then reset."
                )
            else:
                self._fail(
                    f"Training stopped with an error at step {self.step_count + 1}: "
                    f"{type(e).__name__}: {str(e)[:400]}"
                )
        except Exception as e:  # a bad shape, a failing task: the run ends, the app lives
            self._fail(
                f"Training stopped with an error at step {self.step_count + 1}: "
                f"{type(e).__name__}: {str(e)[:400]}"
            )
        finally:
            self.train_seconds += time.perf_counter() - t0
        return self

    # ---------------------------------------------------------------------------------- evaluation

    @torch.no_grad()
    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        """Metrics on every split, e.g. {"train_loss", "train_acc", "test_loss", "test_acc"}."""
        was_training = self.model.training
        self.model.eval()
        out: dict[str, float] = {}
        try:
            for split, (x, y) in self.splits.items():
                m = self.task.metrics(self.model, x[:max_examples], y[:max_examples])
                out.update({f"{split}_{k}": v for k, v in m.items()})
        finally:
            self.model.train(was_training)
        return out

    def _record_eval(self) -> None:
        metrics = self.evaluate()
        if self.history and self.history[-1]["step"] == self.step_count:
            self.history[-1].update(metrics)
        else:
            self.history.append({"step": self.step_count, **metrics})
        bad = [k for k, v in metrics.items() if k.endswith("loss") and not math.isfinite(v)]
        if bad:
            self._fail(
                f"The {bad[0].replace('_', ' ')} became {metrics[bad[0]]} at step {self.step_count}: "
                "training diverged. " + self.divergence_advice(self.history[-1], math.inf)
            )

    def cap_time(self, max_seconds: float) -> None:
        """End the run (done, with the reason) once it has trained ``max_seconds``: a job's hard cap."""
        if not self.finished and self.train_seconds >= max_seconds:
            self._record_eval()
            if not self.finished:
                self.status = "done"
                self.message = (
                    f"Stopped at the time cap of {max_seconds:.0f} s after {self.step_count} steps."
                )

    def diagnose(self) -> str | None:
        """A sentence when a finished run learned nothing a student should mistake for success: test
        accuracy no better than always guessing the commonest class, or a training loss that did not
        go down; with the likeliest cause (the learning rate) and what to try."""
        ev, rows = self.last_eval(), [r for r in self.history if "train_loss" in r]
        what = None
        if "test_acc" in ev and self.data.kind == "classification" and len(self.data.y_train):
            counts = np.bincount(np.asarray(self.data.y_train, dtype=np.int64))
            chance = counts.max() / counts.sum()
            if ev["test_acc"] <= chance + 0.02:
                what = (
                    f"It finished at chance level: test accuracy {ev['test_acc']:.0%}, no better than "
                    f"always guessing the commonest class ({chance:.0%}). The network did not learn."
                )
        if what is None and len(rows) >= 2 and rows[-1]["train_loss"] >= 0.98 * rows[0]["train_loss"]:
            what = (
                f"The training loss did not go down ({rows[0]['train_loss']:.3g} at step {rows[0]['step']}, "
                f"{rows[-1]['train_loss']:.3g} at the end): the network did not learn."
            )
        if what is None:
            return None
        adaptive = self.optimizer_name in ("adam", "adamw")
        if self.lr >= (0.1 if adaptive else 1.0):
            hint = f"The learning rate ({self.lr:g}) is probably too high: steps overshoot. Try 0.03."
        elif self.lr <= 1e-4:
            hint = f"The learning rate ({self.lr:g}) may be too low to move in {self.num_steps} steps."
        else:
            hint = "Try a higher learning rate, more steps, ReLU instead of sigmoid, or residual connections."
        return f"{what} {hint}"

    def last_eval(self) -> dict[str, float]:
        for row in reversed(self.history):
            if self.eval_key in row:
                return row
        return {}

    @torch.no_grad()
    def predict(self, x: np.ndarray | torch.Tensor) -> np.ndarray:
        was_training = self.model.training
        self.model.eval()
        try:
            t = x if isinstance(x, torch.Tensor) else torch.as_tensor(x)
            return self.model(t.to(self.device)).float().cpu().numpy()
        finally:
            self.model.train(was_training)

    def progress(self) -> tuple[float, float, str]:
        """(done, total, unit) for the page's progress bar: steps by default; a trainer whose steps are
        not known in advance counts what it does know (an RL comparison: environment steps of a budget)."""
        return float(self.step_count), float(self.num_steps), "step"

    def snapshot(self, probes: dict[str, Callable[[nn.Module], Any]] | None = None) -> dict[str, Any]:
        """What a page draws: progress, history, the last evaluation, and the result of each probe
        (a function of the model, run in eval mode without gradients)."""
        snap: dict[str, Any] = dict(
            step=self.step_count,
            num_steps=self.num_steps,
            progress=self.progress(),
            status=self.status,
            message=self.message,
            warning=self.warning,
            history=list(self.history),
            last_eval=self.last_eval(),
            samples_seen=self.samples_seen,
            train_seconds=self.train_seconds,
        )
        if probes:
            was_training = self.model.training
            self.model.eval()
            try:
                with torch.no_grad():
                    snap.update({k: f(self.model) for k, f in probes.items()})
            finally:
                self.model.train(was_training)
        return snap
