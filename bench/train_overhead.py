"""Training overhead: samples per second of the app's Trainer (and of a background Job) against a
bare PyTorch loop on the same model, data, batch size and device, in the same process.

    python -m bench.train_overhead [--steps 1500] [--repeats 3]

Target: ratio >= 0.95. Runs alternate (bare, trainer, job) so drift on the machine hits all alike.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from training import Job, JobRunner, get_recipe  # noqa: E402


def bare_loop(model, x, y, batch_size: int, steps: int, lr: float, seed: int) -> float:
    """The same work as the Trainer with nothing around it: returns samples per second."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator(device=x.device).manual_seed(seed)
    n = len(x)
    perm, cursor = None, n
    losses = []
    t0 = time.perf_counter()
    for _ in range(steps):
        if cursor + batch_size > n:
            perm, cursor = torch.randperm(n, generator=g, device=x.device), 0
        idx = perm[cursor : cursor + batch_size]
        cursor += batch_size
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.detach())
    torch.stack(losses).tolist()  # the same single host sync the Trainer does
    if x.device.type == "cuda":
        torch.cuda.synchronize()
    return steps * batch_size / (time.perf_counter() - t0)


def trainer_rate(steps: int, seed: int, via_job: bool) -> float:
    t = get_recipe("mlp_digits").trainer(num_steps=steps, seed=seed, eval_every=10**9)
    if not via_job:
        t0 = time.perf_counter()
        t.step(steps)
        return steps * t.batch_size / (time.perf_counter() - t0)
    job = Job(t, runner=JobRunner(1), slice_s=0.1)
    t0 = time.perf_counter()
    job.start()
    while job.is_active:
        time.sleep(0.002)
    return steps * t.batch_size / (time.perf_counter() - t0)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)
    ref = get_recipe("mlp_digits").trainer(num_steps=args.steps, seed=0)
    x, y = ref.splits["train"]
    runs = {
        "bare": lambda: bare_loop(copy.deepcopy(ref.model), x, y, ref.batch_size, args.steps, ref.lr, 0),
        "trainer": lambda: trainer_rate(args.steps, 0, via_job=False),
        "job": lambda: trainer_rate(args.steps, 0, via_job=True),
    }
    runs["bare"]()  # warm-up: allocator, kernels, thread pools
    rates: dict[str, list[float]] = {k: [] for k in runs}
    names = list(runs)
    for r in range(args.repeats):  # rotate the order each round so drift on the machine hits all alike
        for k in names[r % 3 :] + names[: r % 3]:
            rates[k].append(runs[k]())
    med = {k: statistics.median(v) for k, v in rates.items()}
    ratio = {
        k: statistics.median(a / b for a, b in zip(rates[k], rates["bare"], strict=True))
        for k in ("trainer", "job")
    }
    out = {
        "device": str(x.device),
        "steps": args.steps,
        "batch_size": ref.batch_size,
        "repeats": args.repeats,
        "bare_samples_per_s": round(med["bare"]),
        "trainer_samples_per_s": round(med["trainer"]),
        "job_samples_per_s": round(med["job"]),
        "trainer_ratio": round(ratio["trainer"], 3),
        "job_ratio": round(ratio["job"], 3),
    }
    print(
        f"mlp_digits on {out['device']}, batch {out['batch_size']}, {args.steps} steps, "
        f"median of {args.repeats} rounds"
    )
    print(f"  bare PyTorch loop : {out['bare_samples_per_s']:>10,} samples/s")
    tr, jb = out["trainer_ratio"], out["job_ratio"]
    print(f"  Trainer.step      : {out['trainer_samples_per_s']:>10,} samples/s   ratio {tr:.3f}")
    print(f"  Job (thread)      : {out['job_samples_per_s']:>10,} samples/s   ratio {jb:.3f}")
    print("  target: ratio >= 0.95 (the ratio is the median of per-round ratios)")
    return out


if __name__ == "__main__":
    main()
