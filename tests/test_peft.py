"""LoRA and bottleneck adapters (archs.blocks.peft) against their papers: B starts at zero (the adapted layer
is the pre-trained one), A is Kaiming-uniform, the update is (alpha / r) B A of rank at most r, merge() folds
it into W exactly (Linear and Conv2d); an adapter starts near the identity; a rank larger than a layer is a
sentence."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from archs.blocks.peft import (
    Adapter,
    LoRAConv2d,
    LoRALinear,
    add_adapters,
    add_lora,
    count_parameters,
    merge_lora,
)
from archs.spec import ConfigError

torch.set_num_threads(1)


def test_lora_linear_starts_as_the_base_and_merges_exactly():
    torch.manual_seed(0)
    base = nn.Linear(20, 12)
    lora = LoRALinear(base, rank=3, alpha=6.0)
    x = torch.randn(5, 20)
    assert torch.equal(lora(x), base(x))  # B = 0: exactly the pre-trained layer
    assert lora.scale == 2.0 and lora.A.abs().max() <= 1 / 20**0.5 + 1e-6  # Kaiming-uniform, a = sqrt(5)
    assert not base.weight.requires_grad and lora.A.requires_grad and lora.B.requires_grad
    with torch.no_grad():
        lora.B.normal_()
    assert torch.linalg.matrix_rank(lora.delta_weight()) == 3
    merged = lora.merge()
    assert torch.allclose(merged(x), lora(x), atol=1e-5)
    assert torch.allclose(merged.weight, base.weight + 2.0 * lora.B @ lora.A)


def test_lora_conv_is_the_convolution_with_the_low_rank_kernel():
    torch.manual_seed(0)
    base = nn.Conv2d(3, 8, 3, stride=2, padding=1)
    lora = LoRAConv2d(base, rank=2, alpha=2.0)
    x = torch.randn(2, 3, 9, 9)
    assert torch.equal(lora(x), base(x))
    with torch.no_grad():
        lora.B.normal_()
    merged = lora.merge()
    assert torch.allclose(merged(x), lora(x), atol=1e-5)
    assert torch.linalg.matrix_rank(lora.delta_weight().flatten(1)) == 2


def test_a_rank_larger_than_the_layer_is_a_sentence_and_changes_nothing():
    with pytest.raises(ConfigError, match="rank"):
        LoRALinear(nn.Linear(4, 3), rank=4)
    model = nn.Sequential(nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 2))
    with pytest.raises(ConfigError, match="rank \\(5\\).*between 1 and 2"):
        add_lora(model, rank=5, alpha=1.0)
    assert isinstance(model[0], nn.Linear) and isinstance(model[2], nn.Linear)  # left as it was


def test_add_lora_trains_only_the_factors_and_merge_gives_plain_layers():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    assert add_lora(model, rank=2, alpha=4.0, skip=("4",)) == ["0", "2"]
    for p in model[4].parameters():
        p.requires_grad_(False)
    trainable, total = count_parameters(model)
    assert trainable == 2 * 2 * (64 + 64)
    x = torch.randn(3, 64)
    with torch.no_grad():
        model[0].B.normal_()
    y = model(x)
    merge_lora(model)
    assert isinstance(model[0], nn.Linear) and torch.allclose(model(x), y, atol=1e-5)


def test_adapter_starts_near_the_identity_and_trains():
    torch.manual_seed(0)
    a = Adapter(16, bottleneck=4)
    h = torch.randn(8, 16)
    assert (a(h) - h).abs().max() < 0.01
    c = Adapter(6, bottleneck=2, conv=True)
    f = torch.randn(2, 6, 5, 5)
    assert c(f).shape == f.shape and (c(f) - f).abs().max() < 0.01
    model = nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 4 * 4, 3))
    assert add_adapters(model, 4, skip=("3",)) == ["0"]
    trainable, _ = count_parameters(model)
    assert trainable == (6 * 4 + 4 + 4 * 6 + 6) + (96 * 3 + 3)  # the adapter (bottleneck 4) and the head
    with pytest.raises(ConfigError, match="bottleneck"):
        Adapter(8, bottleneck=0)
