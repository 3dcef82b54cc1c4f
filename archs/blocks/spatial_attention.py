"""Attention over the positions of a feature map: the single-head self-attention of the DDPM U-Net
(Ho et al. 2020), and the transformer block with cross-attention to a text context that latent
diffusion puts in its U-Net (Rombach et al. 2022, "SpatialTransformer"). The weights are computed
explicitly so the pages can draw them."""

from __future__ import annotations

import math

import torch
from torch import nn


class CrossAttention(nn.Module):
    """Multi-head attention of image positions (queries) over context tokens (keys, values); computed
    explicitly so the weights (B, nh, HW, L) can be returned."""

    def __init__(self, c: int, context_dim: int, num_heads: int):
        super().__init__()
        self.nh = num_heads
        self.q = nn.Linear(c, c, bias=False)
        self.k, self.v = nn.Linear(context_dim, c, bias=False), nn.Linear(context_dim, c, bias=False)
        self.out = nn.Linear(c, c)

    def forward(self, h, context, mask=None):
        B, N, C = h.shape
        L, hs = context.shape[1], C // self.nh
        q = self.q(h).view(B, N, self.nh, hs).transpose(1, 2)  # (B, nh, N, hs)
        k = self.k(context).view(B, L, self.nh, hs).transpose(1, 2)  # (B, nh, L, hs)
        v = self.v(context).view(B, L, self.nh, hs).transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hs)  # (B, nh, N, L)
        if mask is not None:  # mask: (B, L) True where a token is padding
            scores = scores.masked_fill(mask[:, None, None, :], float("-inf"))
        att = scores.softmax(-1)
        out = (att @ v).transpose(1, 2).reshape(B, N, C)  # (B, N, C)
        return self.out(out), att


class SpatialTransformer(nn.Module):
    """GN → 1×1 in → [self-attention, cross-attention to the text, feed-forward] (pre-norm, residual)
    → 1×1 out, plus the input: the block Stable Diffusion puts in its U-Net."""

    def __init__(self, c: int, context_dim: int, num_heads: int, groups: int):
        super().__init__()
        self.norm = nn.GroupNorm(groups, c)
        self.proj_in, self.proj_out = nn.Conv2d(c, c, 1), nn.Conv2d(c, c, 1)
        self.ln1, self.ln2, self.ln3 = nn.LayerNorm(c), nn.LayerNorm(c), nn.LayerNorm(c)
        self.self_attn = nn.MultiheadAttention(c, num_heads, batch_first=True)
        self.cross_attn = CrossAttention(c, context_dim, num_heads)
        self.ff = nn.Sequential(nn.Linear(c, 4 * c), nn.GELU(), nn.Linear(4 * c, c))

    def forward(self, x, context, mask=None, maps: list | None = None):
        B, C, H, W = x.shape
        h = self.proj_in(self.norm(x)).flatten(2).transpose(1, 2)  # (B, HW, C)
        a = self.ln1(h)
        h = h + self.self_attn(a, a, a, need_weights=False)[0]
        out, att = self.cross_attn(self.ln2(h), context, mask)
        h = h + out
        if maps is not None:
            maps.append(att.mean(1).reshape(B, H, W, -1))  # (B, H, W, L), averaged over heads
        h = h + self.ff(self.ln3(h))
        return x + self.proj_out(h.transpose(1, 2).reshape(B, C, H, W))


class SelfAttention(nn.Module):
    """Single-head self-attention over the H·W positions (q, k, v, out: 1×1 maps), residual. The weights
    are computed explicitly so the viewer can show them."""

    def __init__(self, c: int, groups: int):
        super().__init__()
        self.norm = nn.GroupNorm(groups, c)
        self.q, self.k, self.v, self.proj = (nn.Linear(c, c) for _ in range(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, C, H, W = x.shape
        h = self.norm(x).flatten(2).transpose(1, 2)  # (B, HW, C)
        att = (self.q(h) @ self.k(h).transpose(1, 2) / math.sqrt(C)).softmax(-1)  # (B, HW, HW)
        out = self.proj(att @ self.v(h))  # (B, HW, C)
        return x + out.transpose(1, 2).reshape(B, C, H, W)


def make_attention(c: int, groups: int, context_dim: int, num_heads: int) -> nn.Module:
    """The U-Net's attention at one resolution: self-attention, or a transformer block with
    cross-attention to a text context when ``context_dim`` > 0 (latent diffusion)."""
    if context_dim:
        return SpatialTransformer(c, context_dim, num_heads, groups)
    return SelfAttention(c, groups)
