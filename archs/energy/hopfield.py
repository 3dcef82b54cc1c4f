"""Hopfield networks: the binary associative memory of 1982 and its modern continuous form of 2020.

- ``hopfield``: N binary neurons sᵢ ∈ {−1, +1}, symmetric weights with a zero diagonal, thresholds θ, and
  the energy E(s) = −½ sᵀWs − θᵀs. The Hebbian rule stores P patterns ξ¹ … ξᴾ as W = (1/N) Σμ ξμ ξμᵀ
  (diagonal zeroed); the asynchronous update sᵢ ← sign(Σⱼ Wᵢⱼ sⱼ + θᵢ), one neuron at a time, never raises
  E, so a corrupted pattern rolls down to the nearest minimum: with luck, the stored pattern. Recall holds
  up to about 0.14 N random patterns (Amit, Gutfreund & Sompolinsky 1985), beyond which the minima blur
  into spurious mixtures. J. J. Hopfield (1982), "Neural networks and physical systems with emergent
  collective computational abilities", PNAS 79(8), 2554-2558. ``forward(s)`` is one synchronous update
  sign(Ws + θ) (B, N) and the energy E(s) (B,).
- ``modern_hopfield``: continuous states, stored patterns X (P, d) and inverse temperature β; the update
  ξ ← Xᵀ softmax(β X ξ) is one step of the energy E(ξ) = −β⁻¹ log Σμ exp(β xμᵀξ) + ½ ξᵀξ + const and
  retrieves a pattern in one step, with a capacity exponential in d. It is exactly a transformer's
  attention, with the query ξ and the stored patterns as keys and values. H. Ramsauer et al. (2020),
  "Hopfield Networks is All You Need", arXiv:2008.02217, eq. (3). ``forward(ξ)`` is that update (B, d).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class HopfieldConfig(Config):
    num_neurons: int = hp(
        100,
        lo=2,
        hi=10_000,
        help="Neurons N, each +1 or −1: one per pixel of a pattern (a 10×10 grid: 100). Every neuron is "
        "connected to every other.",
    )
    num_patterns: int = hp(
        5,
        lo=1,
        hi=10_000,
        help="Patterns P the network stores by the Hebbian rule. Random patterns are recalled up to about "
        "0.14 N; beyond that the memories blur into spurious mixtures.",
    )

    def validate(self) -> None:
        if self.num_patterns > self.num_neurons:
            raise ConfigError(
                f"{self.num_patterns} patterns cannot be stored in {self.num_neurons} neurons: a Hopfield "
                f"network recalls at most about 0.14 N of them ({int(0.14 * self.num_neurons)} here). "
                "Store fewer patterns or use more neurons."
            )


class Hopfield(nn.Module):
    """states s (B, N) in {−1, +1} -> (one synchronous update sign(Ws + θ) (B, N), energy E(s) (B,))."""

    def __init__(self, cfg: HopfieldConfig):
        super().__init__()
        self.cfg = cfg
        self.W = nn.Parameter(torch.zeros(cfg.num_neurons, cfg.num_neurons))  # (N, N), empty memory
        self.theta = nn.Parameter(torch.zeros(cfg.num_neurons))  # thresholds (N,)

    @torch.no_grad()
    def store(self, patterns: torch.Tensor) -> Hopfield:
        """Hebbian storage of patterns (P, N) in {−1, +1}: W = (1/N) Σ ξξᵀ with a zero diagonal; θ = 0."""
        p = patterns.reshape(patterns.shape[0], -1).to(self.W)  # (P, N)
        n = self.cfg.num_neurons
        if p.shape[1] != n:
            raise ConfigError(f"Each pattern has {p.shape[1]} pixels but the network has {n} neurons.")
        if p.shape[0] > n:
            raise ConfigError(
                f"{p.shape[0]} patterns cannot be stored in {n} neurons: recall fails beyond about 0.14 N "
                f"({int(0.14 * n)} here). Store fewer patterns or use more neurons."
            )
        W = p.t() @ p / n  # (N, N)
        W.fill_diagonal_(0.0)  # no self-connections: the energy then falls at every asynchronous update
        self.W.copy_(W)
        self.theta.zero_()
        return self

    def field(self, s: torch.Tensor) -> torch.Tensor:
        """Local fields Σⱼ Wᵢⱼ sⱼ + θᵢ, (B, N)."""
        return s @ self.W + self.theta

    def energy(self, s: torch.Tensor) -> torch.Tensor:
        """E(s) = −½ sᵀWs − θᵀs, (B,)."""
        return -0.5 * ((s @ self.W) * s).sum(-1) - s @ self.theta

    def forward(self, s: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s = s.reshape(s.shape[0], -1)  # (B, N)
        h = self.field(s)
        nxt = torch.where(h >= 0, torch.ones_like(h), -torch.ones_like(h))  # sign, ties to +1
        return nxt, self.energy(s)  # (B, N), (B,)


def example_states(cfg: HopfieldConfig, batch: int = 4) -> torch.Tensor:
    """(B, N) random ±1 states."""
    g = torch.Generator().manual_seed(0)
    return torch.bernoulli(torch.full((batch, cfg.num_neurons), 0.5), generator=g) * 2 - 1


@dataclass(frozen=True)
class ModernHopfieldConfig(Config):
    dim: int = hp(
        64,
        lo=1,
        hi=100_000,
        help="Length d of each pattern and of the query (a state is a vector of real numbers).",
    )
    num_patterns: int = hp(
        10,
        lo=1,
        hi=100_000,
        help="Stored patterns: the rows of X. Their number can grow exponentially in d before "
        "retrieval fails.",
    )
    beta: float = hp(
        8.0,
        lo=0.0,
        hi=1000.0,
        help="Inverse temperature β. Large: the softmax picks the single most similar pattern (retrieval). "
        "Small: it averages many patterns (a metastable mixture). A transformer uses β = 1/√d.",
    )


class ModernHopfield(nn.Module):
    """queries ξ (B, d) -> retrieved Xᵀ softmax(β X ξ) (B, d)."""

    def __init__(self, cfg: ModernHopfieldConfig):
        super().__init__()
        self.cfg = cfg
        self.patterns = nn.Parameter(torch.randn(cfg.num_patterns, cfg.dim))  # X (P, d)

    @torch.no_grad()
    def store(self, patterns: torch.Tensor) -> ModernHopfield:
        p = patterns.reshape(patterns.shape[0], -1).to(self.patterns)  # (P, d)
        if p.shape != self.patterns.shape:
            raise ConfigError(
                f"Expected {self.cfg.num_patterns} patterns of length {self.cfg.dim}, got {tuple(p.shape)}."
            )
        self.patterns.copy_(p)
        return self

    def attention(self, xi: torch.Tensor, beta: float | None = None) -> torch.Tensor:
        """softmax(β X ξ): how much of each stored pattern the update takes, (B, P)."""
        b = self.cfg.beta if beta is None else beta
        return torch.softmax(b * xi.reshape(xi.shape[0], -1) @ self.patterns.t(), dim=-1)

    def energy(self, xi: torch.Tensor, beta: float | None = None) -> torch.Tensor:
        """E(ξ) = −β⁻¹ log Σμ exp(β xμᵀξ) + ½ ξᵀξ (constants dropped), (B,)."""
        b = self.cfg.beta if beta is None else beta
        xi = xi.reshape(xi.shape[0], -1)
        lse = torch.logsumexp(b * xi @ self.patterns.t(), dim=-1)
        return -lse / max(b, 1e-12) + 0.5 * xi.pow(2).sum(-1)

    def forward(self, xi: torch.Tensor) -> torch.Tensor:
        return self.attention(xi) @ self.patterns  # (B, P) @ (P, d) -> (B, d)


def example_queries(cfg: ModernHopfieldConfig, batch: int = 4) -> torch.Tensor:
    return torch.randn(batch, cfg.dim, generator=torch.Generator().manual_seed(0))  # (B, d)


register(
    ArchSpec(
        name="hopfield",
        title="Hopfield network",
        family="energy",
        year=1982,
        paper=Paper(
            "J. J. Hopfield",
            1982,
            "Neural networks and physical systems with emergent collective computational abilities "
            "(PNAS 79(8))",
            url="https://doi.org/10.1073/pnas.79.8.2554",
        ),
        summary="Binary neurons, all connected by symmetric weights set by the Hebbian rule: an associative "
        "memory whose stored patterns are minima of an energy that every asynchronous update lowers.",
        tasks=("associative memory", "pattern completion"),
        config=HopfieldConfig,
        build=Hopfield,
        example_input=example_states,
        presets={
            "tiny": {"num_neurons": 16, "num_patterns": 2},
            "grid": {"num_neurons": 100, "num_patterns": 5},
        },
    )
)

register(
    ArchSpec(
        name="modern_hopfield",
        title="Modern Hopfield network",
        family="energy",
        year=2020,
        paper=Paper("H. Ramsauer et al.", 2020, "Hopfield Networks is All You Need", arxiv="2008.02217"),
        summary="Continuous states and a log-sum-exp energy: the update softmax(β X ξ) retrieves a stored "
        "pattern in one step, and is exactly a transformer's attention.",
        tasks=("associative memory", "attention"),
        config=ModernHopfieldConfig,
        build=ModernHopfield,
        example_input=example_queries,
        presets={"tiny": {"dim": 16, "num_patterns": 4}, "grid": {"dim": 100, "num_patterns": 10}},
    )
)
