"""KAN: Liu, Wang, Vaidya, Ruehle, Halverson, Soljačić, Hou & Tegmark (2024), "KAN: Kolmogorov-Arnold
Networks", arXiv 2404.19756.

An MLP puts fixed nonlinearities on its nodes and learnable weights on its edges; a KAN puts a learnable
function of one variable on every edge and only sums at the nodes. Edge (i → j) of a layer computes

    φ(x) = w_b · silu(x) + w_s · Σₙ cₙ Bₙ(x)

where the Bₙ are the G + k B-splines of order k on a uniform grid of G intervals over [−r, r], extended
by k knots on each side (the paper's Eq. 2.10). Node j of the next layer is Σᵢ φ_{j,i}(xᵢ). The B-splines
are written here in plain torch by the Cox-de Boor recursion: ``bspline_basis``. Outside the grid every
spline is 0 and only the silu base path is left.

No ``canonical`` preset: the paper's networks are small shapes chosen per task ([2, 5, 1] for
exp(sin(πx) + y²), then pruned), and it states no parameter count to match. ``tiny`` is that [2, 5, 1]
with G = 5, k = 3: 2·5·(5 + 3 + 2) + 5·1·(5 + 3 + 2) = 150 parameters (the coefficients, w_b and w_s of
each of the 15 edges).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class KANConfig(Config):
    in_features: int = hp(2, lo=1, hi=64, help="How many numbers go in: the variables of the function.")
    hidden_dims: tuple[int, ...] = hp(
        (5,),
        lo=1,
        hi=256,
        max_len=6,
        help="Width of each hidden layer of nodes. The paper's shape for exp(sin(πx) + y²) is [2, 5, 1]: "
        "one hidden layer of 5.",
    )
    out_features: int = hp(1, lo=1, hi=64, help="How many numbers come out.")
    grid_size: int = hp(
        5,
        lo=0,
        hi=100,
        help="G: how many intervals the spline grid cuts [−r, r] into. More intervals, finer curves "
        "(and more coefficients on every edge).",
    )
    spline_order: int = hp(
        3,
        lo=0,
        hi=5,
        help="k: the degree of the B-spline pieces (3 = cubic, smooth to the second derivative).",
    )
    grid_range: float = hp(
        1.0,
        lo=0.1,
        hi=10.0,
        step=0.1,
        help="r: the splines live on [−r, r]; outside it only the silu base path answers.",
    )

    def validate(self) -> None:
        if self.grid_size < 1:
            raise ConfigError(
                f"grid_size ({self.grid_size}) must be at least 1: a spline needs at least one interval of "
                "its grid to bend in. The paper starts at G = 5."
            )
        if self.spline_order < 1:
            raise ConfigError(
                f"spline_order ({self.spline_order}) must be at least 1: order-0 B-splines are flat steps, "
                "whose slope is zero almost everywhere, so the input gets no gradient through them. "
                "Take k = 3 (cubic), as the paper does."
            )

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.in_features, *self.hidden_dims, self.out_features)


def uniform_knots(grid_size: int, order: int, r: float, n_inputs: int) -> torch.Tensor:
    """(n_inputs, G + 2k + 1) knots: G intervals on [−r, r] and k more on each side."""
    h = 2 * r / grid_size
    knots = torch.arange(-order, grid_size + order + 1, dtype=torch.float32) * h - r  # (G + 2k + 1,)
    return knots.expand(n_inputs, -1).contiguous()


def bspline_basis(x: torch.Tensor, knots: torch.Tensor, order: int) -> torch.Tensor:
    """B-splines of order ``order`` on ``knots`` (I, K) at x (B, I): (B, I, K − 1 − order), by Cox-de
    Boor: order 0 is the indicator of each knot interval, order p blends two neighbours of order p − 1."""
    x = x.unsqueeze(-1)  # (B, I, 1)
    b = ((x >= knots[:, :-1]) & (x < knots[:, 1:])).to(x.dtype)  # (B, I, K - 1)
    for p in range(1, order + 1):
        left = (x - knots[:, : -(p + 1)]) / (knots[:, p:-1] - knots[:, : -(p + 1)])
        right = (knots[:, p + 1 :] - x) / (knots[:, p + 1 :] - knots[:, 1:-p])
        b = left * b[..., :-1] + right * b[..., 1:]  # (B, I, K - 1 - p)
    return b


class KANLayer(nn.Module):
    """in → out with a learnable function φ on each of the in·out edges; node j sums its φ_{j,i}(xᵢ)."""

    def __init__(self, n_in: int, n_out: int, grid_size: int, order: int, r: float):
        super().__init__()
        self.n_in, self.n_out, self.order = n_in, n_out, order
        self.register_buffer("knots", uniform_knots(grid_size, order, r, n_in))
        n_basis = grid_size + order
        self.coef = nn.Parameter(torch.randn(n_out, n_in, n_basis) * 0.1)  # cₙ of every edge
        self.scale_base = nn.Parameter((torch.rand(n_out, n_in) * 2 - 1) / n_in**0.5)  # w_b
        self.scale_spline = nn.Parameter(torch.ones(n_out, n_in) / n_in**0.5)  # w_s

    def basis(self, x: torch.Tensor) -> torch.Tensor:
        return bspline_basis(x, self.knots, self.order)  # (B, in, G + k)

    def spline(self, x: torch.Tensor) -> torch.Tensor:
        """Σₙ cₙ Bₙ(xᵢ) of every edge: (B, out, in)."""
        return torch.einsum("bin,oin->boi", self.basis(x), self.coef)

    def edges(self, x: torch.Tensor) -> torch.Tensor:
        """φ_{j,i}(xᵢ) of every edge: (B, out, in)."""
        return self.scale_base * F.silu(x)[:, None, :] + self.scale_spline * self.spline(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        base = F.silu(x) @ self.scale_base.t()  # (B, out)
        spl = torch.einsum("bin,oin,oi->bo", self.basis(x), self.coef, self.scale_spline)  # (B, out)
        return base + spl


class KAN(nn.Module):
    """A stack of KAN layers of widths in → hidden… → out; ``activations(x)`` gives every layer's input."""

    def __init__(self, cfg: KANConfig):
        super().__init__()
        self.cfg = cfg
        w = cfg.widths
        self.layers = nn.ModuleList(
            KANLayer(a, b, cfg.grid_size, cfg.spline_order, cfg.grid_range)
            for a, b in zip(w[:-1], w[1:], strict=True)
        )

    def activations(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The input of every layer, then the output: len(layers) + 1 tensors (B, width)."""
        out = [x]
        for layer in self.layers:
            out.append(layer(out[-1]))
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 2 or x.shape[-1] != self.cfg.in_features:
            raise ValueError(
                f"KAN expects inputs of shape (batch, {self.cfg.in_features}), got {tuple(x.shape)}"
            )
        for layer in self.layers:
            x = layer(x)
        return x


register(
    ArchSpec(
        name="kan",
        title="Kolmogorov-Arnold network",
        family="continuous",
        year=2024,
        paper=Paper(
            "Z. Liu, Y. Wang, S. Vaidya, F. Ruehle, J. Halverson, M. Soljačić, T. Y. Hou, M. Tegmark",
            2024,
            "KAN: Kolmogorov-Arnold Networks",
            arxiv="2404.19756",
        ),
        summary="Learnable B-spline functions on every edge and plain sums on the nodes: a network whose "
        "pieces can be read back as formulas.",
        tasks=("regression", "symbolic formulas"),
        config=KANConfig,
        build=KAN,
        example_input=lambda cfg: torch.rand(8, cfg.in_features) * 2 - 1,
        presets={"tiny": {}},
    )
)
