"""DenseNet-121: Huang, Liu, van der Maaten & Weinberger (2017), "Densely connected convolutional
networks", arXiv 1608.06993. Each layer of a dense block receives the concatenated maps of all layers
before it (growth rate k new maps per layer); transitions halve the size; canonical = torchvision's."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.blocks.conv import DIGITS_28, ImageConfig, conv_out, image_input, small_or_imagenet_stem
from archs.registry import register
from archs.spec import ArchSpec, Paper, hp, torchvision_top1

# ------------------------------------------------------------------------------------------ DenseNet


@dataclass(frozen=True)
class DenseNetConfig(ImageConfig):
    growth_rate: int = hp(32, lo=2, hi=64, help="k: new feature maps each layer adds to the running stack.")
    block_config: tuple[int, ...] = hp(
        (6, 12, 24, 16), lo=1, hi=64, max_len=4, help="Layers in each dense block."
    )
    init_features: int = hp(64, lo=4, hi=128, help="Channels after the stem.")
    bn_size: int = hp(4, lo=1, hi=8, help="Bottleneck width: each layer's 1×1 conv makes bn_size·k maps.")
    small_stem: bool = hp(False, help="A 3×3 stride-1 stem instead of 7×7 stride 2 + max-pool.")

    def min_image_size(self) -> int:
        """The smallest side whose maps stay at least 2×2 before every transition's 2×2 average pool."""
        for n in range(8, 641):
            s = n if self.small_stem else conv_out(conv_out(n, 7, 2, 3), 3, 2, 1)
            if s >= 2 ** (len(self.block_config) - 1):
                return n
        return 641


class DenseLayer(nn.Module):
    """BN-ReLU-1×1 conv (bn_size·k) → BN-ReLU-3×3 conv (k); the k new maps join the stack."""

    def __init__(self, c_in: int, k: int, bn_size: int):
        super().__init__()
        self.norm1, self.relu1 = nn.BatchNorm2d(c_in), nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(c_in, bn_size * k, 1, bias=False)
        self.norm2, self.relu2 = nn.BatchNorm2d(bn_size * k), nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * k, k, 3, 1, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        new = self.conv2(self.relu2(self.norm2(self.conv1(self.relu1(self.norm1(x))))))
        return torch.cat([x, new], 1)  # (B, C + k, H, W): every later layer sees every earlier map


class Transition(nn.Sequential):
    def __init__(self, c_in: int, c_out: int):
        super().__init__(
            nn.BatchNorm2d(c_in),
            nn.ReLU(inplace=True),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.AvgPool2d(2),
        )


class DenseNet(nn.Module):
    def __init__(self, cfg: DenseNetConfig):
        super().__init__()
        c = cfg.init_features
        layers: list[nn.Module] = [small_or_imagenet_stem(cfg.in_channels, c, cfg.small_stem)]
        for i, n in enumerate(cfg.block_config):
            block = []
            for _ in range(n):
                block.append(DenseLayer(c, cfg.growth_rate, cfg.bn_size))
                c += cfg.growth_rate
            layers.append(nn.Sequential(*block))
            if i < len(cfg.block_config) - 1:
                layers.append(Transition(c, c // 2))  # compression θ = 0.5
                c //= 2
        layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.features(x)).flatten(1))


register(
    ArchSpec(
        name="densenet121",
        title="DenseNet-121",
        family="cnn",
        year=2016,
        paper=Paper(
            "G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger",
            2016,
            "Densely connected convolutional networks",
            arxiv="1608.06993",
        ),
        summary="Each layer receives the concatenated maps of every earlier layer in its block: features "
        "are reused, so the network stays thin.",
        tasks=("classification",),
        config=DenseNetConfig,
        build=DenseNet,
        example_input=image_input,
        presets={
            "tiny": {
                **DIGITS_28,
                "growth_rate": 8,
                "block_config": (2, 2, 2, 2),
                "init_features": 16,
                "bn_size": 2,
                "small_stem": True,
            },
            "canonical": {},
        },
        published_result=torchvision_top1(74.434, "DenseNet121_Weights.IMAGENET1K_V1"),
        published_params=7_978_856,
        published_source="torchvision.models.densenet121, 7,978,856 parameters",
    )
)
