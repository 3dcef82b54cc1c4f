"""Training an RBM by contrastive divergence (CD-k) or persistent contrastive divergence (PCD), on
binarised digits.

The gradient of the log-likelihood of an RBM is a difference of two expectations, ⟨vhᵀ⟩_data − ⟨vhᵀ⟩_model
(G. E. Hinton 2002). CD-k estimates the second from a Gibbs chain started at the data and run k steps;
PCD (T. Tieleman 2008, "Training restricted Boltzmann machines using approximations to the likelihood
gradient", ICML) keeps one chain per example of a batch running across updates, so that it wanders far from
the data, as scikit-learn's ``BernoulliRBM`` does. Both are the gradient of F(v_data) − F(v_model) with the
model's samples held fixed, which ``RBMTrainer`` writes out (the free energy's gradient in closed form,
without autograd's bookkeeping): with plain SGD it is exactly the update of scikit-learn's implementation.

Metrics (``RBMTask.metrics``, on every split at each evaluation):

- ``loss`` / ``recon``: the mean squared error between v and its one-step reconstruction p(v | p(h | v));
- ``pl``: the pseudo-log-likelihood Σᵢ log p(vᵢ | v₋ᵢ) per example, summed over all pixels exactly (each
  pixel flipped in turn; scikit-learn's ``score_samples`` flips one random pixel and multiplies by the
  number of pixels, the same in expectation) — Bernoulli visible units only;
- ``free_energy``: the mean F(v).

The per-step ``loss`` is the batch's reconstruction error; ``gibbs_steps`` counts the Gibbs steps run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from archs.energy.rbm import RBM
from archs.spec import ConfigError
from data.base import Supervised
from data.digits import digits
from training.tasks import Task
from training.trainer import Trainer


def binary_digits(size: int = 8, threshold: float = 0.5) -> Supervised:
    """scikit-learn's digits with every pixel set to 1 where its intensity is at least ``threshold``
    (pixels in [0, 1]), else 0: the binary data a Bernoulli RBM models. (N, 1, size, size) float32."""
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"the binarisation threshold must lie between 0 and 1, not {threshold}")
    d = digits(size=size)
    for split in ("x_train", "x_val", "x_test"):
        setattr(d, split, (getattr(d, split) >= threshold).astype(np.float32))
    d.name = f"binarised digits {size}×{size}"
    return d


def pseudo_log_likelihood(rbm: RBM, v: torch.Tensor) -> torch.Tensor:
    """Σᵢ log p(vᵢ | v₋ᵢ) of binary v (B, V), every pixel flipped in turn, (B,)."""
    v = rbm.flat(v)
    pre = v @ rbm.W + rbm.b  # (B, H)
    sign = 1.0 - 2.0 * v  # +1 where a flip turns the pixel on, −1 where it turns it off, (B, V)
    pre_flip = pre.unsqueeze(1) + sign.unsqueeze(2) * rbm.W.unsqueeze(0)  # (B, V, H)
    f = -(v @ rbm.a) - F.softplus(pre).sum(-1)  # F(v), (B,)
    f_flip = -(v @ rbm.a).unsqueeze(1) - sign * rbm.a - F.softplus(pre_flip).sum(-1)  # (B, V)
    return F.logsigmoid(f_flip - f.unsqueeze(1)).sum(-1)


@dataclass(frozen=True)
class RBMTask(Task):
    """Contrastive divergence with ``cd_k`` Gibbs steps; ``persistent`` keeps the chains between updates."""

    cd_k: int = 1
    persistent: bool = False

    name = "rbm"
    higher_is_better = "pl"

    def __post_init__(self) -> None:
        if not isinstance(self.cd_k, int) or isinstance(self.cd_k, bool) or self.cd_k < 1:
            raise ConfigError(
                f"CD-k needs at least one Gibbs step (got k = {self.cd_k}): with k = 0 the model's samples "
                "would be the data itself, the two statistics would cancel and nothing would be learned. "
                "Use one Gibbs step or more."
            )
        if self.cd_k > 1000:
            raise ConfigError(f"{self.cd_k} Gibbs steps per update is too slow; use at most 1000.")

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return ("cd_k", "persistent")

    @classmethod
    def from_data(cls, data: Supervised, **kw) -> RBMTask:
        return cls(**kw)

    def loss(self, model, x, y):  # the trainer runs the chains itself
        raise NotImplementedError("RBMTrainer computes contrastive divergence itself")

    @torch.no_grad()
    def metrics(self, model: RBM, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        v = model.flat(x)
        recon = float((model.reconstruct(v) - v).pow(2).mean())
        out = {"loss": recon, "recon": recon, "free_energy": float(model.free_energy(v).mean())}
        if not model.gaussian:
            out["pl"] = float(pseudo_log_likelihood(model, v).mean())
        return out


class RBMTrainer(Trainer):
    """One step: a batch of data, k Gibbs steps for the negative phase (from the data, or from the
    persistent chains), and a gradient step on F(v_data) − F(v_model)."""

    def __init__(self, model: RBM, task: RBMTask, data: Supervised, **kw):
        kw.setdefault("optimizer", "sgd")
        super().__init__(model, task, data, **kw)
        self.k, self.persistent = task.cd_k, task.persistent
        self.chain: torch.Tensor | None = None  # PCD's fantasy particles (B, V)
        self.gibbs_steps = 0

    def _one_step(self) -> None:
        x, _ = self._batch()
        model: RBM = self.model
        v0 = model.flat(x)  # (B, V)
        with torch.no_grad():
            start = v0
            if self.persistent:
                if self.chain is None or self.chain.shape != v0.shape:
                    self.chain = v0.clone()
                start = self.chain
            vk = model.gibbs(start, self.k, self._gen)
            if self.persistent:
                self.chain = vk
            ph0, phk = model.p_h(v0), model.p_h(vk)  # (B, H)
            recon = (model.p_v(ph0) - v0).pow(2).mean()
            # the gradient of mean F(v0) − mean F(vk), written out (what autograd would give, without
            # its bookkeeping): −(⟨v pₕᵀ⟩ over the data − the same over the chain's samples)
            n = len(v0)
            model.W.grad = -(v0.t() @ ph0 - vk.t() @ phk) / n
            model.a.grad = -(v0.mean(0) - vk.mean(0))
            model.b.grad = -(ph0.mean(0) - phk.mean(0))
        self.optimizer.step()
        self.gibbs_steps += self.k
        self.step_count += 1
        self.samples_seen += n
        self._pending.append(recon)
