"""ConvNeXt-T: Liu et al. (2022), "A ConvNet for the 2020s", arXiv 2201.03545. A ResNet modernised
step by step towards a vision transformer: patchify stem, 7×7 depthwise convolutions, inverted
bottlenecks, LayerNorm, GELU, layer scale and stochastic depth; canonical = torchvision's model."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.blocks.conv import (
    ImageConfig,
    LayerNorm2d,
    StochasticDepth,
    image_input,
)
from archs.registry import register
from archs.spec import ArchSpec, ConfigError, Paper, hp, torchvision_top1

# ------------------------------------------------------------------------------------------ ConvNeXt


@dataclass(frozen=True)
class ConvNeXtConfig(ImageConfig):
    depths: tuple[int, ...] = hp(
        (3, 3, 9, 3), lo=1, hi=36, max_len=4, help="Blocks in each of the four stages."
    )
    dims: tuple[int, ...] = hp((96, 192, 384, 768), lo=4, hi=2048, max_len=4, help="Channels of each stage.")
    patch_size: int = hp(4, lo=1, hi=8, help="The stem: non-overlapping p×p patches (4 on ImageNet).")
    layer_scale: float = hp(1e-6, lo=0.0, hi=1.0, help="Initial value of each block's per-channel scale γ.")
    stochastic_depth: float = hp(0.1, lo=0.0, hi=0.5, step=0.05, help="Largest chance of skipping a block.")

    def validate(self) -> None:
        super().validate()
        if not self.depths:
            raise ConfigError("depths is empty: ConvNeXt needs at least one stage, e.g. 3, 3, 9, 3.")
        if len(self.depths) != len(self.dims):
            raise ConfigError(
                f"depths has {len(self.depths)} stages but dims has {len(self.dims)}; make them equal."
            )
        if self.image_size // self.patch_size < 2 ** (len(self.dims) - 1):
            raise ConfigError(
                f"image_size {self.image_size} is too small: the patch stem ({self.patch_size}) and "
                f"{len(self.dims) - 1} halvings leave no pixels. Use a smaller patch_size."
            )


class CNBlock(nn.Module):
    """7×7 depthwise conv → LayerNorm → 1×1 (×4) → GELU → 1×1, scaled by γ, plus the input."""

    def __init__(self, dim: int, layer_scale: float, drop: float):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1, self.act, self.pwconv2 = nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim)
        self.layer_scale = nn.Parameter(torch.full((dim, 1, 1), layer_scale))
        self.stochastic_depth = StochasticDepth(drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.dwconv(x).permute(0, 2, 3, 1)  # (B, H, W, C): linear layers act on channels
        h = self.pwconv2(self.act(self.pwconv1(self.norm(h)))).permute(0, 3, 1, 2)  # (B, C, H, W)
        return x + self.stochastic_depth(self.layer_scale * h)


class ConvNeXt(nn.Module):
    def __init__(self, cfg: ConvNeXtConfig):
        super().__init__()
        d, p = cfg.dims, cfg.patch_size
        layers: list[nn.Module] = [
            nn.Sequential(nn.Conv2d(cfg.in_channels, d[0], p, p), LayerNorm2d(d[0], eps=1e-6))
        ]
        total, idx = sum(cfg.depths), 0
        for i, n in enumerate(cfg.depths):
            blocks = []
            for _ in range(n):
                blocks.append(CNBlock(d[i], cfg.layer_scale, cfg.stochastic_depth * idx / max(1, total - 1)))
                idx += 1
            layers.append(nn.Sequential(*blocks))
            if i < len(d) - 1:
                layers.append(nn.Sequential(LayerNorm2d(d[i], eps=1e-6), nn.Conv2d(d[i], d[i + 1], 2, 2)))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            LayerNorm2d(d[-1], eps=1e-6), nn.Flatten(1), nn.Linear(d[-1], cfg.num_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.avgpool(self.features(x)))


register(
    ArchSpec(
        name="convnext_tiny",
        title="ConvNeXt-T",
        family="cnn",
        year=2022,
        paper=Paper(
            "Z. Liu, H. Mao, C.-Y. Wu, C. Feichtenhofer, T. Darrell, S. Xie",
            2022,
            "A ConvNet for the 2020s",
            arxiv="2201.03545",
        ),
        summary="A ResNet modernised step by step towards the Vision Transformer: patchify stem, 7×7 "
        "depthwise convolutions, LayerNorm, GELU, inverted bottlenecks.",
        tasks=("classification",),
        config=ConvNeXtConfig,
        build=ConvNeXt,
        example_input=image_input,
        presets={
            "tiny": {
                **{"in_channels": 1, "num_classes": 10, "image_size": 28},
                "depths": (1, 1, 2, 1),
                "dims": (16, 32, 48, 64),
                "patch_size": 2,
                "layer_scale": 0.1,
                "stochastic_depth": 0.0,
            },
            "canonical": {},
        },
        published_result=torchvision_top1(82.52, "ConvNeXt_Tiny_Weights.IMAGENET1K_V1"),
        published_params=28_589_128,
        published_source="torchvision.models.convnext_tiny, 28,589,128 parameters",
    )
)
