"""Decoder-only language models: GPT (Radford et al. 2018), GPT-2 (Radford et al. 2019) and GPT-3
(Brown et al. 2020, arXiv 2005.14165; built on ``meta`` only), from the one transformer block with
causal self-attention and a language-model head tied to the token embedding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch.nn.functional as F
from torch import nn

from archs.blocks.embeddings import Embeddings
from archs.blocks.transformer import BlockConfig, Stack, block_settings, check_ids, init_weights
from archs.spec import Paper, hp
from archs.transformer.common import register_lm


@dataclass(frozen=True)
class DecoderConfig(BlockConfig):
    depth: int = hp(2, lo=1, hi=128, help="How many transformer blocks are stacked.")
    positions: Literal["learned", "sinusoidal", "rotary", "relative"] = hp(
        "learned", help="How the model knows where each token is."
    )
    final_norm: bool = hp(
        True, help="A LayerNorm after the last block (GPT-2 and later, needed with pre-norm)."
    )
    eps: float = hp(1e-5, lo=1e-12, hi=1e-3, log=True, help="LayerNorm's ε.")


class DecoderLM(nn.Module):
    """GPT-style decoder: embeddings -> N causal blocks -> tied projection to next-token logits."""

    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.cfg = cfg
        absolute = cfg.positions if cfg.positions in ("learned", "sinusoidal") else "none"
        self.embed = Embeddings(
            cfg.vocab_size, cfg.embed_dim, max_len=cfg.max_len, positions=absolute, dropout=cfg.dropout
        )
        self.decoder = Stack(
            block_settings(cfg),
            cfg.depth,
            causal=True,
            positions=cfg.positions,
            max_len=cfg.max_len,
            final_norm=cfg.final_norm,
        )
        init_weights(self)

    def forward(self, ids, return_attention=False):
        check_ids(ids, self.cfg.vocab_size, self.cfg.max_len)
        h, att, _ = self.decoder(self.embed(ids), need_weights=return_attention)  # (B, T, C)
        logits = F.linear(h, self.embed.token.weight)  # (B, T, V): the embedding read backwards
        return (logits, {"self": att}) if return_attention else logits


GPT2 = dict(
    vocab_size=50_257,
    max_len=1024,
    embed_dim=768,
    num_heads=12,
    hidden_dim=3072,
    depth=12,
    activation="gelu_tanh",
    norm_first=True,
    final_norm=True,
    dropout=0.1,
)
DTINY = dict(
    vocab_size=64, max_len=64, embed_dim=32, num_heads=4, hidden_dim=64, depth=2, dropout=0.0, norm_first=True
)
register_lm(
    "gpt",
    "GPT",
    2018,
    Paper(
        "A. Radford, K. Narasimhan, T. Salimans, I. Sutskever",
        2018,
        "Improving Language Understanding by Generative Pre-Training",
        url="https://openai.com/research/language-unsupervised",
    ),
    "A 12-layer causal decoder pre-trained on books, then fine-tuned: post-norm, learned positions.",
    ("causal language modelling",),
    DecoderConfig,
    DecoderLM,
    {
        "tiny": {**DTINY, "norm_first": False, "final_norm": False},
        "canonical": {**GPT2, "vocab_size": 40_478, "max_len": 512, "norm_first": False, "final_norm": False},
    },
    116_534_784,
    "Hugging Face OpenAIGPTModel of openai-gpt (vocab 40,478, 512 positions; LM head tied)",
)
GPT2_PAPER = Paper(
    "A. Radford, J. Wu, R. Child, D. Luan, D. Amodei, I. Sutskever",
    2019,
    "Language Models are Unsupervised Multitask Learners",
    url="https://openai.com/research/better-language-models",
)
register_lm(
    "gpt2_small",
    "GPT-2 (small)",
    2019,
    GPT2_PAPER,
    "GPT with pre-norm blocks, a final LayerNorm and a 1,024-token context; 124M parameters.",
    ("causal language modelling",),
    DecoderConfig,
    DecoderLM,
    {"tiny": DTINY, "canonical": GPT2},
    124_439_808,
    "Hugging Face GPT2Model / GPT2LMHeadModel of gpt2 (LM head tied)",
)
register_lm(
    "gpt2_medium",
    "GPT-2 (medium)",
    2019,
    GPT2_PAPER,
    "GPT-2 with 24 layers of width 1,024; 355M parameters.",
    ("causal language modelling",),
    DecoderConfig,
    DecoderLM,
    {
        "tiny": {**DTINY, "depth": 3},
        "canonical": {**GPT2, "embed_dim": 1024, "num_heads": 16, "hidden_dim": 4096, "depth": 24},
    },
    354_823_168,
    "Hugging Face GPT2Model of gpt2-medium (LM head tied)",
)
register_lm(
    "gpt3",
    "GPT-3 (175B)",
    2020,
    Paper("T. B. Brown et al.", 2020, "Language Models are Few-Shot Learners", arxiv="2005.14165"),
    "GPT-2's design scaled to 96 layers of width 12,288 and a 2,048 context; "
    "build it on the meta device (about 700 GB in float32).",
    ("causal language modelling",),
    DecoderConfig,
    DecoderLM,
    {
        "tiny": {**DTINY, "depth": 4},
        "canonical": {
            **GPT2,
            "vocab_size": 50_257,
            "max_len": 2048,
            "embed_dim": 12_288,
            "num_heads": 96,
            "hidden_dim": 49_152,
            "depth": 96,
        },
    },
    174_604_259_328,
    "computed from the paper's Table 2.1 (96 layers, d_model 12,288, 96 heads, context "
    "2,048) with GPT-2's layers and its 50,257-token vocabulary, LM head tied; the paper rounds it to "
    "175.0B (its alternating sparse attention adds no parameters)",
)
