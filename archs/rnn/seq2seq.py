"""Encoder-decoder with additive attention: Bahdanau, Cho & Bengio (2015), "Neural machine translation by
jointly learning to align and translate", arXiv 1409.0473.

A bidirectional GRU encoder gives one annotation h_j = [→h_j; ←h_j] per source token. At each output
step the decoder scores every annotation against its previous state s_{i−1},
e_ij = vᵀ tanh(W_a s_{i−1} + U_a h_j), normalises the scores with a softmax into the alignment α_ij,
reads the context c_i = Σ_j α_ij h_j and updates s_i = GRU([E y_{i−1}; c_i], s_{i−1}). The output
scores come from [s_i; c_i; E y_{i−1}] through one linear layer (the paper puts a maxout layer there;
a linear read-out is the common simplification). s_0 = tanh(W_s ←h_1), as in the paper.

Token conventions: id 0 pads (masked out of the attention), id 1 starts the decoder's input.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.recurrent import GRUCell, Recurrent, gru_step
from archs.registry import register
from archs.spec import ArchSpec, Config, Paper, hp

PAD, BOS = 0, 1


@dataclass(frozen=True)
class Seq2SeqConfig(Config):
    src_vocab: int = hp(
        40, lo=3, hi=50_000, help="Distinct source tokens (characters or words), specials included."
    )
    tgt_vocab: int = hp(16, lo=3, hi=50_000, help="Distinct target tokens, specials included.")
    embed_dim: int = hp(16, lo=1, hi=1024, help="Length of each token's embedding (the paper: 620).")
    hidden_dim: int = hp(32, lo=1, hi=4096, help="Encoder and decoder GRU state size (the paper: 1000).")
    attn_dim: int = hp(32, lo=1, hi=4096, help="Width of the small network that scores source positions.")
    src_len: int = hp(12, lo=1, hi=512, help="Source length of the example input used to draw the graph.")
    tgt_len: int = hp(6, lo=1, hi=512, help="Target length of the example input used to draw the graph.")


class AttentionDecoderStep(nn.Module):
    """One decoder step — attention, GRU update and read-out — as a single module without children, so
    the traced graph shows one node per output step (like the recurrent cells).

    Attention: α_ij = softmax_j(vᵀ tanh(W_a s_{i−1} + U_a h_j + b_a)), padded positions masked out.
    """

    def __init__(self, embed_dim: int, hidden_dim: int, attn_dim: int, vocab: int):
        super().__init__()
        E, H, A = embed_dim, hidden_dim, attn_dim
        self.attn_W = nn.Parameter(torch.empty(A, H))
        self.attn_U = nn.Parameter(torch.empty(A, 2 * H))
        self.attn_b = nn.Parameter(torch.empty(A))
        self.attn_v = nn.Parameter(torch.empty(1, A))
        g = GRUCell(E + 2 * H, H)  # borrow torch's GRU initialisation, keep the tensors here
        self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh = (
            g.weight_ih,
            g.weight_hh,
            g.bias_ih,
            g.bias_hh,
        )
        self.out_weight = nn.Parameter(torch.empty(vocab, H + 2 * H + E))
        self.out_bias = nn.Parameter(torch.empty(vocab))
        for w in (self.attn_W, self.attn_U, self.attn_v, self.out_weight):
            if not w.is_meta:
                nn.init.xavier_uniform_(w)
        for b in (self.attn_b, self.out_bias):
            if not b.is_meta:
                nn.init.zeros_(b)

    def keys(self, enc: torch.Tensor) -> torch.Tensor:
        """U_a h_j + b_a for every source position, computed once per sequence: (B, Ts, A)."""
        return F.linear(enc, self.attn_U, self.attn_b)

    def forward(self, e, s, enc, keys, mask):
        # e (B, E) previous output's embedding, s (B, H), enc (B, Ts, 2H), keys (B, Ts, A), mask (B, Ts)
        scores = F.linear(torch.tanh(F.linear(s, self.attn_W).unsqueeze(1) + keys), self.attn_v)  # (B, Ts, 1)
        alpha = scores.squeeze(-1).masked_fill(~mask, float("-inf")).softmax(-1)  # (B, Ts)
        ctx = torch.bmm(alpha.unsqueeze(1), enc).squeeze(1)  # (B, 2H)
        s, _ = gru_step(
            torch.cat([e, ctx], -1), s, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh
        )
        logits = F.linear(torch.cat([s, ctx, e], -1), self.out_weight, self.out_bias)  # (B, V)
        return logits, s, alpha


class Seq2SeqAttention(nn.Module):
    def __init__(self, cfg: Seq2SeqConfig):
        super().__init__()
        self.cfg = cfg
        H, E = cfg.hidden_dim, cfg.embed_dim
        self.src_embed = nn.Embedding(cfg.src_vocab, E, padding_idx=PAD)
        self.encoder = Recurrent("gru", E, H, bidirectional=True)
        self.init = nn.Linear(H, H)
        self.tgt_embed = nn.Embedding(cfg.tgt_vocab, E, padding_idx=PAD)
        self.decoder = AttentionDecoderStep(E, H, cfg.attn_dim, cfg.tgt_vocab)

    def encode(self, src: torch.Tensor):
        mask = src != PAD  # (B, Ts)
        enc, _, _ = self.encoder(self.src_embed(src))  # (B, Ts, 2H)
        H = self.cfg.hidden_dim
        s = torch.tanh(self.init(enc[:, 0, H:]))  # the backward GRU's summary of the whole source
        return enc, self.decoder.keys(enc), mask, s

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor, return_attention: bool = False):
        """Teacher forcing: ``tgt_in`` (B, Tt) is the target shifted right (starting with BOS).
        Returns logits (B, Tt, V) and, if asked, the alignment (B, Tt, Ts)."""
        enc, keys, mask, s = self.encode(src)
        emb = self.tgt_embed(tgt_in).unbind(1)  # Tt tensors (B, E)
        logits, attn = [], []
        for e in emb:
            lo, s, a = self.decoder(e, s, enc, keys, mask)
            logits.append(lo)
            attn.append(a)
        logits = torch.stack(logits, 1)  # (B, Tt, V)
        return (logits, torch.stack(attn, 1)) if return_attention else logits

    @torch.no_grad()
    def greedy(self, src: torch.Tensor, max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Decode by feeding back the most likely token: tokens (B, max_len), alignment (B, max_len, Ts)."""
        enc, keys, mask, s = self.encode(src)
        y = torch.full((src.shape[0],), BOS, dtype=torch.long, device=src.device)
        toks, attn = [], []
        for _ in range(max_len):
            lo, s, a = self.decoder(self.tgt_embed(y), s, enc, keys, mask)
            y = lo.argmax(-1)
            toks.append(y)
            attn.append(a)
        return torch.stack(toks, 1), torch.stack(attn, 1)


def _example(cfg: Seq2SeqConfig):
    src = torch.randint(2, cfg.src_vocab, (2, cfg.src_len))
    tgt = torch.randint(2, cfg.tgt_vocab, (2, cfg.tgt_len))
    tgt[:, 0] = BOS
    return src, tgt


register(
    ArchSpec(
        name="seq2seq_attention",
        title="Seq2seq with attention (Bahdanau)",
        family="rnn",
        year=2015,
        paper=Paper(
            "D. Bahdanau, K. Cho, Y. Bengio",
            2015,
            "Neural machine translation by jointly learning to align and translate",
            arxiv="1409.0473",
        ),
        summary="A bidirectional GRU encoder and a GRU decoder that looks back at every source token "
        "through a learned soft alignment.",
        tasks=("translation", "sequence to sequence"),
        config=Seq2SeqConfig,
        build=Seq2SeqAttention,
        example_input=_example,
        presets={
            "tiny": {},
            "dates": {"embed_dim": 24, "hidden_dim": 64, "attn_dim": 32, "src_len": 18, "tgt_len": 10},
        },
    )
)
