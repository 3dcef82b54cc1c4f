"""Compression: size and CPU latency of the base model (LeNet-5 on 28×28 digits, training.compression)
against its torchao int8 versions and its pruned versions, all measured in one run on one thread and printed
as ratios against the fp32 baseline of the same run. ``python -m bench.compression_bench`` prints one JSON
row per model (``--quick``: fewer repeats).

Rows: fp32; torchao int8 weight-only and int8 dynamic (the Linear layers; the convolutions stay fp32); 90 %
global magnitude pruning, made permanent (dense tensors with zeros: the same bytes and work as fp32, the
sparse-storage estimate beside it); 50 % structured channel pruning, masks made permanent (still dense).
Latency: the median of repeated forward passes of 1 and of 64 digits after a warm-up.

Measured once on 2 shared cores while a browser test ran beside it (so the latencies are noisy), one
thread, torch 2.13 CPU, torchao 0.18 (ratios fp32 / model, > 1 is faster):

    model                 size   speed b1  speed b64  test acc
    int8 weight-only     0.288     0.46      0.84      0.975
    int8 dynamic         0.288     0.02      0.59      0.975
    pruned global 90 %   1.000     0.96      1.63*     0.914 (no fine-tuning; sparse estimate 0.157)
    pruned channels 50 % 1.000     1.36*     1.54*     0.774 (no fine-tuning)

On a model this small torchao's int8 is smaller but not faster on a CPU: the convolutions dominate and the
int8 path pays for its conversions. Masked pruning does no less work, so the starred ratios are the noise of
the shared machine, not a speed-up; rerun on a quiet machine before quoting them.
"""

from __future__ import annotations

import json
import sys

import torch

from training import compression as cmp


def rows(repeats: int = 30) -> list[dict]:
    torch.set_num_threads(1)
    base = cmp.base_model()
    models = {"fp32": base}
    for mode in ("int8_weight_only", "int8_dynamic"):
        models[mode] = cmp.quantize(base, mode)
    models["pruned global 90%"] = cmp.finalize(cmp.prune_model(cmp.base_model(), "global", 0.9))
    models["pruned channels 50%"] = cmp.finalize(cmp.prune_model(cmp.base_model(), "channels", 0.5))
    out = []
    for name, m in models.items():
        out.append(
            dict(
                model=name,
                bytes=cmp.model_bytes(m),
                sparse_bytes=cmp.sparse_bytes(m) if name.startswith("pruned") else None,
                acc=round(cmp.accuracy(m), 4),
                ms_b1=cmp.latency_ms(m, batch=1, repeats=repeats * 4),
                ms_b64=cmp.latency_ms(m, batch=64, repeats=repeats),
            )
        )
    ref = out[0]
    for r in out:
        r["size_ratio"] = round(r["bytes"] / ref["bytes"], 4)
        r["speed_ratio_b1"] = round(ref["ms_b1"] / r["ms_b1"], 3)
        r["speed_ratio_b64"] = round(ref["ms_b64"] / r["ms_b64"], 3)
    return out


def main(argv: list[str]) -> list[dict]:
    out = rows(repeats=5 if "--quick" in argv else 30)
    for r in out:
        print(json.dumps(r))
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
