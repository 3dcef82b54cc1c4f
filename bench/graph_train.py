"""Graph networks: training steps per second of the atlas's Trainer on ``gcn_karate`` and
``gat_bashapes`` against a bare torch-geometric loop on the same model, graph and optimizer (full batch:
run the network on the whole graph, cross-entropy on the labelled nodes, backward, step), measured in
the same run on one thread. ``python -m bench.graph_train`` prints one row per recipe; the ratio is
Trainer / bare (1.0 = no overhead).
"""

from __future__ import annotations

import copy
import json
import time

import torch
import torch.nn.functional as F

from training import get_recipe


def bare_rate(t, steps: int) -> float:
    """Steps per second of a plain PyG training loop on a copy of the trainer's model."""
    model = copy.deepcopy(t.model).train()
    opt = torch.optim.Adam(model.parameters(), lr=t.optimizer.defaults["lr"])
    g = t.data.graph
    train = torch.as_tensor(t.data.x_train)
    y = g.y[train]
    t0 = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(g.x, g.edge_index)[train], y).backward()
        opt.step()
    return steps / (time.perf_counter() - t0)


def trainer_rate(t, steps: int) -> float:
    t0 = time.perf_counter()
    t.step(steps)
    return steps / (time.perf_counter() - t0)


def measure(name: str, steps: int = 200, repeats: int = 3) -> dict:
    torch.set_num_threads(1)
    t = get_recipe(name).trainer(num_steps=steps * (repeats + 1) + 10, eval_every=10**9)
    t.step(5)  # warm-up: first-call allocations on both sides
    bare_rate(t, 5)
    atlas, bare = [], []
    for _ in range(repeats):  # interleaved, so that a busy moment hits both
        atlas.append(trainer_rate(t, steps))
        bare.append(bare_rate(t, steps))
    a, b = max(atlas), max(bare)
    return {
        "recipe": name,
        "arch": t.arch,
        "atlas_steps_s": round(a, 1),
        "bare_pyg_steps_s": round(b, 1),
        "ratio": round(a / b, 3),
    }


if __name__ == "__main__":
    for name in ("gcn_karate", "gat_bashapes"):
        print(json.dumps(measure(name)), flush=True)
