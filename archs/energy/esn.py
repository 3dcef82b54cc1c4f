"""The echo state network: a fixed random recurrent reservoir and a trained linear readout.

H. Jaeger (2001), "The 'echo state' approach to analysing and training recurrent neural networks", GMD
Report 148, German National Research Center for Information Technology; H. Jaeger & H. Haas (2004),
"Harnessing nonlinearity: predicting chaotic systems and saving energy in wireless communication",
Science 304, 78-80. Practical guide: M. Lukoševičius (2012), "A practical guide to applying echo state
networks", Neural Networks: Tricks of the Trade, LNCS 7700.

The reservoir state follows, with leak rate a,

    x(t) = (1 − a) x(t−1) + a tanh(W_in u(t) + b + W x(t−1)),     y(t) = W_out [x(t); u(t)] + c

W_in, b and W are drawn once and never trained; W is sparse (``connectivity``) and rescaled so that its
spectral radius (largest |eigenvalue|) is ``spectral_radius``. Below 1 the reservoir forgets its initial
state (the echo-state property: the state becomes a function of the input history alone); well above 1
it can keep its own dynamics and two different initial states need not converge. Only the readout W_out
is trained, by ridge regression on harvested states (training/energy/esn.py), so ``forward`` is
differentiable in the readout alone; the fixed weights are parameters with requires_grad False, counted
but not learned.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp

MAX_RESERVOIR = 1000  # an eigenvalue solve of N×N at build time: about a second at 1000 on a laptop CPU


@dataclass(frozen=True)
class ESNConfig(Config):
    in_dim: int = hp(1, lo=1, hi=64, help="How many numbers enter the reservoir at each time step.")
    out_dim: int = hp(1, lo=1, hi=64, help="How many numbers the readout predicts at each time step.")
    reservoir_size: int = hp(
        200,
        lo=2,
        hi=MAX_RESERVOIR,
        help="How many neurons the random recurrent reservoir has. More neurons give the readout a richer "
        "set of echoes of the past to combine; only the readout is trained, so this is cheap.",
    )
    spectral_radius: float = hp(
        0.9,
        lo=0.0,
        hi=3.0,
        step=0.05,
        help="The largest |eigenvalue| of the reservoir's weight matrix, set by rescaling it. Below 1 the "
        "reservoir forgets where it started (the echo-state property); above 1 it can run on its own and "
        "its state stops being a function of the input alone.",
    )
    connectivity: float = hp(
        0.1,
        lo=0.01,
        hi=1.0,
        step=0.01,
        help="The share of reservoir connections that exist: a sparse reservoir (10 %) is Jaeger's recipe.",
    )
    input_scale: float = hp(
        0.5,
        lo=0.0,
        hi=5.0,
        step=0.05,
        help="How strongly the input drives the neurons (the range of the random input weights). Small: "
        "nearly linear neurons; large: saturated, switch-like ones.",
    )
    leak_rate: float = hp(
        1.0,
        lo=0.01,
        hi=1.0,
        step=0.01,
        help="How much of the state is replaced each step (1: none of the old state is kept apart from "
        "the recurrence). Lower values make a slower reservoir for slower signals.",
    )
    seq_len: int = hp(16, lo=1, hi=512, help="Length of the example sequence the graph and summary trace.")

    def validate(self) -> None:
        if self.spectral_radius <= 0:
            raise ConfigError(
                f"The spectral radius must be positive, got {self.spectral_radius}: it is the size the "
                "reservoir's largest eigenvalue is scaled to (try 0.9)."
            )


class EchoStateNetwork(nn.Module):
    """u (B, T, in_dim) -> y (B, T, out_dim); ``states`` gives the reservoir's x (B, T, N)."""

    def __init__(self, cfg: ESNConfig):
        super().__init__()
        self.cfg = cfg
        n = cfg.reservoir_size
        dev = torch.empty(0).device  # the build's device (meta for shapes only)
        self.w_in = nn.Parameter(torch.empty(n, cfg.in_dim), requires_grad=False)
        self.bias = nn.Parameter(torch.empty(n), requires_grad=False)
        self.w = nn.Parameter(torch.empty(n, n), requires_grad=False)
        self.readout = nn.Linear(n + cfg.in_dim, cfg.out_dim)  # W_out on [x(t); u(t)]
        if dev.type != "meta":
            self.reset_reservoir()

    @torch.no_grad()
    def reset_reservoir(self) -> None:
        """Draw W_in, b and W (torch's global generator, on the CPU); scale W to the spectral radius."""
        cfg, n = self.cfg, self.cfg.reservoir_size
        w_in = (torch.rand(n, cfg.in_dim, device="cpu") * 2 - 1) * cfg.input_scale
        b = (torch.rand(n, device="cpu") * 2 - 1) * 0.2 * cfg.input_scale
        w = (torch.rand(n, n, device="cpu") * 2 - 1) * (torch.rand(n, n, device="cpu") < cfg.connectivity)
        rho = float(torch.linalg.eigvals(w.double()).abs().max()) if w.any() else 0.0
        if rho > 1e-9:
            w = w * (cfg.spectral_radius / rho)
        self.w_in.copy_(w_in)
        self.bias.copy_(b)
        self.w.copy_(w)

    def spectral_radius(self) -> float:
        """The measured largest |eigenvalue| of W (equals the config's unless W came out all zero)."""
        return float(torch.linalg.eigvals(self.w.detach().double().cpu()).abs().max())

    def step(self, u_t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """One reservoir update: u_t (B, in_dim), x (B, N) -> the next x (B, N)."""
        pre = u_t @ self.w_in.T + self.bias + x @ self.w.T  # (B, N)
        a = self.cfg.leak_rate
        return (1 - a) * x + a * torch.tanh(pre)

    def states(self, u: torch.Tensor, x0: torch.Tensor | None = None) -> torch.Tensor:
        """u (B, T, in_dim) -> x (B, T, N), starting from x0 (B, N), zeros if not given."""
        x = x0 if x0 is not None else u.new_zeros(u.shape[0], self.cfg.reservoir_size)
        out = []
        for t in range(u.shape[1]):
            x = self.step(u[:, t], x)
            out.append(x)
        return torch.stack(out, 1)  # (B, T, N)

    def read(self, x: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        """The readout y = W_out [x; u] + c: x (..., N), u (..., in_dim) -> (..., out_dim)."""
        return self.readout(torch.cat([x, u], -1))

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        return self.read(self.states(u), u)  # (B, T, out_dim)


def example_sequence(cfg: ESNConfig) -> torch.Tensor:
    return torch.randn(2, cfg.seq_len, cfg.in_dim)  # (B, T, in_dim)


register(
    ArchSpec(
        name="esn",
        title="Echo state network",
        family="energy",
        year=2001,
        paper=Paper(
            "H. Jaeger",
            2001,
            "The 'echo state' approach to analysing and training recurrent neural networks (GMD Report 148)",
            url="https://www.ai.rug.nl/minds/uploads/EchoStatesTechRep.pdf",
        ),
        summary="A fixed random recurrent reservoir, scaled to a chosen spectral radius, echoes the input's "
        "history; only a linear readout is trained, in one least-squares solve.",
        tasks=("forecasting", "reservoir computing"),
        config=ESNConfig,
        build=EchoStateNetwork,
        example_input=example_sequence,
        presets={"tiny": {"reservoir_size": 50}, "mackey_glass": {"reservoir_size": 400}},
    )
)
