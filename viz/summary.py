"""A model summary from torchinfo's statistics, rendered by us (its printed text has a units bug).

Mult-adds per layer and in total come from ``archs.cost`` (one counter for the whole atlas), counted
during the same forward pass torchinfo runs: every matrix product and convolution, attention's two
T×T products included; elementwise work is not counted. torchinfo's own count ignores the sequence
axis of linear layers and counts biases, so it is not used.
"""

from __future__ import annotations

from typing import Any

import torch
import torchinfo
from torch import nn

from archs.cost import counting_mult_adds


def model_summary(model: nn.Module, example_input: Any, depth: int = 3) -> dict[str, Any]:
    """{"rows": [...], "totals": {...}}: one row per module down to ``depth`` with its path, type,
    output shape, parameters (own subtree), trainable parameters and mult-adds per example."""
    inputs = list(example_input) if isinstance(example_input, tuple) else [example_input]
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    batch = int(inputs[0].shape[0]) if inputs and hasattr(inputs[0], "shape") and inputs[0].dim() else 1
    was_training = model.training
    model.eval()
    try:
        with counting_mult_adds(model) as macs_of:
            stats = torchinfo.summary(
                model,
                input_data=inputs,
                verbose=0,
                depth=99,
                device=device,
                col_names=("output_size", "num_params"),
            )
    finally:
        model.train(was_training)
    names = {id(m): n for n, m in model.named_modules()}
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
        "mult_adds": int(macs_of.get("", 0) // max(batch, 1)),
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
