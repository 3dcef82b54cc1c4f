"""ResNet-18 to ResNet-152: He, Zhang, Ren & Sun (2016), "Deep residual learning for image recognition",
arXiv 1512.03385, in torchvision's v1.5 layout (the stride on the bottleneck's 3×3 convolution).

Canonical presets reproduce torchvision's reference networks layer for layer, so their parameter
counts equal the published ones. Tiny presets use a small stem (``small_stem``: one 3×3 stride-1
convolution instead of the 7×7 stride-2 convolution and max-pool) so they train on 28×28 digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.blocks.conv import DIGITS_28, ImageConfig, image_input
from archs.blocks.residual import ResNetTrunk
from archs.registry import register
from archs.spec import ArchSpec, ConfigError, Paper, hp, torchvision_top1

# ------------------------------------------------------------------------------------------ ResNet


@dataclass(frozen=True)
class ResNetConfig(ImageConfig):
    block: Literal["basic", "bottleneck"] = hp(
        "basic", help="basic: two 3×3 convolutions. bottleneck: 1×1 reduce → 3×3 → 1×1 expand (×4)."
    )
    layers: tuple[int, ...] = hp(
        (2, 2, 2, 2), lo=1, hi=64, max_len=4, help="Blocks in each of the four stages."
    )
    width: int = hp(64, lo=4, hi=256, help="Channels of the first stage; each later stage doubles them.")
    small_stem: bool = hp(
        False, help="One 3×3 stride-1 convolution instead of 7×7 stride 2 + max-pool (for small images)."
    )

    def validate(self) -> None:
        super().validate()
        if len(self.layers) != 4:
            raise ConfigError("A ResNet has four stages: give four block counts, e.g. 2, 2, 2, 2.")


class ResNet(ResNetTrunk):
    """The shared trunk (``archs.blocks.residual.ResNetTrunk``) + global average pooling + a linear
    classifier; the attribute names are torchvision's, so its weights load as they are."""

    def __init__(self, cfg: ResNetConfig):
        super().__init__(cfg.in_channels, cfg.block, cfg.layers, cfg.width, cfg.small_stem)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(self.out_channels, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = super().forward(x)  # (B, C, H', W')
        return self.fc(self.avgpool(x).flatten(1))  # (B, C) -> (B, classes)


RESNETS = {  # depth: (block, layers, torchvision's parameter count)
    18: ("basic", (2, 2, 2, 2), 11_689_512),
    34: ("basic", (3, 4, 6, 3), 21_797_672),
    50: ("bottleneck", (3, 4, 6, 3), 25_557_032),
    101: ("bottleneck", (3, 4, 23, 3), 44_549_160),
    152: ("bottleneck", (3, 8, 36, 3), 60_192_808),
}
# torchvision's ImageNet-1k top-1 of the v1 weights (the paper's simple recipe)
RESNET_TOP1 = {18: 69.758, 34: 73.314, 50: 76.13, 101: 77.374, 152: 78.312}
for _d, (_b, _l, _n) in RESNETS.items():
    register(
        ArchSpec(
            name=f"resnet{_d}",
            title=f"ResNet-{_d}",
            family="cnn",
            year=2015,
            paper=Paper(
                "K. He, X. Zhang, S. Ren, J. Sun",
                2015,
                "Deep residual learning for image recognition",
                arxiv="1512.03385",
            ),
            summary=f"{_d} layers of {'two-conv' if _b == 'basic' else 'bottleneck'} residual blocks: "
            "identity "
            "shortcuts let very deep networks train.",
            tasks=("classification",),
            config=ResNetConfig,
            build=ResNet,
            example_input=image_input,
            presets={
                "tiny": {**DIGITS_28, "block": _b, "layers": (1, 1, 1, 1), "width": 8, "small_stem": True},
                "canonical": {"block": _b, "layers": _l},
            },
            published_result=torchvision_top1(RESNET_TOP1[_d], f"ResNet{_d}_Weights.IMAGENET1K_V1"),
            published_params=_n,
            published_source=f"torchvision.models.resnet{_d} (v1.5: stride on the 3×3), {_n:,} parameters",
        )
    )
