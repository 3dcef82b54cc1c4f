"""Time-series forecasting models: a window of past values in, the next ``horizon`` values out.

Every model here maps an input window (B, window, in_features) to a forecast (B, horizon, num_outputs)
by the *direct* multi-step strategy: one read-out predicts all horizon steps at once (no feeding
predictions back in). Papers:

- LSTM: Hochreiter & Schmidhuber (1997), "Long short-term memory".
- GRU: Cho et al. (2014), "Learning phrase representations using RNN encoder-decoder for statistical
  machine translation", arXiv:1406.1078.
- BiLSTM: Schuster & Paliwal (1997), "Bidirectional recurrent neural networks"; with LSTM cells as in
  Graves & Schmidhuber (2005).
- TCN: Bai, Kolter & Koltun (2018), "An empirical evaluation of generic convolutional and recurrent
  networks for sequence modeling", arXiv:1803.01271 — residual blocks of two dilated causal
  convolutions (weight-normalised, ReLU, dropout), dilation doubling per block.
- Transformer encoder: Vaswani et al. (2017), "Attention is all you need", arXiv:1706.03762 — here the
  encoder only, pre-norm, learned positions, with attention computed explicitly so it can be shown.
- Linear autoregression: y_{t+h} = c_h + Σ_i Σ_c a_{h,i,c} x_{t-i,c}, the classical AR(p) model with
  p = window, fitted by gradient descent on the same loss as the networks.

The recurrent models use torch.nn's fused LSTM/GRU (the Recurrent networks page shows hand-written
cells and their gates; here the point is forecasting). No published "canonical" sizes exist for these
forecasters, so they have only a tiny preset and a few named ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.blocks.temporal import TemporalBlock
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp

FAMILY = "forecasting"


@dataclass(frozen=True)
class ForecastConfig(Config):
    """Fields every forecaster shares: the shape of the problem, fixed by the data."""

    in_features: int = hp(
        1,
        lo=1,
        hi=64,
        help="Series fed in at each time step (1 for a single series, 4 for Open/High/Low/Close).",
    )
    num_outputs: int = hp(1, lo=1, hi=64, help="Series predicted at each future step.")
    window: int = hp(
        48,
        lo=2,
        hi=1024,
        help="Look-back: how many past time steps the model sees to make one forecast.",
    )
    horizon: int = hp(1, lo=1, hi=128, help="How many steps ahead are predicted at once (1 = next value).")
    subtract_last: bool = hp(
        True,
        help="Subtract the window's last value from every input step and add it back to the forecast "
        "(the NLinear trick of Zeng et al., 2023): the model learns changes rather than levels, so a trend "
        "that carries the series beyond the training range does not throw it off.",
    )

    def validate(self) -> None:
        if self.subtract_last and self.num_outputs > self.in_features:
            raise ConfigError(
                f"subtract_last needs every predicted series among the inputs, but num_outputs "
                f"({self.num_outputs}) is larger than in_features ({self.in_features}); turn it off."
            )


class Forecaster(nn.Module):
    """Base of every forecaster: ``core`` maps (B, window, C) to (B, horizon, C_out); with
    ``subtract_last`` it sees the window relative to its last value, and that value is added back (the
    predicted series are the first C_out input series)."""

    cfg: ForecastConfig

    def core(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.cfg.subtract_last:
            return self.core(x)
        last = x[:, -1:, :]  # (B, 1, C)
        return self.core(x - last) + last[:, :, : self.cfg.num_outputs]  # (B, horizon, C_out)


@dataclass(frozen=True)
class RecurrentForecastConfig(ForecastConfig):
    hidden_dim: int = hp(32, lo=1, hi=1024, help="Size of the hidden state hₜ: the model's memory.")
    num_layers: int = hp(
        1, lo=1, hi=8, help="Recurrent layers stacked: each reads the hidden states of the one below."
    )
    dropout: float = hp(
        0.0,
        lo=0.0,
        hi=0.9,
        step=0.05,
        help="Dropout between stacked layers while training (needs num_layers ≥ 2 to have an effect).",
    )


class RecurrentForecaster(Forecaster):
    """An LSTM or GRU reads the window; its last hidden state is read out linearly to the forecast."""

    def __init__(self, cfg: RecurrentForecastConfig, cell: Literal["lstm", "gru"], bidirectional: bool):
        super().__init__()
        self.cfg = cfg
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(
            cfg.in_features,
            cfg.hidden_dim,
            num_layers=cfg.num_layers,
            batch_first=True,
            dropout=cfg.dropout if cfg.num_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        self.bidirectional = bidirectional
        self.head = nn.Linear(cfg.hidden_dim * (2 if bidirectional else 1), cfg.horizon * cfg.num_outputs)

    def core(self, x: torch.Tensor) -> torch.Tensor:
        seq, _ = self.rnn(x)  # (B, T, D·hidden)
        H = self.cfg.hidden_dim
        if self.bidirectional:
            # forward direction's state after the last step, backward direction's after the first:
            # each has then read the whole window
            last = torch.cat([seq[:, -1, :H], seq[:, 0, H:]], dim=-1)  # (B, 2·hidden)
        else:
            last = seq[:, -1]  # (B, hidden)
        out = self.head(last)  # (B, horizon·num_outputs)
        return out.view(-1, self.cfg.horizon, self.cfg.num_outputs)  # (B, horizon, num_outputs)


@dataclass(frozen=True)
class TCNConfig(ForecastConfig):
    hidden_dim: int = hp(32, lo=1, hi=1024, help="Channels of every convolution.")
    num_layers: int = hp(
        4,
        lo=1,
        hi=12,
        help="Residual blocks; block i uses dilation 2ⁱ, so the receptive field doubles with each block.",
    )
    kernel_size: int = hp(3, lo=2, hi=16, help="Taps of each causal convolution.")
    dropout: float = hp(0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout after each convolution while training.")
    weight_norm: bool = hp(
        True, help="Weight normalisation w = g·v/‖v‖ on the convolutions, as in the paper."
    )

    @property
    def receptive_field(self) -> int:
        # each block has two convolutions of dilation d: each adds (k-1)·d steps of history
        return 1 + 2 * (self.kernel_size - 1) * (2**self.num_layers - 1)


class TCNForecaster(Forecaster):
    def __init__(self, cfg: TCNConfig):
        super().__init__()
        self.cfg = cfg
        chans = [cfg.in_features] + [cfg.hidden_dim] * cfg.num_layers
        self.blocks = nn.Sequential(
            *[
                TemporalBlock(chans[i], chans[i + 1], cfg.kernel_size, 2**i, cfg.dropout, cfg.weight_norm)
                for i in range(cfg.num_layers)
            ]
        )
        self.head = nn.Linear(cfg.hidden_dim, cfg.horizon * cfg.num_outputs)

    def core(self, x: torch.Tensor) -> torch.Tensor:
        h = self.blocks(x.transpose(1, 2))  # (B, C, T): convolutions run over time
        out = self.head(h[:, :, -1])  # the last step's features have seen the whole receptive field
        return out.view(-1, self.cfg.horizon, self.cfg.num_outputs)  # (B, horizon, num_outputs)


@dataclass(frozen=True)
class TransformerForecastConfig(ForecastConfig):
    embed_dim: int = hp(
        32, lo=4, hi=1024, step=4, help="Width of each time step's vector inside the encoder."
    )
    depth: int = hp(2, lo=1, hi=12, help="Encoder blocks (attention + MLP) stacked.")
    num_heads: int = hp(4, lo=1, hi=16, help="Attention heads: each attends over the window on its own.")
    mlp_ratio: float = hp(
        2.0, lo=1.0, hi=8.0, step=0.5, help="The MLP's hidden width as a multiple of embed_dim."
    )
    dropout: float = hp(0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout on attention weights and MLP outputs.")

    def validate(self) -> None:
        super().validate()
        if self.embed_dim % self.num_heads:
            raise ConfigError(
                f"embed_dim ({self.embed_dim}) must be divisible by num_heads ({self.num_heads}): "
                "each head gets an equal slice of the vector."
            )


class SelfAttention(nn.Module):
    """Multi-head self-attention with the weights softmax(QKᵀ/√d) computed explicitly."""

    def __init__(self, cfg: TransformerForecastConfig):
        super().__init__()
        self.nh = cfg.num_heads
        self.qkv = nn.Linear(cfg.embed_dim, 3 * cfg.embed_dim)
        self.proj = nn.Linear(cfg.embed_dim, cfg.embed_dim)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)  # 3 × (B, T, C)
        q, k, v = (
            t.reshape(B, T, self.nh, C // self.nh).transpose(1, 2) for t in (q, k, v)
        )  # (B, nh, T, hs)
        att = (q @ k.transpose(-2, -1) / math.sqrt(C // self.nh)).softmax(-1)  # (B, nh, T, T)
        y = (self.drop(att) @ v).transpose(1, 2).reshape(B, T, C)  # (B, T, C)
        return (self.proj(y), att) if return_attention else self.proj(y)


class EncoderBlock(nn.Module):
    """Pre-norm block: x + Attn(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, cfg: TransformerForecastConfig):
        super().__init__()
        hidden = int(cfg.embed_dim * cfg.mlp_ratio)
        self.ln1 = nn.LayerNorm(cfg.embed_dim)
        self.attn = SelfAttention(cfg)
        self.ln2 = nn.LayerNorm(cfg.embed_dim)
        self.mlp = nn.Sequential(
            nn.Linear(cfg.embed_dim, hidden),
            nn.GELU(),
            nn.Linear(hidden, cfg.embed_dim),
            nn.Dropout(cfg.dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TransformerForecaster(Forecaster):
    """Each time step is projected to embed_dim, given a learned position, encoded; the last step's
    vector (which attended over the whole window) is read out to the forecast."""

    def __init__(self, cfg: TransformerForecastConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Linear(cfg.in_features, cfg.embed_dim)
        self.pos = nn.Parameter(torch.randn(1, cfg.window, cfg.embed_dim) * 0.02)
        self.blocks = nn.Sequential(*[EncoderBlock(cfg) for _ in range(cfg.depth)])
        self.ln = nn.LayerNorm(cfg.embed_dim)
        self.head = nn.Linear(cfg.embed_dim, cfg.horizon * cfg.num_outputs)

    def core(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x) + self.pos[:, -x.shape[1] :]  # (B, T, embed_dim)
        h = self.ln(self.blocks(h))
        out = self.head(h[:, -1])  # (B, horizon·num_outputs)
        return out.view(-1, self.cfg.horizon, self.cfg.num_outputs)

    @torch.no_grad()
    def attention(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Each block's attention weights (B, nh, T, T) for input ``x``."""
        x = x - x[:, -1:, :] if self.cfg.subtract_last else x
        h = self.embed(x) + self.pos[:, -x.shape[1] :]
        maps = []
        for blk in self.blocks:
            a, att = blk.attn(blk.ln1(h), return_attention=True)
            maps.append(att)
            h = h + a
            h = h + blk.mlp(blk.ln2(h))
        return maps


class LinearAR(Forecaster):
    """Linear autoregression of order p = window: one weight per (past step, input series, output)."""

    def __init__(self, cfg: ForecastConfig):
        super().__init__()
        self.cfg = cfg
        self.linear = nn.Linear(cfg.window * cfg.in_features, cfg.horizon * cfg.num_outputs)

    def core(self, x: torch.Tensor) -> torch.Tensor:
        out = self.linear(x.flatten(1))  # (B, window·in_features) -> (B, horizon·num_outputs)
        return out.view(-1, self.cfg.horizon, self.cfg.num_outputs)


def _window_input(cfg: ForecastConfig) -> torch.Tensor:
    return torch.randn(4, cfg.window, cfg.in_features)  # (B, T, C)


_TINY = {"window": 24, "horizon": 1}
_OHLC = {"in_features": 4, "num_outputs": 4}

_SPECS = [
    dict(
        name="forecast_lstm",
        title="LSTM forecaster",
        year=1997,
        paper=Paper(
            "S. Hochreiter, J. Schmidhuber",
            1997,
            "Long short-term memory",
            url="https://doi.org/10.1162/neco.1997.9.8.1735",
        ),
        summary="An LSTM reads the window; its last hidden state is mapped linearly to the next values.",
        config=RecurrentForecastConfig,
        build=lambda cfg: RecurrentForecaster(cfg, "lstm", False),
        presets={"tiny": {**_TINY, "hidden_dim": 32}, "ohlc": {**_OHLC, "hidden_dim": 32}},
    ),
    dict(
        name="forecast_gru",
        title="GRU forecaster",
        year=2014,
        paper=Paper(
            "K. Cho, B. van Merriënboer, C. Gulcehre, D. Bahdanau, F. Bougares, H. Schwenk, Y. Bengio",
            2014,
            "Learning phrase representations using RNN encoder-decoder for statistical machine translation",
            arxiv="1406.1078",
        ),
        summary="A GRU (update and reset gates, no separate cell) reads the window; a linear map forecasts.",
        config=RecurrentForecastConfig,
        build=lambda cfg: RecurrentForecaster(cfg, "gru", False),
        presets={"tiny": {**_TINY, "hidden_dim": 32}, "ohlc": {**_OHLC, "hidden_dim": 32}},
    ),
    dict(
        name="forecast_bilstm",
        title="BiLSTM forecaster",
        year=1997,
        paper=Paper(
            "M. Schuster, K. K. Paliwal",
            1997,
            "Bidirectional recurrent neural networks",
            url="https://doi.org/10.1109/78.650093",
        ),
        summary="Two LSTMs read the window forwards and backwards; both final states feed the forecast.",
        config=RecurrentForecastConfig,
        build=lambda cfg: RecurrentForecaster(cfg, "lstm", True),
        presets={"tiny": {**_TINY, "hidden_dim": 32}, "ohlc": {**_OHLC, "hidden_dim": 32}},
    ),
    dict(
        name="forecast_tcn",
        title="Temporal convolutional network (TCN)",
        year=2018,
        paper=Paper(
            "S. Bai, J. Z. Kolter, V. Koltun",
            2018,
            "An empirical evaluation of generic convolutional and recurrent networks for sequence modeling",
            arxiv="1803.01271",
        ),
        summary="Dilated causal convolutions with residual links; the receptive field doubles per block.",
        config=TCNConfig,
        build=TCNForecaster,
        presets={"tiny": {**_TINY, "hidden_dim": 16, "num_layers": 3}, "ohlc": {**_OHLC}},
    ),
    dict(
        name="forecast_transformer",
        title="Transformer encoder forecaster",
        year=2017,
        paper=Paper(
            "A. Vaswani, N. Shazeer, N. Parmar, J. Uszkoreit, L. Jones, A. N. Gomez, Ł. Kaiser, "
            "I. Polosukhin",
            2017,
            "Attention is all you need",
            arxiv="1706.03762",
        ),
        summary="Self-attention over the time steps of the window (encoder only); the last step is read out.",
        config=TransformerForecastConfig,
        build=TransformerForecaster,
        presets={"tiny": {**_TINY, "embed_dim": 16, "num_heads": 2, "depth": 1}, "ohlc": {**_OHLC}},
    ),
    dict(
        name="forecast_linear_ar",
        title="Linear autoregression (AR)",
        year=1927,
        paper=Paper(
            "G. U. Yule",
            1927,
            "On a method of investigating periodicities in disturbed series, with special reference to "
            "Wolfer's sunspot numbers",
            url="https://doi.org/10.1098/rsta.1927.0007",
        ),
        summary="The classical baseline: each forecast is a weighted sum of the window's values plus a bias.",
        config=ForecastConfig,
        build=LinearAR,
        presets={"tiny": {**_TINY}, "ohlc": {**_OHLC}},
    ),
]

for _s in _SPECS:
    register(
        ArchSpec(
            family=FAMILY,
            tasks=("forecasting",),
            example_input=_window_input,
            **_s,
        )
    )

FORECASTERS: tuple[str, ...] = tuple(s["name"] for s in _SPECS)
