"""NeRF: Mildenhall, Srinivasan, Tancik, Barron, Ramamoorthi & Ng (2020), "NeRF: Representing Scenes as
Neural Radiance Fields for View Synthesis", arXiv 2003.08934.

A scene is stored in the weights of one MLP: a point x and a viewing direction d go in, a density σ and
a colour c come out; volume rendering along camera rays turns them into pixels. Raw coordinates give
blurry fields (networks learn low frequencies first), so each coordinate p is first lifted by the
**positional encoding** γ(p) = (sin(2⁰πp), cos(2⁰πp), …, sin(2^{L−1}πp), cos(2^{L−1}πp)), with L = 10 for
x and L = 4 for d (Sec. 5.1).

The MLP of the paper's Fig. 7: γ(x) through 8 fully connected ReLU layers of 256, the input γ(x)
concatenated again to the fifth layer's output (a DeepSDF-style skip); one more layer gives σ (ReLU) and a
256-wide feature vector (no activation); the features and γ(d) go through one ReLU layer of 128; a sigmoid
layer gives RGB. ``forward`` takes (B, pos_dim [+ 3]) points [and unit directions] and returns (B, 4):
r, g, b in [0, 1] and σ ≥ 0. Without view directions one layer gives all four from the last hidden layer.

``include_input`` also feeds p itself beside its sines and cosines, as the authors' code does
(bmild/nerf: 3 + 3·2·10 = 63 and 3 + 3·2·4 = 27 inputs). ``canonical`` is Fig. 7 exactly, whose inputs
are γ(x) of 60 and γ(d) of 24 numbers: 593,924 parameters (15,616 + 4·65,792 + 81,152 + 2·65,792 for
the eight layers, 66,049 for σ and the features, 35,968 for the 128-wide layer, 387 for RGB). With the
code's 63/27 inputs the same network has 595,844. ``render_rays`` is the paper's volume rendering
quadrature (Eq. 3), for any field of colour and density.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class NeRFConfig(Config):
    pos_dim: int = hp(3, lo=1, hi=3, help="Coordinates of a point: 3 for a scene, 2 to store an image.")
    pos_freqs: int = hp(
        10,
        lo=0,
        hi=16,
        help="L for positions: γ(p) holds sin and cos of 2⁰πp … 2^(L−1)πp. 0 feeds raw coordinates, which "
        "an MLP can only fit smoothly.",
    )
    use_viewdirs: bool = hp(
        True,
        help="Give the colour branch the viewing direction d, so a surface can shine differently from "
        "different sides (density never sees d).",
    )
    dir_freqs: int = hp(4, lo=0, hi=16, help="L for the viewing direction (the paper: 4).")
    include_input: bool = hp(
        True,
        help="Also feed p itself beside its sines and cosines, as the authors' code does (63 inputs for a "
        "point instead of Fig. 7's 60).",
    )
    hidden_dim: int = hp(256, lo=4, hi=1024, help="Width of the trunk's layers (the paper: 256).")
    depth: int = hp(8, lo=1, hi=16, help="How many fully connected ReLU layers the trunk has (the paper: 8).")
    skip_layer: int = hp(
        5,
        lo=0,
        hi=16,
        help="The input γ(x) is concatenated again to this layer's output (the paper: the fifth); 0 for no "
        "skip connection.",
    )
    dir_hidden: int = hp(128, lo=4, hi=1024, help="Width of the direction branch's layer (the paper: 128).")

    def validate(self) -> None:
        if self.pos_freqs == 0 and not self.include_input:
            raise ConfigError(
                "With pos_freqs = 0 and include_input off the network would see no input at all: switch "
                "include_input on (raw coordinates) or take at least one frequency."
            )
        if self.use_viewdirs and self.dir_freqs == 0 and not self.include_input:
            raise ConfigError(
                "With dir_freqs = 0 and include_input off the colour branch sees no direction: switch "
                "include_input on, take a frequency, or turn use_viewdirs off."
            )
        if self.skip_layer >= self.depth:
            raise ConfigError(
                f"skip_layer ({self.skip_layer}) must be below depth ({self.depth}): the input is joined to "
                "that layer's output and fed to the next one. Take 0 for no skip."
            )


class PositionalEncoding(nn.Module):
    """γ(p) per coordinate, L frequencies: (B, D) -> (B, D·(2L + include_input)), [p, sin, cos per f]."""

    def __init__(self, dim: int, num_freqs: int, include_input: bool = True):
        super().__init__()
        self.dim, self.num_freqs, self.include_input = dim, num_freqs, include_input
        self.register_buffer("freqs", math.pi * 2.0 ** torch.arange(num_freqs, dtype=torch.float32))

    @property
    def out_dim(self) -> int:
        return self.dim * (2 * self.num_freqs + int(self.include_input))

    def forward(self, p: torch.Tensor) -> torch.Tensor:
        parts = [p] if self.include_input else []
        if self.num_freqs:
            a = p[..., None, :] * self.freqs[:, None]  # (B, L, D): 2^l π p
            sc = torch.stack([a.sin(), a.cos()], -2)  # (B, L, 2, D): sin then cos at each frequency
            parts.append(sc.flatten(-3))  # (B, 2·L·D)
        return torch.cat(parts, -1)


class NeRF(nn.Module):
    """F_Θ: (x, d) -> (c, σ), Fig. 7 of the paper (see the module docstring)."""

    def __init__(self, cfg: NeRFConfig):
        super().__init__()
        self.cfg = cfg
        self.embed_pos = PositionalEncoding(cfg.pos_dim, cfg.pos_freqs, cfg.include_input)
        n_in, w = self.embed_pos.out_dim, cfg.hidden_dim
        dims = [n_in] + [w + (n_in if i == cfg.skip_layer else 0) for i in range(1, cfg.depth)]
        self.trunk = nn.ModuleList(nn.Linear(d, w) for d in dims)
        if cfg.use_viewdirs:
            self.embed_dir = PositionalEncoding(3, cfg.dir_freqs, cfg.include_input)
            self.sigma = nn.Linear(w, 1)
            self.feature = nn.Linear(w, w)
            self.view = nn.Linear(w + self.embed_dir.out_dim, cfg.dir_hidden)
            self.rgb = nn.Linear(cfg.dir_hidden, 3)
        else:
            self.out = nn.Linear(w, 4)

    @property
    def in_dim(self) -> int:
        return self.cfg.pos_dim + (3 if self.cfg.use_viewdirs else 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.cfg
        if x.dim() != 2 or x.shape[-1] != self.in_dim:
            raise ValueError(f"NeRF expects inputs of shape (batch, {self.in_dim}), got {tuple(x.shape)}")
        g = self.embed_pos(x[:, : c.pos_dim])  # (B, n_in): γ(x)
        h = g
        for i, layer in enumerate(self.trunk):
            h = F.relu(layer(h))  # (B, W)
            if i + 1 == c.skip_layer:
                h = torch.cat([g, h], -1)  # (B, n_in + W): the input joins layer skip_layer's output
        if not c.use_viewdirs:
            raw = self.out(h)  # (B, 4)
            return torch.cat([torch.sigmoid(raw[:, :3]), F.relu(raw[:, 3:])], -1)
        sigma = F.relu(self.sigma(h))  # (B, 1)
        d = self.embed_dir(x[:, c.pos_dim :])  # (B, n_dir): γ(d)
        v = F.relu(self.view(torch.cat([self.feature(h), d], -1)))  # (B, dir_hidden)
        return torch.cat([torch.sigmoid(self.rgb(v)), sigma], -1)  # (B, 4): r, g, b, σ


def render_rays(
    field, origins: torch.Tensor, dirs: torch.Tensor, near: float, far: float, n_samples: int = 64
) -> tuple[torch.Tensor, torch.Tensor]:
    """Volume rendering by the paper's quadrature (Eq. 3): along each ray r(t) = o + t·d, samples tᵢ evenly
    spaced in [near, far], δᵢ = tᵢ₊₁ − tᵢ, αᵢ = 1 − exp(−σᵢδᵢ), Tᵢ = Πⱼ₍ⱼ₌₁…ᵢ₋₁₎ (1 − αⱼ), and
    C = Σᵢ Tᵢ αᵢ cᵢ. ``field`` maps (N, 6) points and directions to (N, 4) colour and density (a NeRF
    with view directions). Returns the colours (R, 3) and the weights Tᵢαᵢ (R, n_samples)."""
    t = torch.linspace(near, far, n_samples + 1, device=origins.device)  # (S + 1,)
    mids, delta = (t[:-1] + t[1:]) / 2, t[1:] - t[:-1]  # (S,)
    pts = origins[:, None, :] + mids[None, :, None] * dirs[:, None, :]  # (R, S, 3)
    d = dirs[:, None, :].expand_as(pts)
    out = field(torch.cat([pts, d], -1).reshape(-1, 6)).reshape(*pts.shape[:2], 4)  # (R, S, 4)
    alpha = 1 - torch.exp(-out[..., 3] * delta)  # (R, S)
    trans = torch.cumprod(torch.cat([torch.ones_like(alpha[:, :1]), 1 - alpha[:, :-1] + 1e-10], 1), 1)
    weights = trans * alpha  # (R, S)
    return (weights[..., None] * out[..., :3]).sum(1), weights


def _example(cfg: NeRFConfig) -> torch.Tensor:
    x = torch.rand(8, cfg.pos_dim) * 2 - 1
    if not cfg.use_viewdirs:
        return x
    return torch.cat([x, F.normalize(torch.randn(8, 3), dim=-1)], -1)  # (8, pos_dim + 3)


FIG7 = dict(pos_dim=3, pos_freqs=10, use_viewdirs=True, dir_freqs=4, include_input=False)

register(
    ArchSpec(
        name="nerf",
        title="NeRF",
        family="continuous",
        year=2020,
        paper=Paper(
            "B. Mildenhall, P. P. Srinivasan, M. Tancik, J. T. Barron, R. Ramamoorthi, R. Ng",
            2020,
            "NeRF: Representing Scenes as Neural Radiance Fields for View Synthesis",
            arxiv="2003.08934",
        ),
        summary="A coordinate MLP with positional encoding that maps a point and a viewing direction to "
        "colour and density: a whole scene stored in its weights.",
        tasks=("view synthesis", "coordinate-based regression"),
        config=NeRFConfig,
        build=NeRF,
        example_input=_example,
        presets={
            "tiny": dict(hidden_dim=32, depth=4, skip_layer=2, dir_hidden=16),
            "canonical": FIG7,
        },
        published_params=593_924,
        published_source="the paper's Fig. 7 (γ(x) of 60 and γ(d) of 24 inputs, 8 × 256 layers with the "
        "skip at the fifth, σ and a 256-wide feature, a 128-wide direction layer, RGB)",
    )
)
