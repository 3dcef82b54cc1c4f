"""Convolutional networks, the classics: LeNet-5, AlexNet, VGG and Network in Network.

Canonical presets follow torchvision's reference implementations where one exists (their parameter
counts are the published ones). The family's other modules hold GoogLeNet, the plain/residual twins
of the degradation experiment, ResNet, DenseNet, MobileNetV2, EfficientNet and ConvNeXt, one each.
Every config shares ``in_channels``, ``num_classes`` and ``image_size`` (the example input's side,
which the tiny presets set to 28 for digits).

Decision for small inputs: the published stems shrink a 224-pixel image fast; the tiny presets use a
smaller stem (``stem_kernel``, ``stem_stride``) and a max-pool is left out where the feature map is
already smaller than its window, so the same block structure runs on 28×28 digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.blocks.conv import ImageConfig, conv_out, image_input, maybe_pool
from archs.registry import register
from archs.spec import ArchSpec, ConfigError, Paper, hp, torchvision_top1

# ------------------------------------------------------------------------------------------ shared


PAPER_LENET = Paper(
    "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner",
    1998,
    "Gradient-based learning applied to document recognition",
    url="https://doi.org/10.1109/5.726791",
)

# ------------------------------------------------------------------------------------------ LeNet-5


@dataclass(frozen=True)
class LeNetConfig(ImageConfig):
    channels: tuple[int, ...] = hp((6, 16), lo=1, hi=256, max_len=2, help="Feature maps of C1 and C3.")
    hidden_dims: tuple[int, ...] = hp(
        (120, 84), lo=1, hi=4096, max_len=3, help="Fully connected layers after the convolutions (C5, F6)."
    )
    padding: int = hp(0, lo=0, hi=4, help="Zero padding of C1: 2 keeps a 28×28 digit at 28×28.")
    activation: Literal["tanh", "relu"] = hp("tanh", help="tanh as in 1998, or ReLU as today.")
    pool: Literal["avg", "max"] = hp("avg", help="Subsampling: average (the paper) or max pooling.")

    def min_image_size(self) -> int:
        return 16 - 2 * self.padding

    def validate(self) -> None:
        super().validate()
        if len(self.channels) != 2:
            raise ConfigError("LeNet-5 has exactly two convolutional layers: give two channel counts.")


class LeNet5(nn.Module):
    """C1 conv 5×5 → S2 pool → C3 conv 5×5 → S4 pool → C5/F6 fully connected → 10 outputs."""

    def __init__(self, cfg: LeNetConfig):
        super().__init__()
        act = {"tanh": nn.Tanh, "relu": nn.ReLU}[cfg.activation]
        pool = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}[cfg.pool]
        c1, c3 = cfg.channels
        self.features = nn.Sequential(
            nn.Conv2d(cfg.in_channels, c1, 5, padding=cfg.padding),
            act(),
            pool(2),
            nn.Conv2d(c1, c3, 5),
            act(),
            pool(2),
        )
        s = (conv_out(cfg.image_size, 5, p=cfg.padding) // 2 - 4) // 2
        dims = (c3 * s * s, *cfg.hidden_dims)
        layers: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:], strict=True):
            layers += [nn.Linear(a, b), act()]
        self.classifier = nn.Sequential(*layers, nn.Linear(dims[-1], cfg.num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))  # (B, C·H·W) -> (B, classes)


register(
    ArchSpec(
        name="lenet5",
        title="LeNet-5",
        family="cnn",
        year=1998,
        paper=PAPER_LENET,
        summary="Two convolution + subsampling stages and three fully connected layers: the first CNN "
        "trained end to end by backpropagation, for reading cheques.",
        tasks=("classification",),
        config=LeNetConfig,
        build=LeNet5,
        example_input=image_input,
        presets={
            "tiny": {"in_channels": 1, "num_classes": 10, "image_size": 28, "padding": 2},
            "canonical": {"in_channels": 1, "num_classes": 10, "image_size": 32},
        },
        published_params=61_706,
        published_source="LeCun et al. (1998): C1 6@5×5, C3 16@5×5, C5 120, F6 84, 10 outputs on 32×32; "
        "with C3 fully connected and a linear output (as common reimplementations do): "
        "156 + 2,416 + 48,120 + 10,164 + 850 = 61,706 (the paper's sparse C3 and RBF output give ≈60 k)",
    )
)

# ------------------------------------------------------------------------------------------ AlexNet


@dataclass(frozen=True)
class AlexNetConfig(ImageConfig):
    channels: tuple[int, ...] = hp(
        (64, 192, 384, 256, 256), lo=1, hi=1024, max_len=5, help="Filters of the five convolutional layers."
    )
    hidden_dim: int = hp(4096, lo=8, hi=8192, help="Neurons of each of the two fully connected layers.")
    stem_kernel: int = hp(11, lo=3, hi=11, step=2, help="Kernel of the first convolution (11 on ImageNet).")
    stem_stride: int = hp(4, lo=1, hi=4, help="Stride of the first convolution (4 on ImageNet).")
    dropout: float = hp(0.5, lo=0.0, hi=0.9, step=0.05, help="Dropout before each fully connected layer.")

    def validate(self) -> None:
        super().validate()
        if len(self.channels) != 5:
            raise ConfigError("AlexNet has five convolutional layers: give five channel counts.")


class AlexNet(nn.Module):
    """Five convolutions (ReLU, three max-pools) and three fully connected layers with dropout
    (torchvision's single-GPU variant: 64-192-384-256-256 filters, no local response norm)."""

    def __init__(self, cfg: AlexNetConfig):
        super().__init__()
        c = cfg.channels
        s = conv_out(cfg.image_size, cfg.stem_kernel, cfg.stem_stride, 2)
        p1, s = maybe_pool(s, nn.MaxPool2d(3, 2))
        p2, s = maybe_pool(s, nn.MaxPool2d(3, 2))
        p3, s = maybe_pool(s, nn.MaxPool2d(3, 2))
        self.features = nn.Sequential(
            nn.Conv2d(cfg.in_channels, c[0], cfg.stem_kernel, cfg.stem_stride, 2),
            nn.ReLU(inplace=True),
            p1,
            nn.Conv2d(c[0], c[1], 5, padding=2),
            nn.ReLU(inplace=True),
            p2,
            nn.Conv2d(c[1], c[2], 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(c[2], c[3], 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(c[3], c[4], 3, padding=1),
            nn.ReLU(inplace=True),
            p3,
        )
        self.avgpool = nn.AdaptiveAvgPool2d(6)
        h = cfg.hidden_dim
        self.classifier = nn.Sequential(
            nn.Dropout(cfg.dropout),
            nn.Linear(c[4] * 36, h),
            nn.ReLU(inplace=True),
            nn.Dropout(cfg.dropout),
            nn.Linear(h, h),
            nn.ReLU(inplace=True),
            nn.Linear(h, cfg.num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.avgpool(self.features(x)).flatten(1))  # (B, C·6·6) -> (B, classes)


register(
    ArchSpec(
        name="alexnet",
        title="AlexNet",
        family="cnn",
        year=2012,
        paper=Paper(
            "A. Krizhevsky, I. Sutskever, G. E. Hinton",
            2012,
            "ImageNet classification with deep convolutional neural networks",
            url="https://papers.nips.cc/paper/4824",
        ),
        summary="Deeper and wider than LeNet, with ReLU, dropout and GPUs: the network that won "
        "ImageNet 2012 by a wide margin.",
        tasks=("classification",),
        config=AlexNetConfig,
        build=AlexNet,
        example_input=image_input,
        presets={
            "tiny": {
                "in_channels": 1,
                "num_classes": 10,
                "image_size": 28,
                "channels": (16, 32, 48, 32, 32),
                "hidden_dim": 128,
                "stem_kernel": 5,
                "stem_stride": 1,
                "dropout": 0.2,
            },
            "canonical": {},
        },
        published_result=torchvision_top1(56.522, "AlexNet_Weights.IMAGENET1K_V1"),
        published_params=61_100_840,
        published_source="torchvision.models.alexnet (one-GPU variant of the paper), 61,100,840 parameters",
    )
)

# ------------------------------------------------------------------------------------------ VGG

VGG_LAYOUTS = {  # conv widths per stage; "M" is a 2×2 max-pool (Simonyan & Zisserman, Table 1)
    11: ((64,), (128,), (256, 256), (512, 512), (512, 512)),
    13: ((64, 64), (128, 128), (256, 256), (512, 512), (512, 512)),
    16: ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512)),
    19: ((64, 64), (128, 128), (256,) * 4, (512,) * 4, (512,) * 4),
}


@dataclass(frozen=True)
class VGGConfig(ImageConfig):
    depth: Literal[11, 13, 16, 19] = hp(
        16, help="Weight layers: configurations A (11), B (13), D (16), E (19)."
    )
    width_div: int = hp(1, lo=1, hi=16, help="Divide every convolution's width by this (1 = published).")
    hidden_dim: int = hp(4096, lo=8, hi=8192, help="Neurons of each of the two fully connected layers.")
    pool_size: int = hp(7, lo=1, hi=7, help="Side of the map the adaptive average pool hands the classifier.")
    batch_norm: bool = hp(False, help="Batch norm after every convolution (a later variant, not the paper).")
    dropout: float = hp(0.5, lo=0.0, hi=0.9, step=0.05, help="Dropout in the classifier.")


class VGG(nn.Module):
    """Stacks of 3×3 convolutions (two 3×3 see as far as one 5×5 with fewer weights) and 2×2 max-pools,
    then three fully connected layers."""

    def __init__(self, cfg: VGGConfig):
        super().__init__()
        layers: list[nn.Module] = []
        c_in, s = cfg.in_channels, cfg.image_size
        for stage in VGG_LAYOUTS[cfg.depth]:
            for w in stage:
                w = max(1, w // cfg.width_div)
                layers.append(nn.Conv2d(c_in, w, 3, padding=1))
                layers += [nn.BatchNorm2d(w), nn.ReLU(inplace=True)] if cfg.batch_norm else [nn.ReLU(True)]
                c_in = w
            pool, s = maybe_pool(s, nn.MaxPool2d(2, 2))
            layers.append(pool)
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(cfg.pool_size)
        h = cfg.hidden_dim
        self.classifier = nn.Sequential(
            nn.Linear(c_in * cfg.pool_size**2, h),
            nn.ReLU(True),
            nn.Dropout(cfg.dropout),
            nn.Linear(h, h),
            nn.ReLU(True),
            nn.Dropout(cfg.dropout),
            nn.Linear(h, cfg.num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


PAPER_VGG = Paper(
    "K. Simonyan, A. Zisserman",
    2014,
    "Very deep convolutional networks for large-scale image recognition",
    arxiv="1409.1556",
)
VGG_TINY = {
    "in_channels": 1,
    "num_classes": 10,
    "image_size": 28,
    "width_div": 8,
    "hidden_dim": 64,
    "pool_size": 1,
    "batch_norm": True,
    "dropout": 0.0,
}
VGG_TOP1 = {11: 69.02, 16: 71.592, 19: 72.376}
for _d, _n in ((11, 132_863_336), (16, 138_357_544), (19, 143_667_240)):
    register(
        ArchSpec(
            name=f"vgg{_d}",
            title=f"VGG-{_d}",
            family="cnn",
            year=2014,
            paper=PAPER_VGG,
            summary=f"{_d} weight layers built only from 3×3 convolutions and 2×2 max-pools: depth "
            "through uniformity.",
            tasks=("classification",),
            config=VGGConfig,
            build=VGG,
            example_input=image_input,
            presets={"tiny": {**VGG_TINY, "depth": _d}, "canonical": {"depth": _d}},
            published_result=torchvision_top1(VGG_TOP1[_d], f"VGG{_d}_Weights.IMAGENET1K_V1"),
            published_params=_n,
            published_source=f"torchvision.models.vgg{_d} (configuration "
            f"{ {11: 'A', 16: 'D', 19: 'E'}[_d] } of the paper), {_n:,} parameters",
        )
    )

# ------------------------------------------------------------------------------------------ NIN


@dataclass(frozen=True)
class NINConfig(ImageConfig):
    channels: tuple[int, ...] = hp(
        (96, 256, 384, 1024), lo=1, hi=2048, max_len=4, help="Width of the four mlpconv blocks."
    )
    stem_kernel: int = hp(11, lo=3, hi=11, step=2, help="Kernel of the first convolution (11 on ImageNet).")
    stem_stride: int = hp(4, lo=1, hi=4, help="Stride of the first convolution (4 on ImageNet).")
    dropout: float = hp(0.5, lo=0.0, hi=0.9, step=0.05, help="Dropout after the third block.")

    def validate(self) -> None:
        super().validate()
        if len(self.channels) != 4:
            raise ConfigError("This Network in Network has four mlpconv blocks: give four widths.")


def mlpconv(c_in: int, c_out: int, k: int, s: int, p: int, last: int | None = None) -> nn.Sequential:
    """A k×k convolution followed by two 1×1 convolutions: a tiny MLP slid over every position."""
    last = last or c_out
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, k, s, p),
        nn.ReLU(True),
        nn.Conv2d(c_out, c_out, 1),
        nn.ReLU(True),
        nn.Conv2d(c_out, last, 1),
        nn.ReLU(True),
    )


class NiN(nn.Module):
    """Four mlpconv blocks; the last one outputs one map per class, averaged globally (no fully
    connected classifier at all)."""

    def __init__(self, cfg: NINConfig):
        super().__init__()
        c = cfg.channels
        s = conv_out(cfg.image_size, cfg.stem_kernel, cfg.stem_stride)
        p1, s = maybe_pool(s, nn.MaxPool2d(3, 2, ceil_mode=True))
        p2, s = maybe_pool(s, nn.MaxPool2d(3, 2, ceil_mode=True))
        p3, s = maybe_pool(s, nn.MaxPool2d(3, 2, ceil_mode=True))
        self.features = nn.Sequential(
            mlpconv(cfg.in_channels, c[0], cfg.stem_kernel, cfg.stem_stride, 0),
            p1,
            mlpconv(c[0], c[1], 5, 1, 2),
            p2,
            mlpconv(c[1], c[2], 3, 1, 1),
            p3,
            nn.Dropout(cfg.dropout),
            mlpconv(c[2], c[3], 3, 1, 1, last=cfg.num_classes),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pool(self.features(x)).flatten(1)  # (B, classes, 1, 1) -> (B, classes)


register(
    ArchSpec(
        name="nin",
        title="Network in Network",
        family="cnn",
        year=2013,
        paper=Paper("M. Lin, Q. Chen, S. Yan", 2013, "Network in network", arxiv="1312.4400"),
        summary="1×1 convolutions as a micro-MLP at every position, and global average pooling instead "
        "of fully connected layers.",
        tasks=("classification",),
        config=NINConfig,
        build=NiN,
        example_input=image_input,
        presets={
            "tiny": {
                "in_channels": 1,
                "num_classes": 10,
                "image_size": 28,
                "channels": (24, 32, 48, 64),
                "stem_kernel": 5,
                "stem_stride": 1,
                "dropout": 0.0,
            },
            "canonical": {},
        },
        published_params=7_595_176,
        published_source="the authors' ImageNet NIN in the Caffe Model Zoo (conv 11×11/4 96, 5×5 256, "
        "3×3 384, 3×3 1024, each with two 1×1 layers; the last gives 1000 maps): 7,595,176 parameters "
        "summed from its layer sizes",
    )
)

# ------------------------------------------------------------------------------------------ GoogLeNet
