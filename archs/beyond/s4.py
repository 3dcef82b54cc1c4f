"""S4D: the diagonal structured state space sequence model, a linear time-invariant (LTI) layer.

A. Gu, K. Goel & C. Ré (2022), "Efficiently Modeling Long Sequences with Structured State Spaces", ICLR
(arXiv 2111.00396); the diagonal variant used here: A. Gu, A. Gupta, K. Goel & C. Ré (2022), "On the
Parameterization and Initialization of Diagonal State Space Models" (S4D, arXiv 2206.11893).

Each of the H channels runs its own continuous-time system x'(t) = A x(t) + B u(t), y(t) = C x(t) + D u(t)
with a diagonal complex A of N/2 modes (their conjugates are implied, so the output is real). A learned
step Δ discretises it, zero-order hold (ZOH: Ā = exp(ΔA), B̄ = (exp(ΔA) − 1)/A · B) or bilinear
(Ā = (1 + ΔA/2)/(1 − ΔA/2), B̄ = Δ/(1 − ΔA/2) · B). Nothing depends on the input, so the whole layer is one
causal convolution with the kernel K̄_l = 2 Re(C Ā^l B̄), l = 0..L−1: the layer can run as a convolution
(training, every step at once) or as a recurrence (one step at a time, constant memory), and both give the
same output. This is the honest name of what is built: S4D (B is fixed to ones and folded into C, as in the
reference ``s4d.py``), not the original S4 with its diagonal-plus-low-rank A. ``init="legs"`` starts A at
the eigenvalues of the normal part of the HiPPO-LegS matrix (S4D-LegS); ``init="lin"`` at
−1/2 + iπn (S4D-Lin, the reference example's). Complex numbers are kept as (real, imaginary) pairs of real
tensors so the model exports to ONNX.

The model is the reference ``example.py`` backbone: an encoder (a linear map of the input features, or a
token embedding), ``num_layers`` residual blocks (S4D, GELU, a 1×1 map to 2H and a GLU, dropout, then a
post-norm LayerNorm) and a linear decoder, per position or after mean pooling over time.
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
class S4Config(Config):
    vocab_size: int = hp(
        16,
        lo=0,
        hi=65536,
        help="Number of distinct input tokens; 0 means the input is a sequence of real vectors of in_dim "
        "numbers (e.g. the pixels of an image read one after the other).",
    )
    in_dim: int = hp(3, lo=1, hi=1024, help="Numbers per time step when vocab_size is 0 (3 for RGB pixels).")
    num_outputs: int = hp(
        16, lo=1, hi=65536, help="Classes the decoder scores (per position, or per sequence)."
    )
    pool: Literal["none", "mean"] = hp(
        "none",
        help="none: one prediction per position (a sequence-to-sequence task); mean: average over time, "
        "then one prediction for the whole sequence (classification, as on sequential CIFAR).",
    )
    embed_dim: int = hp(32, lo=1, hi=4096, help="H, the number of channels: each runs its own state space.")
    num_layers: int = hp(2, lo=1, hi=64, help="How many S4D blocks are stacked.")
    state_dim: int = hp(
        16,
        lo=0,
        hi=1024,
        step=2,
        help="N, the size of each channel's state (N/2 complex modes and their conjugates). A larger state "
        "remembers more patterns of the past, but the memory stays a fixed filter of the input.",
    )
    init: Literal["legs", "lin"] = hp(
        "legs",
        help="Where A starts: legs = the eigenvalues of the HiPPO-LegS matrix's normal part (S4D-LegS, "
        "memory of the whole past by Legendre polynomials); lin = −1/2 + iπn (S4D-Lin, Fourier-like modes).",
    )
    discretization: Literal["zoh", "bilinear"] = hp(
        "zoh",
        help="How the continuous system becomes a step-by-step one with the learned step Δ: zero-order "
        "hold (exact for inputs held constant over a step) or the bilinear (Tustin) transform.",
    )
    dt_min: float = hp(
        0.001, lo=1e-5, hi=1.0, log=True, help="Smallest initial step Δ (drawn log-uniformly)."
    )
    dt_max: float = hp(0.1, lo=1e-5, hi=10.0, log=True, help="Largest initial step Δ: small Δ, long memory.")
    dropout: float = hp(0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout after each block's activation.")
    seq_len: int = hp(32, lo=1, hi=16384, help="Length of the example sequence the graph and summary trace.")

    def validate(self) -> None:
        if self.state_dim < 2 or self.state_dim % 2:
            raise ConfigError(
                f"The state size must be an even number of at least 2, got {self.state_dim}: S4D keeps "
                "N/2 complex modes and their conjugates (try 16 or 64)."
            )
        if self.dt_min > self.dt_max:
            raise ConfigError(f"dt_min ({self.dt_min}) must not exceed dt_max ({self.dt_max}).")


def hippo_legs_modes(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The n eigenvalues with positive imaginary part of the normal part of HiPPO-LegS (size 2n):
    (real (n,), imaginary (n,)). The real parts are all −1/2 (S4D-LegS)."""
    m = 2 * n
    q = torch.sqrt(1 + 2 * torch.arange(m, dtype=torch.float64, device="cpu"))  # sqrt(2k + 1)
    a = -torch.tril(q[:, None] * q[None, :], -1) - torch.diag(torch.arange(m, dtype=torch.float64) + 1)
    p = torch.sqrt(torch.arange(m, dtype=torch.float64) + 0.5)
    normal = a + p[:, None] * p[None, :]  # -1/2 I + a skew-symmetric matrix
    skew = normal + 0.5 * torch.eye(m, dtype=torch.float64)
    imag = torch.linalg.eigvalsh(-1j * skew.to(torch.complex128))  # i·skew is Hermitian: real eigenvalues
    imag = imag[imag > 0].sort().values[:n]
    return torch.full((n,), -0.5, dtype=torch.float64), imag


class S4DLayer(nn.Module):
    """The core linear S4D map u (B, L, H) -> y (B, L, H) with the skip D; ``kernel(L)`` -> (H, L)."""

    def __init__(self, h: int, n: int, init: str = "legs", disc: str = "zoh", dt_min=1e-3, dt_max=0.1):
        super().__init__()
        self.h, self.n, self.disc = h, n // 2, disc
        self.log_dt = nn.Parameter(torch.empty(h))
        self.C = nn.Parameter(torch.empty(h, self.n, 2))  # complex C as (real, imaginary)
        self.log_A_real = nn.Parameter(torch.empty(h, self.n))
        self.A_imag = nn.Parameter(torch.empty(h, self.n))
        self.D = nn.Parameter(torch.empty(h))
        if self.D.device.type != "meta":
            self.reset(init, dt_min, dt_max)

    @torch.no_grad()
    def reset(self, init: str, dt_min: float, dt_max: float) -> None:
        h, n = self.h, self.n
        self.log_dt.copy_(torch.rand(h) * (math.log(dt_max) - math.log(dt_min)) + math.log(dt_min))
        self.C.normal_(0.0, 0.5**0.5)  # a standard complex normal
        if init == "legs":
            re, im = hippo_legs_modes(n)
        else:
            re, im = torch.full((n,), -0.5), math.pi * torch.arange(n)
        self.log_A_real.copy_(torch.log(-re).float().expand(h, n))
        self.A_imag.copy_(im.float().expand(h, n))
        self.D.normal_()

    def discrete(self) -> tuple[torch.Tensor, ...]:
        """log Ā and C·B̄ as real pairs, each (H, N/2): (log|Ā|, arg Ā, Re CB̄, Im CB̄)."""
        dt = self.log_dt.exp()[:, None]  # (H, 1)
        ar, ai = -self.log_A_real.exp(), self.A_imag  # A = ar + i ai, (H, N/2)
        xr, xi = ar * dt, ai * dt  # ΔA
        if self.disc == "zoh":
            la, th = xr, xi  # log Ā = ΔA
            er, ei = xr.exp() * th.cos() - 1, xr.exp() * th.sin()  # exp(ΔA) − 1
            den = ar * ar + ai * ai
            br, bi = (er * ar + ei * ai) / den, (ei * ar - er * ai) / den  # (exp(ΔA) − 1) / A
        else:
            dr, di = 1 - xr / 2, -xi / 2  # 1 − ΔA/2
            nr, ni = 1 + xr / 2, xi / 2  # 1 + ΔA/2
            den = dr * dr + di * di
            qr, qi = (nr * dr + ni * di) / den, (ni * dr - nr * di) / den  # Ā
            la, th = 0.5 * torch.log(qr * qr + qi * qi), torch.atan2(qi, qr)
            br, bi = dt * dr / den, -dt * di / den  # Δ / (1 − ΔA/2)
        cr, ci = self.C[..., 0], self.C[..., 1]
        return la, th, cr * br - ci * bi, cr * bi + ci * br

    def kernel(self, length: int) -> torch.Tensor:
        """K̄ (H, L): K̄_l = 2 Re(C B̄ Ā^l), the response of each channel to a unit impulse."""
        la, th, gr, gi = self.discrete()
        pos = torch.arange(length, device=la.device, dtype=la.dtype)  # (L,)
        mag = (la[..., None] * pos).exp()  # |Ā|^l, (H, N/2, L)
        ang = th[..., None] * pos
        return 2 * (mag * (gr[..., None] * ang.cos() - gi[..., None] * ang.sin())).sum(1)  # (H, L)

    def forward(self, u: torch.Tensor, mode: Literal["conv", "recurrent"] = "conv") -> torch.Tensor:
        if mode == "recurrent":
            return self.recurrent(u)
        length = u.shape[1]
        k = self.kernel(length)  # (H, L)
        x = F.pad(u.transpose(1, 2), (length - 1, 0))  # (B, H, 2L − 1), causal: only the past
        y = F.conv1d(x, k.flip(-1)[:, None], groups=self.h)  # (B, H, L)
        return y.transpose(1, 2) + u * self.D  # (B, L, H)

    def recurrent(self, u: torch.Tensor) -> torch.Tensor:
        """The same map one step at a time: x_t = Ā x_{t−1} + B̄ u_t, y_t = 2 Re(C x_t) + D u_t, with the
        state x (B, H, N/2) complex, kept as (real, imaginary)."""
        la, th, gr, gi = self.discrete()  # C is folded into B̄ here (the state is scaled by C)
        pr, pi = la.exp() * th.cos(), la.exp() * th.sin()  # Ā
        sr = u.new_zeros(u.shape[0], self.h, self.n)
        si = torch.zeros_like(sr)
        out = []
        for t in range(u.shape[1]):
            ut = u[:, t, :, None]  # (B, H, 1)
            sr, si = pr * sr - pi * si + gr * ut, pr * si + pi * sr + gi * ut
            out.append(2 * sr.sum(-1) + self.D * u[:, t])
        return torch.stack(out, 1)  # (B, L, H)


class S4Block(nn.Module):
    """x + dropout(GLU(W · GELU(S4D(x)))), then LayerNorm (post-norm, as in the reference example)."""

    def __init__(self, cfg: S4Config):
        super().__init__()
        h = cfg.embed_dim
        self.ssm = S4DLayer(h, cfg.state_dim, cfg.init, cfg.discretization, cfg.dt_min, cfg.dt_max)
        self.act = nn.GELU()
        self.drop = nn.Dropout(cfg.dropout)
        self.output_linear = nn.Linear(h, 2 * h)  # the reference's 1×1 Conv1d to 2H, then a GLU
        self.glu = nn.GLU(dim=-1)
        self.norm = nn.LayerNorm(h)

    def forward(self, x: torch.Tensor, mode: str = "conv") -> torch.Tensor:
        z = self.drop(self.act(self.ssm(x, mode)))
        z = self.drop(self.glu(self.output_linear(z)))
        return self.norm(x + z)


class S4Model(nn.Module):
    """tokens (B, L) or features (B, L, in_dim) -> scores (B, L, num_outputs), or (B, num_outputs) pooled."""

    def __init__(self, cfg: S4Config):
        super().__init__()
        self.cfg = cfg
        h = cfg.embed_dim
        self.encoder = nn.Embedding(cfg.vocab_size, h) if cfg.vocab_size else nn.Linear(cfg.in_dim, h)
        self.layers = nn.ModuleList(S4Block(cfg) for _ in range(cfg.num_layers))
        self.decoder = nn.Linear(h, cfg.num_outputs)

    def forward(self, x: torch.Tensor, mode: Literal["conv", "recurrent"] = "conv") -> torch.Tensor:
        h = self.encoder(x)  # (B, L, H)
        for layer in self.layers:
            h = layer(h, mode)
        if self.cfg.pool == "mean":
            h = h.mean(1)  # (B, H)
        return self.decoder(h)


def example_input(cfg: S4Config) -> torch.Tensor:
    if cfg.vocab_size:
        return torch.randint(0, cfg.vocab_size, (2, cfg.seq_len))  # (B, L)
    return torch.randn(2, cfg.seq_len, cfg.in_dim)  # (B, L, in_dim)


register(
    ArchSpec(
        name="s4",
        title="S4 (diagonal, S4D)",
        family="beyond",
        year=2022,
        paper=Paper(
            "A. Gu, A. Gupta, K. Goel, C. Ré",
            2022,
            "On the Parameterization and Initialization of Diagonal State Space Models (S4D); S4: Gu, Goel & "
            "Ré, Efficiently Modeling Long Sequences with Structured State Spaces, arXiv 2111.00396",
            arxiv="2206.11893",
        ),
        summary="A linear time-invariant state space per channel, HiPPO-initialised and discretised with a "
        "learned step: one long causal convolution for training, a recurrence for generation.",
        tasks=("sequence modelling", "sequence classification"),
        config=S4Config,
        build=S4Model,
        example_input=example_input,
        presets={
            "tiny": {"embed_dim": 32, "num_layers": 2, "state_dim": 16, "seq_len": 32},
            # state-spaces/s4 example.py defaults on sequential CIFAR (RGB, 1024 steps)
            "canonical": dict(
                vocab_size=0,
                in_dim=3,
                num_outputs=10,
                pool="mean",
                embed_dim=128,
                num_layers=4,
                state_dim=64,
                init="lin",
                discretization="zoh",
                dropout=0.1,
                seq_len=1024,
            ),
        },
        published_params=201_482,
        published_source="state-spaces/s4 example.py (S4D, d_model 128, 4 layers, N 64, sequential CIFAR): "
        "'88% on sequential CIFAR with a model of 200K parameters' (models/s4/README.md); 201,482 counted "
        "exactly from that script's S4Model and s4d.py (no exact count is published)",
    )
)
