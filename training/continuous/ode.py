"""The neural ODE on the spiral (torchdiffeq's ode_demo, the paper's Sec. 5 spirit): fit dz/dt = f(z) so
that solving it from any point of the true trajectory reproduces the next ``batch_time`` points.

Loss, as the demo: mean |ẑ − z| over the points of a batch of segments. The baseline ("twin") is a
**ResNet with the same parameters**: the same network g, started from the same weights, applied as one
residual step z ← z + g(z) per sampling interval, with no solver. Both train on the same batches.

Metrics per split: ``loss`` and ``err`` (mean |ẑ − z|), and for the ODE ``nfe`` (evaluations of f in that
solve). The test split is the whole trajectory from z(0): 1,000 points, 25 time units, which errors
compound along. ``nfe_sweep`` measures the evaluations and the error of one solve at several tolerances.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import torch
from torch import nn

from archs.continuous.neural_ode import ADAPTIVE, NeuralODE, check_tolerances
from training.continuous.twin import TwinTrainer
from training.tasks import Task

VIEW_POINTS = 400  # trajectory points a snapshot keeps for the page
TOLERANCES = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6)


class ResidualSteps(nn.Module):
    """A ResNet with tied weights: z_{k+1} = z_k + g(z_k), one block per sampling interval."""

    def __init__(self, func: nn.Module):
        super().__init__()
        self.func = func

    def trajectory(self, z0: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        zs = [z0]
        for k in range(len(t) - 1):
            zs.append(zs[-1] + self.func(t[k], zs[-1]))  # (B, D)
        self.func.nfe = len(t) - 1
        return torch.stack(zs)  # (T, B, D)

    def forward(self, z0: torch.Tensor) -> torch.Tensor:
        return self.trajectory(z0, torch.zeros(2, device=z0.device))[-1]


class TrajectoryTask(Task):
    """Segments of the path: x (B, D) start states, y (B, T, D) the states at 0, dt, … (T − 1)·dt."""

    name = "trajectory"
    higher_is_better = "err"  # the headline metric's name (here lower is better)

    def __init__(self, dt: float):
        self.dt = dt

    def predict(self, model, x: torch.Tensor, steps: int) -> torch.Tensor:
        t = torch.arange(steps, device=x.device, dtype=torch.float32) * self.dt
        return model.trajectory(x, t).permute(1, 0, 2)  # (B, T, D)

    def loss(self, model, x, y):
        err = (self.predict(model, x, y.shape[1]) - y).abs().mean()
        return err, {"nfe": torch.tensor(float(model.func.nfe))}

    @torch.no_grad()
    def metrics(self, model, x, y):
        err = float((self.predict(model, x, y.shape[1]) - y).abs().mean())
        return {"loss": err, "err": err, "nfe": float(model.func.nfe)}


@torch.no_grad()
def nfe_sweep(
    model: NeuralODE, z0: torch.Tensor, t: torch.Tensor, tolerances=TOLERANCES, method: str = "dopri5"
) -> list[dict[str, float]]:
    """One solve of ``model`` from z0 over ``t`` per tolerance (rtol = tol, atol = tol / 10): the
    evaluations of f it took and its mean distance from a solve at rtol 1e-8 (the solver's own error,
    not the model's)."""
    if method not in ADAPTIVE:
        raise ValueError(f"only an adaptive solver chooses its steps by a tolerance; {method} does not")
    ref = model.trajectory(z0, t, rtol=1e-8, atol=1e-9, method=method)
    rows = []
    for tol in tolerances:
        check_tolerances(tol, tol / 10)
        z = model.trajectory(z0, t, rtol=tol, atol=tol / 10, method=method)
        rows.append({"tol": float(tol), "nfe": model.func.nfe, "err": float((z - ref).abs().mean())})
    return rows


@torch.no_grad()
def solve_once(model: NeuralODE, z0: torch.Tensor, t: torch.Tensor, rtol: float, atol: float) -> dict:
    """One solve at the user's tolerances (ConfigError with a sentence if they are not positive)."""
    check_tolerances(rtol, atol)
    z = model.trajectory(z0, t, rtol=rtol, atol=atol, method="dopri5")
    return {"nfe": model.func.nfe, "path": z[:, 0].cpu().numpy()}


def _thin(a: np.ndarray, n: int = VIEW_POINTS) -> np.ndarray:
    idx = np.unique(np.linspace(0, len(a) - 1, n).round().astype(int))
    return a[idx]


class OdeSpiralTrainer(TwinTrainer):
    """Trains the neural ODE and its ResNet twin; snapshots the two predicted paths and f's field."""

    def __init__(self, model, task, data, **kw):
        super().__init__(model, task, data, **kw)
        self.dt = float(data.meta["dt"])

    def _one_step(self) -> None:
        # cosine decay of the learning rate to 0 at num_steps: the path from z(0) compounds every small
        # error of f over 25 time units, and a constant rate left it jumping between steps
        frac = min(self.step_count / max(self.num_steps, 1), 1.0)
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr * 0.5 * (1 + math.cos(math.pi * frac))
        super()._one_step()

    def make_twin(self, model, data) -> nn.Module:
        return ResidualSteps(copy.deepcopy(model.func))  # the same g, the same starting weights

    @torch.no_grad()
    def paths(self) -> dict[str, np.ndarray]:
        x, y = self.splits["test"]
        n = y.shape[1]
        ode = self.task.inner.predict(self.main, x, n)[0].cpu().numpy()  # (n, 2)
        res = self.task.inner.predict(self.twin, x, n)[0].cpu().numpy()
        return {"true": _thin(y[0].cpu().numpy()), "ode": _thin(ode), "resnet": _thin(res)}

    @torch.no_grad()
    def field(self, n: int = 15, lim: float = 2.2) -> dict[str, np.ndarray]:
        v = torch.linspace(-lim, lim, n, device=self.device)
        gy, gx = torch.meshgrid(v, v, indexing="ij")
        z = torch.stack([gx.ravel(), gy.ravel()], -1)  # (n², 2)
        dz = self.main.func(torch.zeros((), device=self.device), z)
        self.main.func.nfe = 0
        return {"xy": z.cpu().numpy(), "dxy": dz.cpu().numpy()}

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        was = self.model.training
        self.model.eval()
        try:
            snap.update(paths=self.paths(), field=self.field(), dt=self.dt)
        finally:
            self.model.train(was)
        return snap
