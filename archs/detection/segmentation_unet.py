"""U-Net: O. Ronneberger, P. Fischer & T. Brox (2015), "U-Net: convolutional networks for biomedical image
segmentation", MICCAI, arXiv 1505.04597.

A contracting path (two 3×3 convolutions + ReLU, then a 2×2 max-pool that halves the map and doubles the
channels, ``depth`` times), a bottom level, and an expanding path that mirrors it: a 2×2 up-convolution
halves the channels and doubles the map, the contracting path's map of the same level is concatenated
(the skip connection that brings back the fine detail pooling lost), and two 3×3 convolutions follow. A
1×1 convolution maps each 64-channel feature vector to the class scores. 23 convolutional layers at
depth 4.

The paper's convolutions are unpadded ("valid"): each 3×3 trims a one-pixel border, so a 572×572 tile
gives a 388×388 map, the skip maps are cropped to the centre before concatenation, and the border of an
image is predicted from a mirrored copy of it (the overlap-tile strategy; ``logits`` does that here).
With ``padding="same"`` every map keeps its size (the common modern variant, usually with batch norm).

Canonical: the network of the paper's Fig. 1 (1 input channel, 2 classes, 64 base channels, depth 4,
unpadded, biases, no batch norm, dropout at the end of the contracting path): 31,030,658 parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.detection.segmentation import Segmenter
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


def valid_output_size(size: int, depth: int) -> int | None:
    """Output side of the unpadded U-Net for an input side ``size``; None where a map before a pooling is
    odd (the 2×2 pool would drop a row and the skip crop would not be centred) or a map vanishes."""
    for _ in range(depth):
        size -= 4  # two unpadded 3×3 convolutions
        if size <= 0 or size % 2:
            return None
        size //= 2
    size -= 4
    for _ in range(depth):
        size = 2 * size - 4  # up-convolution, then two 3×3 convolutions
        if size <= 0:
            return None
    return size if size > 0 else None


def valid_input_size(out: int, depth: int) -> int:
    """The smallest input side of the unpadded U-Net whose output covers ``out`` pixels."""
    size = out
    while (o := valid_output_size(size, depth)) is None or o < out:
        size += 1
    return size


@dataclass(frozen=True)
class UNetConfig(Config):
    in_channels: int = hp(1, lo=1, hi=4, help="Channels of the input image: 1 for grey scans, 3 for RGB.")
    num_classes: int = hp(
        2, lo=2, hi=100, help="Classes scored per pixel, background included (the paper: cell and border)."
    )
    image_size: int = hp(
        572,
        lo=16,
        hi=1024,
        help="Side of the square input tile in pixels. The paper's unpadded network takes 572 and returns "
        "388; with padding 'same' the output has the input's size.",
    )
    base_channels: int = hp(
        64,
        lo=4,
        hi=128,
        help="Channels of the first level (64 in the paper); every pooling step doubles them, so the "
        "bottom of a depth-4 U-Net has 16× as many.",
    )
    depth: int = hp(
        4,
        lo=1,
        hi=5,
        help="Number of 2×2 poolings on the way down (and up-convolutions on the way back): 4 in the paper. "
        "Deeper sees more context per pixel and costs more.",
    )
    padding: Literal["valid", "same"] = hp(
        "valid",
        help="'valid': the paper's unpadded 3×3 convolutions; the output is smaller than the input and the "
        "skip maps are cropped. 'same': zero padding keeps every map's size, so output = input size.",
    )
    batch_norm: bool = hp(
        False,
        help="Batch norm after every 3×3 convolution: not in the 2015 paper (it predates it), but most "
        "modern U-Nets add it because it trains much faster.",
    )
    dropout: float = hp(
        0.0,
        lo=0.0,
        hi=0.9,
        step=0.05,
        help="Dropout on the bottom level's features (the paper puts drop-out at the end of the contracting "
        "path as data augmentation).",
    )
    dice_weight: float = hp(
        0.0,
        lo=0.0,
        hi=5.0,
        step=0.1,
        help="Weight of a soft Dice loss added to the per-pixel cross-entropy: it weighs every class equally "
        "however few pixels it covers (0: cross-entropy only).",
    )

    def validate(self) -> None:
        if self.padding == "same" and self.image_size < 2**self.depth:
            raise ConfigError(
                f"image_size ({self.image_size}) is too small for depth {self.depth}: {self.depth} poolings "
                f"need at least {2**self.depth} pixels. Enlarge the image or lower the depth."
            )
        if self.padding == "valid" and valid_output_size(self.image_size, self.depth) is None:
            near = valid_input_size(1, self.depth)
            ok = [s for s in range(near, 1025) if valid_output_size(s, self.depth)]
            close = sorted(ok, key=lambda s: abs(s - self.image_size))[:2]
            raise ConfigError(
                f"With unpadded convolutions and depth {self.depth}, image_size {self.image_size} does not "
                f"work: every map before a pooling must be even and the output must not vanish. The nearest "
                f"sizes that work are {' and '.join(map(str, sorted(close)))}; or choose padding 'same'."
            )


def double_conv(c_in: int, c_out: int, pad: int, bn: bool) -> nn.Sequential:
    """Two 3×3 convolutions, each followed by (batch norm and) ReLU."""
    layers: list[nn.Module] = []
    for c in (c_in, c_out):
        layers.append(nn.Conv2d(c, c_out, 3, padding=pad, bias=not bn))
        layers += [nn.BatchNorm2d(c_out)] if bn else []
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def center_crop(x: torch.Tensor, h: int, w: int) -> torch.Tensor:
    top, left = (x.shape[-2] - h) // 2, (x.shape[-1] - w) // 2
    return x[..., top : top + h, left : left + w]  # (B, C, h, w)


def mirror_pad(x: torch.Tensor, left: int, right: int, top: int, bottom: int) -> torch.Tensor:
    """Reflect padding of any width (a single reflection can add at most side − 1 pixels)."""
    while left or right or top or bottom:
        h, w = x.shape[-2:]
        step = [min(p, s - 1) for p, s in ((left, w), (right, w), (top, h), (bottom, h))]
        x = F.pad(x, step, mode="reflect")
        left, right, top, bottom = (p - s for p, s in zip((left, right, top, bottom), step, strict=True))
    return x


class UNet(Segmenter):
    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.cfg, self.num_classes, self.dice_weight = cfg, cfg.num_classes, cfg.dice_weight
        pad, bn, c = (0 if cfg.padding == "valid" else 1), cfg.batch_norm, cfg.base_channels
        widths = [c * 2**i for i in range(cfg.depth + 1)]  # 64, 128, 256, 512, 1024
        self.down = nn.ModuleList()
        c_in = cfg.in_channels
        for w in widths[:-1]:
            self.down.append(double_conv(c_in, w, pad, bn))
            c_in = w
        self.pool = nn.MaxPool2d(2)
        self.bottom = double_conv(widths[-2], widths[-1], pad, bn)
        self.drop = nn.Dropout2d(cfg.dropout)
        self.up = nn.ModuleList(nn.ConvTranspose2d(w, w // 2, 2, stride=2) for w in reversed(widths[1:]))
        self.dec = nn.ModuleList(double_conv(w, w // 2, pad, bn) for w in reversed(widths[1:]))
        self.head = nn.Conv2d(widths[0], cfg.num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = self.pool(x)  # (B, C, H/2, W/2)
        x = self.drop(self.bottom(x))
        for up, dec, skip in zip(self.up, self.dec, reversed(skips), strict=True):
            x = up(x)  # (B, C/2, 2H, 2W)
            if self.cfg.padding == "valid":
                skip = center_crop(skip, *x.shape[-2:])  # the paper's crop of the skip map
            elif x.shape[-2:] != skip.shape[-2:]:  # odd sides: pad the upsampled map to the skip's size
                dh, dw = skip.shape[-2] - x.shape[-2], skip.shape[-1] - x.shape[-1]
                x = F.pad(x, (dw // 2, dw - dw // 2, dh // 2, dh - dh // 2))
            x = dec(torch.cat([skip, x], 1))  # (B, C, H, W)
        return self.head(x)  # (B, K, H', W')

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Scores aligned with the input's pixels. Unpadded: the input is mirrored at its borders to the
        smallest tile whose output covers it (the paper's overlap-tile strategy), and cropped back."""
        if self.cfg.padding == "same":
            return self(x)
        (h, w), d = x.shape[-2:], self.cfg.depth
        th, tw = valid_input_size(h, d), valid_input_size(w, d)
        mh, mw = (th - valid_output_size(th, d)) // 2, (tw - valid_output_size(tw, d)) // 2
        tile = mirror_pad(x, mw, tw - w - mw, mh, th - h - mh)  # (B, C, th, tw)
        return self(tile)[..., :h, :w]  # (B, K, H, W)


register(
    ArchSpec(
        name="unet",
        title="U-Net",
        family="detection",
        year=2015,
        paper=Paper(
            "O. Ronneberger, P. Fischer, T. Brox",
            2015,
            "U-Net: Convolutional Networks for Biomedical Image Segmentation",
            arxiv="1505.04597",
        ),
        summary="An encoder–decoder of 3×3 convolutions whose skip connections carry each level's detail "
        "across the U: a class for every pixel, from few training images.",
        tasks=("semantic segmentation",),
        config=UNetConfig,
        build=UNet,
        example_input=lambda c: torch.rand(2, c.in_channels, c.image_size, c.image_size),
        presets={
            "tiny": dict(
                num_classes=7, image_size=64, base_channels=16, depth=3, padding="same", batch_norm=True
            ),
            "canonical": dict(dropout=0.5),
        },
        published_params=31_030_658,
        published_source="The network of the paper's Fig. 1 counted layer by layer: 18 unpadded 3×3 "
        "convolutions, 4 2×2 up-convolutions and the final 1×1, all with biases, 1 input channel and 2 "
        "classes (the paper reports no total). Keras reproductions of Fig. 1 print the same "
        "'Total params: 31,030,658' (e.g. 'Model Implementation: Original U-Net in Keras / Tensorflow "
        "2.3', 2020), the figure behind the widely quoted '31 million'.",
    )
)
