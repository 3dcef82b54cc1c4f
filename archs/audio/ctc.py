"""A bidirectional LSTM trained with connectionist temporal classification (CTC) to transcribe speech.

A. Graves, A. Mohamed & G. Hinton (2013), "Speech Recognition with Deep Recurrent Neural Networks", ICASSP
(arXiv 1303.5778); CTC: A. Graves, S. Fernández, F. Gomez & J. Schmidhuber (2006), ICML.

Frames of a log-mel spectrogram go through ``num_layers`` bidirectional LSTM layers (each direction
``hidden_dim`` units; a layer reads both directions of the layer below) and a linear map to the symbols
plus one extra, the CTC *blank* (index 0). The output is a log-probability per frame and symbol, (B, T, C).
CTC sums over every way to spread the transcript over the T frames (repeats merged, blanks dropped), so
no frame-level alignment is ever needed; greedy decoding takes the best symbol per frame, merges repeats
and drops blanks (training/audio/metrics.py).

Graves et al.'s LSTM has *peephole* connections: the input and forget gates also look at the previous
cell state and the output gate at the new one (three extra vectors per layer and direction), and one bias
per gate. ``peephole=True`` builds that cell, unrolled in Python (``PeepholeLSTM``); ``peephole=False``
uses torch's fused ``nn.LSTM`` (no peepholes, two biases per gate, much faster): the tiny preset's
choice. The canonical preset is the paper's CTC-3L-250H on TIMIT: 123 inputs (40 filterbank coefficients
and energy, with first and second derivatives), 3 layers of 250 units per direction, 61 phonemes + blank
= 62 outputs. Table 1 lists 3.8M weights; the exact count of that network is 3,787,562 (derivation in the
ArchSpec's published_source; the same rule gives Table 1's 0.8M, 2.3M and 6.8M for its 1-, 2- and 5-layer
CTC networks, tested).

``subsample`` stacks k neighbouring frames into one (k times fewer, k times wider steps): the LSTM runs k
times fewer steps, a standard speed-up of CTC models (the frame rate must stay above the symbol rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class CTCConfig(Config):
    input_dim: int = hp(
        40, lo=1, hi=1024, help="Numbers per frame: mel bands (40 here; the paper: 123 filterbank features)."
    )
    num_frames: int = hp(100, lo=4, hi=5000, help="Frames of the example input (any length works).")
    num_classes: int = hp(
        28,
        lo=2,
        hi=5000,
        help="Output symbols including the blank at index 0: characters here, 61 TIMIT phonemes + blank in "
        "the paper.",
    )
    hidden_dim: int = hp(64, lo=1, hi=4096, help="LSTM units per direction in each layer.")
    num_layers: int = hp(
        2, lo=1, hi=12, help="Stacked bidirectional layers; the paper found depth mattered more than width."
    )
    peephole: bool = hp(
        False,
        help="Graves's LSTM with peephole connections (gates see the cell state), unrolled step by step in "
        "Python; off: torch's fused LSTM, several times faster to train.",
    )
    subsample: int = hp(
        1, lo=1, hi=8, help="Stack this many neighbouring frames into one step (2: half the steps)."
    )
    dropout: float = hp(0.0, lo=0.0, hi=0.9, step=0.05, help="Dropout between LSTM layers.")

    def __post_init__(self) -> None:
        if self.num_frames < self.subsample:
            raise ConfigError(
                f"num_frames ({self.num_frames}) is shorter than one stacked step of subsample "
                f"({self.subsample}) frames: lower subsample."
            )


class StackFrames(nn.Module):
    """(B, F, T) mel frames -> (B, T // k, F·k): k neighbouring frames side by side (the tail is cut)."""

    def __init__(self, k: int):
        super().__init__()
        self.k = k

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2)  # (B, T, F)
        B, T, F = x.shape
        T = (T // self.k) * self.k
        return x[:, :T].reshape(B, T // self.k, F * self.k)  # (B, T/k, F·k)


class PeepholeLSTM(nn.Module):
    """One direction of Graves's LSTM: gates i, f, c, o; i and f see c_{t-1}, o sees c_t (peepholes)."""

    def __init__(self, input_size: int, hidden_size: int, reverse: bool = False):
        super().__init__()
        self.hidden_size, self.reverse = hidden_size, reverse
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size))
        self.bias = nn.Parameter(torch.zeros(4 * hidden_size))
        self.peephole = nn.Parameter(torch.zeros(3, hidden_size))  # (w_ci, w_cf, w_co)
        bound = 1.0 / math.sqrt(hidden_size)
        nn.init.uniform_(self.weight_ih, -bound, bound)
        nn.init.uniform_(self.weight_hh, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, in) -> (B, T, H)."""
        B, T, _ = x.shape
        H = self.hidden_size
        gx = x @ self.weight_ih.t() + self.bias  # (B, T, 4H): input parts of every step at once
        h, c = x.new_zeros(B, H), x.new_zeros(B, H)
        out = []
        steps = range(T - 1, -1, -1) if self.reverse else range(T)
        for t in steps:
            g = gx[:, t] + h @ self.weight_hh.t()  # (B, 4H)
            gi, gf, gc, go = g.split(H, dim=1)
            i = torch.sigmoid(gi + self.peephole[0] * c)
            f = torch.sigmoid(gf + self.peephole[1] * c)
            c = f * c + i * torch.tanh(gc)
            o = torch.sigmoid(go + self.peephole[2] * c)
            h = o * torch.tanh(c)
            out.append(h)
        if self.reverse:
            out.reverse()
        return torch.stack(out, dim=1)  # (B, T, H)

    def shape_forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.new_empty((*x.shape[:-1], self.hidden_size))


class BiPeepholeLSTM(nn.Module):
    """Both directions of one layer, concatenated: (B, T, in) -> (B, T, 2H)."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.fwd = PeepholeLSTM(input_size, hidden_size)
        self.bwd = PeepholeLSTM(input_size, hidden_size, reverse=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.fwd(x), self.bwd(x)], dim=-1)


class FusedBiLSTM(nn.Module):
    """torch's nn.LSTM, all layers, both directions; returns only the outputs (B, T, 2H)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int, dropout: float):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, bidirectional=True,
                            dropout=dropout if num_layers > 1 else 0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lstm(x)[0]


class LogSoftmax(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log_softmax(x, dim=-1)


class CTCBiLSTM(nn.Module):
    """Mel frames (B, input_dim, T) -> CTC log-probabilities (B, T // subsample, num_classes); blank = 0."""

    def __init__(self, cfg: CTCConfig):
        super().__init__()
        self.cfg = cfg
        self.stack = StackFrames(cfg.subsample)
        d_in, H = cfg.input_dim * cfg.subsample, cfg.hidden_dim
        if cfg.peephole:
            layers: list[nn.Module] = []
            for i in range(cfg.num_layers):
                layers.append(BiPeepholeLSTM(d_in if i == 0 else 2 * H, H))
                if cfg.dropout and i < cfg.num_layers - 1:
                    layers.append(nn.Dropout(cfg.dropout))
            self.rnn = nn.Sequential(*layers)
        else:
            self.rnn = FusedBiLSTM(d_in, H, cfg.num_layers, cfg.dropout)
        self.output = nn.Linear(2 * H, cfg.num_classes)
        self.log_softmax = LogSoftmax()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.rnn(self.stack(x))  # (B, T', 2H)
        return self.log_softmax(self.output(h))  # (B, T', C)


def graves_count(num_layers: int, hidden: int, inputs: int = 123, outputs: int = 62) -> int:
    """Weights of Graves et al.'s deep bidirectional peephole-LSTM CTC network (their Table 1's rule):
    per layer and direction 4H(in + H) + 4H biases + 3H peepholes; the output layer reads 2H."""
    total, d_in = 0, inputs
    for _ in range(num_layers):
        total += 2 * (4 * hidden * (d_in + hidden) + 4 * hidden + 3 * hidden)
        d_in = 2 * hidden
    return total + 2 * hidden * outputs + outputs


def example_input(cfg: CTCConfig, batch: int = 2) -> torch.Tensor:
    return torch.randn(batch, cfg.input_dim, cfg.num_frames, generator=torch.Generator().manual_seed(0))


register(
    ArchSpec(
        name="ctc_bilstm",
        title="Bidirectional LSTM with CTC (Graves et al. 2013)",
        family="audio",
        year=2013,
        paper=Paper(
            "A. Graves, A. Mohamed, G. Hinton",
            2013,
            "Speech Recognition with Deep Recurrent Neural Networks (ICASSP 2013)",
            arxiv="1303.5778",
        ),
        summary="Deep bidirectional LSTM layers read the spectrogram both ways; CTC's blank symbol lets it "
        "learn to transcribe from the text alone, with no frame-by-frame alignment.",
        tasks=("speech recognition", "sequence transcription"),
        config=CTCConfig,
        build=CTCBiLSTM,
        example_input=example_input,
        presets={
            "tiny": dict(input_dim=40, hidden_dim=32, num_layers=2, num_classes=28, num_frames=60,
                         subsample=2),
            "canonical": dict(
                input_dim=123, num_classes=62, hidden_dim=250, num_layers=3, peephole=True, num_frames=100
            ),
        },
        published_params=3_787_562,
        published_source="Graves, Mohamed & Hinton 2013, Table 1, CTC-3L-250H on TIMIT: '3.8M' weights. "
        "The exact 3,787,562 is counted from the paper's description (123 inputs, 3 bidirectional layers "
        "of 250 peephole LSTM units per direction, 62 softmax outputs): per layer and direction 4H(in+H) "
        "weights + 4H biases + 3H peepholes, then 500·62 + 62; the same rule reproduces the table's 0.8M, "
        "2.3M and 6.8M for CTC-1L-250H, CTC-2L-250H and CTC-5L-250H",
    )
)
