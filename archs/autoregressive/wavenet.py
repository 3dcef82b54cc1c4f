"""WaveNet: van den Oord, Dieleman, Zen, Simonyan, Vinyals, Graves, Kalchbrenner, Senior & Kavukcuoglu
(2016), "WaveNet: A Generative Model for Raw Audio", arXiv 1609.03499, §2 and Figure 4.

Audio is a sequence of samples, p(x) = ∏ p(x_t | x_<t), each sample μ-law companded to 256 levels and
predicted by a softmax (§2.2). The network is convolutional:

- a **causal** convolution turns the one-hot levels into ``residual_channels`` features (§2.1);
- a stack of **dilated causal** convolutions of width 2 whose dilation doubles layer by layer, 1, 2, 4, …,
  512, and then starts again (the paper's example repeats the cycle three times): the receptive field grows
  exponentially with depth, 1 + (k − 1)(1 + Σ d) samples, 3,071 for three cycles of ten;
- each layer is a **gated activation unit** z = tanh(W_f ∗ x) ⊙ σ(W_g ∗ x) (§2.3), followed by a 1×1
  convolution back to the residual stream (added to the layer's input, §2.4) and another 1×1 to the
  **skip** channels; the skips of every layer are summed, then ReLU, 1×1, ReLU, 1×1 and the softmax.

``forward(x)`` takes levels (B, T) int64 and returns logits (B, levels, T); output t is the distribution
of sample t + 1 and depends on x_0 … x_t only. No canonical preset: the paper gives neither widths nor a
parameter count. The ``paper`` preset has its dilation schedule (1 … 512, three times, width 2) and 256
μ-law levels; its channel widths (32 residual and dilation, 512 skip) are those of a widely used
re-implementation (ibab/tensorflow-wavenet), not the paper's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.temporal import CausalConv
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class WaveNetConfig(Config):
    num_levels: int = hp(
        64,
        lo=2,
        hi=65_536,
        help="μ-law levels of one sample, and the size of each step's softmax (256 in the paper).",
    )
    residual_channels: int = hp(32, lo=1, hi=1024, help="Width of the residual stream between the layers.")
    dilation_channels: int = hp(
        32, lo=1, hi=1024, help="Width of each gated unit: tanh(filter) ⊙ σ(gate), each this many channels."
    )
    skip_channels: int = hp(
        32, lo=1, hi=4096, help="Width of the skip connections that every layer adds into the output."
    )
    kernel_size: int = hp(
        2,
        lo=1,
        hi=8,
        help="Taps of each dilated causal convolution (2 in the paper: this sample and one d samples back).",
    )
    input_encoding: Literal["onehot", "scalar"] = hp(
        "onehot",
        help="How a sample enters the first causal convolution. onehot: a vector with a 1 at its level (as "
        "the paper's softmax classes); scalar: one number, the companded value in [−1, 1], so that nearby "
        "levels start out alike (faster to learn on small data).",
    )
    num_layers: int = hp(6, lo=0, hi=120, help="Dilated causal layers in all (30 for three cycles of ten).")
    dilation_cycle: int = hp(
        6,
        lo=1,
        hi=16,
        help="Layers per cycle: dilations 1, 2, 4, … doubling to the end of the cycle, then again from 1 "
        "(10 in the paper: 1 … 512).",
    )

    @property
    def dilations(self) -> list[int]:
        return [2 ** (i % self.dilation_cycle) for i in range(self.num_layers)]

    @property
    def receptive_field(self) -> int:
        """Samples one output sees: the causal input conv and every dilated layer add (k − 1)·d."""
        return 1 + (self.kernel_size - 1) * (1 + sum(self.dilations))

    def validate(self) -> None:
        if self.num_layers < 1:
            raise ConfigError(
                "num_layers must be at least 1: with no dilated layer there is no stack, and nothing reaches "
                "the skip connections the output is made of."
            )
        if self.kernel_size < 2:
            raise ConfigError(
                "kernel_size must be at least 2: a one-tap causal convolution sees only the present "
                "sample, so no dilation can reach into the past."
            )
        if self.dilation_cycle > self.num_layers:
            raise ConfigError(
                f"dilation_cycle ({self.dilation_cycle}) exceeds num_layers ({self.num_layers}): one cycle "
                f"of dilations 1 … {2 ** (self.dilation_cycle - 1)} needs {self.dilation_cycle} layers. Add "
                "layers or shorten the cycle."
            )
        if self.num_layers % self.dilation_cycle:
            raise ConfigError(
                f"num_layers ({self.num_layers}) must be a multiple of dilation_cycle "
                f"({self.dilation_cycle}): the stack repeats whole cycles 1, 2, 4, …, as in the paper."
            )


class OneHot(nn.Module):
    """Levels (B, T) -> one-hot (B, L, T) floats (a comparison, so that it exports to ONNX)."""

    def __init__(self, levels: int):
        super().__init__()
        self.register_buffer("ids", torch.arange(levels)[None, :, None], persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x[:, None, :] == self.ids).float()  # (B, L, T)


class Companded(nn.Module):
    """Levels (B, T) -> (B, 1, T): each level's bin centre on the companded axis, in [−1, 1]."""

    def __init__(self, levels: int):
        super().__init__()
        self.levels = levels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return ((x.float() + 0.5) * (2 / self.levels) - 1)[:, None, :]  # (B, 1, T)


class GatedResidual(nn.Module):
    """One layer of Figure 4: dilated causal conv -> tanh ⊙ σ -> 1×1 to the residual (+ x) and to the skip."""

    def __init__(self, cfg: WaveNetConfig, dilation: int, last: bool = False):
        super().__init__()
        D = cfg.dilation_channels
        self.dilation = dilation
        self.conv = CausalConv(cfg.residual_channels, 2 * D, cfg.kernel_size, dilation, wn=False)
        # the last layer's residual output would feed nothing: only its skip reaches the output
        self.res = None if last else nn.Conv1d(D, cfg.residual_channels, 1)
        self.skip = nn.Conv1d(D, cfg.skip_channels, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f, g = self.conv(x).chunk(2, dim=1)  # (B, D, T) each
        z = torch.tanh(f) * torch.sigmoid(g)
        h = x if self.res is None else x + self.res(z)
        return h, self.skip(z)  # (B, R, T), (B, S, T)


class WaveNet(nn.Module):
    """One-hot levels -> causal conv -> gated dilated residual layers -> Σ skips -> ReLU-1×1-ReLU-1×1."""

    def __init__(self, cfg: WaveNetConfig):
        super().__init__()
        self.cfg = cfg
        one_hot = cfg.input_encoding == "onehot"
        self.encode = OneHot(cfg.num_levels) if one_hot else Companded(cfg.num_levels)
        c_in = cfg.num_levels if one_hot else 1
        self.causal = CausalConv(c_in, cfg.residual_channels, cfg.kernel_size, 1, wn=False)
        last = len(cfg.dilations) - 1
        self.layers = nn.ModuleList(GatedResidual(cfg, d, i == last) for i, d in enumerate(cfg.dilations))
        self.post1 = nn.Conv1d(cfg.skip_channels, cfg.skip_channels, 1)
        self.post2 = nn.Conv1d(cfg.skip_channels, cfg.num_levels, 1)

    @property
    def receptive_field(self) -> int:
        return self.cfg.receptive_field

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.from_encoded(self.encode(x))

    def from_encoded(self, e: torch.Tensor) -> torch.Tensor:
        """The network after the input encoding: (B, L or 1, T) -> logits (B, L, T)."""
        h = self.causal(e)  # (B, R, T)
        skips = 0
        for layer in self.layers:
            h, s = layer(h)
            skips = skips + s  # (B, S, T)
        return self.post2(F.relu(self.post1(F.relu(skips))))  # (B, L, T): output t predicts x_{t+1}

    @torch.no_grad()
    def generate(
        self,
        context: torch.Tensor,
        steps: int,
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
        greedy: bool = False,
    ) -> torch.Tensor:
        """Continue ``context`` (B, T0) levels by ``steps`` samples, one at a time, each drawn from the
        softmax of the last output (or its argmax with ``greedy``); only the last receptive field is fed
        back. Returns (B, steps) int64."""
        if temperature <= 0:
            raise ValueError("the temperature must be positive")
        seq, out = context, []
        rf = self.receptive_field
        for _ in range(steps):
            logits = self(seq[:, -rf:])[:, :, -1] / temperature  # (B, L)
            if greedy:
                nxt = logits.argmax(1, keepdim=True)
            else:
                p = logits.softmax(1).float().cpu()
                nxt = torch.multinomial(p, 1, generator=generator).to(seq.device)
            out.append(nxt)
            seq = torch.cat([seq, nxt], 1)
        return torch.cat(out, 1)


def dependency(model: WaveNet, length: int, t: int | None = None, n: int = 2) -> torch.Tensor:
    """(length,): Σ |∂ logits at time t / ∂ encoded input| over ``n`` random clips (t defaults to the last
    step) — non-zero exactly at the inputs output t depends on, measured from the model's gradients."""
    t = length - 1 if t is None else t
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, model.cfg.num_levels, (n, length), generator=g).to(next(model.parameters()).device)
    with torch.enable_grad():
        e = model.encode(x).detach().requires_grad_(True)  # (n, L or 1, T)
        out = model.from_encoded(e)[:, :, t]  # (n, L)
        (grad,) = torch.autograd.grad(out.abs().sum(), e)
    return grad.abs().sum((0, 1)).detach().cpu()


PAPER = dict(
    num_levels=256,
    residual_channels=32,
    dilation_channels=32,
    skip_channels=512,
    kernel_size=2,
    num_layers=30,
    dilation_cycle=10,
)

register(
    ArchSpec(
        name="wavenet",
        title="WaveNet",
        family="autoregressive",
        year=2016,
        paper=Paper(
            "A. van den Oord, S. Dieleman, H. Zen, K. Simonyan, O. Vinyals, A. Graves, N. Kalchbrenner, "
            "A. Senior, K. Kavukcuoglu",
            2016,
            "WaveNet: A Generative Model for Raw Audio",
            arxiv="1609.03499",
        ),
        summary="Dilated causal convolutions with gated units predict each μ-law audio sample from the "
        "thousands before it; sound is generated one sample at a time.",
        tasks=("generation", "audio"),
        config=WaveNetConfig,
        build=WaveNet,
        example_input=lambda cfg: torch.randint(0, cfg.num_levels, (1, min(cfg.receptive_field, 4096))),
        presets={"tiny": {}, "paper": PAPER},
    )
)
