"""The deep stacking network (DSN): simple blocks stacked, each a one-hidden-layer net whose upper
weights are solved in closed form.

L. Deng & D. Yu (2011), "Deep convex net: a scalable architecture for speech pattern classification",
Interspeech 2011; L. Deng, D. Yu & J. Platt (2012), "Scalable stacking and learning for building deep
architectures", ICASSP 2012.

Block k sees the raw input x together with the outputs y₁ … yₖ₋₁ of every block below it:

    zₖ = [x; y₁; …; yₖ₋₁],   hₖ = σ(Wₖ zₖ + bₖ),   yₖ = Uₖ hₖ + cₖ

With the lower weights W fixed, yₖ is linear in Uₖ, so the best Uₖ for targets T is a least-squares
problem with the closed form U = (HHᵀ)⁻¹HTᵀ (H: hidden outputs, one column per example; ridge-regularised
as (HHᵀ + λI)⁻¹HTᵀ; training/energy/dsn.py). Training adds one block at a time, each solved on top of the
frozen blocks below, so the stack is convex block by block ("deep convex net"). In the papers W is
initialised randomly (or from an RBM) and then refined by gradient steps through the solve; here W stays
random (scaled by ``init_scale``), which keeps every block's training a single exact solve. Both W and U
are ordinary parameters, so the network also backpropagates like any other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class DSNConfig(Config):
    in_features: int = hp(
        64, lo=1, hi=4096, help="How many numbers describe one example (64 for 8×8 digits)."
    )
    num_classes: int = hp(10, lo=2, hi=100, help="How many classes: each block outputs one score per class.")
    num_blocks: int = hp(
        4,
        lo=0,
        hi=16,
        help="How many blocks are stacked. Each block sees the input and every lower block's output, and "
        "is solved once the blocks below it are done.",
    )
    hidden_dim: int = hp(
        300,
        lo=1,
        hi=4096,
        help="Sigmoid units in each block's hidden layer: the features its closed-form solve combines.",
    )
    init_scale: float = hp(
        4.0,
        lo=0.01,
        hi=50.0,
        step=0.1,
        help="Spread of the random lower weights W (times 1/√inputs). Too small and the sigmoids stay "
        "linear; too large and they saturate into 0/1 switches.",
    )

    def validate(self) -> None:
        if self.num_blocks < 1:
            raise ConfigError(
                "A deep stacking network needs at least one block (num_blocks is 0): the first block "
                "reads the input, each further block also reads the outputs below it."
            )


class DSNBlock(nn.Module):
    """z (B, in) -> (hidden h (B, L), output y (B, C))."""

    def __init__(self, in_dim: int, hidden_dim: int, num_classes: int, init_scale: float):
        super().__init__()
        self.lower = nn.Linear(in_dim, hidden_dim)  # W, b
        self.upper = nn.Linear(hidden_dim, num_classes)  # U, c: the closed-form part
        with torch.no_grad():
            self.lower.weight.normal_(0.0, init_scale / math.sqrt(in_dim))
            self.lower.bias.normal_(0.0, init_scale / math.sqrt(in_dim))
            self.upper.weight.normal_(0.0, 0.01)
            self.upper.bias.zero_()

    def hidden(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.lower(z))  # (B, L)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.upper(self.hidden(z))  # (B, C)


class DeepStackingNetwork(nn.Module):
    """x (B, ...) -> the top block's scores (B, C); ``block_outputs`` gives every block's (B, C)."""

    def __init__(self, cfg: DSNConfig):
        super().__init__()
        self.cfg = cfg
        c = cfg.num_classes
        self.blocks = nn.ModuleList(
            DSNBlock(cfg.in_features + k * c, cfg.hidden_dim, c, cfg.init_scale)
            for k in range(cfg.num_blocks)
        )

    def block_input(self, x: torch.Tensor, below: list[torch.Tensor]) -> torch.Tensor:
        """zₖ = [x; y₁; …; yₖ₋₁]: (B, in_features + (k − 1)·C)."""
        return torch.cat([x.flatten(1), *below], 1)

    def block_outputs(self, x: torch.Tensor, upto: int | None = None) -> list[torch.Tensor]:
        """The outputs y₁ … yₖ of the first ``upto`` blocks (all by default), each (B, C)."""
        outs: list[torch.Tensor] = []
        for block in self.blocks[: upto if upto is not None else len(self.blocks)]:
            outs.append(block(self.block_input(x, outs)))
        return outs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block_outputs(x)[-1]  # (B, C)


def example_digits(cfg: DSNConfig) -> torch.Tensor:
    return torch.rand(4, cfg.in_features)  # (B, F)


register(
    ArchSpec(
        name="dsn",
        title="Deep stacking network",
        family="energy",
        year=2011,
        paper=Paper(
            "L. Deng, D. Yu",
            2011,
            "Deep convex net: a scalable architecture for speech pattern classification (Interspeech 2011)",
            url="https://www.isca-archive.org/interspeech_2011/deng11_interspeech.html",
        ),
        summary="Blocks stacked one at a time, each reading the input and the outputs below it; a block's "
        "upper weights are solved in closed form, U = (HHᵀ)⁻¹HTᵀ, instead of by gradient descent.",
        tasks=("classification",),
        config=DSNConfig,
        build=DeepStackingNetwork,
        example_input=example_digits,
        presets={"tiny": {"num_blocks": 2, "hidden_dim": 32}, "digits": {}},
    )
)
