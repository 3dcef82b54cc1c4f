"""Background training jobs: a worker thread per job, a process-wide cap on concurrent jobs.

The contract with the pages:

- The worker never touches the UI. It trains in short slices (``slice_s``) holding the job's lock.
- After every slice (at most every ``publish_s``) the worker publishes a snapshot: progress, history,
  last evaluation and the probes the page asked for (``watch``). ``snapshot()`` returns the latest one
  without waiting for the lock while the job runs, so a page's tick never queues behind training.
- The lock is page-first: a page thread that wants it (``with job.lock:``, to read the model) gets it
  after the step in progress, because the worker ends its slice and steps aside while a page waits. A
  plain lock would let the worker take it straight back and starve the page for many slices.
- ``pause`` and ``stop`` set a flag and wait for the worker to end the step in progress (the slice
  ends there); ``step`` trains in the caller's thread when the job is not running.

Jobs beyond ``max_concurrent`` wait in a FIFO queue and report their place in it. Each job has hard
caps on steps (the Trainer's ``num_steps``) and on wall time (``max_seconds``).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import torch

from training.trainer import Trainer

# queued: waiting for a slot; starting: has one, its worker is building the model (process and Ray jobs);
# paused: started once and not running now (also when paused before its first step); idle: never started.
JobState = Literal["idle", "queued", "starting", "running", "paused", "done", "failed", "stopped"]


class JobRunner:
    """Admits at most ``max_concurrent`` running jobs; the others wait in arrival order."""

    def __init__(self, max_concurrent: int = 2):
        self.max_concurrent = max(1, max_concurrent)
        self._cv = threading.Condition()
        self._running: set[int] = set()
        self._queue: deque[int] = deque()

    def acquire(
        self, job_id: int, cancelled: Callable[[], bool], waiting: Callable[[bool], None] | None = None
    ) -> bool:
        """Wait for a slot; returns False if ``cancelled()`` became true while queued. ``waiting(True)``
        is called if the job has to wait (not when a slot is free at once), ``waiting(False)`` when it
        stops waiting: a job is *queued* only while it really waits."""
        with self._cv:
            self._queue.append(job_id)
            waited = False
            try:
                while True:
                    if cancelled():
                        return False
                    if self._queue[0] == job_id and len(self._running) < self.max_concurrent:
                        self._running.add(job_id)
                        return True
                    if not waited and waiting is not None:
                        waiting(waited := True)
                    self._cv.wait(timeout=0.05)
            finally:
                self._queue.remove(job_id)
                if waited:
                    waiting(False)
                self._cv.notify_all()

    def release(self, job_id: int) -> None:
        with self._cv:
            self._running.discard(job_id)
            self._cv.notify_all()

    def position(self, job_id: int) -> int | None:
        """1 for the next job to start, None if not queued."""
        with self._cv:
            return self._queue.index(job_id) + 1 if job_id in self._queue else None

    @property
    def running(self) -> int:
        with self._cv:
            return len(self._running)

    @property
    def queued(self) -> int:
        with self._cv:
            return len(self._queue)


def _default_limit() -> int:
    env = os.environ.get("ARCHATLAS_MAX_JOBS")
    if env:
        return int(env)
    return max(1, min(4, (os.cpu_count() or 2)))


RUNNER = JobRunner(_default_limit())
_THREADS_CHOSEN: dict[tuple, int] = {}  # thread trial results of this process, by Job._trial_key
_ids = iter(range(1, 1 << 62))
_ids_lock = threading.Lock()


def new_job_id() -> int:
    with _ids_lock:
        return next(_ids)


BACKENDS = ("thread", "process", "ray")


def backend_name() -> str:
    """The job backend of this server: ``ARCHATLAS_JOBS`` (thread, process or ray); by default ray where
    ``ARCHATLAS_RAY_ADDRESS`` is set, else process. Threads are what the tests use for speed, and what a
    job whose trainer has no recipe falls back to."""
    name = os.environ.get("ARCHATLAS_JOBS") or (
        "ray" if os.environ.get("ARCHATLAS_RAY_ADDRESS") else "process"
    )
    if name not in BACKENDS:
        raise ValueError(f"ARCHATLAS_JOBS={name!r}: choose one of {', '.join(BACKENDS)}")
    return name


def make_job(trainer: Trainer, backend: str | None = None, **kw: Any):
    """A job for ``trainer`` on this server's backend (see ``backend_name``)."""
    backend = backend or backend_name()
    if backend == "process" and getattr(trainer, "origin", None) is not None:
        from training.workers import ProcessJob

        return ProcessJob(trainer, **kw)
    if backend == "ray" and getattr(trainer, "origin", None) is not None:
        from training.ray_jobs import RayJob

        return RayJob(trainer, **kw)
    kw.pop("pool", None)
    return Job(trainer, **kw)


def job_counts() -> tuple[int, int, str]:
    """The server's training jobs for the sidebar: running, waiting, and what limits them."""
    if backend_name() == "ray":
        from training.ray_jobs import counts

        running, waiting = counts()
        return running, waiting, "placed by the Ray cluster"
    return RUNNER.running, RUNNER.queued, f"at most {RUNNER.max_concurrent} at once"


class PageFirstLock:
    """A re-entrant lock that the worker takes one slice at a time (``worker()``) and gives up to any
    page thread waiting for it (``with lock:``) before taking it again."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._cv = threading.Condition()
        self._waiting = 0

    def __enter__(self) -> PageFirstLock:
        with self._cv:
            self._waiting += 1
        self._lock.acquire()
        with self._cv:
            self._waiting -= 1
            self._cv.notify_all()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._lock.release()

    @property
    def waiting(self) -> bool:
        """A page thread waits for the lock (the worker ends its slice after the step in progress)."""
        return self._waiting > 0

    @contextmanager
    def worker(self) -> Iterator[None]:
        with self._cv:
            while self._waiting:
                self._cv.wait(0.05)
        with self._lock:
            yield


class Job:
    """A Trainer driven by a worker thread: start, pause, step, stop; snapshot from any thread."""

    backend = "thread"

    def __init__(
        self,
        trainer: Trainer,
        runner: JobRunner | None = None,
        slice_s: float = 0.1,
        max_seconds: float = 600.0,
        publish_s: float = 0.2,
    ):
        self.id = new_job_id()
        self.trainer = trainer
        self.runner = runner or RUNNER
        self.slice_s, self.max_seconds, self.publish_s = slice_s, max_seconds, publish_s
        self.lock = PageFirstLock()
        self._probes: dict[str, Callable] | None = None
        self._published: dict[str, Any] | None = None
        self._published_at = 0.0
        self.slices = 0  # slices the worker has trained, for tests and benchmarks
        self._want_run = False
        self._stopped = False
        self._queued = False
        self._thread: threading.Thread | None = None  # the worker, None when none runs or will
        self._ctl = threading.Lock()  # guards _thread's life: start() and the worker's exit
        self._started_at: float | None = None
        self._started = False  # Train was pressed once (a pause before the first step is "paused")
        self.threads: int | None = None  # intra-op threads chosen for this job (CPU)
        self._rates: dict[int, float] = {}

    # ------------------------------------------------------------------------------------ controls

    def start(self) -> None:
        """Start or resume training in the background (queued if the runner is full)."""
        with self._ctl:
            if self._stopped or self.trainer.finished:
                return
            self._want_run = self._started = True
            if self._thread is None:
                self._spawn()

    def _set_queued(self, waiting: bool) -> None:
        self._queued = waiting

    def _spawn(self) -> None:  # holding _ctl
        self._thread = threading.Thread(target=self._work, name=f"archatlas-job-{self.id}", daemon=True)
        self._thread.start()

    def pause(self, wait: float = 1.0) -> None:
        """Stop training after the current step; waits for it (at most ``wait`` s) so that what the
        page shows next is the step the run paused at."""
        self._want_run = False
        self._join(wait)

    def push_weights(self) -> None:
        """The trainer's weights were replaced from outside (a checkpoint load): nothing to do here, the
        thread trains the very model; the process backend sends them to its worker."""

    def watch(self, probes: dict[str, Callable] | None) -> None:
        """The probes the page draws; the worker runs them with each snapshot it publishes."""
        self._probes = probes

    def stop(self, wait: float = 2.0) -> None:
        """Stop for good (the user left, or reset): the thread ends within one slice."""
        self._stopped = True
        self._want_run = False
        self._join(wait)

    def step(self, n: int = 1) -> None:
        """Train ``n`` steps now, in the caller's thread, when not running in the background."""
        if self.is_active or self._stopped:
            return
        with self.lock:
            self.trainer.step(n)

    def _join(self, wait: float) -> None:
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(wait)

    # ------------------------------------------------------------------------------------- worker

    def _work(self) -> None:
        got = self.runner.acquire(
            self.id, cancelled=lambda: not self._want_run or self._stopped, waiting=self._set_queued
        )
        if not got:
            self._exit()
            return
        try:
            self._started_at = self._started_at or time.perf_counter()
            t = self.trainer
            with self.lock:
                if not t.finished:
                    t.status = "running"
            trial = self._thread_trials()
            while self._want_run and not self._stopped:
                with self.lock.worker():
                    if trial:
                        self._try_threads(trial)
                    t.run_for(self.slice_s, until=self._interrupted)
                    self.slices += 1
                    t.cap_time(self.max_seconds)
                    if t.finished:
                        break
                    self._publish()
        finally:
            with self.lock.worker():
                if self.trainer.status == "running":
                    self.trainer.status = "paused"
                self._publish(force=True)
            self.runner.release(self.id)
            self._exit()

    def _exit(self) -> None:
        """The worker ends; if Train was pressed again while it finished its last slice, go on."""
        with self._ctl:
            if self._want_run and not self._stopped and not self.trainer.finished:
                self._spawn()
            else:
                self._want_run = False
                self._thread = None

    def _publish(self, force: bool = False) -> None:
        """Replace the published snapshot (holding the lock, between two slices)."""
        now = time.perf_counter()
        if not force and now - self._published_at < self.publish_s:
            return
        try:
            self._published = self.trainer.snapshot(self._probes)
        except Exception as e:  # a probe that fails must not kill the run; the page shows why
            self._published = {**self.trainer.snapshot(None), "probe_error": f"{type(e).__name__}: {e}"}
        self._published_at = now

    def _thread_trials(self) -> list[int]:
        """Intra-op thread counts to try on the CPU. From a non-main thread, PyTorch's OpenMP pool pays
        a start-up cost per parallel op: small models run 2-3× faster on one thread there, large
        ones faster on several. The first slices try each count and keep the fastest."""
        if self.trainer.device.type != "cpu":
            return []
        n = max(
            1, (os.cpu_count() or 1) // max(1, self.runner.max_concurrent if self.runner.running > 1 else 1)
        )
        if self.threads is None:
            self.threads = _THREADS_CHOSEN.get(self._trial_key(n))
        if self.threads is not None:
            torch.set_num_threads(self.threads)
            return []
        return [1, n] if n > 1 else []

    def _trial_key(self, n: int) -> tuple:
        """What the fastest thread count depends on: the model (class and size), the batch, the candidates."""
        t = self.trainer
        size = sum(p.numel() for p in t.model.parameters())
        return (t.name, type(t.model).__name__, size, t.batch_size, n)

    def _interrupted(self) -> bool:
        """Asked between steps: Pause, Stop or a page waiting for the lock ends the slice there."""
        return not self._want_run or self._stopped or self.lock.waiting

    def _try_threads(self, trial: list[int]) -> None:
        """Time a few steps at the next thread count (after one warm-up step, whose first-call costs
        would otherwise favour whichever count runs second): at least 3 steps and 0.1 s each."""
        t = self.trainer
        if not self._rates:
            t.step(1)
        n = trial.pop(0)
        torch.set_num_threads(n)
        s0, t0 = t.step_count, time.perf_counter()
        while not t.finished and (t.step_count - s0 < 3 or time.perf_counter() - t0 < 0.1):
            t.step(1)
            if time.perf_counter() - t0 > 0.3:  # slow steps: enough to compare, and the UI waits on the lock
                break
        self._rates[n] = (t.step_count - s0) / max(time.perf_counter() - t0, 1e-9)
        if not trial:
            self.threads = max(self._rates, key=self._rates.get)
            torch.set_num_threads(self.threads)
            _THREADS_CHOSEN[self._trial_key(max(self._rates))] = self.threads  # later jobs skip the trial

    # -------------------------------------------------------------------------------------- state

    @property
    def started(self) -> bool:
        """Train was pressed at least once (a run that Step alone trained has not started)."""
        return self._started

    @property
    def is_active(self) -> bool:
        """True from Train until Pause, Stop or the end of the run: queued or training. A paused job's
        worker may still be finishing its last slice (at most ``slice_s``); it is not active."""
        return self._want_run and not self._stopped and self._thread is not None

    @property
    def state(self) -> JobState:
        if self._stopped and not self.trainer.finished:
            return "stopped"
        if self.is_active:
            return "queued" if self._queued else "running"
        s = self.trainer.status
        return (
            "paused" if s == "idle" and self._started else s if s in ("done", "failed", "idle") else "paused"
        )

    @property
    def queue_position(self) -> int | None:
        return self.runner.position(self.id) if self._queued else None

    def snapshot(self, probes: dict[str, Callable] | None = None) -> dict[str, Any]:
        """What the page draws. While the job runs: the latest snapshot the worker published (no
        waiting on the lock); otherwise computed now. ``probes`` also become the watched probes."""
        if probes is not None:
            self.watch(probes)
        snap = self._published if self.is_active else None
        if snap is None or any(k not in snap for k in probes or ()):
            with self.lock:
                snap = self.trainer.snapshot(probes)
        snap = dict(snap)
        snap.update(state=self.state, queue_position=self.queue_position)
        return snap
