"""Convolutional building blocks: the fields every image model shares (``ImageConfig``), the output-size
formula, conv-BN-activation, squeeze-and-excitation (Hu et al. 2018), stochastic depth (Huang et al.
2016), channel rounding (MobileNet) and the channels-first LayerNorm of ConvNeXt."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.spec import Config, ConfigError, hp


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


class StochasticDepth(nn.Module):
    """Drop the whole residual branch of a sample with probability p while training (Huang et al. 2016);
    the survivors are scaled by 1/(1 − p) so the expectation is unchanged."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)  # one draw per sample, for maps and token sequences
        keep = torch.empty(shape, device=x.device, dtype=x.dtype).bernoulli_(1 - self.p)
        return x * keep / (1 - self.p)


def make_divisible(v: float, divisor: int = 8) -> int:
    """Round a width to a multiple of ``divisor``, never more than 10 % below v (as in the papers' code)."""
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


class SqueezeExcitation(nn.Module):
    """Global average → 1×1 reduce → SiLU → 1×1 expand → sigmoid: one gate per channel."""

    def __init__(self, channels: int, squeeze: int):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.act, self.gate = nn.SiLU(inplace=True), nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gate(self.fc2(self.act(self.fc1(self.avgpool(x)))))  # (B, C, 1, 1) gates


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of a (B, C, H, W) map."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)  # (B, H, W, C)
        x = nn.functional.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)  # (B, C, H, W)


# the tiny presets' input: scikit-learn's digits upsampled to 28×28
DIGITS_28 = {"in_channels": 1, "num_classes": 10, "image_size": 28}


def small_or_imagenet_stem(c_in: int, c_out: int, small: bool, norm=nn.BatchNorm2d) -> nn.Sequential:
    if small:
        return nn.Sequential(nn.Conv2d(c_in, c_out, 3, 1, 1, bias=False), norm(c_out), nn.ReLU(inplace=True))
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 7, 2, 3, bias=False),
        norm(c_out),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2, 1),
    )
