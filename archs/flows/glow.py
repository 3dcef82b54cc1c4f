"""Glow: Kingma & Dhariwal (2018), "Glow: Generative Flow with Invertible 1x1 Convolutions",
arXiv 1807.03039; reference code github.com/openai/glow.

One step of flow is actnorm (a per-channel affine map initialised from data), an invertible 1×1
convolution (a learned C×C matrix W applied at every pixel, which generalises RealNVP's fixed channel
permutations; log|det| = H·W·log|det W|, or Σ log|sᵢ| when W is LU-decomposed), and an affine coupling
of the channel halves. For images, the multi-scale architecture repeats at each of L levels: squeeze
(C, H, W) -> (4C, H/2, W/2), K steps of flow, and (but at the last level) a split that factors out half of
the channels with a Gaussian whose mean and scale a zero-initialised convolution predicts from the kept
half. The top prior is learned the same way from zeros (``learn_top``, the reference's ``--learntop``).

The coupling network follows the reference code (``f`` in model.py): 3×3 conv -> actnorm -> ReLU ->
1×1 conv -> actnorm -> ReLU -> zero-initialised 3×3 conv with a per-channel gain exp(3·logs); the affine
scale is σ(h + 2) in the code (``scale="sigmoid"``) and exp(h) in the paper's table (``scale="exp"``).
For points, a step is the same with a 2×2 matrix for W and an MLP for the coupling network.

The ``cifar10`` preset is the paper's CIFAR-10 model as the README's command runs it (``--n_level 3
--depth 32 --flow_permutation 2 --flow_coupling 1 --learntop``, width 512): 44,135,856 parameters as
built here. That is our count, not a published one: neither the paper nor the reference code reports a
parameter count, so the atlas gives Glow no ``canonical`` preset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from torch import nn

from archs.flows.common import DATA_HELP, check_common, check_input, example_input
from archs.flows.layers import ActNorm, Chain, Flow, HalfCoupling, InvConv, Split, Squeeze, ZeroConv, mlp
from archs.registry import register
from archs.spec import ArchSpec, Config, Paper, hp


@dataclass(frozen=True)
class GlowConfig(Config):
    data: Literal["points", "image"] = hp("points", help=DATA_HELP)
    num_layers: int = hp(
        4,
        lo=0,
        hi=64,
        help="K, the steps of flow (actnorm, 1×1 convolution, coupling): in all for points, per level for "
        "images (the paper's CIFAR-10 model: 32).",
    )
    hidden_dim: int = hp(
        64, lo=4, hi=1024, help="Width of the coupling network's hidden layers (the paper: 512 channels)."
    )
    levels: int = hp(2, lo=1, hi=6, help="Images: L, the levels; each squeezes, and all but the last split.")
    image_size: int = hp(8, lo=2, hi=256, help="Images: side of the square input, in pixels.")
    in_channels: int = hp(1, lo=1, hi=4, help="Images: colour channels (1 for digits, 3 for RGB).")
    lu: bool = hp(
        False,
        help="LU-decompose the 1×1 convolution's matrix, W = P·L·(U + diag(s)): its log-determinant is then "
        "Σ log|sᵢ| instead of a C×C determinant (the reference code's default is off).",
    )
    coupling: Literal["affine", "additive"] = hp(
        "affine",
        help="affine: y₂ = (x₂ + shift)·scale, both from the first half; additive: y₂ = x₂ + NN(x₁), "
        "volume-preserving (NICE's coupling).",
    )
    scale: Literal["sigmoid", "exp"] = hp(
        "sigmoid",
        help="How the affine coupling's raw output h becomes a positive scale: σ(h + 2) as the reference "
        "code does (stable: at most 1), or exp(h) as the paper writes it.",
    )
    learn_top: bool = hp(
        True, help="Learn the mean and scale of the top-level Gaussian prior (images; --learntop)."
    )

    def validate(self) -> None:
        check_common(self, self.levels)


class ActNormOut(ActNorm):
    """ActNorm inside a coupling network, where only its output is used (the reference's conv2d)."""

    def forward(self, x):
        return super().forward(x)[0]


def coupling_net(c_in: int, c_out: int, hidden: int) -> nn.Sequential:
    """The reference's ``f``: conv3×3 -> actnorm -> ReLU -> conv1×1 -> actnorm -> ReLU -> zero conv3×3."""
    return nn.Sequential(
        nn.Conv2d(c_in, hidden, 3, padding=1, bias=False),
        ActNormOut(hidden),
        nn.ReLU(),
        nn.Conv2d(hidden, hidden, 1, bias=False),
        ActNormOut(hidden),
        nn.ReLU(),
        ZeroConv(hidden, c_out),
    )


def _step(c: int, cfg: GlowConfig, image: bool) -> list[nn.Module]:
    out = c if cfg.coupling == "affine" else c - c // 2  # shift and scale for the second half, or a shift
    net = coupling_net(c // 2, out, cfg.hidden_dim) if image else mlp(c // 2, out, cfg.hidden_dim, 2)
    return [ActNorm(c), InvConv(c, cfg.lu), HalfCoupling(net, cfg.coupling, cfg.scale)]


STEP_NAMES = ("actnorm", "1×1 conv", "coupling")


class Glow(Flow):
    """forward(x) -> log p(x) in nats, (B,); see archs.flows.layers.Flow for sample and trajectory."""

    def __init__(self, cfg: GlowConfig):
        steps, names, top = [], [], None
        if cfg.data == "points":
            for k in range(cfg.num_layers):
                steps += _step(2, cfg, image=False)
                names += [f"step {k + 1}: {n}" for n in STEP_NAMES]
            latent = (2,)
        else:
            c, s = cfg.in_channels, cfg.image_size
            for level in range(cfg.levels):
                steps.append(Squeeze())
                names.append(f"level {level + 1}: squeeze")
                c, s = 4 * c, s // 2
                for k in range(cfg.num_layers):  # one module per step: the graph folds the K repeats
                    steps.append(Chain(_step(c, cfg, image=True)))
                    names.append(f"level {level + 1}, step {k + 1}")
                if level < cfg.levels - 1:
                    steps.append(Split(c, learned=True))
                    names.append(f"level {level + 1}: split")
                    c = c // 2
            latent = (c, s, s)
            top = ZeroConv(2 * c, 2 * c) if cfg.learn_top else None
        super().__init__(steps, names, latent, top)
        self.cfg = cfg

    def forward(self, x):
        check_input(self.cfg, x, "Glow")
        return super().forward(x)


CIFAR10 = dict(data="image", num_layers=32, hidden_dim=512, levels=3, image_size=32, in_channels=3)

register(
    ArchSpec(
        name="glow",
        title="Glow",
        family="flows",
        year=2018,
        paper=Paper(
            "D. P. Kingma, P. Dhariwal",
            2018,
            "Glow: Generative Flow with Invertible 1x1 Convolutions",
            "1807.03039",
        ),
        summary="Steps of actnorm, an invertible 1×1 convolution and an affine coupling, in a multi-scale "
        "stack: a flow that synthesises large images.",
        tasks=("density estimation", "sampling"),
        config=GlowConfig,
        build=Glow,
        example_input=example_input,
        presets={
            "tiny": {},
            "digits": dict(data="image", num_layers=4, hidden_dim=32, levels=2, image_size=8),
            "cifar10": CIFAR10,
        },
    )
)
