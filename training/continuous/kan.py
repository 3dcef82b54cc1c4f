"""A KAN fitting a formula, and reading the formula back from its edges (Liu et al. 2024, Sec. 2.5).

``FormulaTask``: mean squared error; metrics ``loss``, ``rmse`` and ``r2``. ``KANTrainer.snapshot`` adds
``edges``: for every layer, each input's observed range sampled at ``CURVE_POINTS`` points, ``x`` (in, P),
and every edge's φ there, ``phi`` (out, in, P).

``best_symbolic(x, y)`` is the paper's auto-symbolic step in small: for each function g of ``LIBRARY``
it searches the affine inner map a·x + b on a grid (then on two finer grids around the best), fits
c·g(a·x + b) + d by least squares, and keeps the g with the highest R². The search is a grid, so R² is
a lower bound of what an exact fit finds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from training.tasks import Task
from training.trainer import Trainer

CURVE_POINTS = 60
LIBRARY: dict[str, Any] = {
    "x": lambda u: u,
    "x²": lambda u: u**2,
    "x³": lambda u: u**3,
    "exp": lambda u: np.exp(np.clip(u, -20, 20)),
    "sin": np.sin,
    "tanh": np.tanh,
    "|x|": np.abs,
    "0": None,  # a dead edge: nothing to read
}
_A = np.concatenate([-np.geomspace(10, 0.25, 12), np.geomspace(0.25, 10, 12)])  # inner scale a
_B = np.linspace(-4, 4, 33)  # inner shift b


class FormulaTask(Task):
    name = "regression"
    higher_is_better = "r2"

    def loss(self, model, x, y):
        return F.mse_loss(model(x).squeeze(-1), y), {}

    @torch.no_grad()
    def metrics(self, model, x, y):
        pred = model(x).squeeze(-1)
        mse = float(F.mse_loss(pred, y))
        var = float(((y - y.mean()) ** 2).mean())
        return {"loss": mse, "rmse": mse**0.5, "r2": 1 - mse / max(var, 1e-12)}


def _r2_affine(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """R² of the least-squares fit y ≈ c·g + d for each row of g (..., P)."""
    gm = g - g.mean(-1, keepdims=True)
    ym = y - y.mean()
    sgg = (gm**2).sum(-1)
    sgy = (gm * ym).sum(-1)
    syy = (ym**2).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(sgg > 1e-12, sgy**2 / (sgg * max(syy, 1e-12)), 0.0)
    return np.nan_to_num(r2)


def best_symbolic(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The best function of LIBRARY for the curve (x, y): {"name", "r2", "a", "b", "formula", "fit"}."""
    span = float(np.ptp(y))
    if span < 1e-3 * max(1.0, float(np.abs(y).max())):
        return {
            "name": "0",
            "r2": 1.0,
            "a": 0.0,
            "b": 0.0,
            "formula": f"{y.mean():.2f}",
            "fit": y * 0 + y.mean(),
        }
    best = {"name": "x", "r2": -1.0, "a": 1.0, "b": 0.0}
    for name, g in LIBRARY.items():
        if g is None:
            continue
        a_grid, b_grid = _A, _B
        for _ in range(3):  # a coarse grid, then two finer ones around its best point
            u = a_grid[:, None, None] * x[None, None, :] + b_grid[None, :, None]  # (A, B, P)
            r2 = _r2_affine(g(u), y)  # (A, B)
            i, j = np.unravel_index(int(np.argmax(r2)), r2.shape)
            a, b, da = float(a_grid[i]), float(b_grid[j]), abs(float(a_grid[i])) * 0.3
            db = float(np.diff(b_grid).mean()) if len(b_grid) > 1 else 0.25
            a_grid, b_grid = np.linspace(a - da, a + da, 21), np.linspace(b - db, b + db, 21)
        if r2[i, j] > best["r2"] + 1e-6:
            best = {"name": name, "r2": float(r2[i, j]), "a": a, "b": b}
    best["formula"] = _formula(best["name"], best["a"], best["b"])
    g = LIBRARY[best["name"]](best["a"] * x + best["b"])
    c, d = np.polyfit(g, y, 1) if np.ptp(g) > 1e-12 else (0.0, float(y.mean()))
    best["fit"] = c * g + d  # (P,): the fitted curve, to draw beside φ
    return best


def _formula(name: str, a: float, b: float) -> str:
    inner = f"{a:.2g}x {'+' if b >= 0 else '−'} {abs(b):.2g}" if b else f"{a:.2g}x"
    if name == "x":
        return "c·x + d"
    if name == "x²":
        return f"c·({inner})² + d"
    if name == "x³":
        return f"c·({inner})³ + d"
    if name == "|x|":
        return f"c·|{inner}| + d"
    return f"c·{name}({inner}) + d"


def read_back(edges: list[dict[str, np.ndarray]]) -> list[list[list[dict[str, Any]]]]:
    """best_symbolic of every edge: [layer][out][in]."""
    out = []
    for layer in edges:
        x, phi = layer["x"], layer["phi"]  # (in, P), (out, in, P)
        out.append([[best_symbolic(x[i], phi[o, i]) for i in range(x.shape[0])] for o in range(phi.shape[0])])
    return out


class KANTrainer(Trainer):
    """A plain Trainer whose snapshot carries every edge's learned curve."""

    @torch.no_grad()
    def edges(self) -> list[dict[str, np.ndarray]]:
        x = self.splits["train"][0][:2048]
        acts = self.model.activations(x)
        out = []
        for layer, a in zip(self.model.layers, acts[:-1], strict=False):
            lo, hi = a.min(0).values, a.max(0).values  # (in,)
            s = torch.linspace(0, 1, CURVE_POINTS, device=a.device)
            grid = lo[:, None] + (hi - lo)[:, None] * s  # (in, P)
            phi = layer.edges(grid.t())  # (P, out, in)
            out.append({"x": grid.cpu().numpy(), "phi": phi.permute(1, 2, 0).cpu().numpy()})
        return out

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        was = self.model.training
        self.model.eval()
        try:
            snap["edges"] = self.edges()
        finally:
            self.model.train(was)
        return snap
