"""CLIP: Radford et al. (2021), "Learning Transferable Visual Models From Natural Language Supervision",
arXiv 2103.00020.

Two towers map an image and a text into one embedding space. The image tower is a Vision Transformer
(patches -> [CLS] + learned positions -> an extra LayerNorm before the blocks, CLIP's "ln_pre" -> pre-norm
blocks -> LayerNorm of the [CLS] vector); the text tower is a causal pre-norm transformer whose output is
read at the end-of-text token (the highest token id, as in CLIP's BPE vocabulary, so it is the argmax of
the ids). Each tower ends in a linear projection without bias; both embeddings are L2-normalised and
compared by the cosine similarity times a learned scale exp(t), initialised at 1/0.07: the temperature
0.07. The MLPs use CLIP's "quick GELU", x·σ(1.702x).

``canonical`` is the released ViT-B/32 (openai/clip-vit-base-patch32): 224-px images in 32-px patches,
a 768-wide 12-layer vision tower with 12 heads, a 512-wide 12-layer text tower with 8 heads over 77
positions and CLIP's 49,408 BPE tokens, projections to 512: 151,277,313 parameters, exactly what Hugging
Face's ``CLIPModel`` counts for that configuration. The atlas's ``tiny`` reads 32-px shape scenes and a
word-level vocabulary of the shape captions (training/multimodal/clip_trainer.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.transformer import BlockSettings, Stack
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class ClipConfig(Config):
    image_size: int = hp(32, lo=8, hi=1024, help="Side of the square input image, in pixels.")
    patch_size: int = hp(4, lo=1, hi=64, help="Side of each patch; the image becomes (size/patch)² tokens.")
    in_channels: int = hp(3, lo=1, hi=4, help="Colour channels of the image (3 for RGB).")
    vision_width: int = hp(64, lo=8, hi=4096, help="Width of every patch token in the image tower.")
    vision_layers: int = hp(2, lo=1, hi=48, help="How many transformer blocks the image tower stacks.")
    vision_heads: int = hp(4, lo=1, hi=64, help="Attention heads per block of the image tower.")
    vocab_size: int = hp(
        32, lo=3, hi=300_000, help="How many different tokens the text tower knows (CLIP's BPE: 49,408)."
    )
    context_length: int = hp(
        12, lo=2, hi=1024, help="The longest caption in tokens, start and end tokens included (CLIP: 77)."
    )
    text_width: int = hp(64, lo=8, hi=4096, help="Width of every token vector in the text tower.")
    text_layers: int = hp(2, lo=1, hi=48, help="How many transformer blocks the text tower stacks.")
    text_heads: int = hp(4, lo=1, hi=64, help="Attention heads per block of the text tower.")
    mlp_ratio: int = hp(4, lo=1, hi=16, help="Width of each block's MLP as a multiple of the tower's width.")
    embed_dim: int = hp(
        32, lo=2, hi=4096, help="Size of the shared space both towers project into, where they are compared."
    )
    init_temperature: float = hp(
        0.07,
        lo=0.001,
        hi=1.0,
        step=0.01,
        help="Starting temperature τ of the softmax over similarities; the model learns log(1/τ) "
        "(CLIP: 0.07).",
    )
    activation: Literal["quick_gelu", "gelu"] = hp(
        "quick_gelu", help="The MLP's nonlinearity: CLIP's x·σ(1.702x), or the exact GELU."
    )
    dropout: float = hp(0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout in the blocks (CLIP used none).")

    def validate(self) -> None:
        for tower, width, heads in (
            ("vision", self.vision_width, self.vision_heads),
            ("text", self.text_width, self.text_heads),
        ):
            if width % heads:
                raise ConfigError(
                    f"{tower}_width ({width}) must be divisible by {tower}_heads ({heads}): each head gets "
                    "an equal slice of the token vector."
                )
        if self.image_size % self.patch_size:
            raise ConfigError(
                f"image_size ({self.image_size}) must be a multiple of patch_size ({self.patch_size}) so "
                "the patches tile the image."
            )

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size


class QuickGELU(nn.Module):
    """CLIP's approximation of GELU: x·σ(1.702x)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(1.702 * x)


class Normalize(nn.Module):
    """Unit length along the last axis: cosine similarity becomes a dot product."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(x, dim=-1)


class EndOfText(nn.Module):
    """The text tower's summary: each caption's vector at its end-of-text token (the largest id)."""

    def forward(self, h: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        return h[torch.arange(len(h), device=h.device), ids.argmax(-1)]  # (B, C)


class Similarity(nn.Module):
    """logits_per_image = exp(t) · image_embeds · text_embedsᵀ, (B_images, B_texts)."""

    def forward(self, img: torch.Tensor, txt: torch.Tensor, logit_scale: torch.Tensor) -> torch.Tensor:
        return logit_scale.exp() * img @ txt.t()


def _stack(width: int, heads: int, cfg: ClipConfig, depth: int, causal: bool, final: bool) -> Stack:
    s = BlockSettings(width, heads, width * cfg.mlp_ratio, "gelu", cfg.dropout, True, "layer", 1e-5)
    stack = Stack(s, depth, causal=causal, final_norm=final)
    if cfg.activation == "quick_gelu":
        for blk in stack.blocks:
            blk.ffn.act = QuickGELU()
    return stack


class VisionTower(nn.Module):
    """ViT image encoder as in CLIP: patch embedding without bias, an extra LayerNorm before the blocks."""

    def __init__(self, cfg: ClipConfig):
        super().__init__()
        w, n = cfg.vision_width, cfg.grid**2 + 1
        self.cfg = cfg
        self.patch = nn.Conv2d(cfg.in_channels, w, cfg.patch_size, stride=cfg.patch_size, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(w) * w**-0.5)
        self.positions = nn.Parameter(torch.randn(n, w) * w**-0.5)
        self.ln_pre = nn.LayerNorm(w)
        self.encoder = _stack(w, cfg.vision_heads, cfg, cfg.vision_layers, causal=False, final=False)
        self.ln_post = nn.LayerNorm(w)
        self.proj = nn.Linear(w, cfg.embed_dim, bias=False)

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        c = self.cfg
        if x.dim() != 4 or tuple(x.shape[1:]) != (c.in_channels, c.image_size, c.image_size):
            raise ValueError(
                f"CLIP's image tower expects images of shape (batch, {c.in_channels}, {c.image_size}, "
                f"{c.image_size}), got {tuple(x.shape)}"
            )
        p = self.patch(x).flatten(2).transpose(1, 2)  # (B, N, C): one token per patch, row by row
        cls = self.class_embedding.expand(len(x), 1, -1)  # (B, 1, C)
        h = self.ln_pre(torch.cat([cls, p], 1) + self.positions)  # (B, N+1, C)
        h, att, _ = self.encoder(h, need_weights=return_attention)
        out = self.proj(self.ln_post(h[:, 0]))  # (B, D): read from [CLS]
        return (out, att) if return_attention else out


class TextTower(nn.Module):
    """Causal transformer text encoder read at the end-of-text token."""

    def __init__(self, cfg: ClipConfig):
        super().__init__()
        w = cfg.text_width
        self.cfg = cfg
        self.token_embedding = nn.Embedding(cfg.vocab_size, w)
        self.positions = nn.Parameter(torch.randn(cfg.context_length, w) * 0.01)
        self.encoder = _stack(w, cfg.text_heads, cfg, cfg.text_layers, causal=True, final=True)
        self.pool = EndOfText()
        self.proj = nn.Linear(w, cfg.embed_dim, bias=False)
        nn.init.normal_(self.token_embedding.weight, std=0.02)

    def forward(self, ids: torch.Tensor, return_attention: bool = False):
        c = self.cfg
        if ids.dim() != 2 or ids.shape[1] > c.context_length:
            raise ValueError(
                f"CLIP's text tower expects token ids of shape (batch, length ≤ {c.context_length}), "
                f"got {tuple(ids.shape)}"
            )
        h = self.token_embedding(ids) + self.positions[: ids.shape[1]]  # (B, T, C)
        h, att, _ = self.encoder(h, need_weights=return_attention)
        out = self.proj(self.pool(h, ids))  # (B, D)
        return (out, att) if return_attention else out


class CLIP(nn.Module):
    """forward(images (B, C, H, W), ids (B', T)) -> logits_per_image (B, B'); its transpose is
    logits_per_text. ``encode_image`` / ``encode_text`` give the unit-length embeddings."""

    def __init__(self, cfg: ClipConfig):
        super().__init__()
        self.cfg = cfg
        self.visual = VisionTower(cfg)
        self.text = TextTower(cfg)
        self.norm = Normalize()
        self.similarity = Similarity()
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / cfg.init_temperature)))

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        return self.norm(self.visual(images))  # (B, D), unit length

    def encode_text(self, ids: torch.Tensor) -> torch.Tensor:
        return self.norm(self.text(ids))  # (B, D), unit length

    @property
    def temperature(self) -> float:
        return float(torch.exp(-self.logit_scale.detach()))

    def forward(self, images: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        return self.similarity(self.encode_image(images), self.encode_text(ids), self.logit_scale)


def _example(cfg: ClipConfig):
    T = min(12, cfg.context_length)
    ids = torch.randint(1, cfg.vocab_size - 1, (2, T))
    ids[:, -1] = cfg.vocab_size - 1  # the end-of-text token: the largest id
    return torch.rand(2, cfg.in_channels, cfg.image_size, cfg.image_size), ids


PAPER = Paper(
    "A. Radford, J. W. Kim, C. Hallacy, A. Ramesh, G. Goh, S. Agarwal, G. Sastry, A. Askell, P. Mishkin, "
    "J. Clark, G. Krueger, I. Sutskever",
    2021,
    "Learning Transferable Visual Models From Natural Language Supervision",
    arxiv="2103.00020",
)
VIT_B_32 = dict(
    image_size=224,
    patch_size=32,
    in_channels=3,
    vision_width=768,
    vision_layers=12,
    vision_heads=12,
    vocab_size=49408,
    context_length=77,
    text_width=512,
    text_layers=12,
    text_heads=8,
    mlp_ratio=4,
    embed_dim=512,
)

register(
    ArchSpec(
        name="clip_vit_b_32",
        title="CLIP ViT-B/32",
        family="multimodal",
        year=2021,
        paper=PAPER,
        summary="An image tower and a text tower trained so that matching image-caption pairs score highest.",
        tasks=("contrastive image-text pre-training", "zero-shot classification", "retrieval"),
        config=ClipConfig,
        build=CLIP,
        example_input=_example,
        presets={"tiny": {}, "canonical": VIT_B_32},
        published_params=151_277_313,
        published_source="Hugging Face transformers CLIPModel with openai/clip-vit-base-patch32's config",
    )
)
