"""The transformer block, once, for every model that uses one: position-wise feed-forward, LayerNorm or
RMSNorm, pre- or post-norm, optional cross-attention, and ``Stack`` (blocks with their positions,
causal mask and final norm). ``BlockConfig`` holds the hyperparameters every transformer shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.blocks.attention import Attention
from archs.blocks.positions import RelativeBias, rotary_angles
from archs.spec import Config, ConfigError, hp

Positions = Literal["learned", "sinusoidal", "rotary", "relative", "none"]


ACTIVATIONS = {"gelu": nn.GELU, "gelu_tanh": lambda: nn.GELU(approximate="tanh"), "relu": nn.ReLU}


class RMSNorm(nn.Module):
    """T5's layer norm: x / rms(x) · g, no mean subtraction and no bias."""

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(dim)), eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def make_norm(kind: str, dim: int, eps: float) -> nn.Module:
    return RMSNorm(dim, eps) if kind == "rms" else nn.LayerNorm(dim, eps=eps)


class FeedForward(nn.Module):
    """FFN(x) = W_2 σ(W_1 x + b_1) + b_2, applied to every position separately."""

    def __init__(self, dim: int, hidden_dim: int, activation: str, bias: bool, dropout: float):
        super().__init__()
        self.fc1, self.act = nn.Linear(dim, hidden_dim, bias=bias), ACTIVATIONS[activation]()
        self.fc2, self.drop = nn.Linear(hidden_dim, dim, bias=bias), nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.drop(self.act(self.fc1(x))))


@dataclass(frozen=True)
class BlockSettings:
    """How every block of a stack is built (a plain record, not a user-facing schema)."""

    dim: int
    num_heads: int
    hidden_dim: int
    activation: str = "gelu"
    dropout: float = 0.1
    norm_first: bool = False
    norm: str = "layer"
    eps: float = 1e-5
    bias: bool = True
    scaled: bool = True


class Block(nn.Module):
    """One transformer layer. Post-norm (2017, BERT): x = LN(x + Sublayer(x)); pre-norm (GPT-2, T5,
    ViT): x = x + Sublayer(LN(x)), which keeps an identity path from input to output."""

    def __init__(self, s: BlockSettings, cross: bool = False):
        super().__init__()
        self.norm_first = s.norm_first
        self.attn = Attention(s.dim, s.num_heads, s.bias, s.dropout, s.scaled)
        self.norm1 = make_norm(s.norm, s.dim, s.eps)
        self.cross = Attention(s.dim, s.num_heads, s.bias, s.dropout, s.scaled) if cross else None
        self.norm_c = make_norm(s.norm, s.dim, s.eps) if cross else None
        self.ffn = FeedForward(s.dim, s.hidden_dim, s.activation, s.bias, s.dropout)
        self.norm2 = make_norm(s.norm, s.dim, s.eps)
        self.drop = nn.Dropout(s.dropout)

    def _sub(self, x, norm, fn):
        if self.norm_first:
            y, att = fn(norm(x))
            return x + self.drop(y), att
        y, att = fn(x)
        return norm(x + self.drop(y)), att

    def forward(
        self, x, mask=None, bias=None, rope=None, context=None, context_mask=None, need_weights=False
    ):
        x, a_self = self._sub(x, self.norm1, lambda h: self.attn(h, None, mask, bias, rope, need_weights))
        a_cross = None
        if self.cross is not None:
            x, a_cross = self._sub(
                x, self.norm_c, lambda h: self.cross(h, context, context_mask, None, None, need_weights)
            )
        x, _ = self._sub(x, self.norm2, lambda h: (self.ffn(h), None))
        return x, a_self, a_cross


class Stack(nn.Module):
    """N blocks, the position scheme that lives inside attention (rotary, relative), an optional
    final norm. ``forward`` returns (x, self-attention list, cross-attention list)."""

    def __init__(
        self,
        s: BlockSettings,
        depth: int,
        *,
        causal=False,
        cross=False,
        positions="none",
        max_len=512,
        final_norm=False,
    ):
        super().__init__()
        self.causal = causal
        self.blocks = nn.ModuleList(Block(s, cross) for _ in range(depth))
        self.rel = RelativeBias(s.num_heads, bidirectional=not causal) if positions == "relative" else None
        self.register_buffer(
            "rope", rotary_angles(max_len, s.dim // s.num_heads) if positions == "rotary" else None, False
        )
        self.norm = make_norm(s.norm, s.dim, s.eps) if final_norm else None

    def forward(self, x, pad_mask=None, context=None, context_mask=None, need_weights=False):
        T = x.shape[1]
        mask = pad_mask  # (B, 1, 1, T) True for real tokens, or None
        if self.causal:
            tri = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()  # (T, T)
            mask = tri if mask is None else mask & tri
        bias = self.rel(T, T) if self.rel is not None else None
        selfs, crosses = [], []
        for blk in self.blocks:
            x, a, c = blk(x, mask, bias, self.rope, context, context_mask, need_weights)
            selfs.append(a)
            crosses.append(c)
        return (self.norm(x) if self.norm is not None else x), selfs, crosses


def init_weights(model: nn.Module, std: float = 0.02) -> None:
    """BERT/GPT initialisation: linear and embedding weights ~ N(0, std), biases 0, norms 1."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, std)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)


def check_ids(ids: torch.Tensor, vocab_size: int, max_len: int) -> None:
    """Clear errors for token ids a model cannot read (instead of an index error deep inside)."""
    if ids.dim() != 2:
        raise ValueError(f"expected token ids of shape (batch, length), got {tuple(ids.shape)}")
    if ids.shape[1] > max_len:
        raise ValueError(f"the text has {ids.shape[1]} tokens but the model's context is {max_len}")


@dataclass(frozen=True)
class BlockConfig(Config):
    """Hyperparameters every transformer shares."""

    vocab_size: int = hp(64, lo=2, hi=300_000, help="How many different tokens the model knows.")
    max_len: int = hp(64, lo=1, hi=65_536, help="The longest sequence (context) the model can read.")
    embed_dim: int = hp(64, lo=4, hi=16384, help="d_model: the width of every token's vector.")
    num_heads: int = hp(4, lo=1, hi=128, help="Attention heads; each looks with d_model/num_heads dims.")
    hidden_dim: int = hp(256, lo=4, hi=65_536, help="Width of the feed-forward layer (usually 4 × d_model).")
    activation: Literal["gelu", "gelu_tanh", "relu"] = hp("gelu", help="The feed-forward nonlinearity.")
    dropout: float = hp(0.1, lo=0.0, hi=0.9, step=0.05, help="Dropout on attention weights and sublayers.")
    norm_first: bool = hp(
        False, help="Pre-norm (normalise before each sublayer, as GPT-2, T5, ViT) or post-norm (2017, BERT)."
    )

    def validate(self) -> None:
        if self.embed_dim % self.num_heads:
            raise ConfigError(
                f"embed_dim ({self.embed_dim}) must be divisible by num_heads ({self.num_heads}): "
                "each head gets an equal slice of the embedding."
            )
        if getattr(self, "positions", None) == "rotary" and (self.embed_dim // self.num_heads) % 2:
            raise ConfigError(
                f"Rotary positions rotate pairs of numbers, so the head size embed_dim/num_heads "
                f"({self.embed_dim // self.num_heads}) must be even."
            )


def block_settings(cfg: BlockConfig, dim=None, heads=None, hidden=None) -> BlockSettings:
    return BlockSettings(
        dim or cfg.embed_dim,
        heads or cfg.num_heads,
        hidden or cfg.hidden_dim,
        cfg.activation,
        cfg.dropout,
        cfg.norm_first,
        "layer",
        getattr(cfg, "eps", 1e-5),
    )
