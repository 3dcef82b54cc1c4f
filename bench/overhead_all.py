"""Training overhead for every recipe: samples per second through the app's Trainer (stepped
directly), through a background Job on a thread, and through a Job in a worker process (the server's
default backend), against a bare loop doing the same work on the same model, data, batch size and
device (``task.loss``, backward, optimizer step, one host sync at the end), on the main thread, at the
faster of torch's default thread count and one thread (on 2 shared cores one thread is often faster for
the small models, and a baseline must be the best a plain loop does).

The worker process's rate is its own training time (``train_seconds``: the slices, not the start of
the process, which a warm pool hides from users, nor the reports between slices).

Recipes whose family uses its own Trainer subclass (two optimizers, samplers...) have no generic
bare loop; they are measured through the Trainer and the Job only and marked so.
"""

from __future__ import annotations

import copy
import statistics
import time

import torch

from training import Job, JobRunner, Trainer, get_recipe, list_recipes


def _bare(t: Trainer, steps: int) -> float:
    model = copy.deepcopy(t.model)
    opt = type(t.optimizer)(
        model.parameters(),
        **{
            k: v
            for k, v in t.optimizer.defaults.items()
            if k in ("lr", "momentum", "weight_decay", "betas", "eps")
        },
    )
    x, y = t.splits["train"]
    g = torch.Generator(device=t._gen.device).manual_seed(0)
    n, bs = len(x), min(t.batch_size, len(x))
    perm, cursor, losses = None, n, []
    t0 = time.perf_counter()
    for _ in range(steps):
        if bs < n:
            if cursor + bs > n:
                perm, cursor = torch.randperm(n, generator=g, device=g.device).to(x.device), 0
            idx = perm[cursor : cursor + bs]
            cursor += bs
            xb, yb = x[idx], y[idx]
        else:
            xb, yb = x, y
        loss = t.task.loss(model, xb, yb)
        loss = loss[0] if isinstance(loss, tuple) else loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.detach())
    torch.stack(losses).tolist()
    if x.device.type == "cuda":
        torch.cuda.synchronize()
    return steps * bs / (time.perf_counter() - t0)


def _bare_threads(name: str, steps: int, threads: int) -> float:
    """The bare loop with ``threads`` intra-op threads (the setting restored after)."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        return _bare(get_recipe(name).trainer(num_steps=steps, seed=0), steps)
    finally:
        torch.set_num_threads(before)


def _through_process(name: str, steps: int, pool) -> float:
    from training.jobs import make_job

    t = get_recipe(name).trainer(num_steps=steps, seed=0, eval_every=10**9)
    bs = min(t.batch_size, len(t.splits["train"][0]))
    j = make_job(t, backend="process", runner=JobRunner(1), pool=pool)
    j.start()
    while j.state not in ("done", "failed"):
        time.sleep(0.01)
    j.stop()
    return steps * bs / max(j.trainer.train_seconds, 1e-9)


def _through_trainer(name: str, steps: int, job: bool) -> float:
    t = get_recipe(name).trainer(num_steps=steps, seed=0, eval_every=10**9)
    bs = min(t.batch_size, len(t.splits["train"][0]))
    if not job:
        t0 = time.perf_counter()
        t.step(steps)
        return steps * bs / (time.perf_counter() - t0)
    j = Job(t, runner=JobRunner(1), slice_s=0.1)
    t0 = time.perf_counter()
    j.start()
    while j.is_active:
        time.sleep(0.002)
    return steps * bs / (time.perf_counter() - t0)


def measure(name: str, seconds: float = 1.5, rounds: int = 3, max_steps: int = 5000, pool=None) -> dict:
    probe = get_recipe(name).trainer(num_steps=max_steps, seed=0, eval_every=10**9)
    probe.step(3)  # first steps pay one-off costs (allocations, optimizer state): not a step's cost
    t0 = time.perf_counter()
    probe.step(5)
    per_step = (time.perf_counter() - t0) / 5
    steps = max(5, min(max_steps, int(seconds / max(per_step, 1e-6))))
    generic = type(probe) is Trainer
    default_threads = torch.get_num_threads()
    rates: dict[str, list[float]] = {"bare": [], "trainer": [], "job": [], "process": []}
    for _ in range(rounds):
        if generic:  # the bare loop at its faster thread count: torch's default (one per core) or one
            rates["bare"].append(max(_bare_threads(name, steps, n) for n in (default_threads, 1)))
        rates["trainer"].append(_through_trainer(name, steps, job=False))
        rates["job"].append(_through_trainer(name, steps, job=True))
        if pool is not None:
            rates["process"].append(_through_process(name, steps, pool))
    out = {
        "recipe": name,
        "device": str(probe.device),
        "steps": steps,
        "batch_size": probe.batch_size,
        "trainer_samples_per_s": round(statistics.median(rates["trainer"])),
        "job_samples_per_s": round(statistics.median(rates["job"])),
    }
    if rates["process"]:
        out["process_samples_per_s"] = round(statistics.median(rates["process"]))
    if generic:
        out["bare_samples_per_s"] = round(statistics.median(rates["bare"]))
        out["trainer_ratio"] = round(
            statistics.median(a / b for a, b in zip(rates["trainer"], rates["bare"], strict=True)), 3
        )
        out["job_ratio"] = round(
            statistics.median(a / b for a, b in zip(rates["job"], rates["bare"], strict=True)), 3
        )
        if rates["process"]:
            out["process_ratio"] = round(
                statistics.median(a / b for a, b in zip(rates["process"], rates["bare"], strict=True)), 3
            )
    else:
        out["note"] = f"custom trainer ({type(probe).__name__}): no generic bare loop"
    return out


def run(quick: bool = False, only: list[str] | None = None, processes: bool = True) -> list[dict]:
    from training.workers import WorkerPool

    names = only or [r.name for r in list_recipes()]
    if quick and not only:
        names = [n for n in names if n in ("mlp_toy2d", "mlp_digits")]  # CI: check that it runs
    rows = []
    pool = WorkerPool(warm=1) if processes else None
    try:
        for name in names:
            try:
                rows.append(
                    measure(
                        name,
                        seconds=0.2 if quick else 1.5,
                        rounds=1 if quick else 3,
                        max_steps=50 if quick else 5000,
                        pool=pool,
                    )
                )
            except Exception as e:  # one broken recipe must not hide the others' figures
                rows.append({"recipe": name, "error": f"{type(e).__name__}: {e}"[:200]})
    finally:
        if pool is not None:
            pool.close()
    return rows
