"""SSL: images per second of ``simclr_shapes`` training through the atlas's stepper Trainer beside a bare loop
(the same model, data, augmentations, NT-Xent and Adam written as a plain for-loop), measured in the same
run on one thread. ``python -m bench.ssl_bench`` prints one JSON row per repeat and the median ratio
atlas / bare (> 1 is faster; the Trainer's cost is its batching, bookkeeping and the per-step measures
alignment, uniformity and spread). Evaluations (probes) are left out of both: they run every
``eval_every`` steps in the atlas and are a page's choice.

Measured on 2 shared cores (other jobs running), one thread, 40 steps of 64 images, 3 repeats:
atlas 555 images/s, bare loop 591 images/s, median ratio 0.94 (repeats 0.94, 0.77, 1.18: the noise of
a shared machine).
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import torch

import archs
from data.augment import augment
from training import get_recipe
from training.ssl.losses import nt_xent


def atlas_images_s(steps: int, seed: int = 0) -> float:
    t = get_recipe("simclr_shapes").trainer(seed=seed, num_steps=steps + 1, eval_every=10**9)
    t.step(1)  # warm-up, outside the clock
    t0 = time.perf_counter()
    t.step(steps)
    wall = time.perf_counter() - t0
    assert t.status in ("paused", "done"), t.message
    return steps * t.batch_size / wall


def bare_images_s(steps: int, seed: int = 0) -> float:
    t = get_recipe("simclr_shapes").trainer(seed=seed, num_steps=1)  # its data and settings only
    torch.manual_seed(seed)
    model = archs.build_from_config(archs.get_arch("simclr"), t.config)
    opt = torch.optim.Adam(model.parameters(), lr=t.lr)
    x = torch.as_tensor(t.data.x_train)
    g = torch.Generator().manual_seed(seed)
    bs, ops, strength, tau = t.batch_size, t.ops, t.strength, t.tau
    model.train()

    def one() -> None:
        idx = torch.randint(0, len(x), (bs,), generator=g)
        v1, v2 = augment(x[idx], ops, strength, g), augment(x[idx], ops, strength, g)
        z1, z2 = model(torch.cat([v1, v2])).chunk(2)
        loss, _ = nt_xent(z1, z2, tau)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    one()  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        one()
    return steps * bs / (time.perf_counter() - t0)


def measure(steps: int = 40, repeats: int = 3) -> dict:
    torch.set_num_threads(1)
    rows = []
    for r in range(repeats):
        a, b = atlas_images_s(steps, r), bare_images_s(steps, r)
        rows.append({"repeat": r, "atlas_images_s": a, "bare_images_s": b, "ratio": a / b})
        print(
            json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in rows[-1].items()}),
            flush=True,
        )
    return {
        "recipe": "simclr_shapes",
        "atlas_images_s": statistics.median(r["atlas_images_s"] for r in rows),
        "bare_images_s": statistics.median(r["bare_images_s"] for r in rows),
        "ratio": statistics.median(r["ratio"] for r in rows),
    }


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    print(json.dumps(measure(steps=10 if quick else 40, repeats=1 if quick else 3)))
