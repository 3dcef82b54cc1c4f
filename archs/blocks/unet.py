"""The DDPM U-Net (Ho, Jain & Abbeel 2020, arXiv 2006.11239): sinusoidal time embedding, residual
blocks with group norm and swish, down/up sampling, skip connections between mirrored levels, and
attention at chosen resolutions. Used by pixel-space and latent diffusion."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.spatial_attention import make_attention
from archs.spec import ConfigError


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Transformer-style sinusoidal embedding of (possibly fractional) time steps: (B,) -> (B, dim)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None]  # (B, half)
    emb = torch.cat([torch.sin(args), torch.cos(args)], dim=-1)
    return F.pad(emb, (0, dim % 2))  # (B, dim)


class TimeEmbedding(nn.Module):
    """sinusoid(t) → dense → swish → dense, as in the DDPM reference implementation."""

    def __init__(self, base: int, dim: int):
        super().__init__()
        self.base = base
        self.dense0, self.dense1 = nn.Linear(base, dim), nn.Linear(dim, dim)

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        return self.dense1(F.silu(self.dense0(timestep_embedding(t, self.base))))  # (B, dim)


class ResBlock(nn.Module):
    """GN → swish → conv3 (+ dense(swish(temb))) → GN → swish → dropout → conv3, plus a 1×1 skip
    where the width changes (the reference's ``nin_shortcut``)."""

    def __init__(self, c_in: int, c_out: int, temb_dim: int, dropout: float, groups: int):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(groups, c_in), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.temb = nn.Linear(temb_dim, c_out) if temb_dim else None
        self.norm2, self.drop = nn.GroupNorm(groups, c_out), nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, temb: torch.Tensor | None = None) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))  # (B, c_out, H, W)
        if self.temb is not None:
            h = h + self.temb(F.silu(temb))[:, :, None, None]
        h = self.conv2(self.drop(F.silu(self.norm2(h))))
        return self.skip(x) + h


class Downsample(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, stride=2, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)  # (B, C, H/2, W/2)


class Upsample(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))  # (B, C, 2H, 2W)


class ResAttn(nn.Module):
    """One step of a level: (concatenate the skip) → residual block → attention (or nothing)."""

    def __init__(self, res: ResBlock, attn: nn.Module):
        super().__init__()
        self.res, self.attn = res, attn

    def forward(self, h, emb, skip=None, context=None, mask=None, maps: list | None = None):
        if skip is not None:
            h = torch.cat([h, skip], 1)  # (B, C + C_skip, H, W)
        h = self.res(h, emb)
        if isinstance(self.attn, nn.Identity):
            return h
        return self.attn(h) if context is None else self.attn(h, context, mask, maps)


class Level(nn.Module):
    """One resolution: its steps, then the change of resolution (identity at the bottom / top)."""

    def __init__(self, steps: list[ResAttn], resample: nn.Module):
        super().__init__()
        self.steps, self.resample = nn.ModuleList(steps), resample


class UNetCore(nn.Module):
    """The DDPM U-Net. ``context_dim > 0`` replaces self-attention blocks by transformer blocks with
    cross-attention to a text context (latent diffusion); ``num_classes > 0`` adds a label embedding."""

    def __init__(
        self,
        *,
        in_channels: int,
        image_size: int,
        base_channels: int,
        channel_mult: tuple[int, ...],
        num_res_blocks: int,
        attn_resolutions: tuple[int, ...],
        dropout: float,
        num_groups: int,
        num_classes: int = 0,
        context_dim: int = 0,
        num_heads: int = 1,
    ):
        super().__init__()
        ch, temb = base_channels, 4 * base_channels
        self.num_classes = num_classes
        self.time = TimeEmbedding(ch, temb)
        self.label = nn.Embedding(num_classes + 1, temb) if num_classes else None
        self.conv_in = nn.Conv2d(in_channels, ch, 3, padding=1)

        def attn(c: int, res: int | None) -> nn.Module:  # the middle (res None) always attends
            if res is not None and res not in attn_resolutions:
                return nn.Identity()
            return make_attention(c, num_groups, context_dim, num_heads)

        res, widths, c = image_size, [ch], ch
        self.down = nn.ModuleList()
        for i, m in enumerate(channel_mult):
            steps = []
            for _ in range(num_res_blocks):
                steps.append(ResAttn(ResBlock(c, ch * m, temb, dropout, num_groups), attn(ch * m, res)))
                c = ch * m
                widths.append(c)
            last = i == len(channel_mult) - 1
            self.down.append(Level(steps, nn.Identity() if last else Downsample(c)))
            if not last:
                widths.append(c)
                res //= 2
        self.mid = ResAttn(ResBlock(c, c, temb, dropout, num_groups), attn(c, None))
        self.mid2 = ResBlock(c, c, temb, dropout, num_groups)
        self.up = nn.ModuleList()
        for i, m in reversed(list(enumerate(channel_mult))):
            steps = []
            for _ in range(num_res_blocks + 1):
                steps.append(
                    ResAttn(ResBlock(c + widths.pop(), ch * m, temb, dropout, num_groups), attn(ch * m, res))
                )
                c = ch * m
            self.up.append(Level(steps, Upsample(c) if i else nn.Identity()))
            res = res * 2 if i else res
        self.norm_out, self.conv_out = nn.GroupNorm(num_groups, c), nn.Conv2d(c, in_channels, 3, padding=1)

    def forward(self, x, t, y=None, context=None, context_mask=None, maps: list | None = None):
        emb = self.time(t)  # (B, 4ch)
        if self.label is not None:
            y = torch.full_like(t, self.num_classes, dtype=torch.long) if y is None else y
            emb = emb + self.label(y)
        h = self.conv_in(x)  # (B, ch, H, W)
        hs = [h]
        for level in self.down:
            for step in level.steps:
                h = step(h, emb, None, context, context_mask, maps)
                hs.append(h)
            if not isinstance(level.resample, nn.Identity):
                h = level.resample(h)
                hs.append(h)
        h = self.mid2(self.mid(h, emb, None, context, context_mask, maps), emb)
        for level in self.up:
            for step in level.steps:
                h = step(h, emb, hs.pop(), context, context_mask, maps)
            h = level.resample(h)
        return self.conv_out(F.silu(self.norm_out(h)))  # (B, C, H, W)


def check_unet(cfg, size_name: str = "image_size") -> None:
    size = getattr(cfg, size_name)
    factor = 2 ** (len(cfg.channel_mult) - 1)
    if not cfg.channel_mult:
        raise ConfigError("channel_mult is empty: the U-Net needs at least one resolution level.")
    if size % factor:
        raise ConfigError(
            f"{size_name} ({size}) must be divisible by {factor}: the U-Net halves it "
            f"{len(cfg.channel_mult) - 1} times (one per extra entry of channel_mult)."
        )
    for m in cfg.channel_mult:
        if (cfg.base_channels * m) % cfg.num_groups:
            raise ConfigError(
                f"Every width (base_channels × channel_mult = {cfg.base_channels * m}) must be divisible "
                f"by num_groups ({cfg.num_groups}) for group normalisation."
            )
    if cfg.base_channels % cfg.num_groups:
        raise ConfigError(
            f"base_channels ({cfg.base_channels}) must be divisible by num_groups ({cfg.num_groups})."
        )
    levels = {size // 2**i for i in range(len(cfg.channel_mult))}
    missing = [r for r in cfg.attn_resolutions if r not in levels]
    if missing:
        raise ConfigError(
            f"attn_resolutions {missing} are not resolutions of this U-Net; it works at "
            f"{', '.join(map(str, sorted(levels, reverse=True)))}."
        )
