"""Convolutional networks after 2015: ResNet (torchvision's v1.5), DenseNet, MobileNetV2, EfficientNet
B0–B7 (one builder; φ sets depth, width and resolution) and ConvNeXt.

Canonical presets reproduce torchvision's reference networks layer for layer, so their parameter
counts equal the published ones. Tiny presets use a small stem (``small_stem``: one 3×3 stride-1
convolution instead of the 7×7 stride-2 convolution and max-pool) so they train on 28×28 digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.cnn.classic import ImageConfig, conv_bn_act, conv_out, image_input
from archs.registry import register
from archs.spec import ArchSpec, ConfigError, Paper, hp

_DIGITS = {"in_channels": 1, "num_classes": 10, "image_size": 28}


class StochasticDepth(nn.Module):
    """Drop the whole residual branch of a sample with probability p while training (Huang et al. 2016);
    the survivors are scaled by 1/(1 − p) so the expectation is unchanged."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = torch.empty(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype).bernoulli_(1 - self.p)
        return x * keep / (1 - self.p)


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


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, c_in: int, width: int, stride: int):
        super().__init__()
        c_out = width * self.expansion
        self.conv1 = nn.Conv2d(c_in, width, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = _projection(c_in, c_out, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + identity)  # y = F(x, {W_i}) + x


class Bottleneck(nn.Module):
    """v1.5: the stride sits on the 3×3 convolution (not the first 1×1), as in torchvision."""

    expansion = 4

    def __init__(self, c_in: int, width: int, stride: int):
        super().__init__()
        c_out = width * self.expansion
        self.conv1 = nn.Conv2d(c_in, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = _projection(c_in, c_out, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


def _projection(c_in: int, c_out: int, stride: int) -> nn.Module | None:
    """Option B shortcut: a 1×1 convolution + BN where the shape changes, identity elsewhere."""
    if stride == 1 and c_in == c_out:
        return None
    return nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))


def small_or_imagenet_stem(c_in: int, c_out: int, small: bool) -> nn.Sequential:
    if small:
        return conv_bn_act(c_in, c_out, 3)
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 7, 2, 3, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2, 1),
    )


class ResNet(nn.Module):
    def __init__(self, cfg: ResNetConfig):
        super().__init__()
        block = BasicBlock if cfg.block == "basic" else Bottleneck
        self.stem = small_or_imagenet_stem(cfg.in_channels, cfg.width, cfg.small_stem)
        c_in = cfg.width
        stages = []
        for i, n in enumerate(cfg.layers):
            width = cfg.width * 2**i
            blocks = []
            for j in range(n):
                blocks.append(block(c_in, width, 2 if (i > 0 and j == 0) else 1))
                c_in = width * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c_in, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layer4(self.layer3(self.layer2(self.layer1(self.stem(x)))))
        return self.fc(self.avgpool(x).flatten(1))  # (B, C) -> (B, classes)


RESNETS = {  # depth: (block, layers, torchvision's parameter count)
    18: ("basic", (2, 2, 2, 2), 11_689_512),
    34: ("basic", (3, 4, 6, 3), 21_797_672),
    50: ("bottleneck", (3, 4, 6, 3), 25_557_032),
    101: ("bottleneck", (3, 4, 23, 3), 44_549_160),
    152: ("bottleneck", (3, 8, 36, 3), 60_192_808),
}
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
                "tiny": {**_DIGITS, "block": _b, "layers": (1, 1, 1, 1), "width": 8, "small_stem": True},
                "canonical": {"block": _b, "layers": _l},
            },
            published_params=_n,
            published_source=f"torchvision.models.resnet{_d} (v1.5: stride on the 3×3), {_n:,} parameters",
        )
    )

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
                **_DIGITS,
                "growth_rate": 8,
                "block_config": (2, 2, 2, 2),
                "init_features": 16,
                "bn_size": 2,
                "small_stem": True,
            },
            "canonical": {},
        },
        published_params=7_978_856,
        published_source="torchvision.models.densenet121, 7,978,856 parameters",
    )
)

# ------------------------------------------------------------------------------------------ MobileNetV2


def make_divisible(v: float, divisor: int = 8) -> int:
    """Round a width to a multiple of ``divisor``, never more than 10 % below v (as in the papers' code)."""
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


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
            "tiny": {**_DIGITS, "width_mult": 0.25, "last_channel": 128, "dropout": 0.0},
            "canonical": {},
        },
        published_params=3_504_872,
        published_source="torchvision.models.mobilenet_v2 (width 1.0), 3,504,872 parameters",
    )
)
