"""RWKV-4: a recurrent network trained like a transformer ("Receptance Weighted Key Value").

B. Peng, E. Alcaide, Q. Anthony et al. (2023), "RWKV: Reinventing RNNs for the Transformer Era", Findings of
EMNLP 2023, arXiv 2305.13048.

Each block is a time-mixing and a channel-mixing sublayer, each pre-LayerNormed and residual. Both first
mix every token with the previous one ("token shift": μ x_t + (1 − μ) x_{t−1}, μ learned per channel).
Time mixing computes r, k, v and replaces attention by the WKV average, per channel c:

    wkv_t = (Σ_{i<t} e^{−(t−1−i)w + k_i} v_i + e^{u + k_t} v_t) / (Σ_{i<t} e^{−(t−1−i)w + k_i} + e^{u + k_t})

a softmax-like weighting of the past whose weights shrink by the factor exp(−w) per step (w = exp(time_decay)
> 0, so a per-channel decay in (0, 1)), with a bonus u (time_first) for the current token; the output is
W_o (σ(r) ⊙ wkv). Channel mixing is σ(r) ⊙ W_v relu(W_k x)². ``mode="parallel"`` computes wkv for all
positions at once from a (T × T) weight matrix, as in training; ``mode="recurrent"`` carries the two sums
(numerator, denominator) and a running maximum exponent for stability, one token at a time, as in
inference: both give the same output. Parameter names follow Hugging Face's ``RwkvForCausalLM`` (and the
reference's), so its weights load by dropping the ``rwkv.`` prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, Paper, hp


@dataclass(frozen=True)
class RWKVConfig(Config):
    vocab_size: int = hp(16, lo=2, hi=262144, help="Number of distinct tokens the model reads and predicts.")
    embed_dim: int = hp(32, lo=1, hi=8192, help="The width of the residual stream (and of r, k, v).")
    num_layers: int = hp(2, lo=1, hi=128, help="How many RWKV blocks (time mixing + channel mixing).")
    ffn_mult: int = hp(
        4, lo=1, hi=8, help="The channel-mixing layer's hidden width, as a multiple of embed_dim."
    )
    seq_len: int = hp(32, lo=1, hi=8192, help="Length of the example sequence the graph and summary trace.")


def shift(x: torch.Tensor) -> torch.Tensor:
    """x (B, T, D) -> the previous token's x (zeros before the first)."""
    return nn.functional.pad(x, (0, 0, 1, -1))


class TokenShift(nn.Module):
    """Parameter-free: x (B, T, D) and the learned mixes μ (1, 1, D) -> μ x_t + (1 − μ) x_{t−1}, one per μ."""

    def forward(self, x: torch.Tensor, *mixes: torch.Tensor) -> tuple[torch.Tensor, ...]:
        prev = shift(x)
        return tuple(x * m + prev * (1 - m) for m in mixes)


class WKV(nn.Module):
    """The WKV average, parameter-free: w (D) decay rates > 0, u (D) bonus, k, v (B, T, D) -> (B, T, D)."""

    def forward(self, w, u, k, v, mode: str = "parallel"):
        if mode == "recurrent":
            return self.recurrent(w, u, k, v)
        t = k.shape[1]
        pos = torch.arange(t, device=k.device)
        lag = (pos[:, None] - 1 - pos[None, :]).to(k.dtype)  # t − 1 − i, (T, T)
        logits = -lag[None, :, :, None] * w + k[:, None, :, :]  # (B, T, T, D): query t, key i
        diag = (pos[:, None] == pos[None, :])[None, :, :, None]
        logits = torch.where(diag, (u + k)[:, :, None, :], logits)
        future = (pos[None, :] > pos[:, None])[None, :, :, None]
        logits = logits.masked_fill(future, float("-inf"))
        weights = torch.softmax(logits, dim=2)  # normalised over the keys i <= t
        return (weights * v[:, None]).sum(2)  # (B, T, D)

    def recurrent(self, w, u, k, v):
        num = torch.zeros_like(k[:, 0])
        den = torch.zeros_like(num)
        big = torch.full_like(num, -1e38)  # the largest exponent seen so far, factored out of num and den
        out = []
        for t in range(k.shape[1]):
            kt, vt = k[:, t], v[:, t]
            now = u + kt
            top = torch.maximum(big, now)
            a, b = torch.exp(big - top), torch.exp(now - top)
            out.append((a * num + b * vt) / (a * den + b))
            decayed = big - w
            top = torch.maximum(decayed, kt)
            a, b = torch.exp(decayed - top), torch.exp(kt - top)
            num, den, big = a * num + b * vt, a * den + b, top
        return torch.stack(out, 1)  # (B, T, D)


class TimeMixing(nn.Module):
    def __init__(self, d: int, layer: int = 0, num_layers: int = 1):
        super().__init__()
        self.depth = layer / max(num_layers - 1, 1)  # 0 at the first block, 1 at the last
        self.time_decay = nn.Parameter(torch.empty(d))  # w = exp(time_decay): decay exp(−w) per step
        self.time_first = nn.Parameter(torch.empty(d))  # u, the bonus of the current token
        self.time_mix_key = nn.Parameter(torch.empty(1, 1, d))
        self.time_mix_value = nn.Parameter(torch.empty(1, 1, d))
        self.time_mix_receptance = nn.Parameter(torch.empty(1, 1, d))
        self.key = nn.Linear(d, d, bias=False)
        self.value = nn.Linear(d, d, bias=False)
        self.receptance = nn.Linear(d, d, bias=False)
        self.output = nn.Linear(d, d, bias=False)
        self.shift = TokenShift()
        self.wkv = WKV()
        if self.time_first.device.type != "meta":
            self.reset()

    @torch.no_grad()
    def reset(self) -> None:
        """RWKV-4's initialisation: decays spread from fast to slow across channels, the spread growing
        with depth (w = exp(−5 + 8·(i/(D−1))^(0.7 + 1.3·depth))); the bonus log 0.3 with a zigzag; token
        mixes from mostly the previous token (first block) to mostly the current one (last)."""
        d = self.time_decay.shape[0]
        ramp = torch.arange(d) / max(d - 1, 1)
        self.time_decay.copy_(-5 + 8 * ramp ** (0.7 + 1.3 * self.depth))
        self.time_first.copy_(torch.log(torch.tensor(0.3)) + 0.5 * ((torch.arange(d) + 1) % 3 - 1))
        upper = 1.0 - 0.999 * self.depth  # the exponent falls from 1 towards 0 with depth
        self.time_mix_key.copy_(ramp.view(1, 1, d) ** upper)
        self.time_mix_value.copy_(ramp.view(1, 1, d) ** upper + 0.3 * self.depth)
        self.time_mix_receptance.copy_(ramp.view(1, 1, d) ** (0.5 * upper))

    def forward(self, x: torch.Tensor, mode: str = "parallel") -> torch.Tensor:
        xk, xv, xr = self.shift(x, self.time_mix_key, self.time_mix_value, self.time_mix_receptance)
        k, v, r = self.key(xk), self.value(xv), torch.sigmoid(self.receptance(xr))
        return self.output(r * self.wkv(torch.exp(self.time_decay), self.time_first, k, v, mode))


class ChannelMixing(nn.Module):
    def __init__(self, d: int, hidden: int):
        super().__init__()
        self.time_mix_key = nn.Parameter(torch.full((1, 1, d), 0.5))
        self.time_mix_receptance = nn.Parameter(torch.full((1, 1, d), 0.5))
        self.key = nn.Linear(d, hidden, bias=False)
        self.receptance = nn.Linear(d, d, bias=False)
        self.value = nn.Linear(hidden, d, bias=False)
        self.shift = TokenShift()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        xk, xr = self.shift(x, self.time_mix_key, self.time_mix_receptance)
        k, r = torch.relu(self.key(xk)) ** 2, torch.sigmoid(self.receptance(xr))
        return r * self.value(k)


class Block(nn.Module):
    def __init__(self, cfg: RWKVConfig, layer: int):
        super().__init__()
        d = cfg.embed_dim
        self.pre_ln = (
            nn.LayerNorm(d) if layer == 0 else nn.Identity()
        )  # the first block normalises the embedding
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attention = TimeMixing(d, layer, cfg.num_layers)
        self.feed_forward = ChannelMixing(d, cfg.ffn_mult * d)

    def forward(self, x: torch.Tensor, mode: str = "parallel") -> torch.Tensor:
        x = self.pre_ln(x)
        x = x + self.attention(self.ln1(x), mode)
        return x + self.feed_forward(self.ln2(x))


class RWKV(nn.Module):
    """tokens (B, T) -> logits (B, T, vocab_size)."""

    def __init__(self, cfg: RWKVConfig):
        super().__init__()
        self.cfg = cfg
        self.embeddings = nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        self.blocks = nn.ModuleList(Block(cfg, i) for i in range(cfg.num_layers))
        self.ln_out = nn.LayerNorm(cfg.embed_dim)
        self.head = nn.Linear(cfg.embed_dim, cfg.vocab_size, bias=False)

    def forward(
        self, tokens: torch.Tensor, mode: Literal["parallel", "recurrent"] = "parallel"
    ) -> torch.Tensor:
        h = self.embeddings(tokens)  # (B, T, D)
        for block in self.blocks:
            h = block(h, mode)
        return self.head(self.ln_out(h))

    def decays(self) -> torch.Tensor:
        """The per-channel factor exp(−exp(w)) in (0, 1) by which each layer's WKV sums shrink per token:
        (num_layers, D). Near 1: a long memory; near 0: only the last few tokens count."""
        return torch.stack([torch.exp(-torch.exp(b.attention.time_decay.detach())) for b in self.blocks])


def example_tokens(cfg: RWKVConfig) -> torch.Tensor:
    return torch.randint(0, cfg.vocab_size, (2, cfg.seq_len))  # (B, T)


register(
    ArchSpec(
        name="rwkv",
        title="RWKV-4",
        family="beyond",
        year=2023,
        paper=Paper(
            "B. Peng, E. Alcaide, Q. Anthony et al.",
            2023,
            "RWKV: Reinventing RNNs for the Transformer Era",
            "2305.13048",
        ),
        summary="Attention replaced by a per-channel decaying average of the past (WKV): trained in parallel "
        "like a transformer, run as an RNN with constant memory per token.",
        tasks=("language modelling",),
        config=RWKVConfig,
        build=RWKV,
        example_input=example_tokens,
        presets={
            "tiny": {"embed_dim": 32, "num_layers": 2, "seq_len": 16},
            # RWKV/rwkv-4-169m-pile: 12 layers of 768, the GPT-NeoX vocabulary, untied head
            "canonical": dict(vocab_size=50277, embed_dim=768, num_layers=12, ffn_mult=4, seq_len=64),
        },
        published_params=169_342_464,
        published_source="RWKV-4 169M (RWKV/rwkv-4-169m-pile): Hugging Face RwkvForCausalLM with that config "
        "counts 169,342,464 parameters",
    )
)
