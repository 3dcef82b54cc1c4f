"""Training a self-organising map with Kohonen's rule, in mini-batches, and measuring how organised it is.

Kohonen (1982, 1990). For each input x of a batch the best-matching unit c(x) is found, and every unit
moves towards the inputs that its neighbourhood caught:

    Δwⱼ = η Σᵢ hⱼ,c₍ₓᵢ₎ (xᵢ − wⱼ) / max(1, Σᵢ hⱼ,c₍ₓᵢ₎),   hⱼ,c = exp(−‖gⱼ − g_c‖² / 2σ²)

For a unit hit by one input this is exactly Kohonen's online rule wⱼ ← wⱼ + η hⱼ,c (x − wⱼ); for a unit
many inputs pull on, it moves a share η of the way to their neighbourhood-weighted mean (with η = 1, the
batch SOM), so a batch can never throw a unit past its inputs. Both σ and η shrink exponentially over
``num_steps``: σ from ``sigma_start`` (half the grid's larger side when 0) to ``sigma_end``, η from ``lr``
to ``lr_end``. A wide neighbourhood first unfolds the grid over the data; a narrow one then fine-tunes each
unit to its own region.

Logged per step: ``loss`` (the batch's quantisation error before the update), ``sigma``, ``eta``.
Evaluation: ``test_loss`` = ``test_qe``, the quantisation error (mean distance from an input to its
winner's weights), ``train_qe``, and ``test_te``, the topographic error (the share of inputs whose best
and second-best units are not grid neighbours: 0 for a map that keeps the data's topology).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from archs.spec import ConfigError
from data.base import Supervised
from data.colors import colors
from data.digits import digits
from training.energy.kernels import SolveTask, SolveTrainer

SOURCES = ("colors", "digits")


def som_data(source: str = "colors", n: int = 1000, seed: int = 0) -> Supervised:
    """Random RGB colours (``n`` of them) or the 8×8 digits flattened to 64 numbers in [0, 1]."""
    if source == "colors":
        return colors(n, seed)
    if source == "digits":
        d = digits()
        d.x_train, d.x_test = d.x_train.reshape(len(d.x_train), -1), d.x_test.reshape(len(d.x_test), -1)
        d.x_val = d.x_val.reshape(len(d.x_val), -1)
        return d
    raise ValueError(f"the self-organising map learns from {' or '.join(SOURCES)}, not {source!r}")


@dataclass(frozen=True)
class SOMTask(SolveTask):
    sigma_start: float = 0.0  # the first neighbourhood radius, in grid cells; 0: half the grid's larger side
    sigma_end: float = 0.5  # the last one: a unit and barely its neighbours
    lr_end: float = 0.01  # η at the last step (``lr`` is the first)

    def __post_init__(self) -> None:
        if self.sigma_start < 0 or self.sigma_end <= 0:
            raise ConfigError("The neighbourhood radii must be positive (sigma_start 0 picks one for you).")
        if not 0 < self.lr_end <= 1:
            raise ConfigError(f"The final learning rate must be above 0 and at most 1, got {self.lr_end}.")


def quantisation_error(model: nn.Module, x: torch.Tensor) -> float:
    """Mean Euclidean distance from each input (N, D) to its best-matching unit's weights."""
    return float(model(x).min(-1).values.clamp_min(0).sqrt().mean())


def topographic_error(model: nn.Module, x: torch.Tensor) -> float:
    """Share of inputs whose two best units are not next to each other on the grid (8-neighbourhood)."""
    if model.weight.shape[0] < 2:
        return 0.0
    best2 = model(x).topk(2, largest=False).indices  # (N, 2)
    g = model.grid[best2]  # (N, 2, 2)
    return float(((g[:, 0] - g[:, 1]).abs().amax(-1) > 1).float().mean())


@torch.no_grad()
def u_matrix(model: nn.Module) -> np.ndarray:
    """(rows, cols): each unit's mean distance to the weights of its 4 grid neighbours. High ridges
    separate clusters; low valleys are regions of similar units."""
    w = model.weight_grid()  # (R, C, D)
    r, c = w.shape[:2]
    total, count = torch.zeros(r, c), torch.zeros(r, c)
    for dr, dc in ((0, 1), (1, 0)):
        d = (w[dr:, dc:] - w[: r - dr, : c - dc]).norm(dim=-1)  # distances between neighbour pairs
        for rs, cs in (((slice(dr, None)), slice(dc, None)), (slice(0, r - dr), slice(0, c - dc))):
            total[rs, cs] += d
            count[rs, cs] += 1
    return (total / count.clamp_min(1)).numpy()


class SOMTrainer(SolveTrainer):
    """Kohonen's rule on mini-batches of ``batch_size`` inputs; ``lr`` is the first η."""

    eval_key = "test_loss"

    def __init__(self, model: nn.Module, task: SOMTask, data: Supervised, **kw: Any):
        super().__init__(model, task, data, **kw)
        if self.lr > 1:
            raise ConfigError(
                f"Kohonen's rate η must be at most 1 (a unit would overshoot its inputs), got {self.lr}."
            )
        d = self.splits["train"][0].flatten(1).shape[1]
        if d != model.cfg.in_features:
            raise ConfigError(
                f"The map's units have {model.cfg.in_features} weights but the inputs have {d} numbers."
            )
        cfg = model.cfg
        self.sigma0 = task.sigma_start or max(cfg.rows, cfg.cols) / 2
        self.sigma0 = max(self.sigma0, task.sigma_end)

    def schedule(self) -> tuple[float, float]:
        """(σ, η) at the current step: exponential decay from the first to the last value."""
        f = self.step_count / max(self.num_steps - 1, 1)
        sigma = self.sigma0 * (self.task.sigma_end / self.sigma0) ** f
        eta = self.lr * (min(self.task.lr_end, self.lr) / self.lr) ** f
        return sigma, eta

    @torch.no_grad()
    def update(self) -> dict[str, float]:
        x, _ = self._batch()
        x = x.flatten(1)  # (B, D)
        sigma, eta = self.schedule()
        dist = self.model(x)  # (B, K)
        h = self.model.neighbourhood(dist.argmin(-1), sigma)  # (B, K)
        w = self.model.weight
        pull = h.T @ x - h.sum(0)[:, None] * w  # (K, D): Σᵢ hⱼᵢ (xᵢ − wⱼ)
        w += eta * pull / h.sum(0).clamp_min(1.0)[:, None]
        self.samples_seen += len(x)
        qe = float(dist.min(-1).values.clamp_min(0).sqrt().mean())
        return {"loss": qe, "sigma": sigma, "eta": eta}

    def metrics(self) -> dict[str, float]:
        xt, xs = self.splits["test"][0].flatten(1), self.splits["train"][0].flatten(1)
        qe = quantisation_error(self.model, xt)
        return {
            "test_loss": qe,
            "test_qe": qe,
            "train_qe": quantisation_error(self.model, xs[:4096]),
            "test_te": topographic_error(self.model, xt),
        }


@torch.no_grad()
def map_probe(model: nn.Module) -> dict[str, Any]:
    """The map as a page draws it while it trains: the weights (rows, cols, D) and the U-matrix
    (rows, cols)."""
    return {"weights": model.weight_grid().detach().cpu().numpy().copy(), "umatrix": u_matrix(model)}


def train_with_snapshots(trainer: SOMTrainer, at: list[int]) -> list[dict[str, Any]]:
    """Run ``trainer`` to its end, keeping the map at the steps ``at`` (0 = before training): for each, the
    weights (rows, cols, D), the U-matrix, σ, η and the quantisation and topographic errors."""
    out = []
    for s in sorted(set(int(a) for a in at if 0 <= a <= trainer.num_steps)):
        if s > trainer.step_count:
            trainer.step(s - trainer.step_count)
        sigma, eta = trainer.schedule()
        m = trainer.evaluate()
        out.append(
            dict(
                step=s,
                weights=trainer.model.weight_grid().detach().numpy().copy(),
                umatrix=u_matrix(trainer.model),
                sigma=sigma,
                eta=eta,
                qe=m["test_qe"],
                te=m["test_te"],
            )
        )
    return out


def snapshot_steps(num_steps: int, count: int = 12) -> list[int]:
    """0, then about ``count`` steps spaced evenly on a log scale up to ``num_steps``."""
    steps = np.unique(np.round(np.geomspace(1, num_steps, count - 1)).astype(int))
    return [0, *map(int, steps)] if num_steps >= 1 else [0]


__all__ = [
    "SOMTask",
    "SOMTrainer",
    "som_data",
    "u_matrix",
    "map_probe",
    "train_with_snapshots",
    "snapshot_steps",
]
