"""Maximum-likelihood training of a normalizing flow: the loss is the exact negative log-likelihood.

Metrics per split: ``loss`` (nats per example: per point, or per image with dequantisation), ``ll`` (its
negative, the log-likelihood the page shows) and, for images, ``bpd`` (bits per dimension of the discrete
pixels, the papers' unit). Before the first step the trainer runs Glow's data-dependent initialisation of
every ActNorm on a batch of training data (a no-op for RealNVP).

Images (values k/16 of scikit-learn's digits, 17 levels) are dequantised as the papers do: uniform noise
within each level's bin, x̃ = (16x + u)/17 − ½ with u ~ U[0, 1); then log P(x) ≥ log p(x̃) − D·log 17, and
bpd = (D·log 17 − log p(x̃)) / (D·log 2).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from data.base import Supervised
from training.tasks import Task
from training.trainer import Trainer

LEVELS = 17  # scikit-learn's digits: pixel values 0..16


def dequantise(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Digits in [0, 1] (multiples of 1/16) -> continuous values in [−½, ½), noise within each bin."""
    u = (
        torch.rand(x.shape, generator=generator, device="cpu").to(x)
        if generator is not None
        else torch.rand_like(x)
    )
    return (x * (LEVELS - 1) + u) / LEVELS - 0.5


class FlowTask(Task):
    """Negative log-likelihood of a batch: points as they are, images dequantised."""

    name = "flow"
    higher_is_better = "ll"

    def __init__(self, data: Supervised):
        self.images = data.kind == "flow_images"

    def _logp(self, model, x, generator=None):
        if not self.images:
            return model(x)
        return model(dequantise(x, generator))

    def loss(self, model, x, y):
        return -self._logp(model, x).mean()

    @torch.no_grad()
    def metrics(self, model, x, y):
        ll = float(self._logp(model, x, torch.Generator().manual_seed(0)).mean())
        out = {"loss": -ll, "ll": ll}
        if self.images:
            d = x[0].numel()
            out["bpd"] = (d * math.log(LEVELS) - ll) / (d * math.log(2))
        return out


class FlowTrainer(Trainer):
    """The plain Trainer plus Glow's data-dependent ActNorm initialisation on the first training batch."""

    eval_key = "test_ll"

    def __init__(self, model, task, data, **kw):
        super().__init__(model, task, data, **kw)
        x = self.splits["train"][0][:512]
        if getattr(task, "images", False):
            x = dequantise(x, torch.Generator().manual_seed(0))
        if hasattr(self.model, "init_actnorm"):
            self.model.init_actnorm(x)

    def diagnose(self) -> str | None:
        rows = [r for r in self.history if "train_ll" in r]
        if len(rows) >= 2 and rows[-1]["train_ll"] <= rows[0]["train_ll"] + 0.01:
            return (
                f"The log-likelihood did not go up ({rows[0]['train_ll']:.3g} at step {rows[0]['step']}, "
                f"{rows[-1]['train_ll']:.3g} at the end): the flow learned nothing. Try a learning rate near "
                "0.003 or more steps."
            )
        return None


def gaussian_ll(train: np.ndarray, test: np.ndarray) -> float:
    """Mean log-likelihood on ``test`` of the Gaussian (mean and full covariance) fitted to ``train``: the
    baseline a flow must beat."""
    mu, cov = train.mean(0), np.cov(train.T) + 1e-9 * np.eye(train.shape[1])
    d = test - mu
    _, logdet = np.linalg.slogdet(cov)
    maha = np.einsum("ni,ij,nj->n", d, np.linalg.inv(cov), d)
    return float(np.mean(-0.5 * (maha + logdet + train.shape[1] * math.log(2 * math.pi))))
