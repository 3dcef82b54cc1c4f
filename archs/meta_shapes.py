"""Shape rules for the ``meta`` device: layers whose output shape follows from a formula (norms,
activations, Linear, Embedding, convolutions, pools, recurrent layers) answer with an empty tensor of
that shape instead of running meta kernels, which were most of a large model's tracing time and, for
recurrent layers, a loop over every time step. Where an input does not fit (a window larger than the
map, a wrong width or channel count), PyTorch's own forward runs and raises its own error, so a rule
never hides a mistake. Used by graph tracing and by the configuration fuzzing."""

from __future__ import annotations

import contextlib
from typing import Any

import torch
from torch import nn

# torch.nn layers whose output has the shape (and dtype) of their first input
_SHAPE_PRESERVING = tuple(
    getattr(nn, n)
    for n in (
        "BatchNorm1d BatchNorm2d BatchNorm3d SyncBatchNorm LayerNorm GroupNorm InstanceNorm1d "
        "InstanceNorm2d InstanceNorm3d LocalResponseNorm RMSNorm Dropout Dropout1d Dropout2d Dropout3d "
        "AlphaDropout ReLU ReLU6 LeakyReLU PReLU ELU SELU CELU GELU SiLU Mish Sigmoid Tanh Hardtanh "
        "Hardswish Hardsigmoid Softplus Softsign Tanhshrink Softmax LogSoftmax Identity"
    ).split()
    if hasattr(nn, n)
)


def _empty_like_first(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    return torch.empty_like(x)


def _fits(m: nn.Module, x: Any) -> bool:
    """Whether ``x`` is what the layer accepts, as far as its shape rule must know: a norm's channels or
    trailing dims, a linear layer's width. Where not, the real forward runs and raises PyTorch's error,
    so a wrong width between two layers is never hidden by a rule."""
    if not isinstance(x, torch.Tensor):
        return False
    if isinstance(m, nn.modules.batchnorm._BatchNorm):
        return x.dim() >= 2 and x.shape[1] == m.num_features
    if isinstance(m, nn.GroupNorm):
        return x.dim() >= 2 and x.shape[1] == m.num_channels
    if isinstance(m, nn.modules.instancenorm._InstanceNorm):
        return False  # unbatched inputs and affine checks: leave to PyTorch
    if isinstance(m, (nn.LayerNorm, getattr(nn, "RMSNorm", nn.LayerNorm))):
        ns = tuple(m.normalized_shape)
        return tuple(x.shape[-len(ns) :]) == ns
    if isinstance(m, nn.Linear):
        return x.dim() >= 1 and x.shape[-1] == m.in_features
    return True


def _checked(m: nn.Module, rule):
    def forward(x, *args, **kwargs):
        if not _fits(m, x):
            return type(m).forward(m, x, *args, **kwargs)
        return rule(x, *args, **kwargs)

    return forward


class _NoShapeRule(Exception):
    """The window does not fit: let PyTorch's own forward raise its error."""


def _window_out(size: int, k: int, s: int, p: int, d: int = 1, ceil: bool = False) -> int:
    """Output length of a sliding window (convolution or pooling), PyTorch's rule (ceil_mode included:
    the last window must start inside the input or its left padding)."""
    span = size + 2 * p - d * (k - 1) - 1
    if span < 0 or s < 1:
        raise _NoShapeRule
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    if out < 1:
        raise _NoShapeRule
    return out


def _nd(v: Any, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


_CONV = {nn.Conv1d: 1, nn.Conv2d: 2, nn.Conv3d: 3}


# (3-D pools are left to PyTorch: avg_pool3d also refuses inputs smaller than the kernel before padding)
_POOL = {nn.MaxPool1d: 1, nn.MaxPool2d: 2, nn.AvgPool1d: 1, nn.AvgPool2d: 2}


def _conv_shape(m: nn.Module, nd: int):
    def fwd(x: torch.Tensor) -> torch.Tensor:
        if x.dim() not in (nd + 1, nd + 2) or x.shape[-nd - 1] != m.in_channels:
            return type(m).forward(m, x)  # let PyTorch raise its own error
        if m.padding == "same":
            spatial = tuple(x.shape[-nd:])
        else:
            pad = (0,) * nd if m.padding == "valid" else m.padding
            dims = zip(x.shape[-nd:], m.kernel_size, m.stride, pad, m.dilation, strict=True)
            try:
                spatial = tuple(_window_out(n, k, s, p, d) for n, k, s, p, d in dims)
            except _NoShapeRule:
                return type(m).forward(m, x)
        return x.new_empty((*x.shape[: -nd - 1], m.out_channels, *spatial))

    return fwd


def _pool_shape(m: nn.Module, nd: int):
    k = _nd(m.kernel_size, nd)
    s = _nd(m.stride if m.stride is not None else m.kernel_size, nd)
    p = _nd(m.padding, nd)
    d = _nd(getattr(m, "dilation", 1), nd)

    def fwd(x: torch.Tensor) -> torch.Tensor:
        if getattr(m, "return_indices", False) or x.dim() not in (nd + 1, nd + 2):
            return type(m).forward(m, x)
        try:
            spatial = tuple(
                _window_out(*a, ceil=m.ceil_mode) for a in zip(x.shape[-nd:], k, s, p, d, strict=True)
            )
        except _NoShapeRule:
            return type(m).forward(m, x)
        return x.new_empty((*x.shape[:-nd], *spatial))

    return fwd


def _rnn_shape(m: nn.RNNBase):
    """torch.nn.RNN / LSTM / GRU: (out, h_n) or (out, (h_n, c_n)) from the input's shape; anything
    unusual (packed sequences, a wrong width) runs PyTorch's own forward, which raises its own error."""

    def forward(x, hx=None):
        if not isinstance(x, torch.Tensor) or x.dim() not in (2, 3) or x.shape[-1] != m.input_size:
            return type(m).forward(m, x, hx)
        D, L, H = 2 if m.bidirectional else 1, m.num_layers, m.hidden_size
        H_out = m.proj_size or H
        batched = x.dim() == 3
        B = (x.shape[0] if m.batch_first else x.shape[1]) if batched else None
        lead = x.shape[:-1]
        out = x.new_empty((*lead, D * H_out))
        h = x.new_empty((D * L, B, H_out) if batched else (D * L, H_out))
        if isinstance(m, nn.LSTM):
            return out, (h, x.new_empty((D * L, B, H) if batched else (D * L, H)))
        return out, h

    return forward


def _shape_forward(m: nn.Module):
    """A forward that only makes the output's shape, for the layers whose shape rule is simple. A
    module of ours may offer its own as a ``shape_forward`` method (same signature as ``forward``)."""
    if callable(getattr(m, "shape_forward", None)):
        return m.shape_forward
    if isinstance(m, nn.RNNBase) and type(m) in (nn.RNN, nn.LSTM, nn.GRU):
        return _rnn_shape(m)
    if type(m) in _SHAPE_PRESERVING:
        return _checked(m, _empty_like_first)
    if type(m) is nn.Linear:
        return _checked(m, lambda x: x.new_empty((*x.shape[:-1], m.out_features)))
    if type(m) is nn.Embedding:
        return lambda x: m.weight.new_empty((*x.shape, m.embedding_dim))
    if type(m) in _CONV:
        return _conv_shape(m, _CONV[type(m)])
    if type(m) in _POOL:
        return _pool_shape(m, _POOL[type(m)])
    return None


@contextlib.contextmanager
def shape_only(model: nn.Module, leaves_only: bool = True):
    """On the meta device only shapes exist: let layers with a simple shape rule answer with an empty
    tensor of the output's shape instead of running their meta kernels (BatchNorm, LayerNorm and Linear
    go through Python decompositions there and were most of a ResNet's or a GPT's tracing time).

    ``leaves_only``: tracing keeps modules with children running for real, so the graph still shows
    what is inside them (an RNN's cell at every step); fuzzing a configuration, which only asks whether
    it builds and runs, lets such a module answer for its whole subtree too."""
    patched = []
    for m in model.modules():
        if leaves_only and next(m.children(), None) is not None:
            continue
        fwd = _shape_forward(m)
        if fwd is not None:
            m.forward = fwd
            patched.append(m)
    try:
        yield
    finally:
        for m in patched:
            del m.forward
