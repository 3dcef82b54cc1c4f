"""Swin Transformer: Liu et al. (2021), "Swin Transformer: Hierarchical Vision Transformer using Shifted
Windows", arXiv 2103.14030.

The image is cut into 4×4 patches (a token each, LayerNorm-ed), and four stages of transformer blocks
read the token map. Attention runs **inside non-overlapping M×M windows** only (M = 7), so its cost grows
linearly with the image instead of quadratically; every second block **shifts the windows** by ⌊M/2⌋
(a cyclic roll of the map, with a mask so that tokens rolled in from the opposite edge do not attend to
each other), so information crosses window borders. Inside a window, attention adds a **relative
position bias** B looked up in a learned table of (2M − 1)² entries per head:

    Attention(Q, K, V) = SoftMax(QKᵀ/√d + B) V.

Between stages, **patch merging** concatenates each 2×2 group of tokens (4C channels), normalises and
projects them to 2C: the map halves in side and doubles in width, a pyramid like a CNN's
(H/4 → H/8 → H/16 → H/32). Where a stage's map is no larger than the window, the window shrinks to the
map and nothing shifts (as in the reference code). Canonical presets: Swin-T and Swin-B at 224 px with
window 7 and a 1,000-class head, 28,288,354 and 87,768,224 parameters as timm's and torchvision's.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.blocks.attention import Attention
from archs.blocks.conv import StochasticDepth
from archs.blocks.patches import PatchEmbed
from archs.blocks.transformer import FeedForward
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp, torchvision_top1

MASKED = -100.0  # the reference code's additive mask: exp(-100) is 0 in float32 next to real scores


@dataclass(frozen=True)
class SwinConfig(Config):
    image_size: int = hp(16, lo=4, hi=1024, help="Side of the square input image, in pixels.")
    patch_size: int = hp(
        2, lo=1, hi=64, help="Side of each patch: the first stage sees a (size/patch)² map of tokens."
    )
    in_channels: int = hp(1, lo=1, hi=4, help="Colour channels of the image (1 gray, 3 RGB).")
    num_classes: int = hp(10, lo=2, hi=22_000, help="Classes the head scores.")
    embed_dim: int = hp(
        32, lo=4, hi=1024, help="C: the token width of the first stage; each patch merging doubles it."
    )
    depths: tuple[int, ...] = hp(
        (2, 2),
        lo=1,
        hi=24,
        max_len=5,
        help="Blocks per stage, one number per stage; blocks alternate plain and shifted windows.",
    )
    num_heads: tuple[int, ...] = hp(
        (2, 4),
        lo=1,
        hi=64,
        max_len=5,
        help="Attention heads per stage (one number per stage); each stage's width must divide by it.",
    )
    window_size: int = hp(
        4,
        lo=1,
        hi=32,
        help="M: attention looks only inside M×M windows of tokens; M must divide every stage's map.",
    )
    mlp_ratio: float = hp(
        4.0, lo=1.0, hi=8.0, step=0.5, help="Width of each block's MLP as a multiple of the token width."
    )
    dropout: float = hp(0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout on attention weights and in the MLP.")
    drop_path: float = hp(
        0.0,
        lo=0.0,
        hi=0.9,
        step=0.05,
        help="Stochastic depth of the last block (0.2 for Swin-T); earlier blocks get less, linearly.",
    )

    def validate(self) -> None:
        if self.patch_size > self.image_size or self.image_size % self.patch_size:
            raise ConfigError(
                f"patch_size ({self.patch_size}) must divide image_size ({self.image_size}) so that the "
                "patches tile the image."
            )
        if not self.depths or len(self.depths) != len(self.num_heads):
            raise ConfigError(
                f"depths has {len(self.depths)} stages but num_heads {len(self.num_heads)}: give one "
                "number of heads per stage."
            )
        for i, heads in enumerate(self.num_heads):
            if self.dims[i] % heads:
                raise ConfigError(
                    f"Stage {i + 1} is {self.dims[i]} wide (embed_dim doubled {i} times), which {heads} "
                    "heads do not divide: each head gets an equal slice of the width."
                )
        sizes = self.resolutions
        for i, r in enumerate(sizes):
            if i < len(sizes) - 1 and r % 2:
                raise ConfigError(
                    f"Stage {i + 1}'s map is {r}×{r} tokens, an odd side that patch merging cannot halve: "
                    f"the stages would be {' → '.join(map(str, sizes))}. Use fewer stages or another "
                    "image or patch size."
                )
            if r % min(self.window_size, r):
                ok = [m for m in range(2, r) if all(s % min(m, s) == 0 for s in sizes)]
                raise ConfigError(
                    f"window_size ({self.window_size}) does not divide stage {i + 1}'s {r}×{r} map of tokens "
                    f"(the stages are {' → '.join(f'{s}×{s}' for s in sizes)}), so the windows cannot tile "
                    "it. " + (f"Try {', '.join(map(str, ok))}." if ok else "Change the image or patch size.")
                )

    @property
    def dims(self) -> list[int]:
        return [self.embed_dim * 2**i for i in range(len(self.depths))]

    @property
    def resolutions(self) -> list[int]:
        """The side of each stage's token map: the patch grid, halved by each patch merging."""
        g = self.image_size // self.patch_size
        return [g // 2**i for i in range(len(self.depths))]


def window_partition(x: torch.Tensor, m: int) -> torch.Tensor:
    """(B, H, W, C) → (B · H/m · W/m, m², C): the windows of each image, row by row."""
    B, H, W, C = x.shape
    x = x.view(B, H // m, m, W // m, m, C).permute(0, 1, 3, 2, 4, 5)  # (B, H/m, W/m, m, m, C)
    return x.reshape(-1, m * m, C)


def window_reverse(windows: torch.Tensor, m: int, B: int, H: int, W: int) -> torch.Tensor:
    """(B · H/m · W/m, m², C) → (B, H, W, C), undoing ``window_partition``."""
    x = windows.view(B, H // m, W // m, m, m, -1).permute(0, 1, 3, 2, 4, 5)  # (B, H/m, m, W/m, m, C)
    return x.reshape(B, H, W, -1)


def shift_regions(size: int, m: int, shift: int) -> torch.Tensor:
    """(size, size) labels 0-8 of the regions of the cyclically shifted map: tokens that were not
    neighbours before the roll lie in different regions, and must not attend to each other."""
    img = torch.zeros(size, size)
    cuts = (slice(0, -m), slice(-m, -shift), slice(-shift, None))
    for a, hs in enumerate(cuts):
        for b, ws in enumerate(cuts):
            img[hs, ws] = 3 * a + b
    return img


def shift_mask(size: int, m: int, shift: int) -> torch.Tensor:
    """(nW, m², m²): 0 where two tokens of a shifted window may attend to each other, −100 where not."""
    win = window_partition(shift_regions(size, m, shift)[None, :, :, None], m).squeeze(-1)  # (nW, m²)
    diff = win[:, None, :] - win[:, :, None]  # (nW, m², m²)
    return torch.where(diff != 0, MASKED, 0.0)


def relative_position_index(m: int) -> torch.Tensor:
    """(m², m²) indices into the (2m − 1)² bias table: for tokens i and j of a window, the entry of
    their offset (Δrow, Δcol), each in −(m − 1) … m − 1."""
    rows, cols = torch.meshgrid(torch.arange(m), torch.arange(m), indexing="ij")
    coords = torch.stack([rows.flatten(), cols.flatten()])  # (2, m²)
    rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0) + (m - 1)  # (m², m², 2), from 0
    return rel[..., 0] * (2 * m - 1) + rel[..., 1]


class WindowAttention(nn.Module):
    """Multi-head attention inside each window, plus the learned relative position bias."""

    def __init__(self, dim: int, num_heads: int, m: int, dropout: float):
        super().__init__()
        self.m, self.nh = m, num_heads
        self.attn = Attention(dim, num_heads, bias=True, dropout=dropout)
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * m - 1) ** 2, num_heads))
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)
        self.register_buffer("relative_position_index", relative_position_index(m), persistent=False)

    def bias(self) -> torch.Tensor:
        n = self.m * self.m
        b = self.relative_position_bias_table[self.relative_position_index.reshape(-1)]  # (n·n, nh)
        return b.view(n, n, self.nh).permute(2, 0, 1)  # (nh, n, n)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, need_weights: bool = False):
        bias = self.bias()[None]  # (1, nh, n, n)
        if mask is not None:  # mask: (nW, n, n); x holds the nW windows of each image in turn
            nw, n = mask.shape[0], mask.shape[1]
            bias = (bias + mask[:, None]).unsqueeze(0).expand(x.shape[0] // nw, -1, -1, -1, -1)
            bias = bias.reshape(-1, self.nh, n, n)  # (B·nW, nh, n, n)
        return self.attn(x, bias=bias, need_weights=need_weights)


class SwinBlock(nn.Module):
    """x ← x + W-MSA(LN(x)) (windows shifted by ``shift`` when it is > 0); x ← x + MLP(LN(x))."""

    def __init__(self, dim, res, heads, m, shift, mlp_ratio, dropout, drop_path):
        super().__init__()
        if res <= m:  # the window covers the whole map: no partition to shift
            m, shift = res, 0
        self.res, self.m, self.shift = res, m, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, heads, m, dropout)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = FeedForward(dim, int(dim * mlp_ratio), "gelu", True, dropout)
        self.drop_path = StochasticDepth(drop_path)
        self.register_buffer("attn_mask", shift_mask(res, m, shift) if shift else None, persistent=False)

    def forward(self, x: torch.Tensor, need_weights: bool = False):
        B, L, C = x.shape
        r, m, s = self.res, self.m, self.shift
        h = self.norm1(x).view(B, r, r, C)  # (B, H, W, C)
        if s:
            h = torch.roll(h, (-s, -s), (1, 2))  # cyclic shift up and left
        out, att = self.attn(window_partition(h, m), self.attn_mask, need_weights)  # (B·nW, m², C)
        h = window_reverse(out, m, B, r, r)  # (B, H, W, C)
        if s:
            h = torch.roll(h, (s, s), (1, 2))  # and back
        x = x + self.drop_path(h.reshape(B, L, C))
        return x + self.drop_path(self.mlp(self.norm2(x))), att


class PatchMerging(nn.Module):
    """Each 2×2 group of tokens concatenated (4C), LayerNorm, a linear map to 2C: the map halves."""

    def __init__(self, dim: int, res: int):
        super().__init__()
        self.res = res
        self.norm = nn.LayerNorm(4 * dim)
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, _, C = x.shape
        x = x.view(B, self.res, self.res, C)  # (B, H, W, C)
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
        return self.reduction(self.norm(x.view(B, -1, 4 * C)))  # (B, H/2 · W/2, 2C)


class SwinStage(nn.Module):
    def __init__(self, cfg: SwinConfig, i: int, drop_paths: list[float]):
        super().__init__()
        dim, res, m = cfg.dims[i], cfg.resolutions[i], cfg.window_size
        self.blocks = nn.ModuleList(
            SwinBlock(
                dim, res, cfg.num_heads[i], m, 0 if k % 2 == 0 else m // 2, cfg.mlp_ratio, cfg.dropout, p
            )
            for k, p in enumerate(drop_paths)
        )
        self.downsample = PatchMerging(dim, res) if i < len(cfg.depths) - 1 else None

    def forward(self, x: torch.Tensor, need_weights: bool = False):
        atts = []
        for blk in self.blocks:
            x, a = blk(x, need_weights)
            atts.append(a)
        return x, atts


class Swin(nn.Module):
    def __init__(self, cfg: SwinConfig):
        super().__init__()
        self.cfg = cfg
        self.patch_embed = PatchEmbed(cfg.in_channels, cfg.embed_dim, cfg.patch_size, norm=True)
        self.pos_drop = nn.Dropout(cfg.dropout)
        n = sum(cfg.depths)
        rates = [cfg.drop_path * k / max(1, n - 1) for k in range(n)]  # 0 → drop_path, linearly
        starts = [sum(cfg.depths[:i]) for i in range(len(cfg.depths))]
        self.stages = nn.ModuleList(
            SwinStage(cfg, i, rates[s : s + d])
            for i, (s, d) in enumerate(zip(starts, cfg.depths, strict=True))
        )
        self.norm = nn.LayerNorm(cfg.dims[-1])
        self.head = nn.Linear(cfg.dims[-1], cfg.num_classes)
        for mod in self.modules():  # the reference code's initialisation: linear weights ~ N(0, 0.02)
            if isinstance(mod, nn.Linear):
                nn.init.trunc_normal_(mod.weight, std=0.02)
                if mod.bias is not None:
                    nn.init.zeros_(mod.bias)

    def _check(self, x: torch.Tensor) -> None:
        c = self.cfg
        if x.dim() != 4 or tuple(x.shape[1:]) != (c.in_channels, c.image_size, c.image_size):
            raise ValueError(
                f"Swin expects images of shape (batch, {c.in_channels}, {c.image_size}, {c.image_size}), "
                f"got {tuple(x.shape)}"
            )

    def stage_outputs(self, x: torch.Tensor, need_weights: bool = False):
        """Each stage's token map before its patch merging, as (B, C_i, H_i, W_i), and the attention
        weights of every block ((B·nW, nh, m², m²) each) where asked."""
        self._check(x)
        h = self.pos_drop(self.patch_embed(x))  # (B, N, C)
        maps, atts = [], []
        for stage, r in zip(self.stages, self.cfg.resolutions, strict=True):
            h, a = stage(h, need_weights)
            maps.append(h.transpose(1, 2).reshape(len(x), -1, r, r))  # (B, C_i, H_i, W_i)
            atts += a
            if stage.downsample is not None:
                h = stage.downsample(h)
        return h, maps, atts

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        h, _, atts = self.stage_outputs(x, return_attention)
        logits = self.head(self.norm(h).mean(1))  # (B, num_classes): average over the last map's tokens
        return (logits, {"self": atts}) if return_attention else logits


PAPER = Paper(
    "Z. Liu et al.",
    2021,
    "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows",
    arxiv="2103.14030",
)
IMAGENET = dict(image_size=224, patch_size=4, in_channels=3, num_classes=1000, window_size=7)
VARIANTS = (
    (
        "swin_t",
        "Swin-T",
        dict(embed_dim=96, depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24)),
        28_288_354,
        81.474,
    ),
    (
        "swin_b",
        "Swin-B",
        dict(embed_dim=128, depths=(2, 2, 18, 2), num_heads=(4, 8, 16, 32)),
        87_768_224,
        83.582,
    ),
)
for name, title, size, count, top1 in VARIANTS:
    register(
        ArchSpec(
            name=name,
            title=title,
            family="modern_vision",
            year=2021,
            paper=PAPER,
            summary="Attention inside local windows, shifted every other block; patch merging builds a "
            "pyramid of maps.",
            tasks=("image classification",),
            config=SwinConfig,
            build=Swin,
            example_input=lambda cfg: torch.randn(2, cfg.in_channels, cfg.image_size, cfg.image_size),
            presets={
                "tiny": {} if name == "swin_t" else {"embed_dim": 48, "num_heads": (3, 6)},
                "canonical": {**IMAGENET, **size, "drop_path": 0.2 if name == "swin_t" else 0.5},
            },
            published_params=count,
            published_source=f"timm {name.replace('_t', '_tiny').replace('_b', '_base')}_patch4_window7_224 "
            f"and torchvision.models.{name} (ImageNet-1k head)",
            published_result=torchvision_top1(top1, f"{title.replace('-', '_')}_Weights.IMAGENET1K_V1"),
        )
    )
