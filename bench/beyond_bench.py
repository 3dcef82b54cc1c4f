"""Beyond attention: what the two computations of each model cost, measured in the same run on one
thread. ``python -m bench.beyond_bench`` prints one JSON row per measure and repeat, then the medians.

- ``moe``: a Mixtral-style MoE layer (8 SwiGLU experts, top-2, d 256, 4,096 tokens) dispatching each
  token to its experts only, against every expert on every token (what the layer would cost dense):
  the ratio dense / sparse is the saving sparse routing buys, ideally E / k = 4.
- ``s4``: one S4D layer (64 channels, N 64) on a 1,024-step sequence, as a convolution with its kernel
  against the step-by-step recurrence: how much the parallel form buys in training.
- ``rwkv``: RWKV-4's time mixing over 256 tokens in its parallel form against the recurrent one.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

import torch

import archs
from archs.beyond.moe_layers import MoELayer
from archs.beyond.s4 import S4DLayer


def _seconds(fn: Callable[[], object], repeat: int = 3) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


@torch.no_grad()
def moe(tokens: int = 4096, d: int = 256) -> dict:
    torch.manual_seed(0)
    layer = MoELayer(d, 4 * d, num_experts=8, top_k=2).eval()
    x = torch.randn(1, tokens, d)
    layer(x)
    r = layer.last_routing
    flat = x.reshape(-1, d)
    sparse = _seconds(lambda: layer(x))
    dense = _seconds(lambda: layer.experts.expert_all(flat, _dense_weights(r["topk"], r["weights"], 8)))
    return {"measure": "moe", "sparse_s": sparse, "dense_s": dense, "ratio": dense / sparse}


def _dense_weights(topk: torch.Tensor, weights: torch.Tensor, e: int) -> torch.Tensor:
    """(N, E) combine weights, zero for the experts a token was not sent to."""
    return torch.zeros(topk.shape[0], e).scatter(1, topk, weights)


@torch.no_grad()
def s4(length: int = 1024, channels: int = 64, n: int = 64) -> dict:
    torch.manual_seed(0)
    layer = S4DLayer(channels, n).eval()
    u = torch.randn(1, length, channels)
    conv = _seconds(lambda: layer(u, mode="conv"))
    rec = _seconds(lambda: layer(u, mode="recurrent"), repeat=1)
    return {"measure": "s4", "conv_s": conv, "recurrent_s": rec, "ratio": rec / conv}


@torch.no_grad()
def rwkv(length: int = 256) -> dict:
    torch.manual_seed(0)
    model = archs.build_model("rwkv", "tiny", vocab_size=256, embed_dim=64, num_layers=2).eval()
    x = torch.randint(0, 256, (1, length))
    par = _seconds(lambda: model(x, mode="parallel"))
    rec = _seconds(lambda: model(x, mode="recurrent"), repeat=1)
    return {"measure": "rwkv", "parallel_s": par, "recurrent_s": rec, "ratio": rec / par}


def measure(repeats: int = 3, quick: bool = False) -> dict:
    torch.set_num_threads(1)
    sizes = dict(moe=dict(tokens=512), s4=dict(length=128), rwkv=dict(length=64)) if quick else {}
    rows = []
    for r in range(1 if quick else repeats):
        for fn in (moe, s4, rwkv):
            row = {"repeat": r, **fn(**sizes.get(fn.__name__, {}))}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return {
        m: statistics.median(x["ratio"] for x in rows if x["measure"] == m) for m in ("moe", "s4", "rwkv")
    }


if __name__ == "__main__":
    print(json.dumps({"median_ratios": measure(quick="quick" in sys.argv[1:])}))
