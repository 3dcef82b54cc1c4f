"""Two networks whose hidden layer is not trained by backpropagation: the radial basis function network and
the extreme learning machine. Both end in a linear readout solved by least squares
(training/energy/kernels.py).

- ``rbf_net``: D. S. Broomhead & D. Lowe (1988), "Multivariable functional interpolation and adaptive
  networks", Complex Systems 2, 321-355; training as in J. Moody & C. J. Darken (1989), "Fast learning in
  networks of locally-tuned processing units", Neural Computation 1, 281-294. Hidden unit j responds to
  the distance of x from its centre cⱼ: φⱼ(x) = φ(‖x − cⱼ‖ / sⱼ), a Gaussian bump (or a multiquadric);
  the output is a weighted sum of the bumps.
- ``elm``: G.-B. Huang, Q.-Y. Zhu & C.-K. Siew (2006), "Extreme learning machine: theory and
  applications", Neurocomputing 70, 489-501. A single hidden layer with random, never-trained weights;
  only the output weights β are solved, β = H⁺T (H⁺ the Moore-Penrose pseudo-inverse).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, Paper, hp

BASES = ("gaussian", "multiquadric", "inverse_multiquadric")
ELM_ACTIVATIONS = ("sigmoid", "tanh", "relu", "sine")


@dataclass(frozen=True)
class RBFConfig(Config):
    in_features: int = hp(2, lo=1, hi=1024, help="How many numbers describe one example (2 for a point).")
    num_classes: int = hp(2, lo=1, hi=100, help="How many outputs: one score per class.")
    num_centers: int = hp(
        20,
        lo=1,
        hi=2000,
        help="How many radial units, each a bump centred on a point of the input space. Training places the "
        "centres by k-means, so there cannot be more centres than training points.",
    )
    basis: Literal["gaussian", "multiquadric", "inverse_multiquadric"] = hp(
        "gaussian",
        choices=BASES,
        help="The shape of each unit's response to the distance r from its centre: Gaussian exp(−r²/2), "
        "multiquadric √(1 + r²) (grows with r) or inverse multiquadric 1/√(1 + r²).",
    )
    width: float = hp(
        1.0,
        lo=0.01,
        hi=20.0,
        step=0.05,
        help="How wide each bump is, as a multiple of the distance to its nearest neighbouring centres. "
        "Narrow bumps fit every wiggle (and overfit); wide ones blur the classes together.",
    )


class RBFNetwork(nn.Module):
    """x (B, D) -> scores (B, C) = W φ(‖x − c‖ / s) + b."""

    def __init__(self, cfg: RBFConfig):
        super().__init__()
        self.cfg = cfg
        self.centers = nn.Parameter(torch.randn(cfg.num_centers, cfg.in_features))  # (K, D)
        self.log_width = nn.Parameter(torch.full((cfg.num_centers,), math.log(cfg.width)))  # (K,)
        self.readout = nn.Linear(cfg.num_centers, cfg.num_classes)

    def basis(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, D) -> unit activations (B, K). Works on r², so the gradient at a centre is finite."""
        r2 = ((x.flatten(1)[:, None, :] - self.centers[None]) ** 2).sum(-1)  # (B, K)
        r2 = r2 / torch.exp(2 * self.log_width)
        if self.cfg.basis == "gaussian":
            return torch.exp(-0.5 * r2)
        if self.cfg.basis == "multiquadric":
            return torch.sqrt(1 + r2)
        return torch.rsqrt(1 + r2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(self.basis(x))  # (B, C)


@dataclass(frozen=True)
class ELMConfig(Config):
    in_features: int = hp(2, lo=1, hi=4096, help="How many numbers describe one example (2 for a point).")
    num_classes: int = hp(2, lo=1, hi=100, help="How many outputs: one score per class.")
    hidden_dim: int = hp(
        100,
        lo=1,
        hi=4096,
        help="Random hidden units. Their weights are drawn once and never trained; with enough of them, "
        "a linear combination of their outputs can draw almost any boundary.",
    )
    activation: Literal["sigmoid", "tanh", "relu", "sine"] = hp(
        "sigmoid", choices=ELM_ACTIVATIONS, help="The nonlinearity of the random hidden units."
    )
    init_scale: float = hp(
        2.0,
        lo=0.01,
        hi=50.0,
        step=0.1,
        help="Spread of the random hidden weights and biases. Large values give sharp, wiggly features; "
        "small ones give smooth, nearly linear ones.",
    )


class ExtremeLearningMachine(nn.Module):
    """x (B, D) -> scores (B, C) = β g(W x + b), W and b random and frozen."""

    def __init__(self, cfg: ELMConfig):
        super().__init__()
        self.cfg = cfg
        self.random = nn.Linear(cfg.in_features, cfg.hidden_dim)
        with torch.no_grad():
            self.random.weight.normal_(0.0, cfg.init_scale)
            self.random.bias.normal_(0.0, cfg.init_scale)
        self.random.requires_grad_(False)  # never trained: counted, not learned
        self.readout = nn.Linear(cfg.hidden_dim, cfg.num_classes)  # β

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        a = self.random(x.flatten(1))  # (B, L)
        act = self.cfg.activation
        if act == "sigmoid":
            return torch.sigmoid(a)
        if act == "tanh":
            return torch.tanh(a)
        if act == "relu":
            return torch.relu(a)
        return torch.sin(a)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(self.hidden(x))  # (B, C)


def example_points(cfg) -> torch.Tensor:
    return torch.randn(8, cfg.in_features)  # (B, D)


register(
    ArchSpec(
        name="rbf_net",
        title="RBF network",
        family="energy",
        year=1988,
        paper=Paper(
            "D. S. Broomhead, D. Lowe",
            1988,
            "Multivariable functional interpolation and adaptive networks (Complex Systems 2)",
            url="https://www.complex-systems.com/abstracts/v02_i03_a05/",
        ),
        summary="A hidden layer of bumps, each answering how close the input is to its centre, and a "
        "linear readout: centres by k-means, widths from the centres' spacing, weights by least squares.",
        tasks=("classification", "regression"),
        config=RBFConfig,
        build=RBFNetwork,
        example_input=example_points,
        presets={"tiny": {"num_centers": 8}},
    )
)

register(
    ArchSpec(
        name="elm",
        title="Extreme learning machine",
        family="energy",
        year=2006,
        paper=Paper(
            "G.-B. Huang, Q.-Y. Zhu, C.-K. Siew",
            2006,
            "Extreme learning machine: theory and applications (Neurocomputing 70)",
            url="https://doi.org/10.1016/j.neucom.2005.12.126",
        ),
        summary="One hidden layer of random, frozen units and output weights solved in one step, β = H⁺T: "
        "training is a least-squares solve instead of backpropagation.",
        tasks=("classification", "regression"),
        config=ELMConfig,
        build=ExtremeLearningMachine,
        example_input=example_points,
        presets={"tiny": {"hidden_dim": 16}},
    )
)
