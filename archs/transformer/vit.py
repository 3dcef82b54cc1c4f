"""Vision Transformer: Dosovitskiy et al. (2021), "An Image is Worth 16x16 Words", arXiv 2010.11929.

The image is cut into P×P patches, each flattened and linearly embedded (a P×P convolution with stride
P), a learned [CLS] token is prepended, learned positions are added, and a pre-norm transformer encoder
reads the sequence; the head classifies the final [CLS] vector. Canonical presets equal torchvision's
vit_b_16 and vit_l_16 (ImageNet, 1,000 classes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.blocks.positions import sinusoidal_table
from archs.blocks.transformer import BlockSettings, Stack
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp, torchvision_top1


@dataclass(frozen=True)
class ViTConfig(Config):
    image_size: int = hp(16, lo=4, hi=1024, help="Side of the square input image, in pixels.")
    patch_size: int = hp(4, lo=1, hi=64, help="Side of each patch; the image becomes (size/patch)² tokens.")
    in_channels: int = hp(1, lo=1, hi=4, help="Colour channels of the image (1 gray, 3 RGB).")
    num_classes: int = hp(10, lo=1, hi=22_000, help="Classes the head scores.")
    embed_dim: int = hp(64, lo=4, hi=4096, help="d_model: the width of every patch token.")
    depth: int = hp(4, lo=1, hi=48, help="How many encoder blocks are stacked.")
    num_heads: int = hp(4, lo=1, hi=64, help="Attention heads per block.")
    hidden_dim: int = hp(128, lo=4, hi=16384, help="Width of the MLP inside each block (4 × d_model in ViT).")
    dropout: float = hp(0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout in the blocks.")
    positions: Literal["learned", "sinusoidal"] = hp("learned", help="Position embeddings of the patch grid.")

    def validate(self) -> None:
        if self.embed_dim % self.num_heads:
            raise ConfigError(
                f"embed_dim ({self.embed_dim}) must be divisible by num_heads ({self.num_heads}): "
                "each head gets an equal slice of the embedding."
            )
        if self.image_size % self.patch_size:
            raise ConfigError(
                f"image_size ({self.image_size}) must be a multiple of patch_size ({self.patch_size}) "
                "so the patches tile the image."
            )

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size


class ViT(nn.Module):
    def __init__(self, cfg: ViTConfig):
        super().__init__()
        self.cfg = cfg
        n = cfg.grid**2 + 1
        self.conv_proj = nn.Conv2d(cfg.in_channels, cfg.embed_dim, cfg.patch_size, stride=cfg.patch_size)
        self.class_token = nn.Parameter(torch.zeros(1, 1, cfg.embed_dim))
        if cfg.positions == "learned":
            self.pos_embedding = nn.Parameter(torch.randn(1, n, cfg.embed_dim) * 0.02)
        else:
            self.register_buffer("pos_embedding", sinusoidal_table(n, cfg.embed_dim)[None], False)
        s = BlockSettings(
            cfg.embed_dim, cfg.num_heads, cfg.hidden_dim, "gelu", cfg.dropout, True, "layer", 1e-6
        )
        self.encoder = Stack(s, cfg.depth, final_norm=True)
        self.head = nn.Linear(cfg.embed_dim, cfg.num_classes)

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        if x.dim() != 4 or tuple(x.shape[1:]) != (
            self.cfg.in_channels,
            self.cfg.image_size,
            self.cfg.image_size,
        ):
            raise ValueError(
                f"ViT expects images of shape (batch, {self.cfg.in_channels}, {self.cfg.image_size}, "
                f"{self.cfg.image_size}), got {tuple(x.shape)}"
            )
        p = self.conv_proj(x).flatten(2).transpose(1, 2)  # (B, N, C): one token per patch, row by row
        h = torch.cat([self.class_token.expand(len(x), -1, -1), p], 1) + self.pos_embedding  # (B, N+1, C)
        h, att, _ = self.encoder(h, need_weights=return_attention)
        logits = self.head(h[:, 0])  # (B, num_classes): read from [CLS]
        return (logits, {"self": att}) if return_attention else logits


PAPER = Paper(
    "A. Dosovitskiy et al.",
    2021,
    "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
    arxiv="2010.11929",
)
B16 = dict(
    image_size=224,
    patch_size=16,
    in_channels=3,
    num_classes=1000,
    embed_dim=768,
    depth=12,
    num_heads=12,
    hidden_dim=3072,
)
for name, title, canon, count, top1, weights in (
    ("vit_b_16", "ViT-B/16", B16, 86_567_656, 81.072, "ViT_B_16_Weights.IMAGENET1K_V1"),
    (
        "vit_l_16",
        "ViT-L/16",
        {**B16, "embed_dim": 1024, "depth": 24, "num_heads": 16, "hidden_dim": 4096},
        304_326_632,
        79.662,
        "ViT_L_16_Weights.IMAGENET1K_V1",
    ),
):
    register(
        ArchSpec(
            name=name,
            title=title,
            family="transformer",
            year=2021,
            paper=PAPER,
            summary="An image as a sequence of 16×16 patches read by a transformer encoder.",
            tasks=("image classification",),
            config=ViTConfig,
            build=ViT,
            example_input=lambda cfg: torch.randn(2, cfg.in_channels, cfg.image_size, cfg.image_size),
            presets={"tiny": {"depth": 2 if name == "vit_b_16" else 3}, "canonical": canon},
            published_result=torchvision_top1(top1, weights),
            published_params=count,
            published_source=f"torchvision.models.{name} (ImageNet-1k head)",
        )
    )
