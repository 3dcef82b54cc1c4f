"""RealNVP: Dinh, Sohl-Dickstein & Bengio (2017), "Density estimation using Real NVP", arXiv 1605.08803.

A stack of affine coupling layers: a binary mask m keeps part of the input, and the rest is scaled and
shifted by functions of the kept part, y = m⊙x + (1−m)⊙(x⊙exp(s(m⊙x)) + t(m⊙x)). The Jacobian is
triangular, so log|det| = Σ s, and s and t may be any network: they are never inverted. Consecutive
layers swap the mask, so every coordinate is transformed.

- ``data="points"``: masks alternate between the two coordinates; s and t come from an MLP.
- ``data="image"``: the paper's multi-scale architecture. At each scale but the last: ``num_layers``
  couplings with checkerboard masks, a squeeze (C, H, W) -> (4C, H/2, W/2), ``num_layers`` couplings with
  channel masks, then half of the channels are factored out (scored by N(0, I), not transformed further).
  The last scale has ``num_layers + 1`` checkerboard couplings (the paper: 3, 3 and 4). s and t come from
  a small ResNet; s is bounded by tanh times a learned per-channel gain.

Simplifications: no batch normalisation or weight normalisation inside the flow. No canonical preset: the
paper gives no parameter count, and its networks (ResNets with batch and weight normalisation of "8
residual blocks" or "4 residual blocks with 32 feature maps") are not specified to the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.flows.common import DATA_HELP, check_common, check_input, example_input
from archs.flows.layers import Flow, MaskedCoupling, Split, Squeeze, mlp
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class RealNVPConfig(Config):
    data: Literal["points", "image"] = hp("points", help=DATA_HELP)
    num_layers: int = hp(
        6,
        lo=0,
        hi=32,
        help="Coupling layers: for points, how many in all; for images, how many of each kind per scale "
        "(the paper: 3).",
    )
    hidden_dim: int = hp(64, lo=4, hi=1024, help="Width of the network that computes each layer's s and t.")
    net_depth: int = hp(
        2,
        lo=1,
        hi=8,
        help="Depth of that network: hidden layers of the MLP (points) or residual blocks of the ResNet "
        "(images; the paper: 4 to 8).",
    )
    levels: int = hp(2, lo=1, hi=6, help="Images: how many scales; each but the last squeezes and splits.")
    image_size: int = hp(8, lo=2, hi=256, help="Images: side of the square input, in pixels.")
    in_channels: int = hp(1, lo=1, hi=4, help="Images: colour channels (1 for digits, 3 for RGB).")
    mask: Literal["checkerboard", "channel"] = hp(
        "checkerboard",
        help="Images: the masks of the full-resolution couplings of each scale. The paper's checkerboard "
        "keeps every other pixel; a channel mask keeps half of the channels, so it needs an even number.",
    )

    def validate(self) -> None:
        check_common(self, self.levels)
        if self.data == "image" and self.mask == "channel" and self.in_channels % 2:
            raise ConfigError(
                f"A channel mask splits the channels in two equal halves, and {self.in_channels} channel"
                f"{'s do' if self.in_channels > 1 else ' does'} not split evenly: use checkerboard masks or "
                "an even number of channels."
            )


def checkerboard(c: int, size: int, parity: int) -> torch.Tensor:
    """(1, C, H, W) mask, 1 where (row + column + parity) is even."""
    i = torch.arange(size)
    board = ((i[:, None] + i[None, :] + parity) % 2 == 0).float()
    return board.expand(1, c, size, size).clone()


def channel_mask(c: int, size: int, parity: int) -> torch.Tensor:
    m = torch.zeros(1, c, size, size)
    m[:, : c // 2] = 1.0
    return m if parity == 0 else 1 - m


class ResNet(nn.Module):
    """s and t for an image coupling: a 3×3 conv in, ``depth`` residual blocks, a zero 3×3 conv out."""

    def __init__(self, c: int, hidden: int, depth: int):
        super().__init__()
        self.inp = nn.Conv2d(c, hidden, 3, padding=1)
        self.blocks = nn.ModuleList(
            nn.Sequential(
                nn.ReLU(),
                nn.Conv2d(hidden, hidden, 3, padding=1),
                nn.ReLU(),
                nn.Conv2d(hidden, hidden, 3, padding=1),
            )
            for _ in range(depth)
        )
        self.out = nn.Conv2d(hidden, 2 * c, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.inp(x)
        for b in self.blocks:
            h = h + b(h)
        return self.out(torch.relu(h))  # (B, 2C, H, W): s and t


def _image_coupling(mask: torch.Tensor, cfg: RealNVPConfig) -> MaskedCoupling:
    c = mask.shape[1]
    return MaskedCoupling(mask, ResNet(c, cfg.hidden_dim, cfg.net_depth), c)


class RealNVP(Flow):
    """forward(x) -> log p(x) in nats, (B,); see archs.flows.layers.Flow for encode, sample, trajectory."""

    def __init__(self, cfg: RealNVPConfig):
        super().__init__(*_layers(cfg))
        self.cfg = cfg

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input(self.cfg, x, "RealNVP")
        return super().forward(x)


def _layers(cfg: RealNVPConfig):
    """(steps, names, latent shape) of a RealNVP."""
    steps, names = [], []
    if cfg.data == "points":
        for i in range(cfg.num_layers):
            m = torch.tensor([[1.0, 0.0]]) if i % 2 == 0 else torch.tensor([[0.0, 1.0]])
            steps.append(MaskedCoupling(m, mlp(2, 4, cfg.hidden_dim, cfg.net_depth), 2))
            names.append(f"coupling {i + 1}: moves x{'₂' if i % 2 == 0 else '₁'}")
        return steps, names, (2,)
    c, s = cfg.in_channels, cfg.image_size
    first = checkerboard if cfg.mask == "checkerboard" else channel_mask
    for level in range(cfg.levels):
        last = level == cfg.levels - 1
        for i in range(cfg.num_layers + (1 if last else 0)):
            steps.append(_image_coupling(first(c, s, i % 2), cfg))
            names.append(f"scale {level + 1}: {cfg.mask} coupling {i + 1}")
        if last:
            break
        steps.append(Squeeze())
        names.append(f"scale {level + 1}: squeeze")
        c, s = 4 * c, s // 2
        for i in range(cfg.num_layers):
            steps.append(_image_coupling(channel_mask(c, s, i % 2), cfg))
            names.append(f"scale {level + 1}: channel coupling {i + 1}")
        steps.append(Split(c, learned=False))
        names.append(f"scale {level + 1}: split")
        c = c // 2
    return steps, names, (c, s, s)


register(
    ArchSpec(
        name="realnvp",
        title="RealNVP",
        family="flows",
        year=2017,
        paper=Paper(
            "L. Dinh, J. Sohl-Dickstein, S. Bengio", 2017, "Density estimation using Real NVP", "1605.08803"
        ),
        summary="Affine coupling layers with alternating masks: an exact, cheap log-determinant and an exact "
        "inverse, stacked into a density model.",
        tasks=("density estimation", "sampling"),
        config=RealNVPConfig,
        build=RealNVP,
        example_input=example_input,
        presets={
            "tiny": {},
            "digits": dict(data="image", num_layers=2, hidden_dim=32, net_depth=1, levels=2, image_size=8),
        },
    )
)
