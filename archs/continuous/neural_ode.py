"""Neural ODE: Chen, Rubanova, Bettencourt & Duvenaud (2018), "Neural Ordinary Differential Equations",
arXiv 1806.07366.

A residual network's update z ← z + f(z) is one Euler step of dz/dt = f(z, t, θ). A neural ODE keeps the
differential equation: a small network f gives the derivative of the hidden state, and an ODE solver
integrates it from t₀ to t₁, taking as many evaluations of f as the requested accuracy needs. The solver
is torchdiffeq's ``odeint`` (the authors' library): adaptive Dormand-Prince (dopri5) and Bogacki-Shampine,
or fixed-step RK4, midpoint and Euler; ``adjoint`` back-propagates by solving the adjoint ODE backwards
instead of through the solver's steps (constant memory, more evaluations).

``forward(z0)`` returns z(t_end) for initial states (B, D); ``trajectory(z0, t)`` returns z at every time
of ``t`` (T, B, D). ``func.nfe`` counts the evaluations of f since the last solve started.

``canonical`` is the dynamics network of torchdiffeq's ``examples/ode_demo.py`` (the spiral of the paper's
Figure, by the paper's first author): f(z) = Linear(50→2)(tanh(Linear(2→50)(z³))), 252 parameters. On the
meta device (shape-only tracing: the graph view, the parameter count) an adaptive solver cannot choose
its steps without values, so ``forward`` draws f once, as z + (t₁ − t₀)·f(t₀, z). ``tiny`` takes fixed
RK4 steps: an ONNX trace records one path of an adaptive solver's step choices and did not replay dopri5
faithfully (its output differed by 0.1), while the fixed steps export exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn
from torchdiffeq import odeint, odeint_adjoint

from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp

ADAPTIVE = ("dopri5", "bosh3", "adaptive_heun")
FIXED = ("rk4", "midpoint", "euler")
ACTS = {"tanh": nn.Tanh, "relu": nn.ReLU, "softplus": nn.Softplus, "elu": nn.ELU, "silu": nn.SiLU}


def check_tolerances(rtol: float, atol: float) -> None:
    """ConfigError, with a sentence, unless both tolerances are positive and at most 1."""
    for name, v, what in (("rtol", rtol, "relative"), ("atol", atol, "absolute")):
        if not v > 0:
            raise ConfigError(
                f"The solver tolerance {name} ({v:g}) must be greater than 0: it is the {what} error the "
                "solver may make in one step, and a solver asked for no error at all never finishes. "
                "Try 1e-3."
            )
        if v > 1:
            raise ConfigError(f"The solver tolerance {name} ({v:g}) must be at most 1; try 1e-3.")


@dataclass(frozen=True)
class NeuralODEConfig(Config):
    state_dim: int = hp(
        2, lo=1, hi=256, help="Size of the state z that the ODE moves (2 for a curve in the plane)."
    )
    hidden_dim: int = hp(32, lo=1, hi=1024, help="Width of the hidden layers of f, the network giving dz/dt.")
    num_layers: int = hp(1, lo=1, hi=8, help="How many hidden layers f has.")
    activation: Literal["tanh", "relu", "softplus", "elu", "silu"] = hp(
        "tanh",
        help="Nonlinearity of f. A smooth one (tanh, softplus) gives a smooth vector field, which adaptive "
        "solvers cross in fewer steps than a kinked ReLU field.",
    )
    cube_input: bool = hp(
        False,
        help="Feed z³ instead of z to f, as torchdiffeq's spiral demo does: the true spiral's derivative is "
        "linear in z³, so f only has to learn a matrix.",
    )
    time_input: bool = hp(
        False, help="Give f the time t as one more input: dynamics that change over time (non-autonomous)."
    )
    method: Literal["dopri5", "bosh3", "adaptive_heun", "rk4", "midpoint", "euler"] = hp(
        "dopri5",
        help="The ODE solver. dopri5 (Dormand-Prince, order 5) and bosh3 (order 3) adapt their step to "
        "the tolerance; rk4, midpoint and euler take fixed steps of step_size.",
    )
    rtol: float = hp(
        1e-3,
        lo=1e-10,
        hi=1.0,
        log=True,
        help="Relative tolerance of an adaptive solver: smaller is more "
        "accurate and costs more evaluations of f.",
    )
    atol: float = hp(
        1e-4,
        lo=1e-10,
        hi=1.0,
        log=True,
        help="Absolute tolerance of an adaptive solver, the error allowed where z is near zero.",
    )
    step_size: float = hp(
        0.1, lo=0.001, hi=1.0, log=True, help="Step of the fixed-step solvers (rk4, midpoint, euler)."
    )
    t_end: float = hp(1.0, lo=0.1, hi=50.0, step=0.1, help="forward() integrates from t = 0 to this time.")
    adjoint: bool = hp(
        False,
        help="Back-propagate with the adjoint method: solve a second ODE backwards instead of storing "
        "the solver's steps. Memory stays constant in the number of steps; it costs more evaluations.",
    )

    def validate(self) -> None:
        check_tolerances(self.rtol, self.atol)
        if self.method in FIXED and self.step_size > self.t_end:
            raise ConfigError(
                f"The step size ({self.step_size:g}) is longer than the whole integration time "
                f"({self.t_end:g}): the fixed-step solver {self.method} would not take a single step. "
                "Take a smaller step or a longer time."
            )


class ODEFunc(nn.Module):
    """f(t, z; θ): an MLP giving dz/dt; counts its evaluations in ``nfe``."""

    graph_label = "f(z, t; θ)"

    def __init__(self, cfg: NeuralODEConfig):
        super().__init__()
        self.cube, self.time = cfg.cube_input, cfg.time_input
        dims = [cfg.state_dim + int(cfg.time_input), *[cfg.hidden_dim] * cfg.num_layers]
        layers: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:], strict=True):
            layers += [nn.Linear(a, b), ACTS[cfg.activation]()]
        layers.append(nn.Linear(dims[-1], cfg.state_dim))
        self.net = nn.Sequential(*layers)
        for m in self.net:  # small initial dynamics, as the demo: the flow starts near the identity
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.1)
                nn.init.zeros_(m.bias)
        self.nfe = 0

    def forward(self, t: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        self.nfe += 1
        h = z**3 if self.cube else z  # (B, D)
        if self.time:
            h = torch.cat([h, t.expand(*h.shape[:-1], 1)], -1)  # (B, D + 1)
        return self.net(h)


class NeuralODE(nn.Module):
    """z(t_end) = z(0) + ∫₀^t_end f(t, z(t)) dt, solved by torchdiffeq."""

    def __init__(self, cfg: NeuralODEConfig):
        super().__init__()
        self.cfg = cfg
        self.func = ODEFunc(cfg)

    def solver_options(self, rtol: float | None = None, atol: float | None = None, method: str | None = None):
        c = self.cfg
        method = method or c.method
        kw: dict = {"method": method}
        if method in ADAPTIVE:
            kw.update(rtol=c.rtol if rtol is None else rtol, atol=c.atol if atol is None else atol)
        else:
            kw["options"] = {"step_size": c.step_size}
        return kw

    def trajectory(self, z0: torch.Tensor, t: torch.Tensor, **solver) -> torch.Tensor:
        """z at every time of ``t`` (T,): (T, B, D); ``solver`` overrides rtol, atol or method."""
        if z0.dim() != 2 or z0.shape[-1] != self.cfg.state_dim:
            raise ValueError(
                f"The neural ODE expects states of shape (batch, {self.cfg.state_dim}), got {tuple(z0.shape)}"
            )
        self.func.nfe = 0
        solve = odeint_adjoint if (self.cfg.adjoint and torch.is_grad_enabled()) else odeint
        kw = self.solver_options(**solver)
        if solve is odeint_adjoint:
            kw["adjoint_params"] = tuple(self.func.parameters())
        return solve(self.func, z0, t.to(z0), **kw)

    def forward(self, z0: torch.Tensor) -> torch.Tensor:
        if z0.is_meta:  # shapes only: one evaluation of f stands for the solve (see the module docstring)
            return z0 + self.cfg.t_end * self.func(torch.zeros((), device=z0.device), z0)
        t = torch.tensor([0.0, self.cfg.t_end], device=z0.device)
        return self.trajectory(z0, t)[-1]  # (B, D)


PAPER = Paper(
    "R. T. Q. Chen, Y. Rubanova, J. Bettencourt, D. Duvenaud",
    2018,
    "Neural Ordinary Differential Equations",
    arxiv="1806.07366",
)

register(
    ArchSpec(
        name="neural_ode",
        title="Neural ODE",
        family="continuous",
        year=2018,
        paper=PAPER,
        summary="A network gives the derivative dz/dt of a hidden state; an ODE solver integrates it, taking "
        "as many steps as the accuracy asks: continuous depth.",
        tasks=("time-series trajectories", "continuous-depth models"),
        config=NeuralODEConfig,
        build=NeuralODE,
        example_input=lambda cfg: torch.randn(4, cfg.state_dim),
        presets={
            "tiny": {"method": "rk4"},  # fixed steps: the ONNX export replays them exactly
            "canonical": dict(state_dim=2, hidden_dim=50, num_layers=1, activation="tanh", cube_input=True),
        },
        published_params=252,
        published_source="torchdiffeq's examples/ode_demo.py (ODEFunc: Linear(2, 50), Tanh, Linear(50, 2))",
    )
)
