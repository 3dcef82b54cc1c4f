"""Training jobs in worker processes: the ``process`` backend of ``training.jobs``.

Why: a job driven from a thread of the Streamlit server shares its GIL with the threads that draw the
pages (a busy job delays every page's rerun), runs PyTorch's thread pool off the main thread (0.6-0.7x
the speed), and a crash or a runaway allocation in one student's model takes the whole server down.
Here each running job trains in its own process, on that process's main thread.

The contract with the pages is the thread backend's (see ``training.jobs``), so pages do not change:

- The page builds the Trainer as before (``make_trainer()``); that object stays in the server as the
  job's *mirror*: its data, its model (for views), and its progress fields, which the job keeps up to
  date. The worker builds its own Trainer from the mirror's ``origin`` (recipe name and overrides; same
  seed, so the same initial weights) and receives the mirror's weights, so both start identical.
- The worker trains in slices and sends, after each slice (at most every ``publish_s``), the progress
  fields, the new history rows and the family's mirrored attributes (``Trainer.mirrored``, e.g. a GAN's
  sample snapshots). A reader thread in the server applies them to the mirror.
- The mirror's weights follow the worker's when a page needs them: entering ``job.lock`` or asking
  for probes fetches the current weights (only if the worker has stepped since the last fetch). Probes
  run in the server on the mirror, so they may be any function, as with threads.
- A worker that dies (a segfault, the memory limit, a kill) ends its job ``failed`` with a sentence;
  other jobs and the server go on; the pool starts a new worker. Workers are fresh interpreters
  (``python -m training.workers``, never a fork of the threaded server, whatever started the server)
  talking plain pickles over a socket pair (tensors by value: multiprocessing's own pickler would share
  them through handles only its own children may open), and are kept warm between jobs.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

import torch

from training.jobs import RUNNER, JobRunner, new_job_id
from training.remote import (
    ROOT,
    MirroredJob,
    Reporter,
    build_trainer,
    import_worker_modules,
    training_state,
)
from training.trainer import Trainer

# ------------------------------------------------------------------------------------- the worker


def send(conn: Connection, obj: Any) -> None:
    conn.send_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def recv(conn: Connection) -> Any:
    return pickle.loads(conn.recv_bytes())


def _limit_memory(mb: int) -> None:
    if mb > 0:
        import resource

        limit = mb * 2**20  # private anonymous memory (heap, mmap'd tensors): a runaway model stops here
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _lower_priority() -> None:
    """Workers train at niceness ``ARCHATLAS_WORKER_NICE`` (10 unless set; 0 turns it off): the server
    that draws the pages, and on a shared machine the students' browsers, come before training.
    That used to cost Pause what it gave the page's updates, because a worker read its messages only
    between slices of 0.1 s and a niced one got to that point late (two sessions in Chromium, 2 cores,
    2026-12-04, p95 over 20-39 clicks: at 0, Pause 0.61-0.99 s and updates 1.10-1.36 s; at 10, Pause
    0.86-1.16 s and updates 0.87-1.14 s). A worker now ends its slice after the step in progress when
    a message waits (``Trainer.run_for(until=...)``); with that, at 10: Pause p95 0.72 and 0.83 s,
    updates p95 0.75 and 0.89 s; at 0: Pause 1.04 s, updates 1.02 s (2026-12-05, morning; an afternoon
    run at 10 gave 1.02 / 1.19 s, which the live charts kept through Pause then brought under 1 s:
    README, Benchmarks)."""
    nice = int(os.environ.get("ARCHATLAS_WORKER_NICE", 10))
    if nice > 0 and hasattr(os, "nice"):
        try:
            os.nice(nice)
        except OSError:  # a platform that does not let us: train at the server's priority
            pass


def _serve(conn, threads: int, memory_mb: int) -> None:
    """A worker process: build a trainer, then train or step it as told, reporting after each slice."""
    _limit_memory(memory_mb)
    _lower_priority()
    torch.set_num_threads(max(1, threads))
    import_worker_modules()

    trainer: Trainer | None = None
    reporter: Reporter | None = None
    running, last = False, 0.0
    trial: list[int] = []  # thread counts still to time on this job's first slices (see _timed_slice)
    rates: dict[int, float] = {}
    slice_s, publish_s, max_seconds = 0.1, 0.2, 600.0

    def report(**extra: Any) -> None:
        nonlocal last
        msg = reporter.report(running, **extra)
        msg.update(threads=torch.get_num_threads(), thread_rates=dict(rates))
        send(conn, ("state", msg))
        last = time.perf_counter()

    next_look = 0.0

    def asked() -> bool:
        """A message waits. The socket is looked at every 2 ms at most: a poll costs ~4 us, a small
        model's step ~500 us, and a look at every step cost such a model a few per cent."""
        nonlocal next_look
        now = time.perf_counter()
        if now < next_look:
            return False
        next_look = now + 0.002
        return conn.poll(0)

    send(conn, ("ready", os.getpid()))
    while True:
        if not running or conn.poll(0):
            try:
                cmd, arg = recv(conn)
            except EOFError:
                return
            if cmd == "build":
                origin, state, settings = arg
                slice_s, publish_s, max_seconds, threads = settings
                torch.set_num_threads(max(1, threads))  # this job's share of the cores, set per job
                try:
                    trainer = build_trainer(origin, state)  # continue where the server's mirror stands
                    reporter = Reporter(trainer)
                    trial, rates = ([1, threads] if threads > 1 and trainer.device.type == "cpu" else []), {}
                    send(conn, ("built", None))
                except Exception as e:  # the server built the same trainer, so this is rare: say why
                    send(conn, ("built", f"{type(e).__name__}: {e}"))
            elif cmd == "start":
                running = not trainer.finished
                report()
            elif cmd == "pause":
                running = False
                report(paused=True)
            elif cmd == "step":
                trainer.step(int(arg))
                report(stepped=True)
            elif cmd == "load":  # weights loaded into the server's mirror (a checkpoint upload)
                trainer.model.load_state_dict(arg)
            elif cmd == "weights":
                state = {k: v.detach().cpu() for k, v in trainer.model.state_dict().items()}
                send(conn, ("weights", (trainer.step_count, state)))
            elif cmd == "release":  # the job is over: forget it, and say so (the pool may reuse us)
                trainer, reporter, running = None, None, False
                send(conn, ("released", None))
            elif cmd == "exit":
                return
            continue
        if trial:
            _timed_slice(trainer, trial.pop(0), slice_s, rates)
            if not trial:  # keep the faster count for the rest of the job
                torch.set_num_threads(max(rates, key=rates.get))
        else:  # a message waiting (Pause, the weights a view reads) ends the slice after this step
            trainer.run_for(slice_s, until=asked)
        trainer.cap_time(max_seconds)
        if trainer.finished:
            running = False
            report()
        elif time.perf_counter() - last >= publish_s:
            report()


def _timed_slice(trainer: Trainer, threads: int, slice_s: float, rates: dict[int, float]) -> None:
    """One slice at ``threads`` intra-op threads, its steps per second recorded in ``rates``. A small
    model on a shared machine often trains faster on one thread than on its share of the cores (the
    OpenMP pool's cost per operation), a large one the other way: a job's first slices time both, as a
    thread job does (``Job._thread_trials``). The first timed slice starts with one untimed step, whose
    first-call costs would otherwise count against whichever count runs first."""
    torch.set_num_threads(threads)
    if not rates and not trainer.finished:
        trainer.step(1)
    s0, t0 = trainer.step_count, time.perf_counter()
    trainer.run_for(slice_s)
    rates[threads] = (trainer.step_count - s0) / max(time.perf_counter() - t0, 1e-9)


class Worker:
    """One warm worker process and the server's end of its socket."""

    def __init__(self, threads: int, memory_mb: int):
        mine, theirs = socket.socketpair()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "training.workers", str(theirs.fileno()), str(threads), str(memory_mb)],
            pass_fds=(theirs.fileno(),),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(mine.detach())
        self.threads = threads
        if not self.conn.poll(120):
            self.kill()
            raise RuntimeError("a training worker did not start within 120 s")
        kind, self.pid = recv(self.conn)  # imports done: the worker is warm
        assert kind == "ready"

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive:
            self.proc.kill()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()

    def exit_reason(self) -> str:
        try:
            code = self.proc.wait(2)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and code < 0:
            name = signal.Signals(-code).name
            why = {
                "SIGSEGV": "a crash in native code",
                "SIGKILL": "it was killed, often by the machine running out of memory",
            }.get(name, name)
            return (
                f"The training process stopped unexpectedly ({why}). Other runs were not affected; "
                "reset to try again."
            )
        return f"The training process ended unexpectedly (exit code {code}). Reset to try again."


def default_threads(runner: JobRunner | None = None) -> int:
    """Each running job's share of the cores: cores / the runner's cap on concurrent jobs."""
    return max(1, (os.cpu_count() or 1) // max(1, (runner or RUNNER).max_concurrent))


class WorkerPool:
    """Warm workers for jobs: one is taken per running job and given back when the job ends."""

    def __init__(self, warm: int = 1, memory_mb: int | None = None):
        self.warm = warm
        env = int(os.environ.get("ARCHATLAS_JOB_MEMORY_MB", 4096))
        self.memory_mb = env if memory_mb is None else memory_mb
        self._idle: list[Worker] = []
        self._lock = threading.Lock()
        self._warming = False

    def take(self, threads: int) -> Worker:
        """An idle warm worker (a new one if none is idle); a replacement starts warming meanwhile. A
        warm worker serves whatever thread count the job gets (set when it builds the job): before,
        a count that changed with the number of running jobs killed the warm worker and started a new
        one (3 s of imports), which under a classroom's load spawned workers by the dozen."""
        with self._lock:
            found = None
            while self._idle and found is None:
                w = self._idle.pop()
                if w.alive:  # its thread count is set when it builds the job
                    found = w
                else:
                    w.kill()
        self.prewarm(threads)
        return found or Worker(threads, self.memory_mb)

    def prewarm(self, threads: int | None = None) -> None:
        """Start warming workers in the background until ``warm`` are idle (the next Train waits for
        none of Python's and PyTorch's imports)."""
        threads = threads or default_threads()

        def warm() -> None:
            with self._lock:
                if self._warming or len(self._idle) >= self.warm:
                    return
                self._warming = True
            try:
                w = Worker(threads, self.memory_mb)
                with self._lock:
                    self._idle.append(w)
            except Exception:  # a machine that cannot start one: jobs will say so when they try
                pass
            finally:
                with self._lock:
                    self._warming = False

        if self.warm > 0:
            threading.Thread(target=warm, daemon=True, name="worker-prewarm").start()

    def give_back(self, w: Worker) -> None:
        """A released worker (its job's reader has stopped reading): kept warm, or told to exit."""
        if not w.alive:
            return
        with self._lock:
            if len(self._idle) < self.warm:
                self._idle.append(w)
                return
        try:
            send(w.conn, ("exit", None))
        except (BrokenPipeError, OSError):
            pass

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for w in idle:
            w.kill()


POOL = WorkerPool(warm=int(os.environ.get("ARCHATLAS_WARM_WORKERS", 1)))


# ------------------------------------------------------------------------------------- the job


class ProcessJob(MirroredJob):
    """The thread Job's interface, with the training in a worker process (see the module docstring)."""

    backend = "process"

    def __init__(
        self,
        trainer: Trainer,
        runner: JobRunner | None = None,
        slice_s: float = 0.1,
        max_seconds: float = 600.0,
        publish_s: float = 0.2,
        pool: WorkerPool | None = None,
    ):
        super().__init__(trainer)
        self.id = new_job_id()
        self.runner, self.pool = runner or RUNNER, pool or POOL
        self.slice_s, self.max_seconds, self.publish_s = slice_s, max_seconds, publish_s
        self._worker: Worker | None = None
        self._send_lock = threading.Lock()
        self._cv = threading.Condition()
        self._replies: dict[str, Any] = {}
        self.threads: int | None = None  # the worker's intra-op threads (its reports say)
        self.thread_rates: dict[int, float] = {}
        self._driver: threading.Thread | None = None
        self._weights_step = 0

    # --------------------------------------------------------------------------------- plumbing

    def _send(self, msg) -> bool:
        w = self._worker
        if w is None:
            return False
        try:
            with self._send_lock:
                send(w.conn, msg)
            return True
        except (BrokenPipeError, OSError):
            return False

    def _wait(self, kind: str, timeout: float) -> Any:
        """The next reply of ``kind`` from the worker (None on timeout or if the worker died)."""
        end = time.monotonic() + timeout
        with self._cv:
            while kind not in self._replies:
                left = end - time.monotonic()
                if left <= 0 or self._worker is None:
                    return None
                self._cv.wait(min(left, 0.05))
            return self._replies.pop(kind)

    def _attach(self) -> bool:
        """A warm worker holding this job's trainer (built from the mirror's origin and weights)."""
        if self._worker is not None and self._worker.alive:
            return True
        threads = default_threads(self.runner)
        self._worker = self.pool.take(threads)
        reader = threading.Thread(
            target=self._read, args=(self._worker,), daemon=True, name=f"job-{self.id}-read"
        )
        reader.start()
        with self._mirror:
            state = training_state(self.trainer)
        settings = (self.slice_s, self.publish_s, self.max_seconds, threads)
        self._send(("build", (self.trainer.origin, state, settings)))
        err = self._wait("built", 120)
        if err is not None or self._worker is None:
            self._fail(f"The training process could not build the model: {err or 'no answer'}")
            return False
        self._weights_step = self.trainer.step_count
        return True

    def _read(self, w: Worker) -> None:
        """Apply what the worker sends to the mirror; a closed pipe is a dead worker."""
        while True:
            try:
                kind, payload = recv(w.conn)
            except (EOFError, OSError):
                break
            if kind == "released":  # the worker forgot this job: hand it back, stop reading
                self.pool.give_back(w)
                return
            if kind == "state":
                self._apply(payload)
                reply = "stepped" if payload.get("stepped") else "paused" if payload.get("paused") else None
            elif kind == "weights":
                reply = "weights"
            else:
                reply = kind
            if reply:
                with self._cv:
                    self._replies[reply] = payload
                    self._cv.notify_all()
        if self._worker is w:
            self._worker = None
            if not self._stopped:
                self._fail(w.exit_reason())
            with self._cv:
                self._cv.notify_all()

    def _apply(self, s: dict) -> None:
        super()._apply(s)
        self._running = s["running"]
        # the worker's intra-op threads, and the steps/s its first slices timed at each count
        self.threads, self.thread_rates = s.get("threads"), s.get("thread_rates", {})
        with self._cv:
            self._cv.notify_all()

    # --------------------------------------------------------------------------------- controls

    def start(self) -> None:
        if self._stopped or self.trainer.finished:
            return
        self._want_run = self._started = True
        if self._driver is None or not self._driver.is_alive():
            self._driver = threading.Thread(target=self._drive, daemon=True, name=f"job-{self.id}-driver")
            self._driver.start()

    def _drive(self) -> None:
        """Wait for a slot in the runner's queue, then let the worker train until it stops."""
        got = self.runner.acquire(
            self.id, cancelled=lambda: not self._want_run or self._stopped, waiting=self._set_queued
        )
        if not got:
            return
        try:
            if not self._attach():
                return
            self._running = True
            if not self._want_run or not self._send(("start", None)):
                self._running = False
            with self._cv:
                while self._running and self._worker is not None:
                    self._cv.wait(0.1)
        finally:
            self._running = False
            self.runner.release(self.id)
            if self._want_run and not self._stopped and not self.trainer.finished:
                self.start()  # Train was pressed again while the last slice ended

    def pause(self, wait: float = 1.0) -> None:
        self._want_run = False
        if self._running and self._send(("pause", None)):
            self._wait("paused", wait)
        d = self._driver
        if d is not None and d is not threading.current_thread():
            d.join(wait)

    def stop(self, wait: float = 2.0) -> None:
        """Stop for good: the worker forgets the job and goes back to the pool (its reader hands it
        back on the worker's answer, so no two jobs ever read one pipe)."""
        self._stopped, self._want_run = True, False
        w, self._worker = self._worker, None
        if w is not None:
            try:
                with self._send_lock:
                    send(w.conn, ("release", None))
            except (BrokenPipeError, OSError):
                w.kill()
        with self._cv:
            self._cv.notify_all()
        d = self._driver
        if d is not None and d is not threading.current_thread():
            d.join(wait)  # its slot in the runner is free when stop returns, as with threads

    def step(self, n: int = 1) -> None:
        """Train ``n`` steps now in the worker and wait for them (as the thread backend does)."""
        if self.is_active or self._stopped or self.trainer.finished:
            return
        if self._attach() and self._send(("step", n)):
            self._wait("stepped", 600)

    def push_weights(self) -> None:
        """The mirror's weights were replaced (a checkpoint was loaded into it): the worker trains on."""
        if self._worker is not None:
            with self._mirror:
                state = {k: v.detach().cpu() for k, v in self.trainer.model.state_dict().items()}
            self._send(("load", state))
            self._weights_step = self.trainer.step_count

    # ------------------------------------------------------------------------------- the mirror

    def _sync_weights(self) -> None:
        """Fetch the worker's weights into the mirror if it has stepped since the last fetch."""
        if self._worker is None or self._weights_step == self.trainer.step_count:
            return
        if self._send(("weights", None)):
            got = self._wait("weights", 30)
            if got is not None:
                step, state = got
                with self._mirror:
                    self.trainer.model.load_state_dict(state)
                self._weights_step = step

    # ------------------------------------------------------------------------------------ state

    @property
    def queue_position(self) -> int | None:
        return self.runner.position(self.id) if self._queued else None

    @property
    def worker_pid(self) -> int | None:
        w = self._worker
        return w.pid if w is not None else None


if __name__ == "__main__":  # a worker: python -m training.workers FD THREADS MEMORY_MB
    _serve(Connection(int(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]))
