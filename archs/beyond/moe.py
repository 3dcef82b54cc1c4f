"""Sparse mixture-of-experts transformers: the Switch Transformer and Mixtral.

Switch Transformer: Fedus, Zoph & Shazeer (2021), "Switch Transformers: Scaling to Trillion Parameter Models
with Simple and Efficient Sparsity", arXiv 2101.03961. T5's encoder-decoder (pre-norm RMSNorm, no biases,
relative position buckets, no √d_k scaling, ReLU feed-forward) where every other feed-forward layer is a
Switch layer: top-1 routing over E experts, each with a token capacity. Canonical: Switch-Base-8.

Mixtral: Jiang et al. (2024), "Mixtral of Experts", arXiv 2401.04088. A Mistral-7B decoder (RMSNorm,
grouped-query attention with 8 key/value heads, rotary positions with θ = 10⁶) whose every feed-forward
layer is 8 SwiGLU experts of which each token visits 2. Canonical: Mixtral 8x7B: 46.7B parameters in all,
12.9B of them used for any one token (``active_params``).

Both models: ``model.moe_layers()`` lists the MoELayer modules (archs/beyond/moe_layers.py), each holding
``last_routing`` of its last forward; ``model.aux_loss()`` sums their load-balancing losses (differentiable,
to add to the training loss with a small coefficient).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.beyond.moe_layers import MixtralBlock, MoELayer, RMSNorm
from archs.blocks.transformer import BlockSettings, Stack, check_ids, init_weights
from archs.registry import build_from_config, count_params, get_arch, register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class MoEFields(Config):
    """What both MoE models share."""

    vocab_size: int = hp(64, lo=2, hi=300_000, help="How many different tokens the model knows.")
    max_len: int = hp(64, lo=1, hi=131_072, help="The longest sequence (context) the model can read.")
    embed_dim: int = hp(32, lo=4, hi=16_384, help="d_model: the width of every token's vector.")
    num_heads: int = hp(4, lo=1, hi=128, help="Attention heads; each looks with d_model/num_heads dims.")
    hidden_dim: int = hp(64, lo=4, hi=65_536, help="Width of each expert's feed-forward layer (d_ff).")
    num_experts: int = hp(
        4,
        lo=1,
        hi=256,
        help="E: how many feed-forward experts each MoE layer has. More experts = more "
        "parameters, but the same compute per token.",
    )
    top_k: int = hp(
        2,
        lo=1,
        hi=16,
        help="How many experts each token visits (Switch: 1, Mixtral: 2). The compute per "
        "token grows with k, not with E.",
    )
    capacity_factor: float = hp(
        0.0,
        lo=0.0,
        hi=8.0,
        step=0.25,
        help="Expert capacity = factor × tokens × k / E; assignments beyond "
        "it are dropped (the token skips the layer). 0 = no limit.",
    )
    eps: float = hp(1e-6, lo=1e-12, hi=1e-3, log=True, help="RMSNorm's ε, added under the square root.")

    def validate(self) -> None:
        if self.top_k > self.num_experts:
            raise ConfigError(
                f"top_k ({self.top_k}) cannot be larger than num_experts ({self.num_experts}): a token "
                "cannot visit more experts than there are. Lower top_k or add experts."
            )
        if self.embed_dim % self.num_heads:
            raise ConfigError(
                f"embed_dim ({self.embed_dim}) must be divisible by num_heads ({self.num_heads}): "
                "each head gets an equal slice of the embedding."
            )

    @property
    def capacity(self) -> float | None:
        return self.capacity_factor or None


class MoEModel(nn.Module):
    def moe_layers(self) -> list[MoELayer]:
        return [m for m in self.modules() if isinstance(m, MoELayer)]

    def aux_loss(self) -> torch.Tensor:
        """Sum of the MoE layers' load-balancing losses of the last forward (differentiable)."""
        return sum((m.aux_loss() for m in self.moe_layers()), torch.zeros((), device=self.lm_device()))

    def lm_device(self) -> torch.device:
        return next(self.parameters()).device


# ------------------------------------------------------------------------------------ Switch Transformer


@dataclass(frozen=True)
class SwitchConfig(MoEFields):
    encoder_depth: int = hp(2, lo=1, hi=48, help="Encoder layers.")
    decoder_depth: int = hp(2, lo=1, hi=48, help="Decoder layers.")
    sparse_every: int = hp(
        2,
        lo=1,
        hi=8,
        help="Every n-th feed-forward layer is a Switch layer (2: layers 2, 4, 6, …, as "
        "Switch-Base); the others are ordinary dense ReLU layers.",
    )
    dropout: float = hp(0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout on attention weights and sublayers.")


class SwitchTransformer(MoEModel):
    """T5 encoder-decoder with Switch layers. forward(src, tgt=None) -> logits (B, T_tgt, V); without
    ``tgt`` the decoder reads ``src`` shifted right by one (token 0 first), as a language model would."""

    def __init__(self, cfg: SwitchConfig):
        super().__init__()
        self.cfg = cfg
        s = BlockSettings(
            cfg.embed_dim,
            cfg.num_heads,
            cfg.hidden_dim,
            "relu",
            cfg.dropout,
            True,
            "rms",
            cfg.eps,
            False,
            False,
        )
        self.shared = nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        common = dict(positions="relative", max_len=cfg.max_len, final_norm=True)
        self.encoder = Stack(s, cfg.encoder_depth, **common)
        self.decoder = Stack(s, cfg.decoder_depth, causal=True, cross=True, **common)
        self.drop = nn.Dropout(cfg.dropout)
        for stack in (self.encoder, self.decoder):
            for i, blk in enumerate(stack.blocks):
                if i % cfg.sparse_every == cfg.sparse_every - 1:  # HF: i % 2 == 1
                    blk.ffn = MoELayer(
                        cfg.embed_dim, cfg.hidden_dim, cfg.num_experts, cfg.top_k, cfg.capacity, "relu"
                    )
        init_weights(self)

    def forward(self, src: torch.Tensor, tgt: torch.Tensor | None = None) -> torch.Tensor:
        check_ids(src, self.cfg.vocab_size, self.cfg.max_len)
        if tgt is None:
            tgt = F.pad(src[:, :-1], (1, 0))  # (B, T): shifted right, 0 as the start token
        check_ids(tgt, self.cfg.vocab_size, self.cfg.max_len)
        memory, _, _ = self.encoder(self.drop(self.shared(src)))
        h, _, _ = self.decoder(self.drop(self.shared(tgt)), None, memory)
        return F.linear(h * self.cfg.embed_dim**-0.5, self.shared.weight)  # (B, T, V): T5's tied head


def _pair(cfg) -> tuple[torch.Tensor, torch.Tensor]:
    T = min(12, cfg.max_len)
    return torch.randint(0, cfg.vocab_size, (2, T)), torch.randint(0, cfg.vocab_size, (2, T))


SWITCH_BASE_8 = dict(
    vocab_size=32_128,
    max_len=512,
    embed_dim=768,
    num_heads=12,
    hidden_dim=3072,
    encoder_depth=12,
    decoder_depth=12,
    num_experts=8,
    top_k=1,
    capacity_factor=1.25,
    sparse_every=2,
    dropout=0.1,
)
register(
    ArchSpec(
        name="switch_transformer",
        title="Switch Transformer",
        family="beyond",
        year=2021,
        paper=Paper(
            "W. Fedus, B. Zoph, N. Shazeer",
            2021,
            "Switch Transformers: Scaling to Trillion Parameter Models with Simple and Efficient Sparsity",
            arxiv="2101.03961",
        ),
        summary="T5 with every other feed-forward layer replaced by E experts; a router sends each token "
        "to one of them, so parameters grow with E while compute per token stays that of T5.",
        tasks=("text-to-text", "span corruption"),
        config=SwitchConfig,
        build=SwitchTransformer,
        example_input=_pair,
        presets={
            "tiny": dict(
                vocab_size=64,
                max_len=64,
                embed_dim=32,
                num_heads=4,
                hidden_dim=64,
                encoder_depth=2,
                decoder_depth=2,
                num_experts=4,
                top_k=1,
                capacity_factor=1.25,
            ),
            "canonical": SWITCH_BASE_8,
        },
        published_params=619_339_008,
        published_source="Hugging Face SwitchTransformersForConditionalGeneration with "
        "google/switch-base-8's configuration (d_model 768, d_ff 3,072, 12+12 layers, 12 heads, "
        "8 experts in 6 sparse layers per stack, 32,128-token vocabulary, LM head tied); "
        "the model page rounds it to 620M. Of these "
        "222,977,280 act on each token (active_params), T5-Base's 222,903,552 plus the routers",
    )
)


# --------------------------------------------------------------------------------------------- Mixtral


@dataclass(frozen=True)
class MixtralConfig(MoEFields):
    depth: int = hp(2, lo=1, hi=128, help="How many decoder blocks are stacked.")
    num_kv_heads: int = hp(
        2,
        lo=1,
        hi=128,
        help="Key/value heads (grouped-query attention): each is shared by "
        "num_heads/num_kv_heads query heads, shrinking the cache a decoder keeps.",
    )
    rope_theta: float = hp(
        1e6,
        lo=100.0,
        hi=1e7,
        log=True,
        help="Rotary positions' base θ: larger θ turns slower, for longer contexts (Mixtral: 10⁶).",
    )

    def validate(self) -> None:
        super().validate()
        if self.num_heads % self.num_kv_heads:
            raise ConfigError(
                f"num_heads ({self.num_heads}) must be a multiple of num_kv_heads ({self.num_kv_heads}): "
                "each key/value head serves an equal group of query heads."
            )
        if (self.embed_dim // self.num_heads) % 2:
            raise ConfigError(
                f"Rotary positions rotate pairs of numbers, so the head size embed_dim/num_heads "
                f"({self.embed_dim // self.num_heads}) must be even."
            )


class Mixtral(MoEModel):
    """Decoder-only LM: embedding -> depth × MixtralBlock -> RMSNorm -> untied head.
    forward(ids) -> logits (B, T, V)."""

    def __init__(self, cfg: MixtralConfig):
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        self.layers = nn.ModuleList(
            MixtralBlock(
                cfg.embed_dim,
                cfg.num_heads,
                cfg.num_kv_heads,
                cfg.hidden_dim,
                cfg.num_experts,
                cfg.top_k,
                cfg.capacity,
                cfg.rope_theta,
                cfg.eps,
            )
            for _ in range(cfg.depth)
        )
        self.norm = RMSNorm(cfg.embed_dim, cfg.eps)
        self.lm_head = nn.Linear(cfg.embed_dim, cfg.vocab_size, bias=False)
        init_weights(self)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        check_ids(ids, self.cfg.vocab_size, self.cfg.max_len)
        h = self.embed_tokens(ids)  # (B, T, D)
        for layer in self.layers:
            h = layer(h)
        return self.lm_head(self.norm(h))  # (B, T, V)


def _ids(cfg) -> torch.Tensor:
    return torch.randint(0, cfg.vocab_size, (2, min(16, cfg.max_len)))


MIXTRAL_8X7B = dict(
    vocab_size=32_000,
    max_len=32_768,
    embed_dim=4096,
    num_heads=32,
    num_kv_heads=8,
    hidden_dim=14_336,
    depth=32,
    num_experts=8,
    top_k=2,
    capacity_factor=0.0,
    rope_theta=1e6,
    eps=1e-5,
)
register(
    ArchSpec(
        name="mixtral",
        title="Mixtral (sparse MoE decoder)",
        family="beyond",
        year=2024,
        paper=Paper("A. Q. Jiang et al.", 2024, "Mixtral of Experts", arxiv="2401.04088"),
        summary="Mistral's decoder with 8 SwiGLU experts in every layer, 2 chosen per token: 46.7B "
        "parameters, 12.9B used for any one token (build it on the meta device).",
        tasks=("causal language modelling",),
        config=MixtralConfig,
        build=Mixtral,
        example_input=_ids,
        presets={
            "tiny": dict(
                vocab_size=64,
                max_len=64,
                embed_dim=32,
                num_heads=4,
                num_kv_heads=2,
                hidden_dim=64,
                depth=2,
                num_experts=4,
                top_k=2,
                eps=1e-5,
            ),
            "canonical": MIXTRAL_8X7B,
        },
        published_params=46_702_792_704,
        published_source="Hugging Face MixtralForCausalLM with mistralai/Mixtral-8x7B-v0.1's configuration "
        "(32 layers, d_model 4,096, 32 heads / 8 key-value heads, 8 experts of width 14,336, top-2, "
        "32,000-token vocabulary, head untied); the paper rounds it to 47B (46.7B) total and 13B (12.9B) "
        "active: 12,879,925,248 by active_params",
    )
)


def active_params(spec_name: str, cfg=None) -> tuple[int, int]:
    """(total, active per token) of a MoE model, counted on ``meta``: a token passes through top_k of the
    num_experts experts of each MoE layer, so active = total − Σ_layers (E − k) × (one expert's
    parameters). Embedding and head count in full (as the Mixtral paper counts its 12.9B)."""
    spec = get_arch(spec_name)
    cfg = cfg if cfg is not None else spec.make_config("canonical")
    model = build_from_config(spec, cfg, "meta")
    total = count_params(model)
    idle = 0
    for layer in model.moe_layers():
        per_expert = sum(p.numel() for p in layer.experts.parameters()) // layer.num_experts
        idle += (layer.num_experts - layer.top_k) * per_expert
    return total, total - idle
