"""Training jobs as Ray actors: the ``ray`` backend of ``training.jobs``, for a course that outgrows one
machine. Chosen when ``ARCHATLAS_RAY_ADDRESS`` is set (``ray://head:10001``, ``auto``, or ``local`` to
start a head in this process, as the tests do); ray is an optional extra (requirements-ray.txt).

The contract with the pages is the other backends' (see ``training.jobs`` and ``training.workers``):

- The page's Trainer stays in the server as the job's *mirror* (data, model for the views, progress).
- Train creates an actor (``num_cpus`` / ``num_gpus`` from ``ARCHATLAS_RAY_CPUS_PER_JOB``, or one GPU when
  the trainer's device is CUDA) that builds the same trainer from the mirror's recipe origin and its
  training state (weights, optimizer states, progress). Until Ray has placed the actor, the job is
  *queued*: Ray's scheduler, not this server, decides when it starts.
- A driver thread asks the actor for one slice at a time (``train_for``, 0.1 s) and applies the report
  (progress, new history rows, the family's mirrored attributes) to the mirror. Pause stops asking:
  training stops within one slice. The actor's state then comes back to the mirror and the actor ends,
  so a paused job holds no CPU or GPU of the cluster; Train again creates a new one from that state.
- Step while paused trains the mirror here, as the thread backend does (a few steps do not justify
  placing an actor); views fetch the actor's weights while it runs, as with worker processes.
- An actor that dies (a crash, Ray's memory monitor, a lost node) ends the job *failed* with a sentence.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import torch

from training.jobs import JobRunner, new_job_id
from training.remote import (
    ROOT,
    MirroredJob,
    Reporter,
    build_trainer,
    import_worker_modules,
    load_training_state,
    training_state,
)
from training.trainer import Trainer

_connect_lock = threading.Lock()
_actor_class = None
_pending: list[RayJob] = []  # this server's jobs whose actor Ray has not placed yet, oldest first
_pending_lock = threading.Lock()
_jobs: set[RayJob] = set()


def ray_address() -> str | None:
    return os.environ.get("ARCHATLAS_RAY_ADDRESS") or None


def connect(address: str | None = None, num_cpus: int | None = None):
    """Connect this process to Ray once (``local``: start a head here, with ``num_cpus`` CPUs)."""
    import ray

    with _connect_lock:
        if not ray.is_initialized():
            address = address or ray_address() or "local"
            local = address == "local"
            ray.init(
                address=None if local else address,
                num_cpus=(num_cpus or os.cpu_count() or 1) if local else None,
                include_dashboard=False,
                log_to_driver=False,
                namespace="archatlas",
                # the workers import this code base (a cluster's nodes run the same image: deploy/)
                runtime_env={
                    "env_vars": {
                        "PYTHONPATH": str(ROOT),
                        "ARCHATLAS_WORKER_IMPORTS": os.environ.get("ARCHATLAS_WORKER_IMPORTS", ""),
                    }
                },
            )
    return ray


class TrainerActor:
    """The remote side: one job's trainer, trained one slice per call."""

    def __init__(self, origin: tuple, state: dict[str, Any], threads: int):
        torch.set_num_threads(max(1, threads))
        import_worker_modules()
        self.trainer = build_trainer(origin, state)
        self.reporter = Reporter(self.trainer)

    def pid(self) -> int:
        return os.getpid()

    def train_for(self, seconds: float, max_seconds: float) -> dict[str, Any]:
        t = self.trainer
        t.run_for(seconds)
        t.cap_time(max_seconds)
        return self.reporter.report(running=not t.finished)

    def weights(self) -> tuple[int, dict[str, torch.Tensor]]:
        return self.trainer.step_count, {
            k: v.detach().cpu() for k, v in self.trainer.model.state_dict().items()
        }

    def state(self) -> dict[str, Any]:
        return {"training": training_state(self.trainer), "report": self.reporter.report(running=False)}

    def load(self, weights: dict[str, torch.Tensor]) -> None:
        self.trainer.model.load_state_dict(weights)


def _remote_class():
    global _actor_class
    if _actor_class is None:
        _actor_class = connect().remote(TrainerActor)
    return _actor_class


def counts() -> tuple[int, int]:
    """This server's Ray jobs: (running, waiting for Ray to place them)."""
    jobs = list(_jobs)
    return sum(j.state == "running" for j in jobs), sum(j.state == "queued" for j in jobs)


class RayJob(MirroredJob):
    """The thread Job's interface, with the training in a Ray actor (see the module docstring)."""

    backend = "ray"

    def __init__(
        self,
        trainer: Trainer,
        runner: JobRunner | None = None,  # accepted for the common signature: the cluster schedules
        slice_s: float = 0.1,
        max_seconds: float = 600.0,
        cpus: float | None = None,
        gpus: float | None = None,
        **_: Any,
    ):
        super().__init__(trainer)
        self.id = new_job_id()
        self.slice_s, self.max_seconds = slice_s, max_seconds
        self.cpus = cpus if cpus is not None else float(os.environ.get("ARCHATLAS_RAY_CPUS_PER_JOB", "1"))
        self.gpus = gpus if gpus is not None else (1.0 if trainer.device.type == "cuda" else 0.0)
        self._actor = None
        self._actor_pid: int | None = None
        self._driver: threading.Thread | None = None
        self._weights_step = trainer.step_count
        _remote_class()  # connect now: a page learns at once if the cluster cannot be reached

    # --------------------------------------------------------------------------------- controls

    def start(self) -> None:
        if self._stopped or self.trainer.finished:
            return
        self._want_run = self._started = True
        if self._driver is None or not self._driver.is_alive():
            self._wait_for_place()
            self._driver = threading.Thread(target=self._drive, daemon=True, name=f"rayjob-{self.id}")
            self._driver.start()

    def _wait_for_place(self, waiting: bool = True) -> None:
        """Enter (or leave) the list of this server's jobs waiting for Ray to place their actor."""
        with _pending_lock:
            if waiting and self not in _pending:
                _pending.append(self)
            elif not waiting and self in _pending:
                _pending.remove(self)
        self._queued = waiting

    def _place(self) -> bool:
        """Create the actor from the mirror's state and wait until Ray has placed it (queued until then)."""
        import ray

        with self._mirror:
            state = training_state(self.trainer)
        threads = max(1, int(self.cpus))
        actor = (
            _remote_class()
            .options(num_cpus=self.cpus, num_gpus=self.gpus)
            .remote(self.trainer.origin, state, threads)
        )
        try:
            ready = actor.pid.remote()
            while self._want_run and not self._stopped:
                done, _ = ray.wait([ready], timeout=0.1)
                if done:
                    self._actor_pid = ray.get(done[0])  # raises if the actor could not be built
                    self._actor = actor
                    return True
            ray.kill(actor)  # paused or stopped while waiting for a place
            return False
        finally:
            self._wait_for_place(False)

    def _drive(self) -> None:
        import ray

        _jobs.add(self)
        try:
            if not self._place():
                return
            self._running = True
            while self._want_run and not self._stopped:
                report = ray.get(self._actor.train_for.remote(self.slice_s, self.max_seconds))
                self._apply(report)
                if not report["running"]:
                    break
            self._release()
        except Exception as e:  # noqa: BLE001 - any failure of the remote side ends the job with a sentence
            self._fail(_sentence(e))
            self._kill()
        finally:
            self._wait_for_place(False)
            self._running = False
            if (
                self._want_run
                and not self._stopped
                and not self.trainer.finished
                and self.trainer.status != "failed"
            ):
                self._driver = None
                self.start()  # Train was pressed again while the last slice ended
            else:
                self._want_run = False

    def _release(self) -> None:
        """Bring the actor's state back to the mirror and end the actor: a paused job holds nothing."""
        import ray

        if self._actor is None:
            return
        got = ray.get(self._actor.state.remote())
        with self._mirror:
            load_training_state(self.trainer, got["training"])
        self._apply(got["report"])
        self._weights_step = self.trainer.step_count
        self._kill()

    def _kill(self) -> None:
        import ray

        actor, self._actor, self._actor_pid = self._actor, None, None
        if actor is not None:
            ray.kill(actor)

    def pause(self, wait: float = 5.0) -> None:
        """Stop asking for slices; returns when the last one has ended and the state is back here."""
        self._want_run = False
        d = self._driver
        if d is not None and d is not threading.current_thread():
            d.join(wait)

    def stop(self, wait: float = 5.0) -> None:
        self._stopped, self._want_run = True, False
        d = self._driver
        if d is not None and d is not threading.current_thread():
            d.join(wait)
        self._kill()
        _jobs.discard(self)

    def step(self, n: int = 1) -> None:
        """Train ``n`` steps now on the mirror (paused jobs keep their whole state here)."""
        if self.is_active or self._stopped or self.trainer.finished:
            return
        with self._mirror:
            self.trainer.step(n)
        self._weights_step = self.trainer.step_count

    def push_weights(self) -> None:
        """The mirror's weights were replaced (a checkpoint upload): a running actor trains on from them."""
        actor = self._actor
        if actor is not None:
            with self._mirror:
                state = {k: v.detach().cpu() for k, v in self.trainer.model.state_dict().items()}
            actor.load.remote(state)
            self._weights_step = self.trainer.step_count

    # ------------------------------------------------------------------------------- the mirror

    def _sync_weights(self) -> None:
        import ray

        actor = self._actor
        if actor is None or self._weights_step == self.trainer.step_count:
            return
        try:
            step, state = ray.get(actor.weights.remote(), timeout=30)
        except Exception:  # noqa: BLE001 - the actor ended meanwhile: the mirror has its final state
            return
        with self._mirror:
            self.trainer.model.load_state_dict(state)
        self._weights_step = step

    # ------------------------------------------------------------------------------------ state

    @property
    def queue_position(self) -> int | None:
        """1 for the oldest of this server's jobs that Ray has not placed yet."""
        with _pending_lock:
            return _pending.index(self) + 1 if self in _pending else None

    @property
    def worker_pid(self) -> int | None:
        return self._actor_pid


def _sentence(e: Exception) -> str:
    """Why the remote side failed, in the words the other backends use."""
    name = type(e).__name__
    text = str(e)
    if "OutOfMemory" in name or "out of memory" in text.lower():
        return "The training ran out of memory on the cluster; try a smaller model or batch."
    if "ActorDied" in name or "ActorError" in name or "WorkerCrashed" in name:
        return (
            "The training stopped unexpectedly (a crash in native code, or its Ray worker or node was lost)."
        )
    first = text.strip().splitlines()[-1] if text.strip() else name
    return f"The training failed on the cluster: {first[:300]}"
