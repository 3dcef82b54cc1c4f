"""The degradation experiment of He et al. (2016): a plain deep CNN and its residual twin (6n + 2
layers, three stages, option-A identity shortcuts), so that a page can show deeper plain networks
training worse while the residual one does not."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.conv import ImageConfig, conv_bn_act, image_input
from archs.registry import register
from archs.spec import ArchSpec, ConfigError, Paper, Result, hp

# ------------------------------------------------------------------------------ plain vs residual


@dataclass(frozen=True)
class DeepCNNConfig(ImageConfig):
    blocks_per_stage: int = hp(
        3,
        lo=1,
        hi=18,
        help="n: blocks of two 3×3 convolutions in each of the three stages; depth = 6n + 2 layers "
        "(n = 3 → 20, 5 → 32, 9 → 56).",
    )
    widths: tuple[int, ...] = hp(
        (16, 32, 64), lo=1, hi=512, max_len=3, help="Filters in each of the three stages."
    )
    residual: bool = hp(
        False,
        help="Add the block's input to its output, y = F(x) + x. Off: a plain stack of the same layers "
        "and the same parameters.",
    )

    def min_image_size(self) -> int:
        return 4

    def validate(self) -> None:
        super().validate()
        if len(self.widths) != 3:
            raise ConfigError("This network has three stages: give three widths, e.g. 16, 32, 64.")

    @property
    def depth(self) -> int:
        return 6 * self.blocks_per_stage + 2


class ShortcutA(nn.Module):
    """He et al.'s option A: identity; where the block halves the map and widens the channels, take
    every second pixel and pad the new channels with zeros. No parameters, so plain and residual
    twins have exactly the same count."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.stride, self.pad = stride, c_out - c_in

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.pad)) if self.pad else x


class TwoConvBlock(nn.Module):
    """conv3×3 → BN → ReLU → conv3×3 → BN, then (+ x if residual) → ReLU."""

    def __init__(self, c_in: int, c_out: int, stride: int, residual: bool):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = ShortcutA(c_in, c_out, stride) if residual else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.shortcut is not None:
            out = out + self.shortcut(x)  # y = F(x, {W_i}) + x
        return F.relu(out)


class DeepCNN(nn.Module):
    """He et al.'s CIFAR networks: a 3×3 stem, three stages of n two-conv blocks (the 2nd and 3rd
    halve the map and double the width), global average pooling and a linear classifier."""

    def __init__(self, cfg: DeepCNNConfig):
        super().__init__()
        self.cfg = cfg
        w = cfg.widths
        self.stem = conv_bn_act(cfg.in_channels, w[0], 3)
        blocks, c_in = [], w[0]
        for i, c in enumerate(w):
            for j in range(cfg.blocks_per_stage):
                blocks.append(TwoConvBlock(c_in, c, 2 if (i > 0 and j == 0) else 1, cfg.residual))
                c_in = c
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c_in, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.blocks(self.stem(x))).flatten(1))  # (B, C) -> (B, classes)


PAPER_RESNET = Paper(
    "K. He, X. Zhang, S. Ren, J. Sun",
    2015,
    "Deep residual learning for image recognition",
    arxiv="1512.03385",
)
_CIFAR = {"in_channels": 3, "num_classes": 10, "image_size": 32}
_DIGITS = {"in_channels": 1, "num_classes": 10, "image_size": 16, "widths": (8, 16, 32)}
for _name, _res in (("plain_cnn", False), ("residual_cnn", True)):
    register(
        ArchSpec(
            name=_name,
            title=("Residual" if _res else "Plain") + " deep CNN (CIFAR ResNet layout)",
            family="cnn",
            year=2015,
            paper=PAPER_RESNET,
            summary=(
                "The same 6n+2 layers with identity shortcuts y = F(x) + x: depth keeps helping."
                if _res
                else "6n+2 stacked 3×3 convolutions with no shortcuts: past some depth, training loss gets "
                "worse, not better (the degradation problem)."
            ),
            tasks=("classification",),
            config=DeepCNNConfig,
            build=DeepCNN,
            example_input=image_input,
            presets={
                "tiny": {**_DIGITS, "residual": _res},
                "deep": {**_DIGITS, "blocks_per_stage": 5, "residual": _res},
                "canonical": {**_CIFAR, "residual": _res},
            },
            published_params=269_722,
            published_result=(
                Result(91.25, "CIFAR-10 test accuracy", "He et al. 2016, Table 6: ResNet-20 error 8.75 %")
                if _res
                else None  # the paper draws the plain nets' errors (Fig. 6) but tabulates none
            ),
            published_source="He et al. (2016), Table 6: the 20-layer CIFAR-10 "
            f"{'ResNet' if _res else 'plain net'}"
            " (n = 3, 0.27M; shortcuts of option A carry no parameters): 269,722 summed from its layers, "
            "as reported by akamaster/pytorch_resnet_cifar10",
        )
    )
