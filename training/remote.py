"""What the backends that train away from the page share (``process``: training/workers.py; ``ray``:
training/ray_jobs.py): the trainer's state in a form another process can continue from, the report a
remote trainer sends after each slice, and ``MirroredJob``, the page side of such a job.

The page's Trainer stays in the server as the job's *mirror*: its data, its model (for views) and its
progress fields. The remote side builds the same trainer from the mirror's ``origin`` (recipe name and
settings) and its training state, trains, and reports after each slice: the progress fields, the new
history rows and the family's mirrored attributes (``Trainer.mirrored``, e.g. a GAN's sample
snapshots). The mirror's weights follow the remote ones when a view needs them (``job.lock``, probes,
and every snapshot of a trainer whose ``snapshot`` a family overrides: those compute views from the
model).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch

from training.jobs import JobState
from training.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent
PROGRESS = ("step_count", "status", "message", "warning", "samples_seen", "train_seconds")


def import_worker_modules() -> None:
    """Modules that register more recipes (a deployment's own, or a test's): a worker must know every
    recipe the server may hand it (``ARCHATLAS_WORKER_IMPORTS``, comma-separated)."""
    import importlib

    for name in filter(None, os.environ.get("ARCHATLAS_WORKER_IMPORTS", "").split(",")):
        importlib.import_module(name.strip())


def optimizers(trainer: Trainer) -> dict[str, torch.optim.Optimizer]:
    """The trainer's optimizers by attribute name (one for most families; a GAN has two)."""
    return {k: v for k, v in vars(trainer).items() if isinstance(v, torch.optim.Optimizer)}


def training_state(trainer: Trainer) -> dict[str, Any]:
    """What a copy of ``trainer`` needs to go on exactly: weights, optimizer states, progress, history."""
    progress = {k: getattr(trainer, k) for k in PROGRESS}
    progress["history"] = list(trainer.history)
    return {
        "weights": {k: v.detach().cpu() for k, v in trainer.model.state_dict().items()},
        "optimizers": {k: o.state_dict() for k, o in optimizers(trainer).items()},
        "progress": progress,
    }


def load_training_state(trainer: Trainer, state: dict[str, Any]) -> None:
    """Make ``trainer`` (built from the same recipe and settings) continue where ``state`` stands."""
    trainer.model.load_state_dict(state["weights"])
    opts = optimizers(trainer)
    for k, sd in state.get("optimizers", {}).items():
        if k in opts:
            opts[k].load_state_dict(sd)
    for k, v in state["progress"].items():
        setattr(trainer, k, v)


def build_trainer(origin: tuple, state: dict[str, Any]) -> Trainer:
    """The trainer a worker trains: made by the recipe from the mirror's origin, at the mirror's state."""
    from training.recipes import get_recipe

    trainer = get_recipe(origin[0]).trainer(**origin[1])
    load_training_state(trainer, state)
    return trainer


def probe_key(probes: dict[str, Callable] | None) -> tuple | None:
    """What a set of probes computes, as a hashable key: each probe's name, code and captured values
    (numbers, strings and small arrays by value, other objects by identity); None if some value cannot
    be told apart safely (the probes are then run every time)."""
    if not probes:
        return None
    try:
        return tuple((name, _fingerprint(f, 0)) for name, f in sorted(probes.items()))
    except _Unkeyable:
        return None


class _Unkeyable(Exception):
    pass


def _fingerprint(x: Any, depth: int) -> Any:
    if x is None or isinstance(x, (bool, int, float, str, bytes)):
        return x
    if depth > 4:
        raise _Unkeyable
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, *(_fingerprint(v, depth + 1) for v in x))
    if isinstance(x, (np.ndarray, torch.Tensor)):
        a = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x
        if a.dtype == object or a.nbytes > 1 << 20:
            raise _Unkeyable
        return ("array", a.shape, str(a.dtype), hashlib.sha1(np.ascontiguousarray(a).data).hexdigest())
    if callable(x) and hasattr(x, "__code__"):
        cells = tuple(_fingerprint(c.cell_contents, depth + 1) for c in (x.__closure__ or ()))
        defaults = _fingerprint(x.__defaults__ or (), depth + 1)
        return ("fn", x.__code__, cells, defaults)
    if isinstance(x, (dict, set)):
        raise _Unkeyable  # mutable containers: their content may change under the same identity
    return ("obj", id(x))  # a data set, a model's data: fixed for the job


class Reporter:
    """What a worker sends after a slice: the progress fields, the history rows not sent yet, and the
    family's mirrored attributes when they change (when it evaluated)."""

    def __init__(self, trainer: Trainer):
        self.trainer, self.sent_rows = trainer, len(trainer.history)

    def report(self, running: bool, **extra: Any) -> dict[str, Any]:
        t = self.trainer
        rows = t.history[self.sent_rows :]
        self.sent_rows = len(t.history)
        evaluated = any(t.eval_key in r for r in rows) or bool(extra)
        mirrored = {k: getattr(t, k) for k in t.mirrored} if evaluated else {}
        return {
            **{k: getattr(t, k) for k in PROGRESS},
            "rows": rows,
            "mirrored": mirrored,
            "running": running,
            **extra,
        }


class MirroredJob:
    """The page side of a job trained elsewhere: the mirror, what a report does to it, the views' lock
    and snapshot, and the job's state. Subclasses start, pause, step and stop the remote side, and
    implement ``_sync_weights`` (fetch the remote weights if it has stepped), ``queue_position``."""

    backend = ""

    def __init__(self, trainer: Trainer):
        if getattr(trainer, "origin", None) is None:
            raise ValueError(f"a {self.backend} job needs a trainer made by a recipe (it has no origin)")
        self.trainer = trainer  # the mirror
        self._mirror = threading.RLock()  # guards the mirror's model and fields
        self._want_run = self._stopped = self._queued = self._running = False
        self._started = False  # Train was pressed once (a pause before the first step is "paused")
        self._probes: dict[str, Callable] | None = None
        self._probed: tuple[tuple, dict[str, Any]] | None = None  # the last probes' key and results
        self.slices = 0

    def _apply(self, s: dict[str, Any]) -> None:
        """A remote report: new history rows, progress fields, mirrored attributes."""
        t = self.trainer
        with self._mirror:
            t.history.extend(s["rows"])
            for k in PROGRESS:
                setattr(t, k, s[k])
            for k, v in s["mirrored"].items():
                setattr(t, k, v)
        self.slices += 1

    def _set_queued(self, waiting: bool) -> None:
        self._queued = waiting

    def _fail(self, message: str) -> None:
        with self._mirror:
            self.trainer.status, self.trainer.message = "failed", message
        self._want_run = self._running = False

    def _sync_weights(self) -> None:
        raise NotImplementedError

    def watch(self, probes: dict[str, Callable] | None) -> None:
        self._probes = probes

    @property
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the mirror with the remote side's current weights (``with job.lock:``, as with threads)."""
        self._sync_weights()
        with self._mirror:
            try:
                yield
            finally:
                self._probed = None  # the holder may have changed the model (a checkpoint loaded into it)

    def snapshot(self, probes: dict[str, Callable] | None = None) -> dict[str, Any]:
        """What the page draws. The probes' results are kept and given again while the weights have
        not moved (the same step, no checkpoint loaded) and the probes are the same functions with the
        same captured values (``probe_key``): a job waiting for a worker, as most of a classroom's do, is
        drawn at every tick, and its probes were a sixth of the server's time with 30 sessions."""
        if probes is not None:
            self.watch(probes)
        # probes read the model, and so does a trainer's own snapshot where a family overrides it (its
        # confusion matrix, detections, similarity matrix): both need the remote side's current weights
        own = type(self.trainer).snapshot is not Trainer.snapshot
        if probes or own:
            self._sync_weights()
        with self._mirror:
            pk = None if own else probe_key(probes)
            key = None if pk is None else (self.trainer.step_count, pk)
            if key is not None and self._probed is not None and self._probed[0] == key:
                snap = self.trainer.snapshot(None)
                snap.update(self._probed[1])
            else:
                snap = self.trainer.snapshot(probes)
                if key is not None:
                    self._probed = (key, {k: snap[k] for k in probes})
        snap.update(state=self.state, queue_position=self.queue_position)
        return snap

    @property
    def started(self) -> bool:
        """Train was pressed at least once (a run that Step alone trained has not started)."""
        return self._started

    @property
    def is_active(self) -> bool:
        return self._want_run and not self._stopped and not self.trainer.finished

    @property
    def state(self) -> JobState:
        if self._stopped and not self.trainer.finished:
            return "stopped"
        if self.is_active:
            return "queued" if self._queued else "running" if self._running else "starting"
        if self._running:  # paused, but the worker is still ending its last slice: the mirror's step is
            return "running"  # not final yet, and "paused" beside a step that then moves on is a lie
        s = self.trainer.status
        return (
            "paused" if s == "idle" and self._started else s if s in ("done", "failed", "idle") else "paused"
        )

    @property
    def queue_position(self) -> int | None:
        raise NotImplementedError
