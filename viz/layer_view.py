"""One layer's tensors for the layer inspector: each parameter and buffer on its own (a BatchNorm's γ,
β, running mean and running variance are four different things and are never pooled into one
histogram), labelled for a student."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots
from torch import nn

from viz.images import histogram_bars

_NORM_NAMES = {
    "weight": "weight γ (scale)",
    "bias": "bias β (shift)",
    "running_mean": "running mean (buffer)",
    "running_var": "running variance (buffer)",
}
MAX_TENSORS = 6


def _is_norm(module: nn.Module) -> bool:
    return "norm" in type(module).__name__.lower()


def layer_tensors(module: nn.Module) -> list[tuple[str, str, torch.Tensor]]:
    """(name, label, tensor) for each floating-point parameter and buffer of ``module`` and below, in
    definition order (the step counter of a BatchNorm is left out: it is not a distribution)."""
    norm = _is_norm(module)
    out = []
    named = [*module.named_parameters(), *module.named_buffers()]
    for name, t in named:
        if not torch.is_floating_point(t) or t.is_meta:
            continue
        leaf = name.rpartition(".")[2]
        label = _NORM_NAMES.get(leaf, name) if norm and "." not in name else name
        out.append((name, label, t.detach()))
    return out


def _stats(v: np.ndarray) -> str:
    return f"mean {v.mean():.3g}, std {v.std():.3g}" if v.size else "empty"


def weights_figure(module: nn.Module, title: str = "") -> go.Figure | None:
    """One histogram per tensor of ``module`` (at most ``MAX_TENSORS``; a block lists the rest by
    name in the title), or None when it has none."""
    tensors = layer_tensors(module)
    if not tensors:
        return None
    shown = tensors[:MAX_TENSORS]
    titles = [
        f"{label} · {'×'.join(map(str, t.shape)) or 'scalar'} · {_stats(t.float().cpu().numpy())}"
        for _, label, t in shown
    ]
    fig = make_subplots(len(shown), 1, subplot_titles=titles, vertical_spacing=min(0.12, 0.5 / len(shown)))
    for r, (_, label, t) in enumerate(shown, 1):
        fig.add_trace(histogram_bars(t.float().cpu().numpy(), 40, name=label), r, 1)
    more = len(tensors) - len(shown)
    head = title + (f" (and {more} more tensors: inspect a layer inside the block)" if more else "")
    fig.update_layout(
        title=head or None,
        height=70 + 170 * len(shown),
        showlegend=False,
        margin=dict(l=10, r=10, t=60 if head else 30, b=10),
        bargap=0.02,
        plot_bgcolor="white",
    )
    fig.update_annotations(font_size=12)
    return fig
