"""Encoder-only and decoder-only language models, built from the one transformer block.

Encoders (bidirectional attention, trained by masked language modelling): BERT (Devlin et al. 2018,
arXiv 1810.04805), RoBERTa (Liu et al. 2019, 1907.11692), DistilBERT (Sanh et al. 2019, 1910.01108),
ELECTRA (Clark et al. 2020, 2003.10555: a small generator fills masks, a discriminator spots the
replaced tokens). Decoders (causal attention, next-token prediction): GPT (Radford et al. 2018), GPT-2
(Radford et al. 2019), GPT-3 (Brown et al. 2020, 2005.14165; meta device only).

Canonical presets reproduce the Hugging Face reference models exactly: bare encoders with their pooler
and no task head (``BertModel``, ``RobertaModel``, ``DistilBertModel``), decoders with the language-model
head tied to the token embedding (counted once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.embeddings import Embeddings
from archs.blocks.transformer import BlockConfig, Stack, block_settings, check_ids, init_weights
from archs.spec import ConfigError, Paper, hp
from archs.transformer.common import register_lm


@dataclass(frozen=True)
class EncoderConfig(BlockConfig):
    depth: int = hp(2, lo=1, hi=48, help="How many transformer blocks are stacked.")
    positions: Literal["learned", "sinusoidal", "rotary", "relative"] = hp(
        "learned", help="How the model knows where each token is."
    )
    type_vocab_size: int = hp(0, lo=0, hi=16, help="Segment embeddings (BERT: 2, sentence A or B; 0: none).")
    pos_offset: int = hp(0, lo=0, hi=2, help="Position rows reserved before position 0 (RoBERTa: 2).")
    pooler: bool = hp(False, help="BERT's pooler: tanh(W h_[CLS] + b), a summary vector for classifiers.")
    mlm_head: bool = hp(True, help="A masked-language-model head (tied to the embedding) on every position.")
    eps: float = hp(1e-12, lo=1e-12, hi=1e-3, log=True, help="LayerNorm's ε.")


class MLMHead(nn.Module):
    """BERT's prediction head: dense + GELU + LayerNorm, then the tied embedding matrix and a bias."""

    def __init__(self, dim: int, emb: nn.Embedding, eps: float, act: str = "gelu"):
        super().__init__()
        e = emb.weight.shape[1]
        self.dense, self.norm, self.emb = nn.Linear(dim, e), nn.LayerNorm(e, eps=eps), emb
        self.act = nn.GELU() if act == "gelu" else nn.GELU(approximate="tanh")
        self.bias = nn.Parameter(torch.zeros(emb.weight.shape[0]))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return F.linear(self.norm(self.act(self.dense(h))), self.emb.weight, self.bias)  # (B, T, V)


class TextEncoder(nn.Module):
    """BERT-style encoder: embeddings -> N bidirectional blocks -> pooler and/or MLM head.

    forward(ids) returns the MLM logits (B, T, V) if there is a head, else the hidden states (B, T, C);
    with a pooler as well, a tuple (that, pooled (B, C))."""

    def __init__(self, cfg: EncoderConfig, token: nn.Embedding | None = None, factor_dim: int = 0):
        super().__init__()
        self.cfg = cfg
        absolute = cfg.positions if cfg.positions in ("learned", "sinusoidal") else "none"
        self.embed = Embeddings(
            cfg.vocab_size,
            cfg.embed_dim,
            max_len=cfg.max_len,
            positions=absolute,
            type_vocab=cfg.type_vocab_size,
            norm=True,
            dropout=cfg.dropout,
            pos_offset=cfg.pos_offset,
            eps=cfg.eps,
            token=token,
            factor_dim=factor_dim,
        )
        self.encoder = Stack(
            block_settings(cfg),
            cfg.depth,
            positions=cfg.positions,
            max_len=cfg.max_len,
            final_norm=cfg.norm_first,
        )
        self.pooler = (
            nn.Sequential(nn.Linear(cfg.embed_dim, cfg.embed_dim), nn.Tanh()) if cfg.pooler else None
        )
        self.head = MLMHead(cfg.embed_dim, self.embed.token, cfg.eps) if cfg.mlm_head else None
        init_weights(self)

    def hidden(self, ids, pad_mask=None, need_weights=False):
        check_ids(ids, self.cfg.vocab_size, self.cfg.max_len)
        return self.encoder(self.embed(ids), pad_mask, need_weights=need_weights)[:2]

    def forward(self, ids, pad_mask=None, return_attention=False):
        h, att = self.hidden(ids, pad_mask, return_attention)  # (B, T, C)
        outs = [self.head(h) if self.head is not None else h]
        if self.pooler is not None:
            outs.append(self.pooler(h[:, 0]))  # (B, C): the first token ([CLS]) summarises
        out = outs[0] if len(outs) == 1 else tuple(outs)
        return (out, {"self": att}) if return_attention else out


@dataclass(frozen=True)
class ElectraConfig(EncoderConfig):
    embedding_size: int = hp(128, lo=4, hi=4096, help="Width of the shared token embedding (projected up).")
    gen_embed_dim: int = hp(64, lo=4, hi=4096, help="The generator's width (ELECTRA: a fraction of d_model).")
    gen_num_heads: int = hp(2, lo=1, hi=64, help="The generator's attention heads.")
    gen_hidden_dim: int = hp(256, lo=4, hi=16384, help="The generator's feed-forward width.")
    pooler: bool = hp(False, help="A pooler on the discriminator (unused in pre-training).")
    mlm_head: bool = hp(
        True, help="The generator always has its MLM head; this field is kept for the schema."
    )

    def validate(self) -> None:
        super().validate()
        if self.gen_embed_dim % self.gen_num_heads:
            raise ConfigError(
                f"gen_embed_dim ({self.gen_embed_dim}) must be divisible by "
                f"gen_num_heads ({self.gen_num_heads})."
            )


class Electra(nn.Module):
    """Generator (a small MLM encoder) + discriminator (an encoder with a per-token 'replaced?' head)
    sharing the token, position and segment embeddings and their LayerNorm, as in pre-training.

    forward(ids) returns (B, T, 1 + V): channel 0 is the discriminator's logit that each token was
    replaced, channels 1.. are the generator's MLM logits. ``replaced_logits`` and ``generator_logits``
    give each alone; pre-training masks 15% of the input, samples the generator's guesses into the masks
    and trains the discriminator on the result (loss = MLM + 50 · replaced-token detection)."""

    def __init__(self, cfg: ElectraConfig):
        super().__init__()
        self.cfg = cfg
        e = cfg.embedding_size
        dcfg = cfg.replace(pooler=cfg.pooler, mlm_head=False)
        self.discriminator = TextEncoder(dcfg, factor_dim=e if e != cfg.embed_dim else 0)
        gcfg = EncoderConfig(
            **{
                **_enc_fields(cfg),
                "embed_dim": cfg.gen_embed_dim,
                "num_heads": cfg.gen_num_heads,
                "hidden_dim": cfg.gen_hidden_dim,
                "pooler": False,
                "mlm_head": False,
            }
        )
        self.generator = TextEncoder(gcfg, factor_dim=e if e != cfg.gen_embed_dim else 0)
        self.generator.embed = _share(self.discriminator.embed, self.generator.embed)
        self.gen_head = MLMHead(cfg.gen_embed_dim, self.discriminator.embed.token, cfg.eps)
        self.disc_head = nn.Sequential(
            nn.Linear(cfg.embed_dim, cfg.embed_dim), nn.GELU(), nn.Linear(cfg.embed_dim, 1)
        )
        init_weights(self)

    def generator_logits(self, ids, need_weights=False):
        h, att = self.generator.hidden(ids, None, need_weights)
        return self.gen_head(h), att  # (B, T, V)

    def replaced_logits(self, ids, need_weights=False):
        h, att = self.discriminator.hidden(ids, None, need_weights)
        out = self.discriminator.pooler(h[:, 0]) if self.discriminator.pooler is not None else None
        return self.disc_head(h).squeeze(-1), att, out  # (B, T)

    def forward(self, ids, return_attention=False):
        g, ga = self.generator_logits(ids, return_attention)
        d, da, _ = self.replaced_logits(ids, return_attention)
        out = torch.cat([d.unsqueeze(-1), g], -1)  # (B, T, 1 + V)
        return (out, {"generator": ga, "discriminator": da}) if return_attention else out


def _enc_fields(cfg: ElectraConfig) -> dict:
    import dataclasses

    names = {f.name for f in dataclasses.fields(EncoderConfig)}
    return {k: v for k, v in dataclasses.asdict(cfg).items() if k in names}


def _share(src: Embeddings, dst: Embeddings) -> Embeddings:
    """dst uses src's token, position and segment tables and LayerNorm; keeps its own projection."""
    dst.token, dst.pos, dst.segment, dst.norm = src.token, src.pos, src.segment, src.norm
    return dst


TINY = dict(vocab_size=64, max_len=64, embed_dim=32, num_heads=4, hidden_dim=64, depth=2, dropout=0.0)
BERT = dict(
    vocab_size=30_522,
    max_len=512,
    embed_dim=768,
    num_heads=12,
    hidden_dim=3072,
    depth=12,
    type_vocab_size=2,
    pooler=True,
    mlm_head=False,
    dropout=0.1,
)
BERT_PAPER = Paper(
    "J. Devlin, M.-W. Chang, K. Lee, K. Toutanova",
    2018,
    "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    arxiv="1810.04805",
)


register_lm(
    "bert_base",
    "BERT-Base",
    2018,
    BERT_PAPER,
    "A bidirectional encoder pre-trained by masked language "
    "modelling and next-sentence prediction; canonical = BertModel (encoder + pooler).",
    ("masked language modelling", "classification"),
    EncoderConfig,
    TextEncoder,
    {"tiny": {**TINY, "type_vocab_size": 2}, "canonical": BERT},
    109_482_240,
    "Hugging Face BertModel of bert-base-uncased (vocab 30,522, 512 positions, 2 segments, 12 × 768, "
    "pooler, no head)",
)
register_lm(
    "bert_large",
    "BERT-Large",
    2018,
    BERT_PAPER,
    "BERT with 24 layers of width 1,024 and 16 heads; canonical = BertModel (encoder + pooler).",
    ("masked language modelling", "classification"),
    EncoderConfig,
    TextEncoder,
    {
        "tiny": {**TINY, "type_vocab_size": 2, "depth": 3},
        "canonical": {**BERT, "embed_dim": 1024, "num_heads": 16, "hidden_dim": 4096, "depth": 24},
    },
    335_141_888,
    "Hugging Face BertModel of bert-large-uncased (24 × 1,024, 16 heads, pooler, no head)",
)
register_lm(
    "roberta_base",
    "RoBERTa-Base",
    2019,
    Paper(
        "Y. Liu et al.", 2019, "RoBERTa: A Robustly Optimized BERT Pretraining Approach", arxiv="1907.11692"
    ),
    "BERT trained longer on more data, with dynamic masking, "
    "no next-sentence prediction and a byte-level BPE vocabulary.",
    ("masked language modelling",),
    EncoderConfig,
    TextEncoder,
    {
        "tiny": {**TINY, "pos_offset": 2, "type_vocab_size": 1},
        "canonical": {**BERT, "vocab_size": 50_265, "pos_offset": 2, "type_vocab_size": 1, "eps": 1e-5},
    },
    124_645_632,
    "Hugging Face RobertaModel of roberta-base (vocab 50,265, 514 position rows, 1 segment, pooler, no head)",
)
register_lm(
    "distilbert_base",
    "DistilBERT",
    2019,
    Paper(
        "V. Sanh, L. Debut, J. Chaumond, T. Wolf",
        2019,
        "DistilBERT, a distilled version of BERT",
        arxiv="1910.01108",
    ),
    "BERT-Base halved to 6 layers and trained to imitate its teacher; no segments, no pooler.",
    ("masked language modelling",),
    EncoderConfig,
    TextEncoder,
    {"tiny": TINY, "canonical": {**BERT, "depth": 6, "type_vocab_size": 0, "pooler": False}},
    66_362_880,
    "Hugging Face DistilBertModel of distilbert-base-uncased",
)
register_lm(
    "electra_small",
    "ELECTRA-Small",
    2020,
    Paper(
        "K. Clark, M.-T. Luong, Q. V. Le, C. D. Manning",
        2020,
        "ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators",
        arxiv="2003.10555",
    ),
    "A generator fills masked tokens; a discriminator learns to spot which tokens were replaced.",
    ("replaced token detection", "masked language modelling"),
    ElectraConfig,
    Electra,
    {
        "tiny": {**TINY, "embedding_size": 16, "gen_embed_dim": 16, "gen_num_heads": 2, "gen_hidden_dim": 32},
        "canonical": {
            **BERT,
            "embed_dim": 256,
            "num_heads": 4,
            "hidden_dim": 1024,
            "embedding_size": 128,
            "gen_embed_dim": 256,
            "gen_num_heads": 4,
            "gen_hidden_dim": 1024,
            "pooler": False,
        },
    },
    23_122_875,
    "Hugging Face ElectraForPreTraining of google/electra-small-discriminator (13,549,057) + "
    "ElectraForMaskedLM of google/electra-small-generator (13,546,682), minus the 3,972,864 embedding "
    "parameters (token, position, segment tables and their LayerNorm) the two share in pre-training",
)
