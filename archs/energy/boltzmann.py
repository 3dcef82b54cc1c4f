"""The Boltzmann machine: binary stochastic units sᵢ ∈ {0, 1}, some visible and some hidden, every pair
connected by a symmetric weight (no self-connections), with the energy E(s) = −½ sᵀWs − bᵀs and
p(s) ∝ exp(−E(s)).

D. H. Ackley, G. E. Hinton, T. J. Sejnowski (1985), "A learning algorithm for Boltzmann machines",
Cognitive Science 9(1), 147-169. Learning compares two sets of statistics, Δwᵢⱼ ∝ ⟨sᵢsⱼ⟩_data −
⟨sᵢsⱼ⟩_model: with the visible units clamped to the data, and running free. Both need the network at
equilibrium, which Gibbs sampling reaches slowly because hidden units talk to each other; removing the
hidden-hidden and visible-visible connections gives the restricted Boltzmann machine
(archs/energy/rbm.py), whose layers sample in one block.

The weights are stored once per pair: a vector of N(N − 1)/2 numbers (N = visible + hidden units) read
into the symmetric matrix W with a zero diagonal, so the parameter count is the model's number of free
weights. ``forward(v)`` clamps the visible units and runs mean-field updates of the hidden ones,
qⱼ ← σ(bⱼ + Σᵢ Wⱼᵢ vᵢ + Σₖ Wⱼₖ qₖ), returning q (B, H) and the energy E(v, q) (B,) (Peterson &
Anderson 1987).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, Paper, hp


@dataclass(frozen=True)
class BoltzmannConfig(Config):
    num_visible: int = hp(16, lo=1, hi=2_000, help="Visible units: the ones the data sets (clamps).")
    num_hidden: int = hp(
        8,
        lo=1,
        hi=2_000,
        help="Hidden units: free to explain the visible ones. Unlike an RBM's, they are connected to each "
        "other and to every visible unit.",
    )
    mean_field_steps: int = hp(
        10,
        lo=1,
        hi=200,
        help="Mean-field updates of the hidden units in a forward pass: each replaces the random state of a "
        "unit by its probability of being on, given the others; more steps settle the fixed point further.",
    )
    init_std: float = hp(
        0.01,
        lo=1e-4,
        hi=1.0,
        log=True,
        help="Standard deviation of the initial weights: small, so that every unit starts near "
        "probability ½.",
    )


class BoltzmannMachine(nn.Module):
    """visible v (B, V) in {0, 1} -> (mean-field hidden probabilities q (B, H), energy E(v, q) (B,))."""

    def __init__(self, cfg: BoltzmannConfig):
        super().__init__()
        self.cfg = cfg
        n = cfg.num_visible + cfg.num_hidden
        self.w = nn.Parameter(torch.randn(n * (n - 1) // 2) * cfg.init_std)  # one weight per pair (M,)
        self.bias = nn.Parameter(torch.zeros(n))  # (N,)
        iu = torch.triu_indices(n, n, offset=1)
        index = torch.zeros(n, n, dtype=torch.long)
        index[iu[0], iu[1]] = torch.arange(iu.shape[1])
        index = index + index.t()  # (N, N): where each pair's weight sits in w
        self.register_buffer("index", index, persistent=False)
        self.register_buffer("offdiag", 1.0 - torch.eye(n), persistent=False)  # (N, N)

    @property
    def W(self) -> torch.Tensor:
        """The symmetric weight matrix with a zero diagonal, (N, N)."""
        return self.w[self.index] * self.offdiag

    def energy(self, s: torch.Tensor) -> torch.Tensor:
        """E(s) = −½ sᵀWs − bᵀs of full states (B, N), (B,)."""
        return -0.5 * ((s @ self.W) * s).sum(-1) - s @ self.bias

    @torch.no_grad()
    def gibbs(
        self, s: torch.Tensor, sweeps: int = 1, clamp: int = 0, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Sequential Gibbs sweeps over units ``clamp`` … N − 1 (the first ``clamp`` stay fixed), (B, N)."""
        s, W = s.clone(), self.W
        for _ in range(sweeps):
            for i in range(clamp, s.shape[1]):
                p = torch.sigmoid(s @ W[:, i] + self.bias[i])  # (B,)
                s[:, i] = torch.bernoulli(p, generator=generator)
        return s

    def forward(self, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        v = v.reshape(v.shape[0], -1)  # (B, V)
        nv, W = self.cfg.num_visible, self.W
        W_hv, W_hh, b_h = W[nv:, :nv], W[nv:, nv:], self.bias[nv:]  # (H, V), (H, H), (H,)
        drive = v @ W_hv.t() + b_h  # (B, H): what the clamped visible units say
        q = torch.sigmoid(drive)
        for _ in range(self.cfg.mean_field_steps - 1):
            q = torch.sigmoid(drive + q @ W_hh)
        return q, self.energy(torch.cat([v, q], dim=1))  # (B, H), (B,)


def example_visible(cfg: BoltzmannConfig, batch: int = 4) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    return torch.bernoulli(torch.full((batch, cfg.num_visible), 0.5), generator=g)  # (B, V)


register(
    ArchSpec(
        name="boltzmann_machine",
        title="Boltzmann machine",
        family="energy",
        year=1985,
        paper=Paper(
            "D. H. Ackley, G. E. Hinton, T. J. Sejnowski",
            1985,
            "A learning algorithm for Boltzmann machines (Cognitive Science 9(1))",
            url="https://doi.org/10.1207/s15516709cog0901_7",
        ),
        summary="Stochastic binary units, visible and hidden, all connected by symmetric weights: the "
        "general energy-based network, learned by comparing clamped and free statistics; the RBM "
        "restricts it.",
        tasks=("generative modelling", "constraint satisfaction"),
        config=BoltzmannConfig,
        build=BoltzmannMachine,
        example_input=example_visible,
        presets={"tiny": {"num_visible": 6, "num_hidden": 3}, "small": {"num_visible": 16, "num_hidden": 8}},
    )
)
