"""A model summary from torchinfo's statistics, rendered by us (its printed text has a units bug).

Mult-adds count multiplications of weights with activations, per example: linear layers over every
token (torchinfo's own count ignores the sequence axis and counts biases), convolutions over every
output position, recurrent layers over every time step, attention's projections and its two
T×T matrix products. Elementwise work (norms, activations, adds) is not counted. Leaf layers are
counted and summed into their ancestors.
"""

from __future__ import annotations

from typing import Any

import torch
import torchinfo
from torch import nn


def _prod(xs) -> int:
    out = 1
    for x in xs:
        out *= int(x)
    return out


def leaf_mult_adds(module: nn.Module, input_size, output_size, fallback: int) -> int:
    """Mult-adds of one leaf layer for the whole batch (see the module docstring)."""
    out = list(output_size or [])
    ins = list(input_size or [])
    if isinstance(module, nn.Linear) and out:
        return module.weight.numel() * _prod(out[:-1])
    if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Conv3d)) and len(out) >= 3:
        return module.weight.numel() * out[0] * _prod(out[2:])
    if isinstance(module, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)) and len(ins) >= 3:
        return module.weight.numel() * ins[0] * _prod(ins[2:])
    if isinstance(module, (nn.RNNBase, nn.RNNCellBase)) and out:
        steps = _prod(out[:2]) if isinstance(module, nn.RNNBase) else out[0]
        per = sum(p.numel() for n, p in module.named_parameters() if n.startswith("weight"))
        if isinstance(module, nn.RNNBase) and module.bidirectional:
            per //= 2  # each direction runs over every step once; out[:2] already counts the steps
        return per * steps * (2 if isinstance(module, nn.RNNBase) and module.bidirectional else 1)
    if isinstance(module, nn.MultiheadAttention) and out:
        e = module.embed_dim
        tokens = _prod(out[:-1])
        seq = out[1] if module.batch_first else out[0]
        proj = sum(p.numel() for n, p in module.named_parameters() if "weight" in n)
        return proj * tokens + 2 * tokens * seq * e
    if isinstance(module, (nn.Embedding, nn.EmbeddingBag)) or "norm" in type(module).__name__.lower():
        return 0
    return int(fallback)


def model_summary(model: nn.Module, example_input: Any, depth: int = 3) -> dict[str, Any]:
    """{"rows": [...], "totals": {...}}: one row per module down to ``depth`` with its path, type,
    output shape, parameters (own subtree), trainable parameters and mult-adds per example."""
    inputs = list(example_input) if isinstance(example_input, tuple) else [example_input]
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    batch = int(inputs[0].shape[0]) if inputs and hasattr(inputs[0], "shape") and inputs[0].dim() else 1
    was_training = model.training
    model.eval()
    try:
        stats = torchinfo.summary(
            model,
            input_data=inputs,
            verbose=0,
            depth=99,
            device=device,
            col_names=("output_size", "num_params", "mult_adds"),
        )
    finally:
        model.train(was_training)
    names = {id(m): n for n, m in model.named_modules()}
    macs_of: dict[str, int] = {}
    for info in stats.summary_list:  # leaf mult-adds summed into every ancestor path
        if info.is_leaf_layer and info.executed:
            macs = leaf_mult_adds(info.module, info.input_size, info.output_size, info.macs)
            comps = names.get(id(info.module), "").split(".")
            for k in range(1, len(comps) + 1):
                key = ".".join(comps[:k])
                macs_of[key] = macs_of.get(key, 0) + macs
    rows = []
    for info in stats.summary_list:
        if info.depth > depth or info.depth == 0:
            continue
        path = names.get(id(info.module), info.var_name)
        rows.append(
            {
                "layer": "  " * (info.depth - 1) + f"{path.rsplit('.', 1)[-1]} ({info.class_name})",
                "path": path,
                "type": info.class_name,
                "depth": info.depth,
                "output_shape": "×".join(str(s) for s in info.output_size) if info.output_size else "",
                "params": int(sum(p.numel() for p in info.module.parameters())),
                "trainable": int(sum(p.numel() for p in info.module.parameters() if p.requires_grad)),
                "mult_adds": int(macs_of.get(path, 0) // max(batch, 1)),
            }
        )
    param_bytes = int(stats.total_param_bytes)
    act_bytes = int(stats.total_output_bytes)
    totals = {
        "params": int(stats.total_params),
        "trainable": int(stats.trainable_params),
        "mult_adds": int(sum(v for k, v in macs_of.items() if "." not in k) // max(batch, 1)),
        "batch": batch,
        "param_mb": param_bytes / 2**20,
        "input_mb": int(stats.total_input) / 2**20,
        "activation_mb": act_bytes / 2**20,
        # weights + gradients + two Adam moments, plus activations kept for the backward pass
        "train_mb_estimate": (4 * param_bytes + act_bytes + int(stats.total_input)) / 2**20,
    }
    return {"rows": rows, "totals": totals}


def human(n: float) -> str:
    """12_345_678 -> '12.35 M'."""
    for div, unit in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= div:
            return f"{n / div:.2f} {unit}"
    return f"{n:.0f}"
