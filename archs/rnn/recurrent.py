"""Recurrent networks: Elman RNN, LSTM, GRU (each stackable and bidirectional), BiLSTM, and two
convolutional sequence models, the TCN and Kim's text CNN. The encoder-decoder with Bahdanau attention
lives in ``archs/rnn_seq2seq.py``.

Papers: Elman (1990) "Finding structure in time"; Hochreiter & Schmidhuber (1997) "Long short-term
memory"; Cho et al. (2014) arXiv 1406.1078 (GRU); Schuster & Paliwal (1997) "Bidirectional recurrent
neural networks"; Graves & Schmidhuber (2005) (BiLSTM); Bai, Kolter & Koltun (2018) arXiv 1803.01271
(TCN); Kim (2014) arXiv 1408.5882 (CNN for sentence classification).

No canonical presets: none of these papers publishes one parameter count independent of its data set's
vocabulary and input size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.recurrent import Recurrent
from archs.blocks.temporal import TemporalBlock
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class SequenceConfig(Config):
    """Fields shared by every sequence model on this page (the input side and the read-out)."""

    vocab_size: int = hp(
        0,
        lo=0,
        hi=50_000,
        help="0: each time step is a vector of input_dim real numbers. More than 0: each step is a "
        "token id (0 … vocab_size−1) that an embedding table turns into a vector of embed_dim numbers.",
    )
    input_dim: int = hp(4, lo=1, hi=4096, help="Numbers per time step when the inputs are real-valued.")
    embed_dim: int = hp(16, lo=1, hi=1024, help="Length of each token's learned embedding vector.")
    hidden_dim: int = hp(
        32, lo=1, hi=4096, help="Size of the hidden state hₜ: the network's memory between time steps."
    )
    num_layers: int = hp(
        1, lo=1, hi=8, help="Recurrent layers stacked: each layer reads the sequence of the one below."
    )
    num_classes: int = hp(4, lo=1, hi=50_000, help="Outputs per prediction: one score per class.")
    readout: Literal["last", "sequence"] = hp(
        "last",
        help="last: one prediction from the final state (many-to-one, e.g. classify a sentence). "
        "sequence: one prediction at every time step (many-to-many, e.g. tag every word).",
    )
    dropout: float = hp(
        0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout between stacked layers while training (0: none)."
    )
    seq_len: int = hp(
        8,
        lo=1,
        hi=512,
        help="Length of the example sequence used to draw the graph and count operations. The network "
        "itself reads sequences of any length.",
    )

    @property
    def in_dim(self) -> int:
        return self.embed_dim if self.vocab_size else self.input_dim


@dataclass(frozen=True)
class RecurrentConfig(SequenceConfig):
    bidirectional: bool = hp(
        False,
        help="Run a second layer from the end of the sequence to its start and concatenate both "
        "states: every output then sees the past and the future.",
    )


@dataclass(frozen=True)
class ElmanConfig(RecurrentConfig):
    nonlinearity: Literal["tanh", "relu"] = hp(
        "tanh", help="σ in hₜ = σ(Wₕₕ·hₜ₋₁ + Wₓₕ·xₜ + b): tanh (Elman's choice) or ReLU."
    )


@dataclass(frozen=True)
class LSTMConfig(RecurrentConfig):
    forget_bias: float = hp(
        1.0,
        lo=-5.0,
        hi=10.0,
        step=0.5,
        help="Initial bias of the forget gate. Positive values start the cell remembering (f = σ(b) ≈ 1): "
        "1 is the usual choice; larger values help over long lags.",
    )


@dataclass(frozen=True)
class BiRecurrentConfig(LSTMConfig):
    bidirectional: bool = hp(True, help="Read the sequence both ways (a BiLSTM does, by definition).")


def sequence_input(cfg: SequenceConfig, batch: int = 2) -> torch.Tensor:
    """An example batch: token ids (B, T) or real vectors (B, T, input_dim)."""
    if cfg.vocab_size:
        return torch.randint(0, cfg.vocab_size, (batch, cfg.seq_len))
    return torch.randn(batch, cfg.seq_len, cfg.input_dim)


class Embed(nn.Module):
    """Token ids -> embedding vectors, or real vectors passed through unchanged."""

    def __init__(self, cfg: SequenceConfig):
        super().__init__()
        self.table = nn.Embedding(cfg.vocab_size, cfg.embed_dim) if cfg.vocab_size else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.table(x) if self.table is not None else x  # (B, T, C)


class RecurrentNet(nn.Module):
    """Embedding (if tokens) -> stacked recurrent layers -> a linear read-out, y_t = W_hy h_t + b_y.

    ``forward(x, return_internals=True)`` also returns the Recurrent layer's record: hidden states
    and gate activations of every layer, direction and step."""

    def __init__(self, cfg: SequenceConfig, kind: str):
        super().__init__()
        self.cfg, self.kind = cfg, kind
        self.embed = Embed(cfg)
        self.rnn = Recurrent(
            kind,
            cfg.in_dim,
            cfg.hidden_dim,
            cfg.num_layers,
            getattr(cfg, "bidirectional", False),
            getattr(cfg, "nonlinearity", "tanh"),
            cfg.dropout,
            getattr(cfg, "forget_bias", 1.0),
        )
        self.head = nn.Linear(cfg.hidden_dim * self.rnn.num_dirs, cfg.num_classes)

    def forward(self, x: torch.Tensor, return_internals: bool = False):
        out, _, rec = self.rnn(self.embed(x), record=return_internals)  # (B, T, D*H)
        if self.cfg.readout == "last":
            H = self.cfg.hidden_dim
            # the forward direction ends at the last step, the backward one at the first
            out = out[:, -1] if self.rnn.num_dirs == 1 else torch.cat([out[:, -1, :H], out[:, 0, H:]], -1)
        y = self.head(out)  # (B, C) or (B, T, C)
        return (y, rec) if return_internals else y


# ------------------------------------------------------------------------------------------------ TCN


@dataclass(frozen=True)
class TCNConfig(SequenceConfig):
    kernel_size: int = hp(3, lo=2, hi=16, help="Taps of each causal convolution.")
    weight_norm: bool = hp(True, help="Weight normalisation on every convolution, as in Bai et al.")

    @property
    def receptive_field(self) -> int:
        # two convolutions per block, dilation 2^i in block i
        return 1 + 2 * (self.kernel_size - 1) * (2**self.num_layers - 1)


class TCN(nn.Module):
    """Temporal convolutional network: blocks with dilations 1, 2, 4, …; the receptive field grows
    exponentially with depth, and every output depends only on the past."""

    def __init__(self, cfg: TCNConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = Embed(cfg)
        dims = [cfg.in_dim] + [cfg.hidden_dim] * cfg.num_layers
        self.blocks = nn.Sequential(
            *[
                TemporalBlock(dims[i], dims[i + 1], cfg.kernel_size, 2**i, cfg.dropout, cfg.weight_norm)
                for i in range(cfg.num_layers)
            ]
        )
        self.head = nn.Linear(cfg.hidden_dim, cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.blocks(self.embed(x).transpose(1, 2)).transpose(1, 2)  # (B, T, C)
        return self.head(h[:, -1] if self.cfg.readout == "last" else h)


# ------------------------------------------------------------------------------------------- text CNN


@dataclass(frozen=True)
class TextCNNConfig(Config):
    vocab_size: int = hp(1000, lo=2, hi=100_000, help="Distinct tokens (words) the embedding table holds.")
    embed_dim: int = hp(32, lo=1, hi=1024, help="Length of each word vector (Kim used 300, from word2vec).")
    kernel_sizes: tuple[int, ...] = hp(
        (3, 4, 5), lo=1, hi=32, max_len=8, help="Window widths, in words, of the filter groups."
    )
    num_filters: int = hp(16, lo=1, hi=1024, help="Filters (feature maps) per window width (Kim: 100).")
    num_classes: int = hp(2, lo=1, hi=1000, help="Classes of the sentence (2: positive / negative).")
    dropout: float = hp(0.5, lo=0.0, hi=0.9, step=0.05, help="Dropout before the read-out (Kim: 0.5).")
    seq_len: int = hp(20, lo=1, hi=1024, help="Words in the example sentence used for the graph.")

    def validate(self) -> None:
        if not self.kernel_sizes:
            raise ConfigError("kernel_sizes is empty: give at least one window width, like 3, 4, 5.")
        if max(self.kernel_sizes) > self.seq_len:
            raise ConfigError(
                f"The widest window ({max(self.kernel_sizes)}) is longer than the example sentence "
                f"(seq_len {self.seq_len}); lengthen the sentence or narrow the window."
            )


class TextCNN(nn.Module):
    """Kim (2014): embed words, convolve windows of several widths, max-pool each feature map over
    time, concatenate, dropout, and a linear classifier."""

    def __init__(self, cfg: TextCNNConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        self.convs = nn.ModuleList(nn.Conv1d(cfg.embed_dim, cfg.num_filters, k) for k in cfg.kernel_sizes)
        self.drop = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(cfg.num_filters * len(cfg.kernel_sizes), cfg.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e = self.embed(x).transpose(1, 2)  # (B, E, T)
        pooled = [F.relu(conv(e)).amax(dim=-1) for conv in self.convs]  # each (B, F)
        return self.head(self.drop(torch.cat(pooled, dim=-1)))  # (B, classes)


# ------------------------------------------------------------------------------------------ registry

_TINY = {"vocab_size": 10, "embed_dim": 8, "hidden_dim": 16, "num_classes": 4, "seq_len": 8}
_ELMAN = Paper(
    "J. L. Elman", 1990, "Finding structure in time", url="https://doi.org/10.1207/s15516709cog1402_1"
)
_LSTM = Paper(
    "S. Hochreiter, J. Schmidhuber",
    1997,
    "Long short-term memory",
    url="https://doi.org/10.1162/neco.1997.9.8.1735",
)
_GRU = Paper(
    "K. Cho, B. van Merriënboer, C. Gulcehre, D. Bahdanau, F. Bougares, H. Schwenk, Y. Bengio",
    2014,
    "Learning phrase representations using RNN encoder-decoder for statistical machine translation",
    arxiv="1406.1078",
)
_BI = Paper(
    "A. Graves, J. Schmidhuber",
    2005,
    "Framewise phoneme classification with bidirectional LSTM and other neural network architectures",
    url="https://doi.org/10.1016/j.neunet.2005.06.042",
)

for name, title, year, paper, cfg_cls, kind, summary in (
    (
        "rnn",
        "Elman RNN",
        1990,
        _ELMAN,
        ElmanConfig,
        "rnn",
        "One hidden state updated at every step: hₜ = σ(W·hₜ₋₁ + U·xₜ + b).",
    ),
    (
        "lstm",
        "LSTM",
        1997,
        _LSTM,
        LSTMConfig,
        "lstm",
        "A gated cell state that can carry information across long lags.",
    ),
    (
        "gru",
        "GRU",
        2014,
        _GRU,
        RecurrentConfig,
        "gru",
        "Two gates (update, reset) and no separate cell: a lighter LSTM.",
    ),
    (
        "bilstm",
        "Bidirectional LSTM",
        2005,
        _BI,
        BiRecurrentConfig,
        "lstm",
        "Two LSTMs, one reading forwards and one backwards, outputs concatenated.",
    ),
):
    register(
        ArchSpec(
            name=name,
            title=title,
            family="rnn",
            year=year,
            paper=paper,
            summary=summary,
            tasks=("sequence classification", "sequence labelling", "forecasting"),
            config=cfg_cls,
            build=lambda cfg, kind=kind: RecurrentNet(cfg, kind),
            example_input=sequence_input,
            presets={
                "tiny": dict(_TINY),
                "stacked": {**_TINY, "num_layers": 2},
                "bidirectional": {**_TINY, "bidirectional": True},
                "signal": {"vocab_size": 0, "input_dim": 4, "hidden_dim": 16, "seq_len": 12},
            },
        )
    )

register(
    ArchSpec(
        name="tcn",
        title="Temporal convolutional network (TCN)",
        family="rnn",
        year=2018,
        paper=Paper(
            "S. Bai, J. Z. Kolter, V. Koltun",
            2018,
            "An empirical evaluation of generic convolutional and recurrent networks for sequence modeling",
            arxiv="1803.01271",
        ),
        summary="Dilated causal convolutions in residual blocks: a long memory without recurrence.",
        tasks=("sequence classification", "forecasting"),
        config=TCNConfig,
        build=TCN,
        example_input=sequence_input,
        presets={
            "tiny": {**_TINY, "num_layers": 3},
            "signal": {"input_dim": 4, "hidden_dim": 16, "seq_len": 16},
        },
    )
)

register(
    ArchSpec(
        name="text_cnn",
        title="Text CNN (Kim)",
        family="rnn",
        year=2014,
        paper=Paper(
            "Y. Kim", 2014, "Convolutional neural networks for sentence classification", arxiv="1408.5882"
        ),
        summary="Windows of 3, 4, 5 words convolved over word embeddings, max-pooled over the sentence.",
        tasks=("sentence classification",),
        config=TextCNNConfig,
        build=TextCNN,
        example_input=lambda cfg: torch.randint(0, cfg.vocab_size, (2, cfg.seq_len)),
        presets={
            "tiny": {"vocab_size": 50, "embed_dim": 8, "num_filters": 4, "seq_len": 12},
            # Kim's sizes (embeddings 300, 100 maps per width 3/4/5, dropout 0.5);
            # the vocabulary depends on the corpus
            "paper_sizes": {"vocab_size": 20_000, "embed_dim": 300, "num_filters": 100, "seq_len": 50},
        },
    )
)
