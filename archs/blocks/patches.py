"""Patch embedding: an image cut into non-overlapping P×P patches, each flattened and projected to a
token of width ``dim`` (a P×P convolution with stride P computes exactly that), optionally
LayerNorm-ed (Swin). Used by MLP-Mixer (Tolstikhin et al. 2021) and Swin (Liu et al. 2021); ViT
(Dosovitskiy et al. 2021) introduced it."""

from __future__ import annotations

import torch
from torch import nn


class PatchEmbed(nn.Module):
    """(B, C_in, H, W) → (B, H/P · W/P, dim), patches in row-major order (row by row)."""

    def __init__(self, in_channels: int, dim: int, patch_size: int, norm: bool = False, eps: float = 1e-5):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, dim, patch_size, stride=patch_size)
        self.norm = nn.LayerNorm(dim, eps=eps) if norm else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.proj(x).flatten(2).transpose(1, 2)  # (B, N, dim): one token per patch
        return self.norm(x) if self.norm is not None else x
