"""Diffusion models: noise predictors ε_θ(x_t, t) for 2-D points and images.

DDPM: Ho, Jain & Abbeel (2020), "Denoising Diffusion Probabilistic Models", arXiv 2006.11239. The
U-Net follows the paper's reference implementation (diffusion_tf ``unet.model``): sinusoidal time
embedding → two dense layers, residual blocks with GroupNorm and swish that add the time embedding,
self-attention at 16×16, strided-conv downsampling and nearest+conv upsampling, skip connections from
every down block. Its ``canonical`` preset is the CIFAR-10 model (ch 128, ch_mult (1, 2, 2, 2), two
residual blocks per level, attention at 16×16, dropout 0.1): 35,746,307 parameters, the "35.7M" of
the paper's Appendix B, as counted for the converted checkpoint google/ddpm-cifar10-32.

Class conditioning (optional, ``num_classes > 0``) adds a learned label embedding to the time
embedding; index ``num_classes`` is the "no label" token that classifier-free guidance (Ho & Salimans,
2022, arXiv 2207.12598) trains with and samples against.

The beta schedules live here (pure torch, no training code) so a model can carry its own schedule;
``training.diffusion.trainer`` builds the sampling arithmetic on top of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.unet import (
    TimeEmbedding,
    UNetCore,
    check_unet,
)
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp

DDPM_PAPER = Paper(
    "J. Ho, A. Jain, P. Abbeel", 2020, "Denoising Diffusion Probabilistic Models", arxiv="2006.11239"
)


# --------------------------------------------------------------------------------------- schedules


def beta_schedule(kind: str, timesteps: int) -> torch.Tensor:
    """β_1..β_T (float64). ``linear``: DDPM's 1e-4 → 0.02 over 1000 steps (rescaled by 1000/T so a
    shorter chain destroys the signal as fully); ``cosine``: Nichol & Dhariwal (2021), ᾱ_t =
    cos²(((t/T + s)/(1 + s))·π/2) with s = 0.008, β clipped at 0.999."""
    if timesteps < 1:
        raise ConfigError(f"A diffusion needs at least 1 time step, got {timesteps}.")
    if kind == "linear":
        scale = 1000.0 / timesteps
        return torch.linspace(scale * 1e-4, min(0.999, scale * 0.02), timesteps, dtype=torch.float64)
    if kind == "cosine":
        s = 0.008
        t = torch.arange(timesteps + 1, dtype=torch.float64) / timesteps
        f = torch.cos((t + s) / (1 + s) * math.pi / 2) ** 2
        abar = f / f[0]
        return (1 - abar[1:] / abar[:-1]).clamp(max=0.999)
    raise ConfigError(f"Unknown noise schedule {kind!r}; choose linear or cosine.")


# ------------------------------------------------------------------------------------ 2-D: an MLP


@dataclass(frozen=True)
class DDPMMLPConfig(Config):
    data_dim: int = hp(2, lo=1, hi=64, help="Numbers per example: 2 for a point in the plane.")
    hidden_dim: int = hp(128, lo=8, hi=1024, help="Neurons in each hidden layer of the noise predictor.")
    num_layers: int = hp(3, lo=1, hi=8, help="Hidden layers; each one also receives the time embedding.")
    time_embed_dim: int = hp(
        32,
        lo=4,
        hi=256,
        help="Size of the sinusoidal embedding that tells the network which step t it is at.",
    )
    num_classes: int = hp(
        0,
        lo=0,
        hi=100,
        help="Classes for conditional generation (0: unconditional). One extra 'no label' "
        "embedding is learned for classifier-free guidance.",
    )


class DDPMMLP(nn.Module):
    """ε_θ(x_t, t): each hidden layer is h ← swish(W h + b + U·emb(t)); the read-out predicts the noise."""

    def __init__(self, cfg: DDPMMLPConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.hidden_dim
        self.time = TimeEmbedding(cfg.time_embed_dim, d)
        self.label = nn.Embedding(cfg.num_classes + 1, d) if cfg.num_classes else None
        self.inp = nn.Linear(cfg.data_dim, d)
        self.layers = nn.ModuleList(nn.Linear(d, d) for _ in range(cfg.num_layers))
        self.temb = nn.ModuleList(nn.Linear(d, d) for _ in range(cfg.num_layers))
        self.out = nn.Linear(d, cfg.data_dim)

    def forward(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        emb = self.time(t)  # (B, d)
        if self.label is not None:
            y = torch.full_like(t, self.cfg.num_classes, dtype=torch.long) if y is None else y
            emb = emb + self.label(y)
        h = self.inp(x)  # (B, d)
        for layer, proj in zip(self.layers, self.temb, strict=True):
            h = F.silu(layer(h) + proj(F.silu(emb)))
        return self.out(h)  # (B, data_dim)


def _mlp_input(cfg: DDPMMLPConfig):
    return torch.randn(4, cfg.data_dim), torch.randint(0, 100, (4,))


# ---------------------------------------------------------------------------------------- U-Net


@dataclass(frozen=True)
class UNetConfig(Config):
    in_channels: int = hp(1, lo=1, hi=4, help="Image channels: 1 for grey digits, 3 for colour.")
    image_size: int = hp(16, lo=4, hi=256, help="Height and width of the images, in pixels.")
    base_channels: int = hp(32, lo=8, hi=512, step=8, help="Feature maps at full resolution (ch).")
    channel_mult: tuple[int, ...] = hp(
        (1, 2),
        lo=1,
        hi=8,
        max_len=5,
        help="Width multiplier of each resolution level, full resolution "
        "first; every extra level halves the image once more.",
    )
    num_res_blocks: int = hp(1, lo=1, hi=4, help="Residual blocks per level on the way down (one more up).")
    attn_resolutions: tuple[int, ...] = hp(
        (8,),
        lo=1,
        hi=256,
        max_len=4,
        help="Resolutions (in pixels) at which self-attention lets every "
        "position look at every other; cheap only where the map is small.",
    )
    dropout: float = hp(0.0, lo=0.0, hi=0.5, step=0.05, help="Dropout inside each residual block.")
    num_groups: int = hp(8, lo=1, hi=32, help="Groups of GroupNorm (32 in the paper).")
    num_classes: int = hp(
        0,
        lo=0,
        hi=1000,
        help="Classes for class-conditional generation (0: unconditional). An extra "
        "'no label' embedding is learned for classifier-free guidance.",
    )

    def validate(self) -> None:
        check_unet(self)


class UNet(UNetCore):
    """ε_θ(x_t, t, y) for images: the DDPM U-Net (optionally class-conditional)."""

    def __init__(self, cfg: UNetConfig):
        super().__init__(
            in_channels=cfg.in_channels,
            image_size=cfg.image_size,
            base_channels=cfg.base_channels,
            channel_mult=cfg.channel_mult,
            num_res_blocks=cfg.num_res_blocks,
            attn_resolutions=cfg.attn_resolutions,
            dropout=cfg.dropout,
            num_groups=cfg.num_groups,
            num_classes=cfg.num_classes,
        )
        self.cfg = cfg


def _unet_input(cfg: UNetConfig):
    x = torch.randn(2, cfg.in_channels, cfg.image_size, cfg.image_size)
    t = torch.randint(0, 1000, (2,))
    if cfg.num_classes:
        return x, t, torch.randint(0, cfg.num_classes, (2,))
    return x, t


register(
    ArchSpec(
        name="ddpm_mlp",
        title="DDPM noise predictor (MLP, 2-D)",
        family="diffusion",
        year=2020,
        paper=DDPM_PAPER,
        summary="A small MLP with a time embedding predicts the noise added to 2-D points: diffusion in the "
        "plane, where every step can be drawn.",
        tasks=("generation",),
        config=DDPMMLPConfig,
        build=DDPMMLP,
        example_input=_mlp_input,
        presets={"tiny": {"hidden_dim": 64, "num_layers": 2}, "2d": {}},
    )
)

register(
    ArchSpec(
        name="ddpm_unet",
        title="DDPM U-Net",
        family="diffusion",
        year=2020,
        paper=DDPM_PAPER,
        summary="A U-Net with sinusoidal time embeddings, residual blocks and self-attention at low "
        "resolution predicts the noise in an image; optionally class-conditional.",
        tasks=("generation",),
        config=UNetConfig,
        build=UNet,
        example_input=_unet_input,
        presets={
            "tiny": {"image_size": 8, "base_channels": 16, "attn_resolutions": (4,)},
            "digits": {"image_size": 16, "base_channels": 32, "num_classes": 10},
            "canonical": {
                "in_channels": 3,
                "image_size": 32,
                "base_channels": 128,
                "channel_mult": (1, 2, 2, 2),
                "num_res_blocks": 2,
                "attn_resolutions": (16,),
                "dropout": 0.1,
                "num_groups": 32,
            },
        },
        published_params=35_746_307,
        published_source="DDPM (Ho et al. 2020) CIFAR-10 model, '35.7 million parameters' (Appendix B); "
        "exact count of the reference model as converted to google/ddpm-cifar10-32",
    )
)
