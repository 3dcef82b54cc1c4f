"""What SimCLR and BYOL share: a ResNet encoder read out by global average pooling, the fields that
configure it, and the small MLP heads (projector, predictor) with batch norm.

The encoder is the shared ResNet trunk of ``archs.blocks.residual`` (the CNN family's ResNet without its
classifier): ``encode(x)`` is the representation h (B, C) that a linear probe reads; the heads map h to
the embedding z that the self-supervised loss compares.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.blocks.residual import ResNetTrunk
from archs.spec import Config, ConfigError, hp


@dataclass(frozen=True)
class EncoderConfig(Config):
    """The ResNet encoder's fields (ResNet-50 at 224 pixels in the canonical presets)."""

    in_channels: int = hp(3, lo=1, hi=4, help="Colour channels of the images: 3 for RGB, 1 for grey digits.")
    image_size: int = hp(
        16, lo=8, hi=512, help="Side of the square input image in pixels (224 for ImageNet, 16 in the labs)."
    )
    block: Literal["basic", "bottleneck"] = hp(
        "basic", help="basic: two 3×3 convolutions per block. bottleneck: 1×1 → 3×3 → 1×1 (ResNet-50)."
    )
    layers: tuple[int, ...] = hp(
        (1, 1, 1, 1),
        lo=1,
        hi=64,
        max_len=4,
        help="Residual blocks in each of the four stages (3, 4, 6, 3 in ResNet-50).",
    )
    width: int = hp(8, lo=4, hi=256, help="Channels of the first stage; each later stage doubles them.")
    small_stem: bool = hp(
        True,
        help="One 3×3 stride-1 convolution instead of ImageNet's 7×7 stride-2 convolution and max-pool: "
        "small images keep their detail.",
    )

    def validate(self) -> None:
        if len(self.layers) != 4:
            raise ConfigError("A ResNet encoder has four stages: give four block counts, e.g. 1, 1, 1, 1.")
        least = 8 if self.small_stem else 32
        if self.image_size < least:
            raise ConfigError(
                f"image_size ({self.image_size}) is too small for this encoder: it halves the image "
                f"{3 if self.small_stem else 5} times, so it needs at least {least}×{least} pixels. Enlarge "
                "the image or use the small stem."
            )


class ResNetEncoder(nn.Module):
    """images (B, C, H, W) -> h (B, D): the ResNet trunk, then the mean over the last feature map."""

    def __init__(self, cfg: EncoderConfig):
        super().__init__()
        self.trunk = ResNetTrunk(cfg.in_channels, cfg.block, cfg.layers, cfg.width, cfg.small_stem)
        self.out_dim = self.trunk.out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.trunk(x).mean((2, 3))  # (B, C, H', W') -> (B, C)


class ScaleOnlyBatchNorm1d(nn.BatchNorm1d):
    """Batch norm with a learned scale γ and no shift β: SimCLR's last projection layer ("center=False")."""

    def __init__(self, dim: int):
        super().__init__(dim, affine=False)
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x) * self.weight


def bn_mlp(d_in: int, hidden: int, d_out: int, last_bias: bool) -> nn.Sequential:
    """Linear → BatchNorm → ReLU → Linear: BYOL's projector and predictor (the second linear layer
    without a bias in DeepMind's code, ``last_bias=False``)."""
    return nn.Sequential(
        nn.Linear(d_in, hidden),
        nn.BatchNorm1d(hidden),
        nn.ReLU(inplace=True),
        nn.Linear(hidden, d_out, last_bias),
    )


def frozen_copy(module: nn.Module) -> nn.Module:
    """A deep copy of ``module`` whose parameters are buffers: it moves with ``.to()`` and is saved in the
    state dict, but holds no trainable parameter (so it is not counted or optimised). BYOL's target."""
    twin = copy.deepcopy(module)
    for m in twin.modules():
        for name, p in list(m.named_parameters(recurse=False)):
            delattr(m, name)
            m.register_buffer(name, p.detach().clone())
    return twin


def example_images(cfg: EncoderConfig) -> torch.Tensor:
    return torch.rand(2, cfg.in_channels, cfg.image_size, cfg.image_size)
