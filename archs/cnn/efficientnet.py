"""EfficientNet B0–B7 (Tan & Le, 2019, arXiv 1905.11946) from one builder.

Compound scaling: the paper scales depth d = α^φ, width w = β^φ and resolution r = γ^φ with
α = 1.2, β = 1.1, γ = 1.15 (α·β²·γ² ≈ 2, so each step of φ doubles the FLOPs). The released B1–B7
round those to the coefficients in ``EFFICIENTNET`` (from the authors' code, also torchvision's),
which the canonical presets use so that their parameter counts equal the published ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from archs.blocks.conv import (
    ImageConfig,
    SqueezeExcitation,
    StochasticDepth,
    conv_bn_act,
    image_input,
    make_divisible,
)
from archs.registry import register
from archs.spec import ArchSpec, ConfigError, Paper, hp, torchvision_top1

# φ: (width multiplier, depth multiplier, resolution, dropout, torchvision's parameter count)
EFFICIENTNET = {
    0: (1.0, 1.0, 224, 0.2, 5_288_548),
    1: (1.0, 1.1, 240, 0.2, 7_794_184),
    2: (1.1, 1.2, 260, 0.3, 9_109_994),
    3: (1.2, 1.4, 300, 0.3, 12_233_232),
    4: (1.4, 1.8, 380, 0.4, 19_341_616),
    5: (1.6, 2.2, 456, 0.4, 30_389_784),
    6: (1.8, 2.6, 528, 0.5, 43_040_704),
    7: (2.0, 3.1, 600, 0.5, 66_347_960),
}
ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15

# B0's stages: (expansion, kernel, stride, in, out, layers) — the paper's Table 1
B0_STAGES = (
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
)


def compound_coefficients(phi: int) -> dict[str, float]:
    """The paper's formula next to the released coefficients, for the page's table."""
    w, d, r, _, _ = EFFICIENTNET[phi]
    return {
        "phi": phi,
        "depth α^φ": ALPHA**phi,
        "width β^φ": BETA**phi,
        "resolution 224·γ^φ": 224 * GAMMA**phi,
        "released depth": d,
        "released width": w,
        "released resolution": r,
    }


@dataclass(frozen=True)
class EfficientNetConfig(ImageConfig):
    phi: int = hp(
        0,
        lo=0,
        hi=7,
        help="φ, the compound coefficient: B0 … B7. It sets depth, width and "
        "the resolution the network was trained at.",
    )
    extra_width: float = hp(
        1.0,
        lo=0.125,
        hi=2.0,
        step=0.125,
        help="Scale the widths further (1 = as φ says; tiny presets shrink).",
    )
    extra_depth: float = hp(
        1.0, lo=0.1, hi=2.0, step=0.05, help="Scale the number of blocks further (1 = as φ says)."
    )
    stochastic_depth: float = hp(
        0.2,
        lo=0.0,
        hi=0.5,
        step=0.05,
        help="Largest chance of skipping a block while training (grows with depth).",
    )

    def min_image_size(self) -> int:
        return 16

    def validate(self) -> None:
        super().validate()
        if self.extra_width * EFFICIENTNET[self.phi][0] * 16 < 2:
            raise ConfigError("extra_width is so small that some layers would have no channels; raise it.")


class MBConv(nn.Module):
    """Expand 1×1 (×t) → depthwise k×k → squeeze-and-excite → project 1×1; skip + stochastic depth."""

    def __init__(self, c_in: int, c_out: int, t: int, k: int, stride: int, drop: float):
        super().__init__()
        hidden = make_divisible(c_in * t)
        act, eps = nn.SiLU, 1e-3
        layers = [conv_bn_act(c_in, hidden, 1, act=act, eps=eps)] if hidden != c_in else []
        layers += [
            conv_bn_act(hidden, hidden, k, stride, groups=hidden, act=act, eps=eps),
            SqueezeExcitation(hidden, max(1, c_in // 4)),
            conv_bn_act(hidden, c_out, 1, act=None, eps=eps),
        ]
        self.block = nn.Sequential(*layers)
        self.use_res = stride == 1 and c_in == c_out
        self.stochastic_depth = StochasticDepth(drop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        return x + self.stochastic_depth(out) if self.use_res else out


class EfficientNet(nn.Module):
    def __init__(self, cfg: EfficientNetConfig):
        super().__init__()
        w_mult, d_mult, _, dropout, _ = EFFICIENTNET[cfg.phi]
        w_mult, d_mult = w_mult * cfg.extra_width, d_mult * cfg.extra_depth
        ch = lambda c: make_divisible(c * w_mult)
        stages = [(t, k, s, ch(a), ch(b), math.ceil(n * d_mult)) for t, k, s, a, b, n in B0_STAGES]
        total, idx = sum(s[-1] for s in stages), 0
        layers: list[nn.Module] = [conv_bn_act(cfg.in_channels, stages[0][3], 3, 2, act=nn.SiLU, eps=1e-3)]
        for t, k, s, c_in, c_out, n in stages:
            blocks = []
            for i in range(n):
                drop = cfg.stochastic_depth * idx / total
                blocks.append(MBConv(c_in if i == 0 else c_out, c_out, t, k, s if i == 0 else 1, drop))
                idx += 1
            layers.append(nn.Sequential(*blocks))
        last = 4 * stages[-1][4]
        layers.append(conv_bn_act(stages[-1][4], last, 1, act=nn.SiLU, eps=1e-3))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(last, cfg.num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


PAPER_EFF = Paper(
    "M. Tan, Q. V. Le",
    2019,
    "EfficientNet: rethinking model scaling for convolutional neural networks",
    arxiv="1905.11946",
)
# torchvision's ImageNet-1k top-1 of the weights ported from the paper, each at its own resolution
EFFICIENTNET_TOP1 = {0: 77.692, 1: 78.642, 2: 80.608, 3: 82.008, 4: 83.384, 5: 83.444, 6: 84.008, 7: 84.122}
for _phi, (_w, _d, _r, _p, _n) in EFFICIENTNET.items():
    register(
        ArchSpec(
            name=f"efficientnet_b{_phi}",
            title=f"EfficientNet-B{_phi}",
            family="cnn",
            year=2019,
            paper=PAPER_EFF,
            summary="MBConv blocks with squeeze-and-excitation, "
            f"scaled by φ = {_phi}: width ×{_w}, depth ×{_d}, "
            f"{_r}×{_r} pixels.",
            tasks=("classification",),
            config=EfficientNetConfig,
            build=EfficientNet,
            example_input=image_input,
            presets={
                "tiny": {
                    "in_channels": 1,
                    "num_classes": 10,
                    "image_size": 28,
                    "phi": _phi,
                    "extra_width": round(0.25 / _w, 3),
                    "extra_depth": round(1 / _d, 2) if _phi else 1.0,
                    "stochastic_depth": 0.0,
                },
                "canonical": {"phi": _phi, "image_size": _r},
            },
            published_result=torchvision_top1(
                EFFICIENTNET_TOP1[_phi], f"EfficientNet_B{_phi}_Weights.IMAGENET1K_V1, {_r} px"
            ),
            published_params=_n,
            published_source=f"torchvision.models.efficientnet_b{_phi}, {_n:,} parameters",
        )
    )
