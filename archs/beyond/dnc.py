"""The differentiable neural computer.

A. Graves, G. Wayne, M. Reynolds, T. Harley, I. Danihelka, et al. (2016), "Hybrid computing using a neural
network with dynamic external memory", Nature 538, 471-476 (Methods: the interface vector, usage, allocation,
temporal links, read modes).

An LSTM controller reads x_t and the R read vectors of the last step; one linear map of its state h_t gives
the interface vector ξ_t: R read keys and strengths, a write key and strength, an erase and a write vector,
R free gates, an allocation gate, a write gate and R read modes (backward, content, forward). Each step:

1. usage: rows written are used; rows read by heads whose free gate is open are released;
2. write weighting = write gate × (allocation gate × allocation (the freest row) + (1 − it) × content);
3. erase and write; update the temporal link matrix (which row was written after which) and precedence;
4. each read head mixes backward links, content lookup and forward links by its read modes, then reads;
5. the output is y_t = W [h_t; r_t^1..r_t^R].

Canonical: the configuration of DeepMind's reference implementation (github.com/deepmind/dnc, train.py: LSTM
of 64 units, 16 memory rows of 16 numbers, 4 read heads, 1 write head, repeat-copy of 4-bit vectors, so
6 inputs and 5 outputs). The paper publishes no parameter count; the reference's layout (a Sonnet LSTM, one
bias per gate; one linear layer per interface part with biases; the output from [h; reads]) counts
LSTM 34,560 + interface 8,775 + output 645 = 43,980, which the tests assert.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.beyond.memory_ops import (
    AllocationWeighting,
    ContentAddressing,
    EraseAndAdd,
    LinkFollow,
    MemoryRead,
    TemporalLinkUpdate,
    UsageUpdate,
    oneplus,
)
from archs.beyond.ntm import example_bits
from archs.registry import register
from archs.spec import ArchSpec, Config, Paper, hp


@dataclass(frozen=True)
class DNCConfig(Config):
    in_dim: int = hp(
        6,
        lo=1,
        hi=64,
        help="Numbers entering at each time step (the bits of a vector plus "
        "marker channels in the copy tasks).",
    )
    out_dim: int = hp(5, lo=1, hi=64, help="Numbers predicted at each time step.")
    hidden_dim: int = hp(64, lo=1, hi=1024, help="Units of the LSTM controller (DeepMind's example: 64).")
    memory_rows: int = hp(
        16,
        lo=1,
        hi=1024,
        help="N: memory locations. The allocation mechanism hands out "
        "free rows, so the memory fills in order of need, not of position.",
    )
    memory_width: int = hp(16, lo=1, hi=256, help="W: numbers stored in each memory location.")
    read_heads: int = hp(
        4,
        lo=1,
        hi=8,
        help="R: heads reading each step; each chooses its own mix of content "
        "lookup and following the order of writing forward or backward.",
    )
    clip_value: float = hp(
        20.0,
        lo=0.0,
        hi=100.0,
        step=1.0,
        help="The controller state and the output are "
        "clipped to ±this value, as in DeepMind's implementation (0: no clipping).",
    )
    seq_len: int = hp(12, lo=1, hi=256, help="Length of the example sequence the graph and summary trace.")

    @property
    def interface_size(self) -> int:
        r, w = self.read_heads, self.memory_width
        return r * w + r + w + 1 + 2 * w + r + 1 + 1 + 3 * r  # keys/strengths, write, erase/add, gates, modes


class LSTMCore(nn.Module):
    """An LSTM cell with one bias per gate and a forget-gate bias of +1 (Sonnet's LSTM, which the reference
    uses): x (B, in), (h, c) each (B, H) -> (h, c)."""

    def __init__(self, in_dim: int, hidden: int):
        super().__init__()
        self.gates = nn.Linear(in_dim + hidden, 4 * hidden)

    def forward(self, x, state):
        h, c = state
        i, j, f, o = self.gates(torch.cat([x, h], -1)).chunk(4, -1)
        c = torch.sigmoid(f + 1.0) * c + torch.sigmoid(i) * torch.tanh(j)
        return torch.sigmoid(o) * torch.tanh(c), c


class DNCCell(nn.Module):
    """One time step: controller, interface, memory access and output. x_t (B, in_dim) and the state dict
    (memory, usage, link, precedence, read_w, write_w, reads (B, R·W), h, c) -> (logits, the next state)."""

    def __init__(self, cfg: DNCConfig):
        super().__init__()
        self.cfg = cfg
        r, w = cfg.read_heads, cfg.memory_width
        self.controller = LSTMCore(cfg.in_dim + r * w, cfg.hidden_dim)
        self.interface = nn.Linear(cfg.hidden_dim, cfg.interface_size)
        self.output = nn.Linear(cfg.hidden_dim + r * w, cfg.out_dim)
        self.usage_update, self.allocation = UsageUpdate(), AllocationWeighting()
        self.write_content, self.read_content = ContentAddressing(), ContentAddressing()
        self.write, self.read = EraseAndAdd(), MemoryRead()
        self.link_update, self.link_follow = TemporalLinkUpdate(), LinkFollow()

    def _clip(self, x: torch.Tensor) -> torch.Tensor:
        c = self.cfg.clip_value
        return x.clamp(-c, c) if c > 0 else x

    def _split(self, xi: torch.Tensor) -> dict[str, torch.Tensor]:
        """The interface vector ξ (B, I) into its parts, with the paper's squashing functions."""
        r, w = self.cfg.read_heads, self.cfg.memory_width
        parts = torch.split(xi, [r * w, r, w, 1, w, w, r, 1, 1, 3 * r], dim=-1)
        rk, rs, wk, ws, erase, vec, free, ga, gw, modes = parts
        return dict(
            read_keys=rk.reshape(-1, r, w),  # (B, R, W)
            read_strengths=oneplus(rs),  # (B, R)
            write_key=wk.unsqueeze(1),  # (B, 1, W)
            write_strength=oneplus(ws),  # (B, 1)
            erase=torch.sigmoid(erase),
            write_vector=vec,
            free=torch.sigmoid(free),  # (B, R)
            alloc_gate=torch.sigmoid(ga),  # (B, 1)
            write_gate=torch.sigmoid(gw),  # (B, 1)
            modes=torch.softmax(modes.reshape(-1, r, 3), -1),  # (B, R, 3): backward, content, forward
        )

    def _access(self, p: dict[str, torch.Tensor], s: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """One memory step: the state s (memory, usage, link, precedence, read_w, write_w) -> the next."""
        usage = self.usage_update(s["usage"], s["write_w"], p["free"], s["read_w"])
        content = self.write_content(s["memory"], p["write_key"], p["write_strength"]).squeeze(1)  # (B, N)
        ga = p["alloc_gate"]
        write_w = p["write_gate"] * (ga * self.allocation(usage) + (1 - ga) * content)  # (B, N)
        memory = self.write(s["memory"], write_w, p["erase"], p["write_vector"])
        link, precedence = self.link_update(s["link"], s["precedence"], write_w)
        forward, backward = self.link_follow(link, s["read_w"])
        content_r = self.read_content(memory, p["read_keys"], p["read_strengths"])  # (B, R, N)
        m = p["modes"].unsqueeze(-1)  # (B, R, 3, 1)
        read_w = m[:, :, 0] * backward + m[:, :, 1] * content_r + m[:, :, 2] * forward
        return dict(
            memory=memory, usage=usage, link=link, precedence=precedence, read_w=read_w, write_w=write_w
        )

    def forward(self, x_t: torch.Tensor, st: dict[str, torch.Tensor]):
        h, c = self.controller(torch.cat([x_t, st["reads"]], -1), (st["h"], st["c"]))
        h, c = self._clip(h), self._clip(c)
        st = self._access(self._split(self.interface(h)), st)
        reads = self.read(st["memory"], st["read_w"]).flatten(1)  # (B, R·W)
        y = self._clip(self.output(torch.cat([h, reads], -1)))
        return y, dict(st, reads=reads, h=h, c=c)


class DNCInitialState(nn.Module):
    """The empty start: zero memory, usage, links, precedence, weightings, reads and controller state, each
    (B, ...) for the batch of x (B, T, in_dim). A module, so a traced graph shows it as one node."""

    def __init__(self, cfg: DNCConfig):
        super().__init__()
        self.cfg = cfg

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        b, n, w, r = x.shape[0], self.cfg.memory_rows, self.cfg.memory_width, self.cfg.read_heads
        z = x.new_zeros
        h = z(b, self.cfg.hidden_dim)
        return dict(
            memory=z(b, n, w),
            usage=z(b, n),
            link=z(b, n, n),
            precedence=z(b, n),
            read_w=z(b, r, n),
            write_w=z(b, n),
            reads=z(b, r * w),
            h=h,
            c=h,
        )


class DNC(nn.Module):
    """x (B, T, in_dim) -> logits (B, T, out_dim). After a forward, ``last_trace`` holds read_w (B, T, R, N),
    write_w (B, T, N), usage (B, T, N) and the final memory (B, N, W) and link matrix (B, N, N), detached."""

    def __init__(self, cfg: DNCConfig):
        super().__init__()
        self.cfg = cfg
        self.cell = DNCCell(cfg)
        self.initial_state = DNCInitialState(cfg)
        self.last_trace: dict[str, torch.Tensor] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        st = self.initial_state(x)
        ys, trace = [], {"read_w": [], "write_w": [], "usage": []}
        for x_t in x.unbind(1):  # one node in a traced graph, not one slice per step
            y, st = self.cell(x_t, st)
            ys.append(y)
            for k in trace:
                trace[k].append(st[k])
        self.last_trace = {k: torch.stack(v, 1).detach() for k, v in trace.items()}
        self.last_trace.update(memory=st["memory"].detach(), link=st["link"].detach())
        return torch.stack(ys, 1)  # (B, T, out)

    def shape_forward(self, x: torch.Tensor) -> torch.Tensor:
        """The output's shape from one real step instead of T (``archs.meta_shapes``: fuzzing on meta):
        every step has the same shapes, so the first one checks them all."""
        y, _ = self.cell(x[:, 0], self.initial_state(x))  # (B, out)
        return y.new_empty(x.shape[0], x.shape[1], y.shape[-1])  # (B, T, out)


def _count(cfg: DNCConfig) -> int:
    """The reference layout's count, from the sizes (documents the canonical number)."""
    h, r, w = cfg.hidden_dim, cfg.read_heads, cfg.memory_width
    return (cfg.in_dim + r * w + h + 1) * 4 * h + (h + 1) * cfg.interface_size + (h + r * w + 1) * cfg.out_dim


register(
    ArchSpec(
        name="dnc",
        title="Differentiable neural computer",
        family="beyond",
        year=2016,
        paper=Paper(
            "A. Graves, G. Wayne, M. Reynolds, et al.",
            2016,
            "Hybrid computing using a neural network with dynamic external memory (Nature 538)",
            url="https://doi.org/10.1038/nature20101",
        ),
        summary="An LSTM controller with R read heads and a write head over external memory: content lookup, "
        "usage-based allocation of free rows, and a temporal link matrix to replay writes in order.",
        tasks=("algorithmic tasks", "copy"),
        config=DNCConfig,
        build=DNC,
        example_input=example_bits,
        presets={
            "tiny": dict(in_dim=6, out_dim=4, hidden_dim=32, memory_rows=16, memory_width=8, read_heads=1),
            "canonical": {},
        },
        published_params=43_980,
        published_source="DeepMind's reference DNC (github.com/deepmind/dnc, train.py defaults: hidden 64, "
        "memory 16×16, 4 read heads, 1 write head, 4-bit repeat copy: 6 inputs, 5 outputs), counted from its "
        "layout (LSTM 34,560 + interface 8,775 + output 645); the Nature paper publishes no count.",
    )
)
