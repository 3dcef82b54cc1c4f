"""How a transformer knows where a token is: sinusoidal tables (Vaswani et al. 2017), rotary angles
(RoFormer, Su et al. 2021) and T5's bucketed relative bias (Raffel et al. 2020)."""

from __future__ import annotations

import math

import torch
from torch import nn


def sinusoidal_table(n: int, dim: int) -> torch.Tensor:
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(same): (n, dim)."""
    pos = torch.arange(n, dtype=torch.float32)[:, None]
    inv = torch.exp(-math.log(10000.0) * torch.arange(0, dim, 2, dtype=torch.float32) / dim)
    pe = torch.zeros(n, dim)
    pe[:, 0::2] = torch.sin(pos * inv)
    pe[:, 1::2] = torch.cos(pos * inv)[:, : dim // 2]
    return pe


def rotary_angles(n: int, head_dim: int, base: float = 10000.0) -> torch.Tensor:
    """θ_{pos,i} = pos · base^(−2i/hs) for i < hs/2: (n, hs/2). Rotating (q_2i, q_2i+1) by θ makes
    q·k depend on positions only through their difference."""
    inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    return torch.arange(n, dtype=torch.float32)[:, None] * inv


def apply_rotary(x: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    """Rotate consecutive pairs of x (B, nh, T, hs) by angles (T, hs/2)."""
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    x1, x2 = x[..., 0::2], x[..., 1::2]  # (B, nh, T, hs/2)
    return torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), -1).flatten(-2)


class RelativeBias(nn.Module):
    """T5's relative position bias: distance j − i goes to one of ``num_buckets`` buckets (exact for
    small distances, logarithmic up to ``max_distance``); each bucket has one learned scalar per head."""

    def __init__(self, num_heads: int, bidirectional: bool, num_buckets: int = 32, max_distance: int = 128):
        super().__init__()
        self.bidirectional, self.num_buckets, self.max_distance = bidirectional, num_buckets, max_distance
        self.embedding = nn.Embedding(num_buckets, num_heads)

    def bucket(self, rel: torch.Tensor) -> torch.Tensor:
        n, out = self.num_buckets, torch.zeros_like(rel)
        if self.bidirectional:
            n //= 2
            out = out + (rel > 0).long() * n
            rel = rel.abs()
        else:
            rel = -torch.clamp(rel, max=0)
        exact = n // 2
        log_part = (
            exact
            + (
                torch.log(rel.float().clamp(min=1) / exact)
                / math.log(self.max_distance / exact)
                * (n - exact)
            ).long()
        )
        return out + torch.where(rel < exact, rel, log_part.clamp(max=n - 1))

    def forward(self, tq: int, tk: int) -> torch.Tensor:
        device = self.embedding.weight.device
        rel = torch.arange(tk, device=device)[None, :] - torch.arange(tq, device=device)[:, None]  # (Tq, Tk)
        return self.embedding(self.bucket(rel)).permute(2, 0, 1)[None]  # (1, nh, Tq, Tk)
