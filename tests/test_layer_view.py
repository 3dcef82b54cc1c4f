"""The layer inspector's data: a BatchNorm's output is its own (not the ReLU's that follows it in
place), and each of its tensors (γ, β, running mean, running variance) has its own histogram."""

import numpy as np
import torch
from torch import nn

import archs
from viz.layer_view import MAX_TENSORS, layer_tensors, weights_figure


def test_batchnorm_tensors_are_shown_one_by_one_with_their_names():
    bn = nn.BatchNorm2d(8)
    with torch.no_grad():
        bn.weight.fill_(2.0)
        bn.bias.fill_(-1.0)
        bn.running_var.fill_(4.0)
    labels = [label for _, label, _ in layer_tensors(bn)]
    assert labels == [
        "weight γ (scale)",
        "bias β (shift)",
        "running mean (buffer)",
        "running variance (buffer)",
    ]
    fig = weights_figure(bn)
    # each histogram (counted bars) holds its own tensor's 8 values: never γ and β pooled into one
    where = [float(np.asarray(t.x)[np.asarray(t.y) > 0].mean()) for t in fig.data]
    assert np.allclose(where, [2.0, -1.0, 0.0, 4.0], atol=0.05) and all(sum(t.y) == 8 for t in fig.data)
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0].startswith("weight γ (scale) · 8") and titles[3].startswith("running variance")


def test_linear_and_blocks_list_tensors_by_name():
    assert [n for n, _, _ in layer_tensors(nn.Linear(3, 2))] == ["weight", "bias"]
    assert weights_figure(nn.ReLU()) is None
    block = nn.Sequential(*[nn.Linear(2, 2) for _ in range(5)])
    fig = weights_figure(block)
    assert len(fig.data) == MAX_TENSORS and "4 more tensors" in fig.layout.title.text


def test_inspector_view_of_a_resnet_batchnorm():
    from ui.graph_panel import layer_view

    spec = archs.get_arch("resnet18")
    cfg = spec.make_config("tiny")
    view = layer_view(
        spec, cfg, {"path": "layer1.0.bn1", "type": "BatchNorm2d", "params": 16}, None, None, "x"
    )
    assert [t.name for t in view["weights"].data] == [
        "weight γ (scale)",
        "bias β (shift)",
        "running mean (buffer)",
        "running variance (buffer)",
    ]
    assert min(view["act"].data[0].x) < 0  # the BatchNorm's own output, before the in-place ReLU
