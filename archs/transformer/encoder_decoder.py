"""The 2017 encoder-decoder transformer, built from the one block in ``archs/blocks/transformer.py``.

Vaswani et al. (2017), "Attention Is All You Need", arXiv 1706.03762. One ``Block`` (self-attention,
optional cross-attention, position-wise feed-forward) with options for pre/post norm, LayerNorm or
RMSNorm, GELU/ReLU, biases, and four ways to say where a token is: learned or sinusoidal absolute
embeddings (added to the input), rotary embeddings (RoFormer, Su et al. 2021: q and k rotated), and
T5's bucketed relative bias (Raffel et al. 2020: a learned scalar per head and distance bucket).

Attention: ``Attention.forward(..., need_weights=True)`` takes the explicit path
softmax(QKᵀ/√dₖ + bias, masked) V and returns the weights; otherwise PyTorch's fused
scaled_dot_product_attention computes the same thing faster. Models return ``(out, attn)`` when called
with ``return_attention=True``: ``attn`` maps a stack name ("self", "encoder", "decoder", "cross",
...) to a list over layers of (B, nh, T_query, T_key) tensors whose rows sum to 1.

The zoo lives beside this file: BERT and ELECTRA in ``text.py``, GPT in ``gpt.py``, T5 and BART in
``seq2seq.py``, ViT in ``vit.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.embeddings import Embeddings
from archs.blocks.transformer import BlockConfig, BlockSettings, Positions, Stack, check_ids, init_weights
from archs.registry import register
from archs.spec import ArchSpec, Paper, hp


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
class Seq2SeqConfig(BlockConfig):
    encoder_depth: int = hp(2, lo=1, hi=48, help="Encoder layers (N in the paper).")
    decoder_depth: int = hp(2, lo=1, hi=48, help="Decoder layers.")
    positions: Positions = hp("sinusoidal", help="How the model knows where each token is.")
    norm: Literal["layer", "rms"] = hp("layer", help="LayerNorm, or T5's RMSNorm (no mean, no bias).")
    eps: float = hp(1e-5, lo=1e-12, hi=1e-3, log=True, help="The norm's ε, added under the square root.")
    bias: bool = hp(True, help="Biases in the linear layers (T5 has none).")
    scaled: bool = hp(True, help="Divide QKᵀ by √dₖ (T5 folds the scale into its initialisation).")
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
