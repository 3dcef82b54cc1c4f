"""Training an echo state network on a chaotic series: harvest reservoir states, solve the readout by ridge
regression, forecast one step ahead (teacher forcing) and free-running (the forecast fed back as input).

Jaeger (2001), GMD Report 148; Jaeger & Haas (2004), Science 304, 78-80; the ridge readout and the
washout as in Lukoševičius (2012), "A practical guide to applying echo state networks".

The data (``esn_series``) is one Mackey–Glass series (data/timeseries.py), standardised with the training
span's mean and deviation: inputs u(t), targets u(t + 1). The first ``washout`` states are dropped, while
the reservoir forgets its zero initial state. One trainer ``step`` feeds the next chunk of the training span
through the reservoir (the state carries over), adds its states to the sums Σ z zᵀ and Σ z yᵀ with
z = [x; u; 1], and re-solves W_out = (Σ z zᵀ/n + λI)⁻¹ Σ z yᵀ/n: after the last chunk it is the ridge
solution on the whole span. Logged per step: ``loss`` (the chunk's one-step MSE under the new readout).

Evaluation (the test span, after the training span, the reservoir warmed by everything before it):
``test_loss`` (one-step MSE), ``test_nrmse`` and ``persistence_nrmse`` (the naive forecast u(t + 1) = u(t),
on the same points), and over ``horizon`` steps free-running from the end of the training span
``free_nrmse`` against ``free_persistence_nrmse`` (the last seen value held). NRMSE: RMSE / std of the
targets, so 1 is no better than predicting the mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from archs.spec import ConfigError
from data.base import Supervised
from data.timeseries import mackey_glass
from training.energy.kernels import SolveTask, SolveTrainer


def esn_series(length: int = 2000, train_frac: float = 0.6, tau: float = 17.0, seed: int = 0) -> Supervised:
    """One Mackey–Glass series as a single sequence: x (1, T−1, 1) = u(t), y (1, T−1, 1) = u(t + 1), for
    train and test alike (the test copy is the whole series: its inputs warm the reservoir); the training
    span is the first ``train_frac``, ``meta["split"]`` says where the test span starts."""
    if not 0.2 <= train_frac <= 0.9:
        raise ValueError(f"the training share must be between 20% and 90%, got {train_frac:.0%}")
    raw = mackey_glass(length, tau=tau, seed=seed)  # (T, 1)
    split = int(length * train_frac)
    mean, std = raw[:split].mean(), raw[:split].std() + 1e-8
    z = ((raw - mean) / std).astype(np.float32)
    x, y = z[None, :-1], z[None, 1:]  # (1, T−1, 1)
    return Supervised(
        x_train=x[:, : split - 1],
        y_train=y[:, : split - 1],
        x_test=x,
        y_test=y,
        kind="esn",
        num_classes=1,
        name=f"Mackey–Glass (τ = {tau:g})",
        meta={"split": split - 1, "mean": float(mean), "std": float(std), "tau": tau},
    )


@dataclass(frozen=True)
class ESNTask(SolveTask):
    ridge: float = 1e-7  # λ of the ridge readout: larger is smoother and more stable when free-running
    washout: int = 100  # states dropped at the start while the reservoir forgets its initial state
    horizon: int = 100  # steps of the free-running forecast scored at evaluation

    def __post_init__(self) -> None:
        if not 0 <= self.ridge <= 10:
            raise ConfigError(f"The ridge λ must be between 0 and 10, got {self.ridge}.")
        if self.washout < 0 or self.horizon < 1:
            raise ConfigError("The washout cannot be negative and the horizon must be at least one step.")


def nrmse(pred: np.ndarray, target: np.ndarray) -> float:
    return float(np.sqrt(np.mean((pred - target) ** 2)) / (np.std(target) + 1e-12))


def solve_readout(model: nn.Module, zz: torch.Tensor, zy: torch.Tensor, n: int, ridge: float) -> None:
    """W_out from the sums Σ z zᵀ (L, L), Σ z yᵀ (L, C) over n rows, z = [x; u; 1]."""
    a = zz / max(n, 1) + ridge * torch.eye(len(zz), dtype=zz.dtype)
    w = torch.linalg.solve(a, zy / max(n, 1)).float()  # (L, C)
    with torch.no_grad():
        model.readout.weight.copy_(w[:-1].T)
        model.readout.bias.copy_(w[-1])


def features(x: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """z = [x; u; 1]: (T, N), (T, in) -> (T, N + in + 1)."""
    return torch.cat([x, u, u.new_ones(len(u), 1)], 1)


@torch.no_grad()
def fit(model: nn.Module, u: torch.Tensor, y: torch.Tensor, washout: int = 100, ridge: float = 1e-7):
    """The whole fit in one go: u, y (T, C) -> the final state (1, N), after solving the readout."""
    x = model.states(u[None])[0]  # (T, N)
    z = features(x, u)[washout:].double()
    solve_readout(model, z.T @ z, z.T @ y[washout:].double(), len(z), ridge)
    return x[-1:]


@torch.no_grad()
def free_run(model: nn.Module, x: torch.Tensor, u: torch.Tensor, steps: int) -> np.ndarray:
    """Generative mode: from state x (1, N) and the next input u (1, in), feed each forecast back as the
    next input for ``steps`` steps -> (steps, out)."""
    out = []
    for _ in range(steps):
        x = model.step(u, x)
        u = model.read(x, u)  # (1, out), the next input
        out.append(u)
    return torch.cat(out).numpy()


@torch.no_grad()
def divergence(model: nn.Module, u: torch.Tensor, seed: int = 0, scale: float = 1.0) -> np.ndarray:
    """The echo-state property: drive the reservoir with the same input u (T, in) from two different random
    initial states; the distance ‖xₐ(t) − x_b(t)‖ / √N per step (T,). It falls to 0 where the property
    holds."""
    g = torch.Generator().manual_seed(seed)
    x0 = (torch.rand(2, model.cfg.reservoir_size, generator=g) * 2 - 1) * scale  # (2, N)
    xs = model.states(u[None].expand(2, -1, -1), x0)  # (2, T, N)
    return ((xs[0] - xs[1]).norm(dim=-1) / model.cfg.reservoir_size**0.5).numpy()


class ESNTrainer(SolveTrainer):
    """Ridge readout of an echo state network, one chunk of the training span per step."""

    eval_key = "test_loss"

    def __init__(self, model: nn.Module, task: ESNTask, data: Supervised, **kw: Any):
        super().__init__(model, task, data, **kw)
        self.u, self.y = self.splits["train"][0][0].cpu(), self.splits["train"][1][0].cpu()  # (T, 1)
        if self.num_steps > len(self.u):
            raise ConfigError(f"The training span has {len(self.u)} points: at most that many steps.")
        if task.washout >= len(self.u):
            raise ConfigError(f"The washout ({task.washout}) must be shorter than the training span.")
        if model.cfg.in_dim != self.u.shape[1] or model.cfg.out_dim != self.y.shape[1]:
            raise ConfigError(
                "The echo state network must read and predict one number per step, as the series has."
            )
        self.bounds = np.linspace(0, len(self.u), self.num_steps + 1).astype(int)
        width = model.cfg.reservoir_size + model.cfg.in_dim + 1
        self.zz = torch.zeros(width, width, dtype=torch.float64)
        self.zy = torch.zeros(width, model.cfg.out_dim, dtype=torch.float64)
        self.rows = 0
        self.state = torch.zeros(1, model.cfg.reservoir_size)

    def update(self) -> dict[str, float]:
        lo, hi = self.bounds[self.step_count], self.bounds[self.step_count + 1]
        u, y = self.u[lo:hi], self.y[lo:hi]
        with torch.no_grad():
            x = self.model.states(u[None], self.state)[0]  # (t, N)
            self.state = x[-1:]
            keep = max(self.task.washout - lo, 0)  # rows of this chunk still in the washout
            z = features(x, u)[keep:].double()
            self.zz += z.T @ z
            self.zy += z.T @ y[keep:].double()
            self.rows += len(z)
            if self.rows:
                solve_readout(self.model, self.zz, self.zy, self.rows, self.task.ridge)
            pred = self.model.read(x, u)
        self.samples_seen += len(u)
        return {"loss": float(((pred - y)[keep:] ** 2).mean()) if len(z) else float((y**2).mean())}

    def forecasts(self) -> dict[str, np.ndarray]:
        """One-step and free-running forecasts on the test span, the targets, and persistence."""
        m, split = self.model, self.data.meta["split"]
        u, y = self.splits["test"][0][0].cpu(), self.splits["test"][1][0].cpu()  # (T, 1)
        with torch.no_grad():
            x = m.states(u[None])[0]  # (T, N)
            one = m.read(x, u)[split:].numpy()
        h = min(self.task.horizon, len(u) - split)
        free = free_run(m, x[split - 1 : split], y[split - 1 : split], h)  # starts from u(split)
        return dict(
            target=y[split:].numpy(),
            one_step=one,
            persistence=u[split:].numpy(),
            free=free,
            free_target=y[split : split + h].numpy(),
            held=np.repeat(u[split : split + 1].numpy(), h, 0),
        )

    def metrics(self) -> dict[str, float]:
        f = self.forecasts()
        return {
            "test_loss": float(np.mean((f["one_step"] - f["target"]) ** 2)),
            "test_nrmse": nrmse(f["one_step"], f["target"]),
            "persistence_nrmse": nrmse(f["persistence"], f["target"]),
            "free_nrmse": nrmse(f["free"], f["free_target"]),
            "free_persistence_nrmse": nrmse(f["held"], f["free_target"]),
        }


def esn_experiment(
    spectral_radius: float = 0.9,
    reservoir_size: int = 300,
    ridge: float = 1e-7,
    seed: int = 0,
    steps: int = 300,
) -> dict[str, Any]:
    """The Mackey–Glass recipe with these settings, trained to the end: its forecasts (``forecasts``), the
    evaluation metrics, and the echo-state check: the distance between two runs from different initial
    states under the same input (the first ``steps`` inputs), for ``divergence``."""
    from training.recipes import get_recipe

    t = get_recipe("esn_mackey_glass").trainer(
        seed=seed, spectral_radius=spectral_radius, reservoir_size=reservoir_size, ridge=ridge
    )
    t.step(t.num_steps)
    if t.status == "failed":
        raise ConfigError(t.message)
    return {
        "forecasts": t.forecasts(),
        "metrics": t.last_eval(),
        "divergence": divergence(t.model, t.u[:steps], seed=seed),
        "measured_radius": t.model.spectral_radius(),
    }


def radius_sweep(
    radii: tuple[float, ...], reservoir_size: int = 300, ridge: float = 1e-7, seed: int = 0
) -> list[dict[str, float]]:
    """One row per spectral radius: ``rho``, the four NRMSEs of ``ESNTrainer.metrics`` and ``final_gap``,
    the mean distance between the two runs over the last 50 of 300 steps."""
    rows = []
    for rho in radii:
        e = esn_experiment(rho, reservoir_size, ridge, seed)
        m = e["metrics"]
        rows.append(
            {
                "rho": float(rho),
                **{
                    k: m[k]
                    for k in ("test_nrmse", "persistence_nrmse", "free_nrmse", "free_persistence_nrmse")
                },
                "final_gap": float(np.mean(e["divergence"][-50:])),
            }
        )
    return rows
