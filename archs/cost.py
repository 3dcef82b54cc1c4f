"""Mult-adds: the one counter behind the Summary, the CNN family chart and the benchmarks.

A mult-add is one multiplication accumulated into a sum: the work of matrix products and convolutions.
It is counted at the level of PyTorch's operators while the model runs once (a ``TorchDispatchMode``,
on any device, ``meta`` included), so every product is seen wherever it happens: linear layers on
every token, convolutions on every output position (grouped and depthwise ones by their real
weights), attention's projections and its two T×T products (QKᵀ and the weighted sum of V, whether
written out or fused into scaled_dot_product_attention), recurrent cells at every step (PyTorch's
fused LSTM and multi-head attention kernels included). Elementwise work (norms, activations, adds,
pooling, softmax) is not counted. This is the convention of torchvision's published GFLOPS (which
count one multiply-add as one operation): ResNet-50 4.09 G, ViT-B/16 17.56 G at 224 px.

Each product is charged to the innermost module running when it happens, and a module's count is its
own plus its children's (``mult_adds_by_module``); ``mult_adds`` is the model's total per example.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

aten = torch.ops.aten


def _numel(shape) -> int:
    return math.prod(int(s) for s in shape)


def _mm(args, out) -> int:  # (m, k) @ (k, n) -> m·n·k
    return _numel(out.shape) * int(args[0].shape[-1])


def _addmm(args, out) -> int:  # bias + (m, k) @ (k, n)
    return _numel(out.shape) * int(args[1].shape[-1])


def _bmm(args, out) -> int:  # (B, m, k) @ (B, k, n)
    return _numel(out.shape) * int(args[0].shape[-1])


def _baddbmm(args, out) -> int:
    return _numel(out.shape) * int(args[1].shape[-1])


def _convolution(args, out) -> int:
    x, w = args[0], args[1]
    transposed = bool(args[6]) if len(args) > 6 else False
    if transposed:  # every input position scatters through the whole kernel
        return int(x.shape[0]) * _numel(x.shape[2:]) * w.numel()
    return int(out.shape[0]) * _numel(out.shape[2:]) * w.numel()


def _sdpa(args, out) -> int:  # softmax(q kᵀ) v: (…, Tq, E) · (…, Tk, E) and (…, Tq, Tk) · (…, Tk, Ev)
    q, k, v = args[:3]
    return _numel(q.shape[:-2]) * int(q.shape[-2]) * int(k.shape[-2]) * (int(q.shape[-1]) + int(v.shape[-1]))


def _native_mha(args, out) -> int:  # PyTorch's fused nn.MultiheadAttention (batch first)
    q, k = args[0], args[1]
    B, Tq, E = (int(s) for s in q.shape)
    Tk = int(k.shape[1])
    return B * (Tq * E * E + 2 * Tk * E * E) + 2 * B * Tq * Tk * E + B * Tq * E * E


def _mkldnn_rnn_layer(args, out) -> int:  # one layer, one direction: (T, B, I) input, w_ih and w_hh
    x, w_ih, w_hh = args[0], args[1], args[2]
    return int(x.shape[0]) * int(x.shape[1]) * (w_ih.numel() + w_hh.numel())


def _cudnn_rnn(args, out) -> int:  # every layer and direction at once; T·B steps each
    x, weights = args[0], args[1]
    return int(x.shape[0]) * int(x.shape[1]) * sum(w.numel() for w in weights if w.dim() == 2)


RULES: dict[Any, Callable[[tuple, Any], int]] = {
    aten.mm.default: _mm,
    aten.addmm.default: _addmm,
    aten.bmm.default: _bmm,
    aten.baddbmm.default: _baddbmm,
    aten.convolution.default: _convolution,
    aten._convolution.default: _convolution,
    aten._native_multi_head_attention.default: _native_mha,
    aten.mkldnn_rnn_layer.default: _mkldnn_rnn_layer,
    aten._cudnn_rnn.default: _cudnn_rnn,
}
for _name in (
    "_scaled_dot_product_flash_attention_for_cpu",
    "_scaled_dot_product_flash_attention",
    "_scaled_dot_product_efficient_attention",
    "_scaled_dot_product_cudnn_attention",
):
    if hasattr(aten, _name):
        RULES[getattr(aten, _name).default] = _sdpa


class _Counter(TorchDispatchMode):
    """Charges every matrix product and convolution to the module on top of ``stack``."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = [""]
        self.own: dict[str, int] = defaultdict(int)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        rule = RULES.get(func)
        if rule is not None:
            first = out[0] if isinstance(out, (tuple, list)) else out
            self.own[self.stack[-1]] += int(rule(args, first))
        return out


@contextmanager
def _counting(model: nn.Module) -> Iterator[_Counter]:
    counter = _Counter()

    def enter(path: str) -> Callable:
        def hook(*_: Any) -> None:
            counter.stack.append(path)

        return hook

    def leave(*_: Any) -> None:  # a forward hook that returned something would replace the output
        counter.stack.pop()

    handles = []
    for path, m in model.named_modules():
        if path:
            handles.append(m.register_forward_pre_hook(enter(path)))
            handles.append(m.register_forward_hook(leave, always_call=True))
    try:
        with counter:
            yield counter
    finally:
        for h in handles:
            h.remove()


@contextmanager
def counting_mult_adds(model: nn.Module) -> Iterator[dict[str, int]]:
    """Count while the body runs ``model`` once; afterwards the yielded dict maps every module path
    ('' for the whole model) to the mult-adds of its subtree for the whole batch. Lets a caller count
    during a forward it runs anyway (the Summary counts inside torchinfo's)."""
    totals: dict[str, int] = {}
    with _counting(model) as counter:
        yield totals
    for path, n in counter.own.items():
        comps = path.split(".") if path else []
        for k in range(len(comps) + 1):
            key = ".".join(comps[:k])
            totals[key] = totals.get(key, 0) + n


def _batch_of(inputs: tuple) -> int:
    first = next((x for x in inputs if isinstance(x, torch.Tensor)), None)
    return int(first.shape[0]) if first is not None and first.dim() else 1


def _run(model: nn.Module, inputs: Any) -> None:
    was_training = model.training
    try:
        with torch.no_grad():
            model.eval()(*inputs)
    finally:
        model.train(was_training)


def mult_adds_by_module(model: nn.Module, inputs: Any) -> dict[str, int]:
    """Mult-adds per example of every module's subtree ('' is the whole model), from one eval forward."""
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    with counting_mult_adds(model) as totals:
        _run(model, inputs)
    batch = max(_batch_of(inputs), 1)
    return {k: v // batch for k, v in totals.items()}


def mult_adds(model: nn.Module, inputs: Any) -> int:
    """The model's mult-adds per example (see the module docstring)."""
    return mult_adds_by_module(model, inputs).get("", 0)
