"""Mamba: a language model of selective state-space blocks, no attention and no MLP.

A. Gu & T. Dao (2023), "Mamba: Linear-Time Sequence Modeling with Selective State Spaces", arXiv 2312.00752.

An S4-like layer is linear and time-invariant: the same filter for every input, so it cannot choose what to
remember. Mamba makes the step Δ and the matrices B and C functions of the current token ("selection"):

    Δ_t = softplus(W_Δ (W_x x_t)),  B_t, C_t = W_B x_t, W_C x_t          (per token)
    h_t = exp(Δ_t A) ⊙ h_{t−1} + Δ_t B_t x_t,   y_t = C_t h_t + D ⊙ x_t     (per channel, state N)

A large Δ_t resets the state to the current token (remember this), a small Δ_t lets the token pass (ignore
it). Without time invariance there is no convolution: the state is computed by a scan over time. A block is
RMSNorm, in_proj to 2·D_inner (a main path and a gate), a causal depthwise conv1d on the main path, SiLU,
x_proj -> (Δ low-rank, B, C), dt_proj -> Δ, the selective scan, the gate y·SiLU(z), out_proj, and the
residual. ``model(tokens, mode="scan")`` runs each layer over the whole sequence (training); with
``mode="recurrent"`` the model reads one token at a time, keeping only the conv window and the state h per
layer (generation): both give the same logits. Parameter names follow the reference implementation (and
Hugging Face's ``MambaForCausalLM``), so its weights load by renaming the prefixes.
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


@dataclass(frozen=True)
class MambaConfig(Config):
    vocab_size: int = hp(16, lo=2, hi=262144, help="Number of distinct tokens the model reads and predicts.")
    embed_dim: int = hp(32, lo=1, hi=8192, help="d_model, the width of the residual stream.")
    num_layers: int = hp(2, lo=1, hi=128, help="How many Mamba blocks are stacked.")
    state_dim: int = hp(
        16,
        lo=0,
        hi=256,
        help="N, the state size of each channel's selective state space: how many numbers summarise its "
        "past. The selection decides, token by token, what enters and what is forgotten.",
    )
    expand: int = hp(2, lo=1, hi=8, help="D_inner = expand × d_model: the width inside a block.")
    conv_kernel: int = hp(4, lo=1, hi=16, help="Width of the causal depthwise convolution before the scan.")
    dt_rank: int = hp(
        0,
        lo=0,
        hi=1024,
        help="Rank of the projection that computes the step Δ from each token; 0 = ceil(d_model / 16), the "
        "paper's choice.",
    )
    dt_min: float = hp(0.001, lo=1e-5, hi=1.0, log=True, help="Smallest initial step Δ (log-uniform).")
    dt_max: float = hp(0.1, lo=1e-5, hi=10.0, log=True, help="Largest initial step Δ.")
    tie_embeddings: bool = hp(True, help="The output head reuses the token embedding (as Mamba-130M does).")
    seq_len: int = hp(32, lo=1, hi=8192, help="Length of the example sequence the graph and summary trace.")

    def validate(self) -> None:
        if self.state_dim < 1:
            raise ConfigError(
                f"The state size must be at least 1, got {self.state_dim}: with no state the scan remembers "
                "nothing (the paper uses 16)."
            )
        if self.dt_min > self.dt_max:
            raise ConfigError(f"dt_min ({self.dt_min}) must not exceed dt_max ({self.dt_max}).")

    @property
    def inner(self) -> int:
        return self.expand * self.embed_dim

    @property
    def rank(self) -> int:
        return self.dt_rank or math.ceil(self.embed_dim / 16)


class RMSNorm(nn.Module):
    def __init__(self, d: int, eps: float = 1e-5):
        super().__init__()
        self.eps, self.weight = eps, nn.Parameter(torch.ones(d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)


class SelectiveScan(nn.Module):
    """The scan, parameter-free: x, Δ (B, L, Di), A (Di, N), B, C (B, L, N), D (Di) -> y (B, L, Di); with
    ``state`` (B, Di, N) given, it starts there and returns (y, final state)."""

    def forward(self, x, delta, a, b, c, d, state=None):
        h = state if state is not None else x.new_zeros(x.shape[0], x.shape[2], a.shape[1])  # (B, Di, N)
        decay = torch.exp(delta[..., None] * a)  # Ā_t = exp(Δ_t A), (B, L, Di, N)
        drive = (delta * x)[..., None] * b[:, :, None, :]  # B̄_t x_t = Δ_t B_t x_t, (B, L, Di, N)
        ys = []  # unbind, not [:, t]: the backward of one slice per step would fill a whole zero tensor each
        for a_t, b_t, c_t in zip(decay.unbind(1), drive.unbind(1), c.unbind(1), strict=True):
            h = a_t * h + b_t
            ys.append((h @ c_t[:, :, None])[..., 0])  # C_t h_t, (B, Di)
        y = torch.stack(ys, 1) + x * d  # (B, L, Di)
        return y if state is None else (y, h)

    def shape_forward(self, x, delta, a, b, c, d, state=None):
        """The outputs' shapes without the loop over time (``archs.meta_shapes``: fuzzing on meta)."""
        y = torch.empty_like(x)  # (B, L, Di)
        return y if state is None else (y, x.new_empty(x.shape[0], x.shape[2], a.shape[1]))


class Mixer(nn.Module):
    """The Mamba mixer: u (B, L, d_model) -> (B, L, d_model). ``last_internals`` holds Δ, B and C of the
    last forward (detached)."""

    def __init__(self, cfg: MambaConfig):
        super().__init__()
        d, di, n, r = cfg.embed_dim, cfg.inner, cfg.state_dim, cfg.rank
        self.n, self.r, self.k = n, r, cfg.conv_kernel
        self.in_proj = nn.Linear(d, 2 * di, bias=False)
        self.conv1d = nn.Conv1d(di, di, cfg.conv_kernel, groups=di, padding=cfg.conv_kernel - 1)
        self.x_proj = nn.Linear(di, r + 2 * n, bias=False)
        self.dt_proj = nn.Linear(r, di)
        self.A_log = nn.Parameter(torch.empty(di, n))
        self.D = nn.Parameter(torch.empty(di))
        self.out_proj = nn.Linear(di, d, bias=False)
        self.scan = SelectiveScan()
        self.last_internals: dict[str, torch.Tensor] = {}
        if self.D.device.type != "meta":
            self.reset(cfg)

    @torch.no_grad()
    def reset(self, cfg: MambaConfig) -> None:
        """The paper's initialisation: A = −(1..N) per channel (S4D-Real), D = 1, and the bias of dt_proj set
        so that softplus gives steps Δ log-uniform in [dt_min, dt_max]."""
        self.A_log.copy_(torch.log(torch.arange(1, self.n + 1).float()).expand_as(self.A_log))
        self.D.fill_(1.0)
        dt = torch.exp(torch.rand(self.D.shape[0]) * (math.log(cfg.dt_max) - math.log(cfg.dt_min)))
        dt = (dt * cfg.dt_min).clamp(min=1e-4)
        self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))  # inverse softplus
        nn.init.uniform_(self.dt_proj.weight, -(self.r**-0.5), self.r**-0.5)

    def ssm_inputs(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """x (B, L, Di) after the conv -> Δ (B, L, Di), A (Di, N), B and C (B, L, N)."""
        dbc = self.x_proj(x)
        low, b, c = dbc.split([self.r, self.n, self.n], -1)
        delta = F.softplus(self.dt_proj(low))
        self.last_internals = {"delta": delta.detach(), "B": b.detach(), "C": c.detach()}
        return delta, -torch.exp(self.A_log.float()), b, c

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        x, z = self.in_proj(u).chunk(2, -1)  # (B, L, Di) each
        length = x.shape[1]
        x = F.silu(self.conv1d(x.transpose(1, 2))[..., :length].transpose(1, 2))  # causal: (B, L, Di)
        delta, a, b, c = self.ssm_inputs(x)
        y = self.scan(x, delta, a, b, c, self.D)
        return self.out_proj(y * F.silu(z))

    def step(self, u: torch.Tensor, cache: dict) -> torch.Tensor:
        """One token u (B, 1, d_model), with ``cache`` = {"conv": (B, Di, k), "h": (B, Di, N)} updated."""
        x, z = self.in_proj(u).chunk(2, -1)  # (B, 1, Di)
        window = torch.cat([cache["conv"][..., 1:], x.transpose(1, 2)], -1)  # the last k inputs, (B, Di, k)
        cache["conv"] = window
        x = (window * self.conv1d.weight[:, 0]).sum(-1) + self.conv1d.bias  # (B, Di)
        x = F.silu(x)[:, None]  # (B, 1, Di)
        delta, a, b, c = self.ssm_inputs(x)
        y, cache["h"] = self.scan(x, delta, a, b, c, self.D, cache["h"])
        return self.out_proj(y * F.silu(z))


class MambaBlock(nn.Module):
    """x + Mixer(RMSNorm(x)); ``last_internals``: the mixer's Δ (B, L, Di), B and C (B, L, N)."""

    def __init__(self, cfg: MambaConfig):
        super().__init__()
        self.norm = RMSNorm(cfg.embed_dim)
        self.mixer = Mixer(cfg)

    @property
    def last_internals(self) -> dict[str, torch.Tensor]:
        return self.mixer.last_internals

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.mixer(self.norm(x))


class Mamba(nn.Module):
    """tokens (B, L) -> logits (B, L, vocab_size)."""

    def __init__(self, cfg: MambaConfig):
        super().__init__()
        self.cfg = cfg
        self.embedding = nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        self.layers = nn.ModuleList(MambaBlock(cfg) for _ in range(cfg.num_layers))
        self.norm_f = RMSNorm(cfg.embed_dim)
        self.lm_head = nn.Linear(cfg.embed_dim, cfg.vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.lm_head.weight = self.embedding.weight
        if self.lm_head.weight.device.type != "meta":
            nn.init.normal_(
                self.embedding.weight, std=0.02
            )  # the reference's; N(0, 1) gives huge tied logits

    def forward(self, tokens: torch.Tensor, mode: Literal["scan", "recurrent"] = "scan") -> torch.Tensor:
        if mode == "recurrent":
            return self.recurrent(tokens)
        h = self.embedding(tokens)  # (B, L, d)
        for layer in self.layers:
            h = layer(h)
        return self.lm_head(self.norm_f(h))

    def recurrent(self, tokens: torch.Tensor) -> torch.Tensor:
        """The same logits one token at a time, carrying each layer's conv window and state."""
        bsz, cfg = tokens.shape[0], self.cfg
        w = self.embedding.weight
        caches = [
            {
                "conv": w.new_zeros(bsz, cfg.inner, cfg.conv_kernel),
                "h": w.new_zeros(bsz, cfg.inner, cfg.state_dim),
            }
            for _ in self.layers
        ]
        out = []
        for t in range(tokens.shape[1]):
            h = self.embedding(tokens[:, t : t + 1])  # (B, 1, d)
            for layer, cache in zip(self.layers, caches, strict=True):
                h = h + layer.mixer.step(layer.norm(h), cache)
            out.append(self.lm_head(self.norm_f(h)))
        return torch.cat(out, 1)  # (B, L, vocab)


def example_tokens(cfg: MambaConfig) -> torch.Tensor:
    return torch.randint(0, cfg.vocab_size, (2, cfg.seq_len))  # (B, L)


register(
    ArchSpec(
        name="mamba",
        title="Mamba",
        family="beyond",
        year=2023,
        paper=Paper(
            "A. Gu, T. Dao",
            2023,
            "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
            "2312.00752",
        ),
        summary="Selective state spaces: the step Δ and the matrices B, C depend on each token, so the "
        "recurrence chooses what to remember; a linear-time scan instead of attention.",
        tasks=("language modelling", "selective copying"),
        config=MambaConfig,
        build=Mamba,
        example_input=example_tokens,
        presets={
            "tiny": {"embed_dim": 32, "num_layers": 2, "state_dim": 16, "seq_len": 16},
            # state-spaces/mamba-130m-hf: d_model 768, 24 layers, N 16, expand 2, GPT-NeoX vocabulary
            "canonical": dict(
                vocab_size=50280,
                embed_dim=768,
                num_layers=24,
                state_dim=16,
                expand=2,
                conv_kernel=4,
                seq_len=64,
            ),
        },
        published_params=129_135_360,
        published_source="Mamba-130M (state-spaces/mamba-130m-hf): Hugging Face MambaForCausalLM with that "
        "config (tied embeddings) counts 129,135,360 parameters",
    )
)
