"""Closed-form training shared by the family's classic networks, and the RBF network's and ELM's fits.

- ``ridge_solve``: the regularised least-squares readout W = (HᵀH/N + λI)⁻¹ HᵀT/N (dividing by the number
  of rows N keeps λ meaningful whatever the data size), solved in float64. With λ → 0 it is the
  pseudo-inverse solution β = H⁺T of the extreme learning machine (Huang, Zhu & Siew 2006, "Extreme
  learning machine: theory and applications", Neurocomputing 70, 489-501).
- ``fit_elm``: β = H⁺T on the fixed random hidden layer's outputs H, one-hot targets T.
- ``fit_rbf``: the classic two-stage RBF training (Moody & Darken 1989, "Fast learning in networks of
  locally-tuned processing units", Neural Computation 1, 281-294): centres by k-means, each width from the
  distances to the nearest other centres, then the linear readout by least squares.
- ``SolveTrainer``: the stepper Trainer's contract for models whose step is a solve or a local rule, not a
  gradient step: a subclass's ``update()`` does one step and returns its logs, ``metrics()`` evaluates.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import torch
from torch import nn

from archs.spec import ConfigError
from training.tasks import Task
from training.trainer import Trainer


def ridge_solve(h: torch.Tensor, t: torch.Tensor, ridge: float) -> torch.Tensor:
    """h (N, L), t (N, C) -> W (L, C) minimising ‖hW − t‖²/N + λ‖W‖²."""
    h64, t64 = h.double(), t.double()
    n = max(len(h64), 1)
    a = h64.T @ h64 / n + ridge * torch.eye(h64.shape[1], dtype=torch.float64, device=h.device)  # (L, L)
    return torch.linalg.solve(a, h64.T @ t64 / n).to(h.dtype)  # (L, C)


def with_ones(h: torch.Tensor) -> torch.Tensor:
    """(N, L) -> (N, L + 1): a constant column, so that the solve finds the bias too."""
    return torch.cat([h, h.new_ones(len(h), 1)], 1)


def set_linear(layer: nn.Linear, w: torch.Tensor) -> None:
    """Write a solve's (L + 1, C) result (weights, then the bias row) into ``layer``."""
    with torch.no_grad():
        layer.weight.copy_(w[:-1].T)
        layer.bias.copy_(w[-1])


def one_hot(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    return torch.nn.functional.one_hot(y.long(), num_classes).float()  # (N, C)


@torch.no_grad()
def fit_elm(model: nn.Module, x: torch.Tensor, y: torch.Tensor, ridge: float = 1e-6) -> dict[str, float]:
    """Solve the ELM's readout β = H⁺T (ridge λ) on inputs x (N, D) and class ids y (N,)."""
    h = with_ones(model.hidden(x))  # (N, L + 1)
    set_linear(model.readout, ridge_solve(h, one_hot(y, model.cfg.num_classes), ridge))
    return {"train_acc": float((model(x).argmax(-1) == y).float().mean())}


def kmeans(x: torch.Tensor, k: int, iters: int = 30, seed: int = 0) -> torch.Tensor:
    """k-means++ seeding then Lloyd's iterations: x (N, D) -> centres (k, D)."""
    g = torch.Generator().manual_seed(seed)
    c = x[torch.randint(len(x), (1,), generator=g)]
    for _ in range(1, k):
        d = torch.cdist(x, c).min(1).values ** 2  # (N,)
        p = d / d.sum() if d.sum() > 0 else torch.full_like(d, 1 / len(d))
        c = torch.cat([c, x[torch.multinomial(p, 1, generator=g)]])
    for _ in range(iters):
        assign = torch.cdist(x, c).argmin(1)  # (N,)
        for j in range(k):
            members = x[assign == j]
            if len(members):
                c[j] = members.mean(0)
    return c


@torch.no_grad()
def fit_rbf(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    ridge: float = 1e-6,
    neighbours: int = 2,
    seed: int = 0,
) -> dict[str, float]:
    """Two-stage RBF training on x (N, D), class ids y (N,): k-means centres, widths = the config's width
    × the mean distance to the ``neighbours`` nearest other centres, then the readout by least squares."""
    k = model.cfg.num_centers
    if k > len(x):
        raise ConfigError(
            f"The RBF network has {k} centres but there are only {len(x)} training points: k-means cannot "
            "place more centres than points. Use fewer centres or more points."
        )
    c = kmeans(x, k, seed=seed)
    d = torch.cdist(c, c) + torch.eye(k) * 1e9  # (K, K), a centre is not its own neighbour
    near = d.topk(min(neighbours, k - 1), largest=False).values.mean(1) if k > 1 else torch.ones(1)
    near = near.clamp_min(1e-3)
    model.centers.copy_(c)
    model.log_width.copy_(torch.log(model.cfg.width * near))
    h = with_ones(model.basis(x))  # (N, K + 1)
    set_linear(model.readout, ridge_solve(h, one_hot(y, model.cfg.num_classes), ridge))
    return {"train_acc": float((model(x).argmax(-1) == y).float().mean())}


@dataclass(frozen=True)
class SolveTask(Task):
    """Hyperparameters of a solve-based trainer; a recipe routes them by ``keys()``."""

    name = "closed form"
    higher_is_better = "acc"

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_data(cls, data: Any, **kw: Any) -> SolveTask:
        return cls(**kw)


class SolveTrainer(Trainer):
    """A Trainer whose step is ``update()`` (a solve, a local rule) and whose evaluation is ``metrics()``.
    The optimizer the base class makes is never used; ``lr`` is the step size where a rule has one."""

    def update(self) -> dict[str, float]:
        raise NotImplementedError

    def metrics(self) -> dict[str, float]:
        raise NotImplementedError

    def _one_step(self) -> None:
        logs = self.update()
        self.step_count += 1
        self._pending.append(torch.tensor(float(logs.pop("loss"))))
        self._pending_terms.append({k: torch.tensor(float(v)) for k, v in logs.items()})

    @torch.no_grad()
    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        was = self.model.training
        self.model.eval()
        try:
            return {k: float(v) for k, v in self.metrics().items()}
        finally:
            self.model.train(was)


def accuracy_np(scores: np.ndarray, y: np.ndarray) -> float:
    return float((scores.argmax(-1) == y).mean())


def toy_fit(
    arch: str,
    dataset: str = "moons",
    noise: float = 0.1,
    n: int = 400,
    seed: int = 0,
    resolution: int = 80,
    **hparams: Any,
) -> dict[str, Any]:
    """Build ``rbf_net`` or ``elm`` (``hparams`` override its tiny preset), fit it in closed form on a 2-D
    toy set, and return what the lab draws: class probabilities over a grid (R, R, C), train and test
    accuracy, the fit's wall time, and for the RBF network its centres and widths in plot coordinates."""
    import time

    import archs
    from data.toy2d import grid, toy2d

    try:
        d = toy2d(dataset, n=n, noise=noise, num_classes=2, seed=seed)
    except ValueError as e:
        raise ConfigError(str(e)[0].upper() + str(e)[1:] + ".") from e
    torch.manual_seed(seed)
    model = archs.build_model(arch, "tiny", in_features=2, num_classes=d.num_classes, **hparams)
    x, y = torch.as_tensor(d.x_train), torch.as_tensor(d.y_train)
    t0 = time.perf_counter()
    if arch == "rbf_net":
        fit_rbf(model, x, y, seed=seed)
    elif arch == "elm":
        fit_elm(model, x, y)
    else:
        raise ConfigError(
            f"The closed-form fit is for the RBF network or the extreme learning machine, not {arch}."
        )
    seconds = time.perf_counter() - t0
    xs, _, pts = grid(resolution)
    with torch.no_grad():
        probs = torch.softmax(model(torch.as_tensor(d.featurize(pts))) * 10, -1).numpy()  # sharpened scores
        test = float(
            (model(torch.as_tensor(d.x_test)).argmax(-1) == torch.as_tensor(d.y_test)).float().mean()
        )
        train = float((model(x).argmax(-1) == y).float().mean())
    out: dict[str, Any] = dict(
        xs=xs,
        probs=probs.reshape(resolution, resolution, -1),
        data=d,
        train_acc=train,
        test_acc=test,
        seconds=seconds,
        params=sum(p.numel() for p in model.parameters()),
        trained=sum(p.numel() for p in model.readout.parameters()),
    )
    if arch == "rbf_net":  # back from standardised features to the plane
        out["centers"] = model.centers.detach().numpy() * d.std + d.mean
        out["widths"] = torch.exp(model.log_width).detach().numpy() * float(np.mean(d.std))
    return out
