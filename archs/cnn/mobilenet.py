"""MobileNetV2: Sandler et al. (2018), "MobileNetV2: Inverted residuals and linear bottlenecks",
arXiv 1801.04381. Expand with a 1×1 convolution, filter with a 3×3 depthwise one, project back with a
linear 1×1 (no activation), residual where shapes allow; canonical = torchvision's model."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.blocks.conv import DIGITS_28, ImageConfig, conv_bn_act, image_input, make_divisible
from archs.registry import register
from archs.spec import ArchSpec, Paper, hp, torchvision_top1

# ------------------------------------------------------------------------------------------ MobileNetV2


MBV2_SETTINGS = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)  # (expansion t, channels c, repeats n, stride s): paper Table 2


@dataclass(frozen=True)
class MobileNetV2Config(ImageConfig):
    width_mult: float = hp(1.0, lo=0.125, hi=2.0, step=0.125, help="α: scale every layer's channels.")
    last_channel: int = hp(1280, lo=16, hi=2560, help="Channels of the last 1×1 convolution.")
    dropout: float = hp(0.2, lo=0.0, hi=0.9, step=0.05, help="Dropout before the classifier.")


class InvertedResidual(nn.Module):
    """1×1 expand (×t) → 3×3 depthwise → 1×1 linear projection; a skip where shapes match."""

    def __init__(self, c_in: int, c_out: int, stride: int, t: int):
        super().__init__()
        hidden = c_in * t
        layers = [conv_bn_act(c_in, hidden, 1, act=nn.ReLU6)] if t != 1 else []
        layers += [
            conv_bn_act(hidden, hidden, 3, stride, groups=hidden, act=nn.ReLU6),
            nn.Conv2d(hidden, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out),  # linear bottleneck: no activation here
        ]
        self.conv = nn.Sequential(*layers)
        self.use_res = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_res else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, cfg: MobileNetV2Config):
        super().__init__()
        c_in = make_divisible(32 * cfg.width_mult)
        last = make_divisible(cfg.last_channel * max(1.0, cfg.width_mult))
        layers: list[nn.Module] = [conv_bn_act(cfg.in_channels, c_in, 3, 2, act=nn.ReLU6)]
        for t, c, n, s in MBV2_SETTINGS:
            c_out = make_divisible(c * cfg.width_mult)
            for i in range(n):
                layers.append(InvertedResidual(c_in, c_out, s if i == 0 else 1, t))
                c_in = c_out
        layers.append(conv_bn_act(c_in, last, 1, act=nn.ReLU6))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(last, cfg.num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.features(x)).flatten(1))


register(
    ArchSpec(
        name="mobilenet_v2",
        title="MobileNetV2",
        family="cnn",
        year=2018,
        paper=Paper(
            "M. Sandler, A. Howard, M. Zhu, A. Zhmoginov, L.-C. Chen",
            2018,
            "MobileNetV2: inverted residuals and linear bottlenecks",
            arxiv="1801.04381",
        ),
        summary="Depthwise separable convolutions in inverted residual blocks: ImageNet accuracy on a phone.",
        tasks=("classification",),
        config=MobileNetV2Config,
        build=MobileNetV2,
        example_input=image_input,
        presets={
            "tiny": {**DIGITS_28, "width_mult": 0.25, "last_channel": 128, "dropout": 0.0},
            "canonical": {},
        },
        published_result=torchvision_top1(71.878, "MobileNet_V2_Weights.IMAGENET1K_V1"),
        published_params=3_504_872,
        published_source="torchvision.models.mobilenet_v2 (width 1.0), 3,504,872 parameters",
    )
)
