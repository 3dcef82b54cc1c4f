"""U-Net and DeepLabv3+: canonical sizes counted exactly on meta, the paper's 572 → 388 tile, the crop
alignment of the unpadded U-Net, output strides, losses and the sentences for bad settings."""

from __future__ import annotations

import pytest
import torch

import archs
from archs import ConfigError
from archs.detection.segmentation import soft_dice_loss
from archs.detection.segmentation_unet import mirror_pad, valid_input_size, valid_output_size


def test_unet_canonical_is_the_papers_network():
    """Fig. 1 of Ronneberger et al.: 31,030,658 parameters (1 channel in, 2 classes), 572² in, 388² out."""
    m = archs.build_model("unet", "canonical", device="meta")
    assert archs.count_params(m) == 31_030_658
    assert m(torch.empty(1, 1, 572, 572, device="meta")).shape == (1, 2, 388, 388)
    assert valid_output_size(572, 4) == 388 and valid_input_size(388, 4) == 572


def test_deeplabv3plus_canonical_is_the_reference_count():
    """segmentation_models_pytorch DeepLabV3Plus('resnet50', classes=21): 26,682,725; its ResNet-50 trunk is
    torchvision's resnet50 (25,557,032) without the 1000-way classifier (2,049,000)."""
    m = archs.build_model("deeplabv3plus", "canonical", device="meta")
    assert archs.count_params(m) == 26_682_725
    assert archs.count_params(m.backbone) == 25_557_032 - 2_049_000
    assert m(torch.empty(1, 3, 512, 512, device="meta")).shape == (1, 21, 512, 512)
    c2, _, _, c5 = m.backbone.stages(torch.empty(1, 3, 512, 512, device="meta"))
    assert c2.shape[-1] == 128 and c5.shape[-1] == 32  # stride 4 and output stride 16
    os8 = archs.build_model("deeplabv3plus", "canonical", device="meta", output_stride=8)
    assert os8.backbone.stages(torch.empty(1, 3, 512, 512, device="meta"))[3].shape[-1] == 64
    assert archs.count_params(os8) == 26_682_725  # dilation changes no weight


@pytest.mark.parametrize("name", ["unet", "deeplabv3plus"])
def test_tiny_trains_a_step_and_segments(name):
    torch.manual_seed(0)
    m = archs.build_model(name, "tiny", dice_weight=1.0)
    x, y = torch.rand(2, 1, 64, 64), torch.randint(0, 7, (2, 64, 64))
    assert m(x).shape == (2, 7, 64, 64)
    terms = m.losses(x, y)
    assert set(terms) == {"ce", "dice"} and all(t.ndim == 0 for t in terms.values())
    sum(terms.values()).backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in m.parameters())
    seg = m.segment(torch.rand(1, 1, 45, 51))  # any size, even odd ones
    assert seg.shape == (1, 45, 51) and seg.dtype == torch.int64 and int(seg.max()) < 7
    assert set(m.eval().losses(x, y)) == {"ce", "dice"}


def test_deeplab_trains_on_a_batch_of_one():
    """Image pooling leaves one value per channel: its batch norm uses running statistics then."""
    m = archs.build_model("deeplabv3plus", "tiny").train()
    m.losses(torch.rand(1, 1, 64, 64), torch.zeros(1, 64, 64, dtype=torch.long))["ce"].backward()


def test_unpadded_unet_crops_skips_at_the_centre():
    """A valid network is translation-equivariant on its pooling grid: shifting the input by 8 pixels (2³)
    shifts the output by 8. A skip crop off the centre would break this."""
    torch.manual_seed(0)
    m = archs.build_model("unet", "tiny", depth=3, padding="valid", image_size=100, batch_norm=False).eval()
    x = torch.rand(1, 1, 100, 100)
    full, part = m(x), m(x[..., 8:, 8:])
    assert full.shape[-1] == valid_output_size(100, 3) and part.shape[-1] == valid_output_size(92, 3)
    torch.testing.assert_close(full[..., 8:, 8:], part, atol=1e-5, rtol=1e-4)


def test_unpadded_unet_logits_cover_the_image_by_mirroring():
    m = archs.build_model("unet", "tiny", depth=3, padding="valid", image_size=92).eval()
    x = torch.rand(2, 1, 64, 50)
    assert m.logits(x).shape == (2, 7, 64, 50)
    assert m.losses(x, torch.zeros(2, 64, 50, dtype=torch.long))["ce"] > 0
    big = mirror_pad(x, 100, 3, 70, 0)  # wider than one reflection can add
    assert big.shape == (2, 1, 134, 153)
    torch.testing.assert_close(big[..., 70:, 100:150], x)
    torch.testing.assert_close(big[..., 70:, 99], x[..., 1])  # reflected about the first column


def test_soft_dice_loss_is_zero_when_perfect_and_near_one_when_wrong():
    y = torch.randint(0, 3, (2, 8, 8))
    perfect = torch.nn.functional.one_hot(y, 3).permute(0, 3, 1, 2).float() * 50
    assert soft_dice_loss(perfect, y) < 1e-3
    assert soft_dice_loss(perfect, (y + 1) % 3) > 0.95


def test_bad_settings_and_masks_are_sentences():
    with pytest.raises(ConfigError, match="nearest sizes that work are 92 and 100"):
        archs.build_model("unet", "tiny", depth=3, padding="valid", image_size=96)
    with pytest.raises(ConfigError, match="at least 32 pixels"):
        archs.build_model("unet", "tiny", depth=5, image_size=16)
    with pytest.raises(ConfigError, match="3 atrous_rates"):
        archs.build_model("deeplabv3plus", "tiny", atrous_rates=(6, 12))
    with pytest.raises(ConfigError, match="4 stages"):
        archs.build_model("deeplabv3plus", "tiny", layers=(1, 1, 1))
    m = archs.build_model("unet", "tiny")
    with pytest.raises(ValueError, match="the images need"):
        m.losses(torch.rand(2, 1, 64, 64), torch.zeros(2, 32, 32, dtype=torch.long))
    with pytest.raises(ValueError, match="found 9"):
        m.losses(torch.rand(1, 1, 64, 64), torch.full((1, 64, 64), 9))
