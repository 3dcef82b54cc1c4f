"""Multi-head attention (Vaswani et al. 2017) with an explicit path that returns the weights and a fused
path (PyTorch's scaled_dot_product_attention) that computes the same thing faster; rotary positions
and additive biases (T5) plug in."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.positions import apply_rotary


class Attention(nn.Module):
    """Multi-head attention: MultiHead(Q, K, V) = Concat(head_1, …, head_h) W_O with
    head_i = softmax(Q W_Qi (K W_Ki)ᵀ / √d_k) V W_Vi. ``mask`` is boolean, True where a query may look."""

    def __init__(
        self, dim: int, num_heads: int, bias: bool = True, dropout: float = 0.0, scaled: bool = True
    ):
        super().__init__()
        assert dim % num_heads == 0, "embed_dim must be divisible by num_heads"
        self.nh, self.hs, self.scaled, self.dropout = num_heads, dim // num_heads, scaled, dropout
        self.q, self.k, self.v = (nn.Linear(dim, dim, bias=bias) for _ in range(3))
        self.o = nn.Linear(dim, dim, bias=bias)

    def heads(self, t: torch.Tensor) -> torch.Tensor:
        B, T, _ = t.shape
        return t.view(B, T, self.nh, self.hs).transpose(1, 2)  # (B, nh, T, hs)

    def forward(self, x, context=None, mask=None, bias=None, rope=None, need_weights=False):
        kv = x if context is None else context
        q, k, v = self.heads(self.q(x)), self.heads(self.k(kv)), self.heads(self.v(kv))
        if rope is not None:
            q, k = apply_rotary(q, rope[: q.shape[2]]), apply_rotary(k, rope[: k.shape[2]])
        scale = 1.0 / math.sqrt(self.hs) if self.scaled else 1.0
        p = self.dropout if self.training else 0.0
        if need_weights:  # the explicit path: the weights the viewer shows
            scores = q @ k.transpose(-2, -1) * scale  # (B, nh, Tq, Tk)
            if bias is not None:
                scores = scores + bias
            if mask is not None:
                scores = scores.masked_fill(~mask, float("-inf"))
            att = scores.softmax(-1)
            y = F.dropout(att, p, self.training) @ v  # (B, nh, Tq, hs)
        else:
            am = bias if mask is None else (mask if bias is None else torch.where(mask, bias, float("-inf")))
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=am, dropout_p=p, scale=scale)
            att = None
        B, _, T, _ = y.shape
        return self.o(y.transpose(1, 2).reshape(B, T, self.nh * self.hs)), att  # (B, T, C)
