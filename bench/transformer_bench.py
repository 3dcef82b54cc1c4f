"""Transformer benchmarks, each a ratio or a time measured in this run:

1. tokens per second of ``char_gpt`` training through the app's Trainer against a bare PyTorch loop
   on the same model, data, batch size and optimizer (ratio; 1.0 = no overhead);
2. the time to draw GPT-3 (175B) on the meta device: trace, collapse the ×96 blocks, build the figure.

    python -m bench.transformer_bench [--steps 150] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

import archs
from archs.collapse import collapse_depth, collapse_repeats, repeat_runs
from archs.introspect import trace_graph
from archs.spec import to_device
from training.recipes import get_recipe
from viz.model_graph import graph_figure


def bare_loop(steps: int, seed: int = 0) -> float:
    """Tokens/s of the same model and data trained by a plain loop."""
    t = get_recipe("char_gpt").trainer(num_steps=10**4, seed=seed)
    model, opt = t.model, torch.optim.AdamW(t.model.parameters(), lr=t.lr)
    x_all, y_all = t.splits["train"]
    g = torch.Generator().manual_seed(seed)
    model.train()
    start = time.perf_counter()
    for _ in range(steps):
        idx = torch.randint(0, len(x_all), (t.batch_size,), generator=g)
        x, y = x_all[idx], y_all[idx]
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    float(loss.detach())
    return steps * t.batch_size * x_all.shape[1] / (time.perf_counter() - start)


def trainer_loop(steps: int, seed: int = 0) -> float:
    t = get_recipe("char_gpt").trainer(num_steps=10**4, eval_every=10**4, seed=seed)
    start = time.perf_counter()
    t.step(steps)
    return steps * t.batch_size * t.splits["train"][0].shape[1] / (time.perf_counter() - start)


def gpt3_graph_seconds() -> tuple[float, int]:
    start = time.perf_counter()
    spec = archs.get_arch("gpt3")
    cfg = spec.make_config("canonical")
    model = archs.build_from_config(spec, cfg, "meta")
    G = trace_graph(model, to_device(spec.example_input(cfg), "meta"))
    blocks = collapse_depth(G, 3)  # the page's block view: embeddings, decoder.blocks.i, head
    graph_figure(collapse_repeats(blocks))
    runs = repeat_runs(blocks)
    assert runs and len(runs[0]) == 96, "the 96 blocks should collapse to one ×96 node"
    return time.perf_counter() - start, G.number_of_nodes()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    bare_loop(10), trainer_loop(10)  # warm up
    ratios, bares = [], []
    for _ in range(args.rounds):  # alternate so drifting machine load hits both alike
        b = bare_loop(args.steps)
        tr = trainer_loop(args.steps)
        bares.append(b)
        ratios.append(tr / b)
    print(f"char_gpt bare loop: median {statistics.median(bares):,.0f} tokens/s")
    print(
        f"Trainer / bare ratio: median {statistics.median(ratios):.2f} (rounds: "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + ")"
    )
    secs, nodes = gpt3_graph_seconds()
    print(f"GPT-3 (175B) graph on meta: {secs:.1f} s to trace {nodes:,} nodes, collapse and draw")


if __name__ == "__main__":
    main()
