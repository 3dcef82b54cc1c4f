"""MLP-Mixer: Tolstikhin et al. (2021), "MLP-Mixer: An all-MLP Architecture for Vision", arXiv 2105.01601.

No convolution after the stem and no attention: the image is cut into S patches of P×P pixels, each
linearly projected to C channels (a table of S × C numbers), and every Mixer layer applies two MLPs:

- **token mixing** reads one channel across all S patches (a column of the table) and mixes the patches:
  U = X + W_2 σ(W_1 LayerNorm(X)ᵀ)ᵀ, with W_1 of shape (D_S, S); the same MLP serves every channel;
- **channel mixing** reads one patch across its C channels (a row) and mixes the channels:
  Y = U + W_4 σ(W_3 LayerNorm(U)), with W_3 of shape (D_C, C); the same MLP serves every patch.

σ is GELU. After the last layer: LayerNorm, the average over the patches, a linear head. Because the
token-mixing MLP has a weight for every patch position, the model is tied to its input size and needs no
position embeddings. Canonical: Mixer-B/16 at 224 px (14×14 = 196 patches, C = 768, D_S = 384,
D_C = 3072, 12 layers) with a 1,000-class head, 59,880,472 parameters as timm's ``mixer_b16_224``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.blocks.conv import StochasticDepth
from archs.blocks.patches import PatchEmbed
from archs.blocks.transformer import FeedForward
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class MixerConfig(Config):
    image_size: int = hp(16, lo=4, hi=1024, help="Side of the square input image, in pixels.")
    patch_size: int = hp(
        2, lo=1, hi=64, help="Side of each patch; the image becomes S = (size/patch)² tokens."
    )
    in_channels: int = hp(1, lo=1, hi=4, help="Colour channels of the image (1 gray, 3 RGB).")
    num_classes: int = hp(10, lo=2, hi=22_000, help="Classes the head scores.")
    embed_dim: int = hp(
        64, lo=4, hi=4096, help="C: the channels of every patch token (the width of the table's rows)."
    )
    depth: int = hp(4, lo=1, hi=48, help="How many Mixer layers (token mixing + channel mixing) are stacked.")
    token_mlp_dim: int = hp(
        64,
        lo=2,
        hi=16384,
        help="$D_S$: hidden width of the token-mixing MLP, which mixes the S patches of one channel.",
    )
    channel_mlp_dim: int = hp(
        128,
        lo=2,
        hi=16384,
        help="$D_C$: hidden width of the channel-mixing MLP, which mixes the C channels of one patch.",
    )
    dropout: float = hp(0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout inside both MLPs.")
    drop_path: float = hp(
        0.0,
        lo=0.0,
        hi=0.9,
        step=0.05,
        help="Stochastic depth: the chance that a sample skips a whole mixing branch while training.",
    )

    def validate(self) -> None:
        if self.patch_size > self.image_size or self.image_size % self.patch_size:
            raise ConfigError(
                f"patch_size ({self.patch_size}) must divide image_size ({self.image_size}) so that the "
                "patches tile the image; try a divisor such as "
                f"{', '.join(str(d) for d in _divisors(self.image_size)[:6])}."
            )

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size

    @property
    def num_tokens(self) -> int:
        return self.grid**2


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0 and d < n] or [n]


class MixerBlock(nn.Module):
    """One Mixer layer: token mixing across patches, then channel mixing within each patch."""

    def __init__(self, cfg: MixerConfig):
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.embed_dim, eps=1e-6)
        self.token_mlp = FeedForward(cfg.num_tokens, cfg.token_mlp_dim, "gelu", True, cfg.dropout)
        self.norm2 = nn.LayerNorm(cfg.embed_dim, eps=1e-6)
        self.channel_mlp = FeedForward(cfg.embed_dim, cfg.channel_mlp_dim, "gelu", True, cfg.dropout)
        self.drop_path = StochasticDepth(cfg.drop_path)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (B, S, C)
        t = self.token_mlp(self.norm1(x).transpose(1, 2))  # (B, C, S): each channel's S values mixed
        x = x + self.drop_path(t.transpose(1, 2))  # (B, S, C)
        return x + self.drop_path(self.channel_mlp(self.norm2(x)))  # (B, S, C)


class MLPMixer(nn.Module):
    def __init__(self, cfg: MixerConfig):
        super().__init__()
        self.cfg = cfg
        self.stem = PatchEmbed(cfg.in_channels, cfg.embed_dim, cfg.patch_size)
        self.blocks = nn.Sequential(*[MixerBlock(cfg) for _ in range(cfg.depth)])
        self.norm = nn.LayerNorm(cfg.embed_dim, eps=1e-6)
        self.head = nn.Linear(cfg.embed_dim, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.cfg
        if x.dim() != 4 or tuple(x.shape[1:]) != (c.in_channels, c.image_size, c.image_size):
            raise ValueError(
                f"MLP-Mixer expects images of shape (batch, {c.in_channels}, {c.image_size}, "
                f"{c.image_size}), got {tuple(x.shape)}"
            )
        h = self.norm(self.blocks(self.stem(x)))  # (B, S, C)
        return self.head(h.mean(1))  # (B, num_classes): global average over the patches

    def token_mixing_weights(self, layer: int = 0) -> torch.Tensor:
        """W_1 of a layer's token-mixing MLP reshaped to the patch grid: (D_S, grid, grid), one map per
        hidden unit, saying how much each patch position feeds that unit."""
        w = self.blocks[layer].token_mlp.fc1.weight  # (D_S, S)
        return w.reshape(-1, self.cfg.grid, self.cfg.grid)  # (D_S, grid, grid)

    def channel_mixing_weights(self, layer: int = 0) -> torch.Tensor:
        """W_3 of a layer's channel-mixing MLP: (D_C, C), how each hidden unit reads the channels."""
        return self.blocks[layer].channel_mlp.fc1.weight


B16 = dict(
    image_size=224,
    patch_size=16,
    in_channels=3,
    num_classes=1000,
    embed_dim=768,
    depth=12,
    token_mlp_dim=384,
    channel_mlp_dim=3072,
)

register(
    ArchSpec(
        name="mlp_mixer_b16",
        title="MLP-Mixer B/16",
        family="modern_vision",
        year=2021,
        paper=Paper(
            "I. Tolstikhin et al.",
            2021,
            "MLP-Mixer: An all-MLP Architecture for Vision",
            arxiv="2105.01601",
        ),
        summary="Only MLPs: one mixes the patches of each channel, the other the channels of each patch.",
        tasks=("image classification",),
        config=MixerConfig,
        build=MLPMixer,
        example_input=lambda cfg: torch.randn(2, cfg.in_channels, cfg.image_size, cfg.image_size),
        presets={
            "tiny": {"depth": 2, "embed_dim": 32, "token_mlp_dim": 32, "channel_mlp_dim": 64},
            "canonical": B16,
        },
        published_params=59_880_472,
        published_source="timm mixer_b16_224 (ImageNet-1k head); the paper's Table 1 rounds it to 59M",
    )
)
