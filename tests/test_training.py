"""The Trainer, recipes and background jobs: learning on fixed seeds, failure handling, controls."""

import threading
import time
from unittest.mock import patch

import pytest
import torch

from archs import ConfigError
from training import Job, JobRunner, get_recipe, list_recipes
from training.probes import confusion_probe, plane_probe


def test_same_seed_same_run():
    a = get_recipe("mlp_toy2d").trainer(seed=3, num_steps=50)
    b = get_recipe("mlp_toy2d").trainer(seed=3, num_steps=50)
    a.step(50)
    b.step(50)
    assert [r["loss"] for r in a.history] == [r["loss"] for r in b.history]


def test_diverging_run_fails_with_a_message():
    t = get_recipe("mlp_toy2d").trainer(lr=1e6, optimizer="sgd", num_steps=300)
    t.step(300)
    assert t.status == "failed" and "learning rate" in t.message
    t.step(10)  # a failed run stays failed and does not raise
    assert t.status == "failed"


def test_errors_inside_training_end_the_run_not_the_app():
    t = get_recipe("mlp_digits").trainer(num_steps=10)

    class Boom(type(t.task)):
        def loss(self, model, x, y):
            raise RuntimeError("shapes do not fit")

    t.task = Boom()
    t.step(5)
    assert t.status == "failed" and "shapes do not fit" in t.message


def test_out_of_memory_is_reported_plainly():
    t = get_recipe("mlp_digits").trainer(num_steps=10)

    class OOM(type(t.task)):
        def loss(self, model, x, y):
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")

    t.task = OOM()
    t.step(1)
    assert t.status == "failed" and "out of memory" in t.message and "batch size" in t.message


@pytest.mark.parametrize("opt", ["sgd", "momentum", "adam", "adamw"])
def test_every_optimizer_lowers_the_loss(opt):
    t = get_recipe("mlp_digits").trainer(
        optimizer=opt, lr={"sgd": 0.3, "momentum": 0.05}.get(opt, 1e-3), num_steps=150, seed=0
    )
    before = t.evaluate()["train_loss"]
    t.step(150)
    assert t.evaluate()["train_loss"] < 0.7 * before


def test_l1_shrinks_weights():
    def weight_l1(**kw):
        t = get_recipe("mlp_digits").trainer(num_steps=300, seed=0, **kw)
        t.step(300)
        return sum(p.abs().sum().item() for p in t.model.parameters() if p.dim() > 1)

    assert weight_l1(l1=1e-3) < 0.6 * weight_l1()


def test_recipe_settings_are_validated():
    r = get_recipe("mlp_toy2d")
    with pytest.raises(ConfigError, match="learning rate"):
        r.trainer(lr=0)
    with pytest.raises(ConfigError, match="Did you mean"):
        r.trainer(learning_rate=0.1)
    with pytest.raises(ConfigError, match="cap"):
        r.trainer(num_steps=10**7)
    with pytest.raises(ConfigError, match="feature"):
        r.trainer(features=())
    with pytest.raises(ConfigError, match="hidden_dims"):
        r.trainer(hidden_dims=(4, 0))
    assert {x.name for x in list_recipes()} >= {"mlp_toy2d", "mlp_digits"}
    assert [x.name for x in list_recipes("perceptron")] == ["mlp_toy2d", "mlp_digits"]


def test_run_for_and_history_rows():
    t = get_recipe("mlp_digits").trainer(num_steps=100_0, eval_every=10)
    t.run_for(0.2)
    assert 0 < t.step_count < 1000 and t.status == "paused"
    assert [r["step"] for r in t.history] == list(range(1, t.step_count + 1))
    evals = [r for r in t.history if "test_acc" in r]
    assert evals and all(r["step"] % 10 == 0 for r in evals)


def test_run_for_ends_its_slice_when_asked_between_steps():
    """``until`` is asked before each step after the first: a worker with a message waiting ends a slice
    of ten minutes after the step in progress."""
    t = get_recipe("mlp_toy2d").trainer(num_steps=1000)
    asked = []
    t.run_for(600.0, until=lambda: asked.append(t.step_count) or len(asked) == 3)
    assert t.step_count == 3 and asked == [1, 2, 3]
    assert t.status == "paused" and t.history  # the slice was flushed as any other


def test_probes_give_arrays_for_the_views():
    t = get_recipe("mlp_toy2d").trainer(name="blobs", num_classes=4, hidden_dims=(5, 3), num_steps=20)
    t.step(20)
    snap = t.snapshot({"plane": plane_probe(t.data, 30), "conf": confusion_probe(t.data)})
    assert snap["plane"]["out"].shape == (30, 30, 4)
    assert [h.shape for h in snap["plane"]["hidden"]] == [(30, 30, 5), (30, 30, 3)]
    assert snap["conf"]["confusion"].sum() == len(t.data.y_test)
    assert t.model.training  # probes leave the model in training mode


def _wait(pred, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_jobs_queue_beyond_the_limit_and_pause_within_a_tick():
    runner = JobRunner(max_concurrent=1)
    a = Job(get_recipe("mlp_digits").trainer(num_steps=50_000), runner=runner, slice_s=0.05)
    b = Job(get_recipe("mlp_digits").trainer(num_steps=50_000), runner=runner, slice_s=0.05)
    a.start()
    assert _wait(lambda: a.state == "running" and a.trainer.step_count > 0)
    b.start()
    assert _wait(lambda: b.state == "queued")
    assert b.queue_position == 1 and b.trainer.step_count == 0
    t0 = time.time()
    a.pause()
    # one slice (0.05 s) plus the lock hand-over; generous because CI runs two test workers on 2 cores
    assert time.time() - t0 < 2.0 and a.state == "paused"
    steps = a.trainer.step_count
    assert _wait(lambda: b.state == "running" and b.trainer.step_count > 0)
    time.sleep(0.2)
    assert a.trainer.step_count == steps  # paused means paused
    a.step(3)  # stepping while paused is allowed
    assert a.trainer.step_count == steps + 3
    b.stop()
    assert not b.is_active and b.state == "stopped"
    assert runner.running == 0


@pytest.mark.skipif((__import__("os").cpu_count() or 1) < 2, reason="one core: no thread counts to try")
def test_a_job_tries_thread_counts_once_per_model_and_batch(monkeypatch):
    import training.jobs

    monkeypatch.setattr(training.jobs, "_THREADS_CHOSEN", {})  # forget the other tests' jobs
    n = torch.get_num_threads()
    try:
        # runs long enough for any machine to finish the trial; each job is stopped once it has shown
        # what it chose (a 300-step run could end inside the first count's timing on a fast machine)
        first = Job(get_recipe("mlp_digits").trainer(num_steps=50_000, seed=5), runner=JobRunner(1))
        first.start()
        assert _wait(lambda: len(first._rates) == 2 and first.threads is not None, timeout=60)
        first.stop()
        assert first.threads in first._rates  # timed both, kept the faster
        again = Job(get_recipe("mlp_digits").trainer(num_steps=50_000, seed=6), runner=JobRunner(1))
        again.start()
        assert _wait(lambda: again.slices > 0, timeout=60)
        again.stop()
        assert again._rates == {} and again.threads == first.threads  # same model and batch: no trial
        other = Job(get_recipe("mlp_digits").trainer(num_steps=50_000, batch_size=16), runner=JobRunner(1))
        other.start()
        assert _wait(lambda: len(other._rates) == 2, timeout=60)  # another batch size is timed afresh
        other.stop()
    finally:
        torch.set_num_threads(n)


def test_job_runs_to_completion_and_respects_the_time_cap():
    j = Job(get_recipe("mlp_toy2d").trainer(num_steps=200), slice_s=0.05)
    j.start()
    assert _wait(lambda: j.state == "done")
    assert j.trainer.step_count == 200 and j.snapshot()["last_eval"]
    capped = Job(get_recipe("mlp_digits").trainer(num_steps=50_000), slice_s=0.05, max_seconds=0.3)
    capped.start()
    assert _wait(lambda: capped.state == "done")
    assert "time cap" in capped.trainer.message and capped.trainer.step_count < 50_000


def test_a_running_jobs_snapshot_does_not_wait_for_the_lock():
    """While the worker trains, the page reads the snapshot it published after its last slice: the
    page's tick never queues behind a slice, and the watched probes come with it."""
    job = Job(get_recipe("mlp_toy2d").trainer(num_steps=50_000), runner=JobRunner(1), slice_s=0.05)
    job.watch({"plane": plane_probe(job.trainer.data, 10)})
    job.start()
    try:
        assert _wait(lambda: job._published is not None and job.trainer.step_count > 0)
        entered = []
        real = type(job.lock).__enter__

        def spy(lock):
            entered.append(threading.current_thread().name)
            return real(lock)

        with patch.object(type(job.lock), "__enter__", spy):
            snaps = [job.snapshot() for _ in range(20)]
        assert threading.current_thread().name not in entered
        assert all(s["state"] == "running" and "plane" in s for s in snaps)
        assert snaps[-1]["step"] >= snaps[0]["step"]
    finally:
        job.stop()


def test_a_page_waiting_for_the_lock_gets_it_at_the_end_of_the_slice():
    """The lock is page-first: between asking and getting it, the worker finishes at most the slice
    it is in; it never takes the lock straight back while a page waits."""
    job = Job(get_recipe("mlp_digits").trainer(num_steps=50_000), runner=JobRunner(1), slice_s=0.05)
    job.start()
    try:
        assert _wait(lambda: job.slices > 2)
        for _ in range(20):
            asked = job.slices
            with job.lock:
                assert job.slices - asked <= 1
            time.sleep(0.01)
    finally:
        job.stop()


def test_a_page_waiting_for_the_lock_ends_the_workers_slice_after_the_step_in_progress():
    """A slice of ten minutes: a page asking for the lock gets it after the step in progress (else this
    test would wait the slice out), holds the model still while it reads, and the job trains on after."""
    job = Job(get_recipe("mlp_digits").trainer(num_steps=50_000), runner=JobRunner(1), slice_s=600.0)
    job.start()
    try:
        assert _wait(lambda: job.trainer.step_count > 5)
        for _ in range(3):
            with job.lock:
                at = job.trainer.step_count
                time.sleep(0.05)
                assert job.trainer.step_count == at
            assert _wait(lambda: job.trainer.step_count > at)
    finally:
        job.stop()


def test_pause_then_train_again_at_once_keeps_training():
    """Train pressed while the worker finishes the slice after Pause: the run goes on."""
    job = Job(get_recipe("mlp_digits").trainer(num_steps=50_000), runner=JobRunner(1), slice_s=0.05)
    job.start()
    try:
        assert _wait(lambda: job.trainer.step_count > 0)
        for _ in range(5):
            job.pause(wait=0)
            job.start()
        assert job.is_active
        s = job.trainer.step_count
        assert _wait(lambda: job.trainer.step_count > s and job.state == "running")
        job.pause()
        assert job.state == "paused" and not job.is_active
        s = job.trainer.step_count
        time.sleep(0.2)
        assert job.trainer.step_count == s
    finally:
        job.stop()


def test_a_run_that_learned_nothing_says_so_and_why():
    """Learning rate 10 with plain SGD on eight layers stays at chance: the run ends done, but with a
    warning that names the learning rate, not a green 'Finished'."""
    t = get_recipe("mlp_toy2d").trainer(
        name="circle",
        hidden_dims=(8,) * 8,
        activation="sigmoid",
        optimizer="sgd",
        lr=10.0,
        num_steps=300,
        seed=0,
    )
    t.step(300)
    if t.status == "failed":  # it may also diverge outright, which is reported as a failure
        assert "learning rate" in t.message
        return
    assert t.status == "done" and t.warning and "chance" in t.warning and "learning rate (10)" in t.warning
    good = get_recipe("mlp_toy2d").trainer(name="circle", num_steps=600, seed=0)
    good.step(600)
    assert good.status == "done" and good.warning is None, good.warning
