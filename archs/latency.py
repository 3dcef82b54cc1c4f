"""Forward latency measured on this machine: a model's inference time for a batch of 1 and of 32.

Timing follows the usual practice of benchmark suites (torch.utils.benchmark, timm's benchmark script):
weights and inputs made once, one warm-up pass (lazy initialisation, allocator, kernel choice), then
repeated passes under ``torch.inference_mode`` until a time budget is used, with the device
synchronised around each; the median is reported, since a busy machine adds only positive noise.

A measurement that cannot fit is refused with a sentence, not attempted: weights over 3 GB (a
175-billion-parameter model is counted on ``meta``, never run), weights plus the batch's activations
over 8 GB, or an estimated run longer than the time cap (from the batch of 1's time, scaled by the
batch size).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

import torch

from archs.registry import build_from_config, count_params
from archs.spec import ArchSpec, is_graph_input, to_device

MAX_WEIGHTS = 3 * 2**30  # float32 weights a measured model may have
# weights plus a batch's activations, where every module's output counts as kept (the Summary's estimate):
# an upper bound, since inference frees each output once used; ResNet-50 at batch 32 is 5.4 GB by it
MAX_BYTES = 8 * 2**30
MAX_SECONDS = 15.0  # the longest one batch size's measurement may be expected to take (warm-up + 2 runs)


class LatencyRefused(RuntimeError):
    """A measurement that would not fit this machine, with the reason as a sentence."""


@dataclass(frozen=True)
class Latency:
    batch: int
    median_s: float
    runs: int
    device: str
    threads: int

    @property
    def per_example_ms(self) -> float:
        return 1000 * self.median_s / self.batch

    @property
    def throughput(self) -> float:  # examples per second
        return self.batch / self.median_s


def batched(example: Any, batch: int) -> Any:
    """The example input with its first example repeated ``batch`` times along the batch axis (every
    registered architecture's example input is a tensor, or a tuple of tensors, batch first). A graph
    network's example (x, edge_index[, edge_attr][, ptr]) is one graph, or one batch of graphs: here
    ``batch`` copies of it side by side, as one disconnected graph (node ids offset, edge features
    copied, ``ptr`` extended), as torch-geometric batches graphs; an "example" is then a whole copy."""
    if is_graph_input(example):
        x, edge_index, *rest = example
        n = x.shape[0]
        offsets = torch.arange(batch, device=edge_index.device).repeat_interleave(edge_index.shape[1]) * n
        out = [x.repeat(batch, 1), edge_index.repeat(1, batch) + offsets]
        for t in rest:
            if t.is_floating_point():  # edge features (E, D): one row per edge, copied with the edges
                out.append(t.repeat(batch, *([1] * (t.dim() - 1))))
            else:  # ptr (G + 1,): each copy's graphs start after the previous copies' nodes
                out.append(torch.cat([t[:-1] + i * n for i in range(batch)] + [t[-1:] + (batch - 1) * n]))
        return type(example)(out)
    if isinstance(example, torch.Tensor):
        first = example[:1]
        return first.repeat(batch, *([1] * (first.dim() - 1)))
    if isinstance(example, (tuple, list)):
        return type(example)(batched(t, batch) for t in example)
    return example


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_forward(
    model: torch.nn.Module, inputs: Any, budget_s: float = 1.0, max_runs: int = 25
) -> list[float]:
    """Seconds per forward pass: one warm-up, then passes until ``budget_s`` is spent (at least 2)."""
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    args = inputs if isinstance(inputs, tuple) else (inputs,)
    times: list[float] = []
    with torch.inference_mode():
        model(*args)  # warm-up
        _sync(device)
        spent = 0.0
        while len(times) < 2 or (spent < budget_s and len(times) < max_runs):
            t0 = time.perf_counter()
            model(*args)
            _sync(device)
            times.append(time.perf_counter() - t0)
            spent += times[-1]
    return times


def forward_latency(
    spec: ArchSpec,
    cfg: Any,
    batches: tuple[int, ...] = (1, 32),
    device: str | torch.device = "cpu",
    activation_bytes_per_example: int | None = None,
    budget_s: float = 1.0,
) -> dict[int, Latency | str]:
    """For each batch size, its Latency, or the sentence saying why it was not measured.

    ``activation_bytes_per_example`` (the Summary's activation estimate) lets a batch too large for
    ``MAX_BYTES`` be refused before anything is allocated; the model itself is refused if its weights
    alone exceed ``MAX_WEIGHTS``."""
    device = torch.device(device)
    n_params = count_params(build_from_config(spec, cfg, "meta"))
    weight_bytes = 4 * n_params
    if weight_bytes > MAX_WEIGHTS:
        raise LatencyRefused(
            f"{spec.title} holds {weight_bytes / 2**30:,.1f} GB of float32 weights, more than the "
            f"{MAX_WEIGHTS / 2**30:.0f} GB a measurement may use here: it is counted, not run."
        )
    torch.manual_seed(0)
    model = build_from_config(spec, cfg, device).eval()
    example = to_device(spec.example_input(cfg), device)
    if is_graph_input(example) and activation_bytes_per_example:  # counted per node; a batch is whole graphs
        activation_bytes_per_example *= int(example[0].shape[0])
    out: dict[int, Latency | str] = {}
    first: float | None = None
    for b in sorted(batches):
        need = weight_bytes + b * (activation_bytes_per_example or 0)
        if need > MAX_BYTES:
            out[b] = f"not run: a batch of {b} needs about {need / 2**30:.1f} GB here"
            continue
        if first is not None and first * b * 3 > MAX_SECONDS:  # warm-up + at least 2 runs
            out[b] = f"not run: about {first * b:.0f} s per pass here (from the batch of {batches[0]})"
            continue
        try:
            times = time_forward(model, batched(example, b), budget_s)
        except torch.OutOfMemoryError:
            out[b] = f"not run: out of memory on {device.type.upper()} at a batch of {b}"
            if device.type == "cuda":
                torch.cuda.empty_cache()
            continue
        med = statistics.median(times)
        first = med / b if first is None else first
        out[b] = Latency(b, med, len(times), device.type, torch.get_num_threads())
    return out
