"""DeepLabv3+: L.-C. Chen, Y. Zhu, G. Papandreou, F. Schroff & H. Adam (2018), "Encoder-decoder with atrous
separable convolution for semantic image segmentation", ECCV, arXiv 1802.02611.

Encoder: a ResNet whose last stage(s) dilate their 3×3 convolutions instead of striding (atrous
convolution: the map stays at 1/16 of the input, or 1/8, while the receptive field still grows), then
Atrous Spatial Pyramid Pooling (DeepLabv3, arXiv 1706.05587): five parallel branches over the last map —
a 1×1 convolution, three 3×3 convolutions with atrous rates 6, 12 and 18 (taps 6, 12, 18 pixels apart:
context at three scales) and image pooling (the global average, broadcast back: the whole image's
context) — concatenated and projected to 256 channels. Decoder: the encoder's output is upsampled
bilinearly ×4 and concatenated with the stride-4 low-level features (ResNet's first stage, projected by a
1×1 convolution to 48 channels so they do not outweigh the encoder's 256), refined by 3×3 convolutions of
256 channels, scored by a 1×1 convolution and upsampled ×4 bilinearly to the input's size.

Canonical = the reference implementation segmentation_models_pytorch ``DeepLabV3Plus(encoder_name=
"resnet50", classes=21)`` (output stride 16, rates 6/12/18): the paper's depthwise-separable 3×3s in ASPP
and decoder, one 3×3 of 256 channels refining the ASPP output and one after the concatenation
(``decoder_layout="reference"``), 26,682,725 parameters. ``decoder_layout="paper"`` puts both 3×3s after
the concatenation (the paper's Table 1/2 decoder); ``separable=False`` makes every 3×3 a full convolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.residual import ResNetTrunk
from archs.detection.segmentation import Segmenter
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class DeepLabConfig(Config):
    in_channels: int = hp(3, lo=1, hi=4, help="Channels of the input image: 3 for RGB, 1 for grey scenes.")
    num_classes: int = hp(
        21, lo=2, hi=200, help="Classes scored per pixel, background included (PASCAL VOC: 20 + background)."
    )
    image_size: int = hp(
        512, lo=32, hi=1024, help="Side of the square input in pixels (the paper trains on 513×513 crops)."
    )
    block: Literal["bottleneck", "basic"] = hp(
        "bottleneck",
        help="Residual block of the ResNet backbone: 'bottleneck' (1×1, 3×3, 1×1; ResNet-50) or 'basic' (two "
        "3×3s; ResNet-18/34, lighter).",
    )
    layers: tuple[int, ...] = hp(
        (3, 4, 6, 3),
        lo=1,
        hi=8,
        max_len=4,
        help="Residual blocks in each of the backbone's four stages: 3, 4, 6, 3 is ResNet-50.",
    )
    width: int = hp(
        64,
        lo=4,
        hi=128,
        help="Channels of the backbone's first stage (64 in ResNet); each later stage doubles them.",
    )
    output_stride: Literal[16, 8] = hp(
        16,
        help="How much smaller the encoder's last map is than the input: 16 dilates the last stage instead "
        "of striding, 8 the last two (finer maps, about 4× the encoder's compute; double the rates then).",
    )
    atrous_rates: tuple[int, ...] = hp(
        (6, 12, 18),
        lo=1,
        hi=48,
        max_len=3,
        help="Spacing of the taps of ASPP's three 3×3 branches: 6, 12, 18 at output stride 16 (12, 24, 36 "
        "at 8). A rate larger than the map sees mostly padding: image pooling covers that context.",
    )
    aspp_channels: int = hp(
        256, lo=4, hi=512, help="Channels of every ASPP branch, of its projection and of the decoder (256)."
    )
    low_level_channels: int = hp(
        48,
        lo=4,
        hi=256,
        help="The stride-4 features are projected to this many channels before the concatenation (48 in the "
        "paper: fewer, so they do not outweigh the encoder's 256).",
    )
    separable: bool = hp(
        True,
        help="Depthwise-separable 3×3 convolutions in ASPP and decoder (a per-channel 3×3 then a 1×1 mix): "
        "the paper's choice, far fewer parameters than full 3×3s for about the same accuracy.",
    )
    decoder_layout: Literal["reference", "paper"] = hp(
        "reference",
        help="Where the decoder's two 256-channel 3×3s sit: 'reference' (segmentation_models_pytorch) one "
        "after ASPP and one after the concatenation; 'paper' both after the concatenation.",
    )
    dropout: float = hp(
        0.5, lo=0.0, hi=0.9, step=0.05, help="Dropout after ASPP's projection (0.5 in the reference)."
    )
    dice_weight: float = hp(
        0.0,
        lo=0.0,
        hi=5.0,
        step=0.1,
        help="Weight of a soft Dice loss added to the per-pixel cross-entropy (0: cross-entropy only).",
    )

    def validate(self) -> None:
        if len(self.layers) != 4:
            raise ConfigError(f"layers needs a block count for each of the 4 stages, not {len(self.layers)}.")
        if len(self.atrous_rates) != 3:
            n = len(self.atrous_rates)
            raise ConfigError(f"ASPP has three atrous 3×3 branches: give 3 atrous_rates, not {n}.")


def conv3x3(c_in: int, c_out: int, dilation: int, separable: bool) -> nn.Sequential:
    """A 3×3 (atrous) convolution → BN → ReLU; separable: a depthwise 3×3 then a pointwise 1×1."""
    if separable:
        conv = nn.Sequential(
            nn.Conv2d(c_in, c_in, 3, padding=dilation, dilation=dilation, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
        )
    else:
        conv = nn.Conv2d(c_in, c_out, 3, padding=dilation, dilation=dilation, bias=False)
    return nn.Sequential(conv, nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


def conv1x1(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class ImagePooling(nn.Module):
    """The global average of the map, through a 1×1 convolution, spread back over every position."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv = conv1x1(c_in, c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        g = x.mean((2, 3), keepdim=True)  # (B, C, 1, 1)
        conv, bn, act = self.conv
        if self.training and x.shape[0] == 1:  # one value per channel: batch statistics do not exist
            g = act(F.batch_norm(conv(g), bn.running_mean, bn.running_var, bn.weight, bn.bias, False))
        else:
            g = self.conv(g)
        return g.expand(-1, -1, *x.shape[-2:])  # (B, C, H, W): bilinear upsampling of one value


class ASPP(nn.Module):
    """Atrous Spatial Pyramid Pooling: 1×1, three atrous 3×3s and image pooling, concatenated, projected."""

    def __init__(self, c_in: int, c: int, rates: tuple[int, ...], separable: bool, dropout: float):
        super().__init__()
        self.branches = nn.ModuleList(
            [conv1x1(c_in, c), *(conv3x3(c_in, c, r, separable) for r in rates), ImagePooling(c_in, c)]
        )
        self.project = nn.Sequential(conv1x1(5 * c, c), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.project(torch.cat([b(x) for b in self.branches], 1))  # (B, 5C, H, W) -> (B, C, H, W)


class DeepLabV3Plus(Segmenter):
    def __init__(self, cfg: DeepLabConfig):
        super().__init__()
        self.cfg, self.num_classes, self.dice_weight = cfg, cfg.num_classes, cfg.dice_weight
        dilate = (False, False, True) if cfg.output_stride == 16 else (False, True, True)
        self.backbone = ResNetTrunk(cfg.in_channels, cfg.block, cfg.layers, cfg.width, False, dilate)
        c, sep, ref = cfg.aspp_channels, cfg.separable, cfg.decoder_layout == "reference"
        self.aspp = ASPP(self.backbone.out_channels, c, cfg.atrous_rates, sep, cfg.dropout)
        self.aspp_refine = conv3x3(c, c, 1, sep) if ref else nn.Identity()
        self.low_level = conv1x1(self.backbone.channels[0], cfg.low_level_channels)
        fused = [conv3x3(c + cfg.low_level_channels, c, 1, sep)] + ([] if ref else [conv3x3(c, c, 1, sep)])
        self.fuse = nn.Sequential(*fused)
        self.head = nn.Conv2d(c, cfg.num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c2, _, _, c5 = self.backbone.stages(x)  # C2 at stride 4, C5 at the output stride
        y = self.aspp_refine(self.aspp(c5))  # (B, 256, H/16, W/16)
        y = F.interpolate(y, size=c2.shape[-2:], mode="bilinear", align_corners=False)  # (B, 256, H/4, W/4)
        y = self.fuse(torch.cat([y, self.low_level(c2)], 1))  # (B, 256 + 48, H/4, W/4) -> (B, 256, ...)
        return F.interpolate(self.head(y), size=x.shape[-2:], mode="bilinear", align_corners=False)


register(
    ArchSpec(
        name="deeplabv3plus",
        title="DeepLabv3+",
        family="detection",
        year=2018,
        paper=Paper(
            "L.-C. Chen, Y. Zhu, G. Papandreou, F. Schroff, H. Adam",
            2018,
            "Encoder-Decoder with Atrous Separable Convolution for Semantic Image Segmentation",
            arxiv="1802.02611",
        ),
        summary="A dilated ResNet keeps a fine map, atrous spatial pyramid pooling gathers context at "
        "several scales, and a light decoder sharpens the boundaries with stride-4 features.",
        tasks=("semantic segmentation",),
        config=DeepLabConfig,
        build=DeepLabV3Plus,
        example_input=lambda c: torch.rand(2, c.in_channels, c.image_size, c.image_size),
        presets={
            "tiny": dict(
                in_channels=1,
                num_classes=7,
                image_size=64,
                block="basic",
                layers=(1, 1, 1, 1),
                width=16,
                output_stride=8,
                atrous_rates=(1, 2, 3),
                aspp_channels=32,
                low_level_channels=16,
                dropout=0.1,
            ),
            "canonical": {},
        },
        published_params=26_682_725,
        published_source="segmentation_models_pytorch DeepLabV3Plus(encoder_name='resnet50', classes=21), "
        "output stride 16, separable ASPP: its count printed in the library's issue #819 ('DeepLabV3+ "
        "Parameters', 2023: 26,682,725); the layout read from the library's deeplabv3/decoder.py. The "
        "ResNet-50 trunk without its classifier holds 23,508,032 of them.",
    )
)
