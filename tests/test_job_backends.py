"""The job contract, on every backend (threads in the server; worker processes; Ray actors on a local
head started here): start, queue, pause, step, snapshot with probes, stop, failures with a sentence; and
what only separate processes promise: a crashed or memory-hungry job ends failed while the others train on."""

from __future__ import annotations

import os
import signal
import time

import pytest

from training import get_recipe
from training.jobs import JobRunner, make_job
from training.probes import plane_probe
from training.workers import WorkerPool

RAY_CPUS = 2  # the local head's CPUs: two one-CPU jobs run at once, a two-CPU job fills it
# the Ray tests share one local head, on one test worker
RAY = pytest.param("ray", marks=pytest.mark.xdist_group("ray"))
BACKENDS = ["thread", "process", RAY]


def _wait(pred, timeout=90.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


@pytest.fixture(scope="module")
def pool():
    p = WorkerPool(warm=2)
    yield p
    p.close()


@pytest.fixture(scope="module")
def ray_head():
    ray = pytest.importorskip("ray")
    from training.ray_jobs import connect

    connect("local", num_cpus=RAY_CPUS)
    yield ray
    ray.shutdown()


def _extra(backend, pool, request, cpus=1):
    if backend == "process":
        return {"pool": pool}
    if backend == "ray":
        request.getfixturevalue("ray_head")
        return {"cpus": cpus}
    return {}


def _job(backend, pool, request, runner=None, recipe="mlp_toy2d", cpus=1, **kw):
    kw.setdefault("num_steps", 50_000)
    trainer = get_recipe(recipe).trainer(**kw)
    return make_job(
        trainer, backend=backend, runner=runner or JobRunner(2), **_extra(backend, pool, request, cpus)
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_job_says_paused_only_once_its_step_is_final(backend, pool, request):
    """Pause without waiting for the worker: until it has ended its last slice the job is not "paused"
    (a remote job's mirror still shows an older step; CI once saw "paused" and then 393 more steps)."""
    job = _job(backend, pool, request)
    try:
        job.start()
        assert _wait(lambda: job.state == "running" and job.trainer.step_count > 50)
        job.pause(wait=0.0)
        assert _wait(lambda: job.snapshot()["state"] == "paused")
        at = job.snapshot()["step"]
        time.sleep(0.5)
        assert job.snapshot()["step"] == at and job.snapshot()["state"] == "paused"
    finally:
        job.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_start_snapshot_pause_step_stop(backend, pool, request):
    job = _job(backend, pool, request)
    assert job.backend == backend
    try:
        job.start()
        assert _wait(lambda: job.state == "running" and job.trainer.step_count > 50)
        snap = job.snapshot({"plane": plane_probe(job.trainer.data, 10)})
        assert snap["state"] == "running" and snap["step"] > 0 and snap["plane"]["out"].shape == (10, 10, 2)
        job.pause()
        assert job.state == "paused" and not job.is_active
        paused_at = job.trainer.step_count
        time.sleep(0.3)
        assert job.trainer.step_count == paused_at  # paused means paused
        job.step(5)
        assert job.trainer.step_count == paused_at + 5 and job.state == "paused"
        with job.lock:  # the model a view reads has the trained weights
            out = job.trainer.model(__import__("torch").from_numpy(job.trainer.data.x_test[:4]))
        assert out.shape == (4, 2)
        job.start()
        assert _wait(lambda: job.trainer.step_count > paused_at + 5)
        job.stop()
        assert job.state == "stopped" and not job.is_active
    finally:
        job.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_queue_beyond_the_runner_cap(backend, pool, request):
    """One job at a time (a runner of one; on Ray, jobs that each ask for all the head's CPUs)."""
    runner = JobRunner(max_concurrent=1)
    a, b = (
        _job(backend, pool, request, runner, cpus=RAY_CPUS),
        _job(backend, pool, request, runner, cpus=RAY_CPUS),
    )
    try:
        a.start()
        assert _wait(lambda: a.state == "running")
        b.start()
        assert _wait(lambda: b.state == "queued") and b.queue_position == 1 and b.trainer.step_count == 0
        a.pause()
        # (on Ray, b's actor is created only now: 90 s were not enough once under a loaded full run)
        assert _wait(lambda: b.state == "running" and b.trainer.step_count > 0, 240)
    finally:
        a.stop()
        b.stop()
    assert runner.running == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_diverging_run_ends_failed_with_a_sentence(backend, pool, request):
    job = _job(backend, pool, request, recipe="mlp_digits", lr=1e6, optimizer="sgd", num_steps=2000)
    try:
        job.start()
        assert _wait(lambda: job.state == "failed")
        assert "learning rate" in job.trainer.message and not job.is_active
    finally:
        job.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_run_ends_done_at_its_last_step(backend, pool, request):
    job = _job(backend, pool, request, recipe="mlp_digits", num_steps=60, eval_every=30)
    try:
        job.start()
        assert _wait(lambda: job.state == "done")
        assert job.trainer.step_count == 60 and "test_acc" in job.trainer.last_eval()
        assert [r["step"] for r in job.trainer.history if "test_loss" in r] == [30, 60]
    finally:
        job.stop()


@pytest.mark.parametrize("backend", ["thread", "process"])
def test_pause_is_answered_after_the_step_in_progress_not_at_the_slice_end(backend, pool, request):
    """A slice may be long (a big model, a loaded machine; a niced worker's 0.1 s of wall time); Pause
    ends it after the step in progress. Here a slice is ten minutes: Pause must still come back paused,
    with the step final, within its wait (a Ray actor finishes its call first: not tested there)."""
    trainer = get_recipe("mlp_toy2d").trainer(num_steps=50_000)
    job = make_job(
        trainer, backend=backend, runner=JobRunner(2), slice_s=600.0, **_extra(backend, pool, request)
    )
    try:
        for _ in range(2):  # and again after training on
            job.start()
            assert _wait(lambda: job.state == "running")
            job.pause(wait=60.0)
            assert job.state == "paused" and not job.is_active, job.state
            at = job.trainer.step_count
            job.step(3)  # the worker answers the next request too
            assert job.trainer.step_count == at + 3 and job.state == "paused"
    finally:
        job.stop()


def test_a_process_job_says_starting_while_its_worker_builds_and_paused_when_paused_then():
    """A job that has its slot but whose worker is still coming up (a cold worker: seconds of imports) is
    *starting*, not *queued* with no place; Pause in that moment leaves it *paused*, not *ready*."""
    cold = WorkerPool(warm=0)
    job = make_job(
        get_recipe("mlp_toy2d").trainer(num_steps=50_000), backend="process", runner=JobRunner(2), pool=cold
    )
    seen = []
    try:
        job.start()
        assert _wait(lambda: seen.append(job.state) or job.state == "running")
        assert "starting" in seen and "queued" not in seen, seen
        job.pause()
        job.start()
        assert _wait(lambda: job.state == "running")
        job.stop()
        job2 = make_job(
            get_recipe("mlp_toy2d").trainer(num_steps=50_000),
            backend="process",
            runner=JobRunner(2),
            pool=cold,
        )
        job2.start()
        assert job2.state == "starting" and job2.queue_position is None
        job2.pause()
        assert job2.state == "paused" and job2.trainer.step_count == 0
        job2.stop()
    finally:
        job.stop()
        cold.close()


@pytest.mark.parametrize("backend", ["process", RAY])
def test_a_killed_worker_fails_its_job_and_the_others_train_on(backend, pool, request):
    a, b = _job(backend, pool, request), _job(backend, pool, request)
    try:
        a.start()
        b.start()
        assert _wait(lambda: a.state == "running" and b.state == "running")
        os.kill(a.worker_pid, signal.SIGSEGV)  # a crash in native code, as a bad kernel would cause
        assert _wait(lambda: a.state == "failed")
        assert "stopped unexpectedly (a crash in native code" in a.trainer.message, a.trainer.message
        n = b.trainer.step_count
        assert _wait(lambda: b.trainer.step_count > n + 100) and b.state == "running"
    finally:
        a.stop()
        b.stop()


def test_a_runaway_allocation_fails_only_its_own_job(monkeypatch):
    """A worker may use ARCHATLAS_JOB_MEMORY_MB (here 1,500 MB): a step that asks for 16 GB ends its job
    failed with the out-of-memory sentence, in its own process; another job trains on."""
    import tests.fixtures.fault_recipes  # noqa: F401 (registers the recipe here)

    monkeypatch.setenv("ARCHATLAS_WORKER_IMPORTS", "tests.fixtures.fault_recipes")
    small = WorkerPool(warm=0, memory_mb=1500)
    runner = JobRunner(2)
    bad = make_job(get_recipe("runaway_allocation").trainer(), backend="process", runner=runner, pool=small)
    good = make_job(
        get_recipe("mlp_toy2d").trainer(num_steps=50_000), backend="process", runner=runner, pool=small
    )
    try:
        good.start()
        bad.start()
        assert _wait(lambda: bad.state == "failed", 180)
        assert "ran out of memory" in bad.trainer.message, bad.trainer.message
        n = good.trainer.step_count
        assert _wait(lambda: good.trainer.step_count > n + 100) and good.state == "running"
    finally:
        bad.stop()
        good.stop()
        small.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_job_continues_from_its_trainer_and_from_loaded_weights(backend, pool, request):
    """A trainer that already stepped is continued, not restarted; weights loaded into the trainer the
    page holds (a checkpoint upload) are the ones training goes on from."""

    t = get_recipe("mlp_digits").trainer(num_steps=1000, eval_every=10)
    t.step(10)
    job = make_job(t, backend=backend, runner=JobRunner(1), **_extra(backend, pool, request))
    try:
        job.step(5)
        assert job.trainer.step_count == 15 and [r["step"] for r in job.trainer.history][:2] == [1, 2]
        with job.lock:
            trained = sum(float(p.detach().abs().sum()) for p in job.trainer.model.parameters())
            for p in job.trainer.model.parameters():
                p.data.zero_()
        job.push_weights()
        job.step(1)  # one step from zeros: the weights stay far smaller than trained ones
        with job.lock:
            norm = sum(float(p.detach().abs().sum()) for p in job.trainer.model.parameters())
        assert job.trainer.step_count == 16 and norm < 0.1 * trained, (norm, trained)
    finally:
        job.stop()


def test_the_backend_follows_the_environment(monkeypatch):
    from training.jobs import backend_name

    monkeypatch.delenv("ARCHATLAS_JOBS", raising=False)
    monkeypatch.delenv("ARCHATLAS_RAY_ADDRESS", raising=False)
    assert backend_name() == "process"
    monkeypatch.setenv("ARCHATLAS_RAY_ADDRESS", "ray://head:10001")
    assert backend_name() == "ray"  # a cluster address alone chooses Ray
    monkeypatch.setenv("ARCHATLAS_JOBS", "thread")
    assert backend_name() == "thread"
    monkeypatch.setenv("ARCHATLAS_JOBS", "slurm")
    with pytest.raises(ValueError, match="choose one of thread, process, ray"):
        backend_name()


def test_a_warm_worker_serves_a_job_with_another_thread_count():
    """The thread count a job gets changes with how many jobs run; a warm worker takes any (it is set
    when the job is built), instead of being killed and replaced by a cold one."""
    p = WorkerPool(warm=1)
    try:
        p.prewarm(1)
        assert _wait(lambda: len(p._idle) == 1, 120)
        warm_pid = p._idle[0].pid
        w = p.take(2)
        assert w.pid == warm_pid and w.alive
        w.kill()
    finally:
        p.close()


def test_a_worker_jobs_own_snapshot_views_read_the_workers_weights(monkeypatch):
    """A trainer whose snapshot computes views from its model (a confusion matrix, a similarity matrix,
    detections) shows the worker's current weights, without the page asking for a probe: the audio and
    CLIP labs once drew an untrained model's views beside a trained model's accuracy."""
    import tests.fixtures.view_recipes  # noqa: F401 (registers the recipe here)

    monkeypatch.setenv("ARCHATLAS_WORKER_IMPORTS", "tests.fixtures.view_recipes")
    pool = WorkerPool(warm=0)
    job = make_job(get_recipe("weight_view").trainer(), backend="process", runner=JobRunner(1), pool=pool)
    try:
        before = job.snapshot()["weight_sum"]
        job.step(50)
        shown = job.snapshot()["weight_sum"]
        with job.lock:
            trained = sum(float(p.detach().abs().sum()) for p in job.trainer.model.parameters())
        assert shown == pytest.approx(trained) and abs(trained - before) > 1e-3 * before, (before, shown)
    finally:
        job.stop()
        pool.close()


def test_a_remote_jobs_probes_run_again_only_when_the_weights_or_the_probes_change(pool):
    """A job trained in a worker is drawn at every tick, waiting or not: its probes' results are kept
    while the mirror's weights stay (same step, no checkpoint loaded into it) and the probes are the same
    code with the same captured values; anything else runs them again."""
    import torch

    job = make_job(
        get_recipe("mlp_toy2d").trainer(num_steps=1000), backend="process", runner=JobRunner(1), pool=pool
    )
    x = job.trainer.splits["train"][0][:1]
    log = type("Log", (), {"calls": []})()  # an object: captured by identity, whatever it holds
    calls = log.calls

    def probes(scale, extra=None):
        def probe(model):
            log.calls.append(scale)
            return float(model(x)[0, 0]) * scale + (extra or {}).get("shift", 0.0)

        return {"p": probe}

    try:
        first = job.snapshot(probes(1.0))["p"]
        assert job.snapshot(probes(1.0))["p"] == first and calls == [1.0]  # new closures, same values
        job.snapshot(probes(2.0))
        assert calls == [1.0, 2.0]  # another captured value
        job.step(3)
        moved = job.snapshot(probes(1.0))["p"]
        assert len(calls) == 3 and moved != first  # the weights moved
        with job.lock:  # what a checkpoint upload does to the mirror
            for p in job.trainer.model.parameters():
                p.data.zero_()
        assert job.snapshot(probes(1.0))["p"] != moved and len(calls) == 4
        settings = {"shift": 0.0}
        job.snapshot(probes(1.0, settings))
        settings["shift"] = 1.0  # a mutable setting may change under the same identity: never kept
        assert job.snapshot(probes(1.0, settings))["p"] == job.snapshot(probes(1.0))["p"] + 1.0
        assert len(calls) == 6  # both with the dict ran; the plain one was kept from after the zeroing
        assert torch.is_tensor(x)  # captured by value
    finally:
        job.stop()


def test_a_worker_with_more_than_one_thread_times_one_and_keeps_the_faster(pool):
    """A job alone on the machine gets all its cores; its worker's first slices time one thread and that
    many, then train on with the faster (small models often run faster on one: the bench's
    process-backend ratio counts on it)."""
    from training.workers import default_threads

    runner = JobRunner(1)
    if default_threads(runner) < 2:
        pytest.skip("one core: nothing to choose")
    job = make_job(
        get_recipe("mlp_toy2d").trainer(num_steps=50_000), backend="process", runner=runner, pool=pool
    )
    try:
        job.start()
        assert _wait(lambda: len(job.thread_rates) == 2 and job.trainer.step_count > 0)
        assert set(job.thread_rates) == {1, default_threads(runner)}
        assert _wait(lambda: job.threads == max(job.thread_rates, key=job.thread_rates.get))
    finally:
        job.stop()
