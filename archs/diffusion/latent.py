"""Latent diffusion: an autoencoder into a small latent space, a text-conditioned denoiser there.

Rombach, Blattmann, Lorenz, Esser & Ommer (2022), "High-Resolution Image Synthesis with Latent
Diffusion Models", arXiv 2112.10752 — the design of Stable Diffusion, at toy scale:

- an autoencoder (conv encoder, ``2^num_down`` times smaller latent with ``latent_channels`` maps, conv
  decoder), trained first for reconstruction and then frozen;
- a small text encoder (token + position embeddings, transformer encoder layers) that turns a caption
  into one context vector per token;
- the DDPM U-Net working on latents, whose attention blocks are transformer blocks (self-attention,
  cross-attention from image positions to caption tokens, feed-forward), as in the paper's
  ``SpatialTransformer``. The cross-attention weights are what the page draws per word.

``forward(x0, t, tokens, noise)`` runs the whole pipeline once — encode, noise the latent to step t,
predict the noise with the text context, form the one-step estimate ẑ_0 and decode it — so the layer
graph shows every part. Training and sampling use ``encode``, ``decode``, ``text`` and ``denoise``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.blocks.unet import ResBlock, UNetCore, check_unet
from archs.diffusion.ddpm import beta_schedule
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp

PAD, BOS = 0, 1  # token ids every caption vocabulary reserves


class TextEncoder(nn.Module):
    """Token + learned position embeddings → pre-norm transformer encoder layers → LayerNorm."""

    def __init__(self, vocab_size: int, max_len: int, dim: int, depth: int, num_heads: int):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab_size, dim), nn.Parameter(torch.zeros(1, max_len, dim))
        layer = nn.TransformerEncoderLayer(
            dim, num_heads, 2 * dim, dropout=0.0, batch_first=True, norm_first=True, activation="gelu"
        )
        self.layers = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.ln = nn.LayerNorm(dim)
        nn.init.normal_(self.pos, std=0.02)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        h = self.tok(tokens) + self.pos[:, : tokens.shape[1]]  # (B, L, dim)
        return self.ln(self.layers(h, src_key_padding_mask=tokens == PAD))  # (B, L, dim)


def make_autoencoder(
    in_channels: int, ch: int, latent_channels: int, num_down: int, groups: int
) -> tuple[nn.Sequential, nn.Sequential]:
    """Conv encoder with ``num_down`` stride-2 stages to ``latent_channels`` maps, and its mirror."""
    enc: list[nn.Module] = [nn.Conv2d(in_channels, ch, 3, padding=1)]
    for _ in range(num_down):
        enc += [ResBlock(ch, ch, 0, 0.0, groups), nn.Conv2d(ch, ch, 3, stride=2, padding=1)]
    enc += [ResBlock(ch, ch, 0, 0.0, groups), nn.GroupNorm(groups, ch), nn.SiLU()]
    enc += [nn.Conv2d(ch, latent_channels, 3, padding=1)]
    dec: list[nn.Module] = [nn.Conv2d(latent_channels, ch, 3, padding=1), ResBlock(ch, ch, 0, 0.0, groups)]
    for _ in range(num_down):
        dec += [nn.Upsample(scale_factor=2.0, mode="nearest"), nn.Conv2d(ch, ch, 3, padding=1)]
        dec += [ResBlock(ch, ch, 0, 0.0, groups)]
    dec += [nn.GroupNorm(groups, ch), nn.SiLU(), nn.Conv2d(ch, in_channels, 3, padding=1)]
    return nn.Sequential(*enc), nn.Sequential(*dec)


@dataclass(frozen=True)
class LatentDiffusionConfig(Config):
    in_channels: int = hp(3, lo=1, hi=4, help="Image channels (3: colour).")
    image_size: int = hp(16, lo=8, hi=128, help="Height and width of the images, in pixels.")
    ae_channels: int = hp(32, lo=8, hi=256, step=8, help="Feature maps of the autoencoder.")
    num_down: int = hp(
        1,
        lo=1,
        hi=3,
        help="Halvings from image to latent: each one halves the latent's side (2, 4 or 8 times smaller).",
    )
    latent_channels: int = hp(4, lo=1, hi=16, help="Channels of the latent (Stable Diffusion: 4).")
    base_channels: int = hp(64, lo=8, hi=512, step=8, help="Feature maps of the latent U-Net (ch).")
    channel_mult: tuple[int, ...] = hp((1, 2), lo=1, hi=8, max_len=4, help="U-Net width per level.")
    num_res_blocks: int = hp(1, lo=1, hi=4, help="Residual blocks per U-Net level.")
    attn_resolutions: tuple[int, ...] = hp(
        (8, 4),
        lo=1,
        hi=128,
        max_len=4,
        help="Latent resolutions with transformer blocks (self- and cross-attention to the caption).",
    )
    num_groups: int = hp(8, lo=1, hi=32, help="Groups of GroupNorm.")
    vocab_size: int = hp(40, lo=3, hi=50000, help="Words the text encoder knows (set by the captions).")
    max_len: int = hp(10, lo=2, hi=77, help="Longest caption in tokens, a start token included.")
    context_dim: int = hp(64, lo=8, hi=1024, step=8, help="Width of the text encoder's token vectors.")
    text_layers: int = hp(2, lo=1, hi=12, help="Transformer layers of the text encoder.")
    num_heads: int = hp(4, lo=1, hi=16, help="Attention heads in the text encoder and cross-attention.")
    timesteps: int = hp(1000, lo=10, hi=4000, help="Diffusion steps T the model is trained for.")
    schedule: Literal["linear", "cosine"] = hp("linear", help="How fast noise is added: βₜ over t.")

    @property
    def latent_size(self) -> int:
        return self.image_size // 2**self.num_down

    def validate(self) -> None:
        if self.image_size % 2**self.num_down:
            raise ConfigError(
                f"image_size ({self.image_size}) must be divisible by {2**self.num_down} "
                "(2 to the power num_down)."
            )
        if self.ae_channels % self.num_groups:
            raise ConfigError(f"ae_channels ({self.ae_channels}) must be divisible by num_groups.")
        if self.context_dim % self.num_heads or self.base_channels % self.num_heads:
            raise ConfigError(
                f"context_dim ({self.context_dim}) and base_channels ({self.base_channels}) must be "
                f"divisible by num_heads ({self.num_heads})."
            )
        check_unet(self, "latent_size")


class LatentDiffusion(nn.Module):
    def __init__(self, cfg: LatentDiffusionConfig):
        super().__init__()
        self.cfg = cfg
        # encoder and decoder are top-level children so the layer graph reads encoder → U-Net → decoder
        self.encoder, self.decoder = make_autoencoder(
            cfg.in_channels, cfg.ae_channels, cfg.latent_channels, cfg.num_down, cfg.num_groups
        )
        self.text_encoder = TextEncoder(
            cfg.vocab_size, cfg.max_len, cfg.context_dim, cfg.text_layers, cfg.num_heads
        )
        self.unet = UNetCore(
            in_channels=cfg.latent_channels,
            image_size=cfg.latent_size,
            base_channels=cfg.base_channels,
            channel_mult=cfg.channel_mult,
            num_res_blocks=cfg.num_res_blocks,
            attn_resolutions=cfg.attn_resolutions,
            dropout=0.0,
            num_groups=cfg.num_groups,
            context_dim=cfg.context_dim,
            num_heads=cfg.num_heads,
        )
        abar = torch.cumprod(1 - beta_schedule(cfg.schedule, cfg.timesteps), 0).float()
        self.register_buffer("alpha_bar", abar, persistent=False)
        # latents are divided by this before diffusion (Stable Diffusion's scale_factor): set from the
        # latents' standard deviation when the autoencoder is frozen
        self.register_buffer("latent_scale", torch.ones(()))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x) / self.latent_scale  # (B, Z, h, w)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z * self.latent_scale)  # (B, C, H, W)

    def text(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.text_encoder(tokens)  # (B, L, context_dim)

    def denoise(self, z_t, t, context, tokens, maps: list | None = None) -> torch.Tensor:
        return self.unet(z_t, t, context=context, context_mask=tokens == PAD, maps=maps)

    def forward(self, x0, t, tokens, noise, return_attention: bool = False):
        z0 = self.encode(x0)
        ab = self.alpha_bar[t][:, None, None, None]
        z_t = ab.sqrt() * z0 + (1 - ab).sqrt() * noise  # q(z_t | z_0)
        maps: list | None = [] if return_attention else None
        eps = self.denoise(z_t, t, self.text(tokens), tokens, maps)
        x0_hat = self.decode((z_t - (1 - ab).sqrt() * eps) / ab.sqrt())  # one-step estimate of x_0
        return (x0_hat, eps, maps) if return_attention else (x0_hat, eps)


def _ldm_input(cfg: LatentDiffusionConfig):
    x = torch.rand(2, cfg.in_channels, cfg.image_size, cfg.image_size) * 2 - 1
    tokens = torch.randint(2, cfg.vocab_size, (2, cfg.max_len))
    tokens[:, 0], tokens[1, cfg.max_len // 2 :] = BOS, PAD
    noise = torch.randn(2, cfg.latent_channels, cfg.latent_size, cfg.latent_size)
    return x, torch.randint(0, cfg.timesteps, (2,)), tokens, noise


register(
    ArchSpec(
        name="latent_diffusion",
        title="Latent diffusion (text-to-image)",
        family="diffusion",
        year=2022,
        paper=Paper(
            "R. Rombach, A. Blattmann, D. Lorenz, P. Esser, B. Ommer",
            2022,
            "High-Resolution Image Synthesis with Latent Diffusion Models",
            arxiv="2112.10752",
        ),
        summary="Diffusion in an autoencoder's small latent space, conditioned on a caption through "
        "cross-attention: Stable Diffusion's design at toy scale.",
        tasks=("generation", "text-to-image"),
        config=LatentDiffusionConfig,
        build=LatentDiffusion,
        example_input=_ldm_input,
        presets={
            "tiny": {"ae_channels": 16, "base_channels": 32, "context_dim": 32, "text_layers": 1},
            "shapes": {},
        },
    )
)
