"""Recurrent cells written out by hand (so their gates can be shown) and the layer that unrolls them.

Elman (1990) "Finding structure in time"; LSTM: Hochreiter & Schmidhuber (1997) "Long short-term
memory", with the forget gate of Gers, Schmidhuber & Cummins (2000); GRU: Cho et al. (2014),
"Learning phrase representations using RNN encoder-decoder for statistical machine translation".

Weights are laid out exactly as torch.nn.RNN / LSTM / GRU lay them out (``weight_ih`` is the gates'
input weights stacked, in torch's gate order: LSTM i, f, g, o; GRU r, z, n), so ``Recurrent``
can load a torch module's weights (``load_torch``) and the tests check both give the same numbers.
Each cell maps ``(x_t, h, c)`` to ``(h, c, gates)``: the new hidden state, the new cell state (LSTM;
None for the others) and a dict of its gate activations at this step.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

GATE_NAMES = {
    "rnn": (),
    "lstm": ("input", "forget", "candidate", "output", "cell"),
    "gru": ("reset", "update", "candidate"),
}
_GATES_PER_CELL = {"rnn": 1, "lstm": 4, "gru": 3}


class _Cell(nn.Module):
    kind = "rnn"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True):
        super().__init__()
        g = _GATES_PER_CELL[self.kind]
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = nn.Parameter(torch.empty(g * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(g * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(g * hidden_size)) if bias else None
        self.bias_hh = nn.Parameter(torch.empty(g * hidden_size)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # torch's initialisation: every weight uniform in ±1/sqrt(hidden_size)
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            if not p.is_meta:
                nn.init.uniform_(p, -bound, bound)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class ElmanCell(_Cell):
    """h_t = σ(W_xh x_t + b_xh + W_hh h_{t-1} + b_hh), σ = tanh or ReLU."""

    kind = "rnn"

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh", bias: bool = True):
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias)

    def forward(self, x: torch.Tensor, h: torch.Tensor, c: None = None):
        pre = F.linear(x, self.weight_ih, self.bias_ih) + F.linear(h, self.weight_hh, self.bias_hh)  # (B, H)
        h = torch.tanh(pre) if self.nonlinearity == "tanh" else torch.relu(pre)
        return h, None, {}


class LSTMCell(_Cell):
    """i, f, o = σ(·), g = tanh(·) of W x_t + U h_{t-1} + b; c_t = f c_{t-1} + i g; h_t = o tanh(c_t)."""

    kind = "lstm"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, forget_bias: float = 1.0):
        self.forget_bias = forget_bias
        super().__init__(input_size, hidden_size, bias)

    def reset_parameters(self) -> None:
        super().reset_parameters()
        # a positive forget-gate bias (Gers et al. 2000; 1.0 in Jozefowicz et al. 2015; larger for long lags,
        # Tallec & Ollivier 2018): the cell starts out remembering, f = σ(b_f) close to 1
        if self.bias_ih is not None and not self.bias_ih.is_meta:
            H = self.hidden_size
            with torch.no_grad():
                self.bias_ih[H : 2 * H].fill_(self.forget_bias)
                self.bias_hh[H : 2 * H].zero_()

    def forward(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor):
        z = F.linear(x, self.weight_ih, self.bias_ih) + F.linear(h, self.weight_hh, self.bias_hh)  # (B, 4H)
        i, f, g, o = z.chunk(4, dim=-1)  # torch's gate order
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        return h, c, {"input": i, "forget": f, "candidate": g, "output": o, "cell": c}


class GRUCell(_Cell):
    """r, z = σ(·); n = tanh(W_n x + b_n + r ⊙ (U_n h + b_hn)); h_t = (1 − z) n + z h_{t-1}."""

    kind = "gru"

    def forward(self, x: torch.Tensor, h: torch.Tensor, c: None = None):
        h, gates = gru_step(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h, None, gates


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh) -> tuple[torch.Tensor, dict]:
    """One GRU update with torch's weight layout (gates r, z, n stacked)."""
    gi = F.linear(x, w_ih, b_ih)  # (B, 3H)
    gh = F.linear(h, w_hh, b_hh)  # (B, 3H)
    ir, iz, inn = gi.chunk(3, dim=-1)
    hr, hz, hn = gh.chunk(3, dim=-1)
    r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
    n = torch.tanh(inn + r * hn)
    return (1 - z) * n + z * h, {"reset": r, "update": z, "candidate": n}


def make_cell(
    kind: str, input_size: int, hidden_size: int, nonlinearity: str = "tanh", forget_bias: float = 1.0
) -> _Cell:
    if kind == "rnn":
        return ElmanCell(input_size, hidden_size, nonlinearity)
    if kind == "lstm":
        return LSTMCell(input_size, hidden_size, forget_bias=forget_bias)
    if kind == "gru":
        return GRUCell(input_size, hidden_size)
    raise ValueError(f"unknown cell {kind!r}; choose rnn, lstm or gru")


class Recurrent(nn.Module):
    """A stack of ``num_layers`` recurrent layers, each optionally bidirectional, unrolled in a Python
    loop over time so every step (and every gate) can be observed. Same inputs, outputs, state layout
    and dropout placement as torch.nn.RNN/LSTM/GRU with ``batch_first=True``.

    ``forward(x, state=None, record=False)`` takes x (B, T, I) and returns ``(out, final, rec)``:
    out (B, T, D·H) the top layer's outputs, final h_n (L·D, B, H) (a pair (h_n, c_n) for the LSTM),
    and, if ``record``, rec = {"h": (L·D, B, T, H), gate name: (L·D, B, T, H), ...} else None.
    """

    def __init__(
        self,
        kind: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        nonlinearity: str = "tanh",
        dropout: float = 0.0,
        forget_bias: float = 1.0,
    ):
        super().__init__()
        self.kind, self.hidden_size, self.num_layers = kind, hidden_size, num_layers
        self.num_dirs = 2 if bidirectional else 1
        self.dropout = dropout
        self.cells = nn.ModuleList(
            make_cell(
                kind,
                input_size if layer == 0 else hidden_size * self.num_dirs,
                hidden_size,
                nonlinearity,
                forget_bias,
            )
            for layer in range(num_layers)
            for _ in range(self.num_dirs)
        )

    fused = True  # train with PyTorch's fused kernels when nothing is recorded (set False to always loop)

    def forward(self, x: torch.Tensor, state=None, record: bool = False):
        if self.fused and self.training and not record and x.device.type != "meta":
            return self._fused(x, state)  # training: same numbers, no Python loop over time
        B, T, _ = x.shape
        lstm = self.kind == "lstm"
        h0, c0 = (state if lstm else (state, None)) if state is not None else (None, None)
        finals_h, finals_c, rec_h, rec_g = [], [], [], {}
        inp = x
        for layer in range(self.num_layers):
            xs = inp.unbind(1)  # T tensors (B, I): one node in the graph, not T slices
            outs = []
            for d in range(self.num_dirs):
                k = layer * self.num_dirs + d
                cell = self.cells[k]
                h = h0[k] if h0 is not None else x.new_zeros(B, self.hidden_size)  # (B, H)
                c = (c0[k] if c0 is not None else x.new_zeros(B, self.hidden_size)) if lstm else None
                hs: list = [None] * T
                gates: dict[str, list] = {}
                for t in range(T - 1, -1, -1) if d == 1 else range(T):
                    h, c, g = cell(xs[t], h, c)
                    hs[t] = h
                    if record:
                        for name, v in g.items():
                            gates.setdefault(name, [None] * T)[t] = v
                finals_h.append(h)
                if lstm:
                    finals_c.append(c)
                seq = torch.stack(hs, dim=1)  # (B, T, H)
                outs.append(seq)
                if record:
                    rec_h.append(seq)
                    for name, v in gates.items():
                        rec_g.setdefault(name, []).append(torch.stack(v, dim=1))
            inp = torch.cat(outs, dim=-1) if self.num_dirs == 2 else outs[0]  # (B, T, D*H)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                inp = F.dropout(inp, self.dropout, training=True)
        h_n = torch.stack(finals_h)  # (L*D, B, H)
        final = (h_n, torch.stack(finals_c)) if lstm else h_n
        rec = None
        if record:
            rec = {"h": torch.stack(rec_h)}  # (L*D, B, T, H)
            rec.update({name: torch.stack(v) for name, v in rec_g.items()})
        return inp, final, rec

    def shape_forward(self, x: torch.Tensor, state=None, record: bool = False):
        """The outputs' shapes without the loop over time (``archs.meta_shapes``: tracing and fuzzing on
        the meta device); anything else runs the real forward."""
        if record or x.dim() != 3 or x.shape[-1] != self.cells[0].weight_ih.shape[1]:
            return type(self).forward(self, x, state, record)
        B, T, _ = x.shape
        n = self.num_layers * self.num_dirs
        h = x.new_empty(n, B, self.hidden_size)  # (L*D, B, H)
        final = (h, x.new_empty(n, B, self.hidden_size)) if self.kind == "lstm" else h
        return x.new_empty(B, T, self.num_dirs * self.hidden_size), final, None

    def _fused(self, x: torch.Tensor, state=None):
        """The same stack through the kernels torch.nn.RNN / LSTM / GRU call (the cells' weights are laid
        out as theirs), used while training: the loop over time runs in C++ (CPU) or cuDNN (CUDA). Eval
        and tracing keep the Python loop, so graphs still show one cell call per step."""
        B, H = x.shape[0], self.hidden_size
        has_bias = self.cells[0].bias_ih is not None
        flat = [
            w
            for cell in self.cells
            for w in (cell.weight_ih, cell.weight_hh, *((cell.bias_ih, cell.bias_hh) if has_bias else ()))
        ]
        args = (has_bias, self.num_layers, float(self.dropout), self.training, self.num_dirs == 2, True)
        zeros = x.new_zeros(self.num_layers * self.num_dirs, B, H)
        if self.kind == "lstm":
            h0, c0 = state if state is not None else (zeros, zeros)
            out, h_n, c_n = torch._VF.lstm(x, (h0, c0), flat, *args)
            return out, (h_n, c_n), None
        h0 = state if state is not None else zeros
        if self.kind == "gru":
            fn = torch._VF.gru
        else:
            fn = torch._VF.rnn_tanh if self.cells[0].nonlinearity == "tanh" else torch._VF.rnn_relu
        out, h_n = fn(x, h0, flat, *args)
        return out, h_n, None

    @torch.no_grad()
    def load_torch(self, module: nn.RNNBase) -> Recurrent:
        """Copy the weights of a torch.nn.RNN / LSTM / GRU of the same shape into this layer."""
        for layer in range(self.num_layers):
            for d in range(self.num_dirs):
                cell = self.cells[layer * self.num_dirs + d]
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    getattr(cell, name).copy_(getattr(module, name + sfx))
        return self
