"""Causal dilated convolutions and the temporal block of Bai, Kolter & Koltun (2018), "An empirical
evaluation of generic convolutional and recurrent networks for sequence modeling", arXiv 1803.01271:
used by the sequence TCN and the forecasting TCN."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.parametrizations import weight_norm


class CausalConv(nn.Module):
    """A 1-D convolution that sees only the present and the past: pad (k−1)·d zeros on the left."""

    def __init__(self, c_in: int, c_out: int, k: int, dilation: int, wn: bool):
        super().__init__()
        self.pad = (k - 1) * dilation
        conv = nn.Conv1d(c_in, c_out, k, dilation=dilation)
        self.conv = weight_norm(conv) if wn else conv

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, (self.pad, 0)))  # (B, C, T)


class TemporalBlock(nn.Module):
    """Bai et al.'s residual block: two (dilated causal conv, ReLU, dropout), plus x (1×1 conv if widths
    differ), then ReLU."""

    def __init__(self, c_in: int, c_out: int, k: int, dilation: int, dropout: float, wn: bool):
        super().__init__()
        self.conv1 = CausalConv(c_in, c_out, k, dilation, wn)
        self.conv2 = CausalConv(c_out, c_out, k, dilation, wn)
        self.drop = nn.Dropout(dropout)
        self.down = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.drop(F.relu(self.conv1(x)))
        h = self.drop(F.relu(self.conv2(h)))
        return F.relu(h + self.down(x))  # (B, C, T)
