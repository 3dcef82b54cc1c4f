"""Convolutional networks, the classics: LeNet-5, AlexNet, VGG, Network in Network, GoogLeNet, and a
plain deep CNN with its residual twin (the degradation experiment of He et al. 2016).

Canonical presets follow torchvision's reference implementations where one exists (their parameter
counts are the published ones); ResNet, DenseNet, MobileNetV2, EfficientNet and ConvNeXt live in
``archs/cnn_modern.py``. Every config shares ``in_channels``, ``num_classes`` and ``image_size`` (the
example input's side, which the tiny presets set to 28 for digits).

Decision for small inputs: the published stems shrink a 224-pixel image fast; the tiny presets use a
smaller stem (``stem_kernel``, ``stem_stride``) and a max-pool is left out where the feature map is
already smaller than its window, so the same block structure runs on 28×28 digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp

# ------------------------------------------------------------------------------------------ shared


@dataclass(frozen=True)
class ImageConfig(Config):
    """Fields every CNN of the family shares."""

    in_channels: int = hp(3, lo=1, hi=4, help="Colour channels of the input: 3 for RGB, 1 for grey digits.")
    num_classes: int = hp(1000, lo=2, hi=1000, help="Classes to score: 1000 for ImageNet, 10 for digits.")
    image_size: int = hp(
        224,
        lo=8,
        hi=640,
        help="Side of the square input image in pixels (224 for ImageNet models, 28 for digits).",
    )

    def min_image_size(self) -> int:
        return 8

    def validate(self) -> None:
        m = self.min_image_size()
        if self.image_size < m:
            raise ConfigError(
                f"image_size ({self.image_size}) is too small for this network: its layers need at "
                f"least {m}×{m} pixels. Enlarge the image or shrink the stem."
            )


def image_input(cfg: ImageConfig) -> torch.Tensor:
    return torch.randn(2, cfg.in_channels, cfg.image_size, cfg.image_size)


def conv_out(size: int, k: int, s: int = 1, p: int = 0, d: int = 1, ceil: bool = False) -> int:
    """Output side of a convolution or pooling: ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1."""
    num = size + 2 * p - d * (k - 1) - 1
    return (-(-num // s) if ceil else num // s) + 1


def conv_bn_act(c_in: int, c_out: int, k: int, s: int = 1, groups: int = 1, act=nn.ReLU, eps=1e-5):
    """Conv (no bias: the norm's shift replaces it) → BatchNorm → activation."""
    layers = [
        nn.Conv2d(c_in, c_out, k, s, (k - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out, eps=eps),
    ]
    if act is not None:
        layers.append(act(inplace=True) if act in (nn.ReLU, nn.ReLU6, nn.SiLU) else act())
    return nn.Sequential(*layers)


def maybe_pool(size: int, pool: nn.Module) -> tuple[nn.Module, int]:
    """The pool, or Identity where the map is smaller than the pool's window (tiny inputs)."""
    k, s, p = pool.kernel_size, pool.stride, pool.padding
    k, s, p = (x if isinstance(x, int) else x[0] for x in (k, s, p))
    if size < k:
        return nn.Identity(), size
    return pool, conv_out(size, k, s, p, ceil=getattr(pool, "ceil_mode", False))


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

INCEPTION = {  # name: (in, 1×1, 3×3 reduce, 3×3, "5×5" reduce, "5×5", pool proj) — paper's Table 1
    "inception3a": (192, 64, 96, 128, 16, 32, 32),
    "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64),
    "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64),
    "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128),
    "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}


@dataclass(frozen=True)
class GoogLeNetConfig(ImageConfig):
    width_mult: float = hp(1.0, lo=0.0625, hi=2.0, step=0.0625, help="Scale every width (1 = published).")
    big_kernel: Literal[3, 5] = hp(
        3,
        help="Kernel of the 'wide' branch. The paper says 5×5; torchvision's reference network (whose "
        "weights and parameter count are the standard) uses 3×3 there.",
    )
    dropout: float = hp(0.2, lo=0.0, hi=0.9, step=0.05, help="Dropout before the classifier.")


def basic_conv(c_in: int, c_out: int, k: int, s: int = 1) -> nn.Sequential:
    return conv_bn_act(c_in, c_out, k, s, eps=1e-3)


class Inception(nn.Module):
    """Four parallel branches (1×1; 1×1→3×3; 1×1→k×k; 3×3 max-pool→1×1) concatenated on channels."""

    def __init__(self, dims: tuple[int, ...], big_kernel: int):
        super().__init__()
        c_in, c1, r3, c3, r5, c5, pp = dims
        self.branch1 = basic_conv(c_in, c1, 1)
        self.branch2 = nn.Sequential(basic_conv(c_in, r3, 1), basic_conv(r3, c3, 3))
        self.branch3 = nn.Sequential(basic_conv(c_in, r5, 1), basic_conv(r5, c5, big_kernel))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), basic_conv(c_in, pp, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return torch.cat(branches, 1)  # (B, c1 + c3 + c5 + pp, H, W)


class GoogLeNet(nn.Module):
    """GoogLeNet (Inception v1) without its two auxiliary classifiers (they only help training)."""

    def __init__(self, cfg: GoogLeNetConfig):
        super().__init__()
        w = lambda c: max(1, round(c * cfg.width_mult))
        s = conv_out(cfg.image_size, 7, 2, 3)
        self.conv1 = basic_conv(cfg.in_channels, w(64), 7, 2)
        self.maxpool1, s = maybe_pool(s, nn.MaxPool2d(3, 2, ceil_mode=True))
        self.conv2 = basic_conv(w(64), w(64), 1)
        self.conv3 = basic_conv(w(64), w(192), 3)
        self.maxpool2, s = maybe_pool(s, nn.MaxPool2d(3, 2, ceil_mode=True))
        blocks: list[nn.Module] = []
        prev_out = w(192)
        for name, dims in INCEPTION.items():
            if name == "inception4a":
                pool, s = maybe_pool(s, nn.MaxPool2d(3, 2, ceil_mode=True))
                blocks.append(pool)
            if name == "inception5a":
                pool, s = maybe_pool(s, nn.MaxPool2d(2, 2, ceil_mode=True))
                blocks.append(pool)
            scaled = [w(d) for d in dims[1:]]
            blocks.append(Inception((prev_out, *scaled), cfg.big_kernel))  # input = previous output
            prev_out = scaled[0] + scaled[2] + scaled[4] + scaled[5]
        self.inception = nn.Sequential(*blocks)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(cfg.dropout)
        self.fc = nn.Linear(prev_out, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool2(self.conv3(self.conv2(self.maxpool1(self.conv1(x)))))
        x = self.avgpool(self.inception(x)).flatten(1)  # (B, 1024)
        return self.fc(self.dropout(x))


register(
    ArchSpec(
        name="googlenet",
        title="GoogLeNet (Inception v1)",
        family="cnn",
        year=2014,
        paper=Paper("C. Szegedy et al.", 2014, "Going deeper with convolutions", arxiv="1409.4842"),
        summary="Inception modules run 1×1, 3×3, 5×5 convolutions and pooling side by side and concatenate "
        "them; 1×1 reductions keep it 12× smaller than AlexNet.",
        tasks=("classification",),
        config=GoogLeNetConfig,
        build=GoogLeNet,
        example_input=image_input,
        presets={
            "tiny": {
                "in_channels": 1,
                "num_classes": 10,
                "image_size": 28,
                "width_mult": 0.125,
                "dropout": 0,
            },
            "canonical": {},
        },
        published_params=6_624_904,
        published_source="torchvision.models.googlenet(aux_logits=False, init_weights=True): the inference "
        "network without the auxiliary heads, 6,624,904 parameters",
    )
)

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
            published_source="He et al. (2016), Table 6: the 20-layer CIFAR-10 "
            f"{'ResNet' if _res else 'plain net'}"
            " (n = 3, 0.27M; shortcuts of option A carry no parameters): 269,722 summed from its layers, "
            "as reported by akamaster/pytorch_resnet_cifar10",
        )
    )
