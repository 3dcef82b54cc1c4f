"""The transformer block, once, for every model of the family; and the 2017 encoder-decoder.

Vaswani et al. (2017), "Attention Is All You Need", arXiv 1706.03762. One ``Block`` (self-attention,
optional cross-attention, position-wise feed-forward) with options for pre/post norm, LayerNorm or
RMSNorm, GELU/ReLU, biases, and four ways to say where a token is: learned or sinusoidal absolute
embeddings (added to the input), rotary embeddings (RoFormer, Su et al. 2021: q and k rotated), and
T5's bucketed relative bias (Raffel et al. 2020: a learned scalar per head and distance bucket).

Attention: ``Attention.forward(..., need_weights=True)`` takes the explicit path
softmax(QKᵀ/√d_k + bias, masked) V and returns the weights; otherwise PyTorch's fused
scaled_dot_product_attention computes the same thing faster. Models return ``(out, attn)`` when called
with ``return_attention=True``: ``attn`` maps a stack name ("self", "encoder", "decoder", "cross",
...) to a list over layers of (B, nh, T_query, T_key) tensors whose rows sum to 1.

The zoo (BERT, GPT, T5, BART, ViT, ...) lives in ``archs/transformer_*.py`` and builds on this file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp

Positions = Literal["learned", "sinusoidal", "rotary", "relative", "none"]
ACTIVATIONS = {"gelu": nn.GELU, "gelu_tanh": lambda: nn.GELU(approximate="tanh"), "relu": nn.ReLU}


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


class RMSNorm(nn.Module):
    """T5's layer norm: x / rms(x) · g, no mean subtraction and no bias."""

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(dim)), eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def make_norm(kind: str, dim: int, eps: float) -> nn.Module:
    return RMSNorm(dim, eps) if kind == "rms" else nn.LayerNorm(dim, eps=eps)


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


class Embeddings(nn.Module):
    """Token embedding (× √d if ``scale``), plus absolute positions if learned or sinusoidal, plus
    segment embeddings (BERT), then LayerNorm (BERT, BART) and dropout. ``factor_dim`` embeds in a
    smaller width and projects up (ELECTRA, ALBERT)."""

    def __init__(
        self,
        vocab_size,
        dim,
        *,
        max_len=512,
        positions="learned",
        type_vocab=0,
        norm=False,
        scale=False,
        dropout=0.1,
        pos_offset=0,
        eps=1e-12,
        factor_dim=0,
        token=None,
    ):
        super().__init__()
        e = factor_dim or dim
        self.token = token if token is not None else nn.Embedding(vocab_size, e)
        self.kind, self.offset, self.scale = positions, pos_offset, math.sqrt(dim) if scale else 1.0
        self.pos = nn.Embedding(max_len + pos_offset, e) if positions == "learned" else None
        self.register_buffer(
            "table", sinusoidal_table(max_len, e) if positions == "sinusoidal" else None, False
        )
        self.segment = nn.Embedding(type_vocab, e) if type_vocab else None
        self.norm = nn.LayerNorm(e, eps=eps) if norm else None
        self.project = nn.Linear(e, dim) if factor_dim else None
        self.drop = nn.Dropout(dropout)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        T = ids.shape[1]
        x = self.token(ids)  # (B, T, e)
        x = x * self.scale if self.scale != 1.0 else x
        if self.pos is not None:
            x = x + self.pos(torch.arange(self.offset, T + self.offset, device=ids.device))
        elif self.table is not None:
            x = x + self.table[:T].to(x.dtype)
        if self.segment is not None:
            x = x + self.segment(torch.zeros_like(ids))
        x = self.norm(x) if self.norm is not None else x
        x = self.project(x) if self.project is not None else x
        return self.drop(x)


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


class EncoderDecoder(nn.Module):
    """Encoder (bidirectional) + decoder (causal, cross-attending to the encoder), one token embedding
    shared by source, target and the output projection (tied). forward(src, tgt) -> logits over the
    vocabulary for each target position (teacher forcing: tgt is the shifted-right target)."""

    def __init__(self, cfg: Seq2SeqConfig):
        super().__init__()
        self.cfg = cfg
        s = BlockSettings(
            cfg.embed_dim,
            cfg.num_heads,
            cfg.hidden_dim,
            cfg.activation,
            cfg.dropout,
            cfg.norm_first,
            cfg.norm,
            cfg.eps,
            cfg.bias,
            cfg.scaled,
        )
        self.shared = nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        absolute = cfg.positions if cfg.positions in ("learned", "sinusoidal") else "none"
        kw = dict(
            max_len=cfg.max_len,
            positions=absolute,
            norm=cfg.embed_norm,
            scale=cfg.scale_embedding,
            dropout=cfg.dropout,
            pos_offset=cfg.pos_offset,
            token=self.shared,
        )
        self.src_embed, self.tgt_embed = (
            Embeddings(cfg.vocab_size, cfg.embed_dim, **kw),
            Embeddings(cfg.vocab_size, cfg.embed_dim, **kw),
        )
        common = dict(positions=cfg.positions, max_len=cfg.max_len, final_norm=cfg.final_norm)
        self.encoder = Stack(s, cfg.encoder_depth, **common)
        self.decoder = Stack(s, cfg.decoder_depth, causal=True, cross=True, **common)
        self.head_scale = cfg.embed_dim**-0.5 if cfg.norm == "rms" else 1.0  # T5 rescales before a tied head
        init_weights(self)
        if cfg.scale_embedding:  # the 2017 recipe: embeddings ~ N(0, 1/d), then × √d in the forward
            nn.init.normal_(self.shared.weight, 0.0, cfg.embed_dim**-0.5)

    def encode(self, src, src_pad=None, need_weights=False):
        return self.encoder(self.src_embed(src), src_pad, need_weights=need_weights)

    def decode(self, tgt, memory, src_pad=None, tgt_pad=None, need_weights=False):
        h, selfs, crosses = self.decoder(self.tgt_embed(tgt), tgt_pad, memory, src_pad, need_weights)
        return F.linear(h * self.head_scale, self.shared.weight), selfs, crosses  # (B, T, V)

    def forward(self, src, tgt, src_pad=None, tgt_pad=None, return_attention=False):
        check_ids(src, self.cfg.vocab_size, self.cfg.max_len)
        check_ids(tgt, self.cfg.vocab_size, self.cfg.max_len)
        memory, enc, _ = self.encode(src, src_pad, return_attention)
        logits, dec, cross = self.decode(tgt, memory, src_pad, tgt_pad, return_attention)
        return (logits, {"encoder": enc, "decoder": dec, "cross": cross}) if return_attention else logits


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


@dataclass(frozen=True)
class Seq2SeqConfig(BlockConfig):
    encoder_depth: int = hp(2, lo=1, hi=48, help="Encoder layers (N in the paper).")
    decoder_depth: int = hp(2, lo=1, hi=48, help="Decoder layers.")
    positions: Positions = hp("sinusoidal", help="How the model knows where each token is.")
    norm: Literal["layer", "rms"] = hp("layer", help="LayerNorm, or T5's RMSNorm (no mean, no bias).")
    eps: float = hp(1e-5, lo=1e-12, hi=1e-3, log=True, help="The norm's ε, added under the square root.")
    bias: bool = hp(True, help="Biases in the linear layers (T5 has none).")
    scaled: bool = hp(True, help="Divide QKᵀ by √d_k (T5 folds the scale into its initialisation).")
    final_norm: bool = hp(False, help="A norm after the last block (needed with pre-norm).")
    embed_norm: bool = hp(False, help="LayerNorm right after the embeddings (BART).")
    scale_embedding: bool = hp(True, help="Multiply token embeddings by √d_model (the 2017 paper).")
    pos_offset: int = hp(
        0, lo=0, hi=2, help="Rows of the position table reserved before position 0 (BART: 2)."
    )


def _seq2seq_input(cfg: Seq2SeqConfig):
    T = min(12, cfg.max_len)
    return torch.randint(0, cfg.vocab_size, (2, T)), torch.randint(0, cfg.vocab_size, (2, T))


TRANSFORMER_BASE = dict(
    vocab_size=37_000,
    max_len=512,
    embed_dim=512,
    num_heads=8,
    hidden_dim=2048,
    encoder_depth=6,
    decoder_depth=6,
    activation="relu",
    dropout=0.1,
)

register(
    ArchSpec(
        name="transformer",
        title="Transformer (encoder-decoder)",
        family="transformer",
        year=2017,
        paper=Paper("A. Vaswani et al.", 2017, "Attention Is All You Need", arxiv="1706.03762"),
        summary="Encoder and decoder built from attention alone; sinusoidal positions, post-norm.",
        tasks=("translation", "text-to-text"),
        config=Seq2SeqConfig,
        build=EncoderDecoder,
        example_input=_seq2seq_input,
        presets={
            "tiny": dict(
                vocab_size=64,
                max_len=64,
                embed_dim=32,
                num_heads=4,
                hidden_dim=64,
                encoder_depth=2,
                decoder_depth=2,
                activation="relu",
                dropout=0.0,
            ),
            "canonical": TRANSFORMER_BASE,
            "big": {
                **TRANSFORMER_BASE,
                "embed_dim": 1024,
                "num_heads": 16,
                "hidden_dim": 4096,
                "dropout": 0.3,
            },
        },
        published_params=63_082_496,
        published_source="Transformer base (paper Table 3, which rounds to 65M) with the paper's "
        "conventions: "
        "shared 37,000-token BPE vocabulary of WMT'14 EN-DE (§5.1), one embedding matrix for encoder, "
        "decoder "
        "and pre-softmax projection (§3.4), sinusoidal positions (no parameters), post-norm without a "
        "final norm; the big preset counts 214,245,376 (paper: 213M)",
    )
)
