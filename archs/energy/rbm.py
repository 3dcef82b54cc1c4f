"""The restricted Boltzmann machine: visible units v and hidden units h, connected only across the two
layers, with the energy

    E(v, h) = −aᵀv − bᵀh − vᵀWh          (Bernoulli visible units)
    E(v, h) = ½‖v − a‖² − bᵀh − vᵀWh     (Gaussian visible units of unit variance)

so that, given one layer, the units of the other are independent: p(hⱼ = 1 | v) = σ(bⱼ + vᵀW₍·ⱼ₎) and
p(vᵢ = 1 | h) = σ(aᵢ + W₍ᵢ·₎h) (Gaussian: vᵢ | h ~ N(aᵢ + W₍ᵢ·₎h, 1)). Summing h out gives the free
energy F(v) = −aᵀv − Σⱼ softplus(bⱼ + vᵀW₍·ⱼ₎) with p(v) ∝ exp(−F(v)); contrastive divergence
(training/energy/rbm.py) lowers F on the data and raises it where a short Gibbs chain wanders.

P. Smolensky (1986), "Information processing in dynamical systems: foundations of harmony theory", in
Parallel Distributed Processing vol. 1; G. E. Hinton (2002), "Training products of experts by minimizing
contrastive divergence", Neural Computation 14(8). Initialisation as in G. E. Hinton (2010), "A practical
guide to training restricted Boltzmann machines" (UTML TR 2010-003): W ~ N(0, 0.01²), biases 0.

``forward(v)`` returns p(h | v) (B, H) and the free energy F(v) (B,): the hidden code the next layer of a
deep belief net reads, and the number the model assigns to the input (lower: more probable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, Paper, hp


@dataclass(frozen=True)
class RBMConfig(Config):
    num_visible: int = hp(
        64,
        lo=1,
        hi=100_000,
        help="Visible units: one per pixel (the 8×8 digits: 64). These are the units the data clamps.",
    )
    num_hidden: int = hp(
        64,
        lo=1,
        hi=100_000,
        help="Hidden units: feature detectors. Each one's weights to the pixels form a filter you can look "
        "at as an image; more of them can model finer detail of the data's distribution.",
    )
    visible: Literal["bernoulli", "gaussian"] = hp(
        "bernoulli",
        help="Bernoulli: each pixel is on or off, with probability σ(aᵢ + Wᵢh). Gaussian: each pixel "
        "is a real number drawn around aᵢ + Wᵢh with variance 1 (standardise real-valued data first).",
    )
    init_std: float = hp(
        0.01,
        lo=1e-4,
        hi=1.0,
        log=True,
        help="Standard deviation of the initial weights. Hinton's practical guide: 0.01, small enough that "
        "every hidden unit starts near probability ½ and no filter dominates.",
    )


class RBM(nn.Module):
    """v (B, V) or images (B, 1, H, W) -> (p(h | v) (B, H), free energy F(v) (B,))."""

    def __init__(self, cfg: RBMConfig):
        super().__init__()
        self.cfg, self.gaussian = cfg, cfg.visible == "gaussian"
        self.W = nn.Parameter(torch.randn(cfg.num_visible, cfg.num_hidden) * cfg.init_std)  # (V, H)
        self.a = nn.Parameter(torch.zeros(cfg.num_visible))  # visible biases (V,)
        self.b = nn.Parameter(torch.zeros(cfg.num_hidden))  # hidden biases (H,)

    def flat(self, v: torch.Tensor) -> torch.Tensor:
        return v.reshape(v.shape[0], -1)  # (B, V)

    def p_h(self, v: torch.Tensor) -> torch.Tensor:
        """p(h = 1 | v), (B, H)."""
        return torch.sigmoid(self.flat(v) @ self.W + self.b)

    def p_v(self, h: torch.Tensor) -> torch.Tensor:
        """p(v = 1 | h) for Bernoulli units, the mean of v given h for Gaussian ones, (B, V)."""
        mean = h @ self.W.t() + self.a
        return mean if self.gaussian else torch.sigmoid(mean)

    def sample_h(self, v: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        p = self.p_h(v)
        return torch.bernoulli(p, generator=generator)

    def sample_v(self, h: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        m = self.p_v(h)
        if self.gaussian:
            return m + torch.randn(m.shape, generator=generator, device=m.device, dtype=m.dtype)
        return torch.bernoulli(m, generator=generator)

    @torch.no_grad()
    def gibbs(self, v: torch.Tensor, k: int = 1, generator: torch.Generator | None = None) -> torch.Tensor:
        """k steps of block Gibbs sampling v -> h -> v, (B, V)."""
        v = self.flat(v)
        for _ in range(k):
            v = self.sample_v(self.sample_h(v, generator), generator)
        return v

    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """F(v) = −log Σₕ exp(−E(v, h)), (B,)."""
        v = self.flat(v)
        hidden = F.softplus(v @ self.W + self.b).sum(-1)  # (B,)
        if self.gaussian:
            return 0.5 * (v - self.a).pow(2).sum(-1) - hidden
        return -(v @ self.a) - hidden

    def energy(self, v: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """E(v, h) of joint states, (B,)."""
        v = self.flat(v)
        visible = 0.5 * (v - self.a).pow(2).sum(-1) if self.gaussian else -(v @ self.a)
        return visible - h @ self.b - ((v @ self.W) * h).sum(-1)

    def reconstruct(self, v: torch.Tensor) -> torch.Tensor:
        """One deterministic up-down pass: p(v | p(h | v)), (B, V)."""
        return self.p_v(self.p_h(v))

    def forward(self, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.p_h(v), self.free_energy(v)  # (B, H), (B,)


def example_visible(cfg: RBMConfig, batch: int = 4) -> torch.Tensor:
    """(B, V): binary pixels, or standardised reals for Gaussian units."""
    g = torch.Generator().manual_seed(0)
    if cfg.visible == "gaussian":
        return torch.randn(batch, cfg.num_visible, generator=g)
    return torch.bernoulli(torch.full((batch, cfg.num_visible), 0.5), generator=g)


register(
    ArchSpec(
        name="rbm",
        title="Restricted Boltzmann machine (RBM)",
        family="energy",
        year=1986,
        paper=Paper(
            "G. E. Hinton",
            2002,
            "Training products of experts by minimizing contrastive divergence (Neural Computation 14(8)); "
            "the harmonium of P. Smolensky, 1986",
            url="https://doi.org/10.1162/089976602760128018",
        ),
        summary="Two layers of stochastic units, visible and hidden, with no connections inside a layer: an "
        "energy-based model of binary data, trained by contrastive divergence.",
        tasks=("generative modelling", "feature learning", "density estimation"),
        config=RBMConfig,
        build=RBM,
        example_input=example_visible,
        presets={
            "tiny": {"num_visible": 16, "num_hidden": 8},
            "digits": {"num_visible": 64, "num_hidden": 64},
            "gaussian": {"num_visible": 64, "num_hidden": 64, "visible": "gaussian"},
        },
    )
)
