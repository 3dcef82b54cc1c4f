"""Training a deep belief net: greedy layer-wise pre-training, one RBM at a time, then fine-tuning.

G. E. Hinton, S. Osindero, Y.-W. Teh (2006), "A fast learning algorithm for deep belief nets". Each RBM of
the stack is trained by CD-1 on the codes p(h | v) of the layer below, with the weights under it frozen: the
first on the pixels (grey levels read as probabilities, as the paper reads MNIST), the next on the first's
hidden probabilities, and the top one on the last code joined to the one-hot label (its label units a
softmax group, sampled as one). Then every weight is fine-tuned by backpropagating the cross-entropy of the
model's own label logits −F_top(h, y) (archs/energy/dbn.py). The paper's up-down fine-tuning is generative;
backpropagation (Hinton & Salakhutdinov 2006) is what made pre-training popular, and what is run here.

``DBNTask.label_frac`` keeps the labels of only a fraction of the training images (stratified, the same for
a given seed): pre-training of the lower layers still sees every image (it needs no labels), the top RBM
and fine-tuning see the labelled ones. ``pretrain=False`` skips pre-training and fine-tunes the same
network from a random initialisation (Glorot-normal weights, the usual start for a sigmoid network trained
by backpropagation, not the RBMs' 0.01): the comparison of Erhan et al. (2010), "Why does unsupervised
pre-training help deep learning?", JMLR 11.

Steps: ``pretrain_steps`` per RBM (stage 0, 1, … of the history's ``stage``), then fine-tuning (stage =
number of RBMs) until ``num_steps`` (a run shorter than the pre-training stops within it). The step's
``loss`` is the RBM's reconstruction error while pre-training and the batch's cross-entropy while
fine-tuning. Evaluations report ``loss`` (cross-entropy) and ``acc`` of the label logits on every split,
pre-training included (once the top RBM has learned, the generative model classifies on its own).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from archs.energy.dbn import DBN
from archs.energy.rbm import RBM
from archs.spec import ConfigError
from data.base import Supervised
from training.tasks import Task
from training.trainer import Trainer

MOMENTUM = 0.9  # Hinton's practical guide: 0.5 at first, then 0.9; 0.9 throughout learns more here


@dataclass(frozen=True)
class DBNTask(Task):
    pretrain: bool = True
    pretrain_steps: int = 800
    pretrain_lr: float = 0.05
    label_frac: float = 1.0

    name = "dbn"
    higher_is_better = "acc"

    def __post_init__(self) -> None:
        if not 0.0 < self.label_frac <= 1.0:
            raise ConfigError(
                f"The fraction of labelled images must be above 0 and at most 1, got {self.label_frac}."
            )
        if self.pretrain_steps < 1:
            raise ConfigError(f"Each RBM needs at least one pre-training step, got {self.pretrain_steps}.")
        if not self.pretrain_lr > 0:
            raise ConfigError(f"The pre-training learning rate must be positive, got {self.pretrain_lr}.")

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return ("pretrain", "pretrain_steps", "pretrain_lr", "label_frac")

    @classmethod
    def from_data(cls, data: Supervised, **kw) -> DBNTask:
        return cls(**kw)

    def loss(self, model: DBN, x, y):
        return F.cross_entropy(model.logits(x), y)

    @torch.no_grad()
    def metrics(self, model: DBN, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        logits = model.logits(x)
        return {
            "loss": float(F.cross_entropy(logits, y)),
            "acc": float((logits.argmax(-1) == y).float().mean()),
        }


def labelled_subset(y: np.ndarray, frac: float, seed: int) -> np.ndarray:
    """Indices of a stratified ``frac`` of the examples (at least one per class), sorted."""
    rng = np.random.default_rng(seed)
    keep = []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        keep.append(idx[: max(1, int(round(frac * len(idx))))])
    return np.sort(np.concatenate(keep))


def top_negative(top: RBM, v: torch.Tensor, num_classes: int, g: torch.Generator) -> torch.Tensor:
    """One Gibbs step of the top RBM from v = [code, one-hot label] (B, D + C): the code's units as
    probabilities, the label units as one softmax sample, (B, D + C)."""
    h = top.sample_h(v, g)
    pre = h @ top.W.t() + top.a  # (B, D + C)
    code, lab = pre[:, :-num_classes], pre[:, -num_classes:]
    y = torch.multinomial(torch.softmax(lab, -1), 1, generator=g).squeeze(-1)
    return torch.cat([torch.sigmoid(code), F.one_hot(y, num_classes).to(v)], dim=1)


def glorot_(model: DBN) -> None:
    """A random initialisation for backpropagation: Glorot-normal weights, zero biases."""
    with torch.no_grad():
        for rbm in model.rbms:
            nn.init.xavier_normal_(rbm.W)
            rbm.a.zero_()
            rbm.b.zero_()


class DBNTrainer(Trainer):
    """Pre-training stage by stage (CD-1, SGD with momentum 0.9), then fine-tuning (the recipe's
    optimizer, Adam by default)."""

    def __init__(self, model: DBN, task: DBNTask, data: Supervised, seed: int = 0, **kw):
        super().__init__(model, task, data, seed=seed, **kw)
        self.task: DBNTask = task
        self.num_rbms = len(model.rbms)
        self.pretrain_total = self.num_rbms * task.pretrain_steps if task.pretrain else 0
        x, y = self.splits["train"]
        keep = torch.as_tensor(labelled_subset(y.cpu().numpy(), task.label_frac, seed), device=self.device)
        self.labelled = (x[keep], y[keep])
        if not task.pretrain:
            glorot_(model)
        self._stage_opt: tuple[int, torch.optim.Optimizer] | None = None

    @property
    def stage(self) -> int:
        """The RBM being pre-trained (0 … num_rbms − 1), or num_rbms while fine-tuning."""
        if self.step_count < self.pretrain_total:
            return self.step_count // self.task.pretrain_steps
        return self.num_rbms

    def _optimizer_for(self, stage: int) -> torch.optim.Optimizer:
        if self._stage_opt is None or self._stage_opt[0] != stage:
            if stage < self.num_rbms:
                params = self.model.rbms[stage].parameters()
                opt = torch.optim.SGD(params, lr=self.task.pretrain_lr, momentum=MOMENTUM)
            else:
                opt = self.optimizer
            self._stage_opt = (stage, opt)
        return self._stage_opt[1]

    def _labelled_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self.labelled
        if self.batch_size >= len(x):
            return x, y
        idx = torch.randint(len(x), (self.batch_size,), generator=self._gen, device=self._gen.device)
        return x[idx.to(self.device)], y[idx.to(self.device)]

    def _one_step(self) -> None:
        stage, model = self.stage, self.model
        opt = self._optimizer_for(stage)
        if stage < self.num_rbms:
            loss = self._pretrain_step(stage)
        else:
            x, y = self._labelled_batch()
            loss = F.cross_entropy(model.logits(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward() if stage == self.num_rbms else self._cd.backward()
        opt.step()
        self.step_count += 1
        self.samples_seen += self.batch_size
        self._pending.append(loss.detach())
        self._pending_terms.append({"stage": torch.tensor(float(stage))})

    def _pretrain_step(self, stage: int) -> torch.Tensor:
        """CD-1 on RBM ``stage``; returns its reconstruction error (the CD objective is kept for backward)."""
        model, g = self.model, self._gen
        top = stage == len(model.layers)
        x, y = self._labelled_batch() if top else self._batch()
        with torch.no_grad():
            v0 = model.up(x, stage)  # (B, D): the codes this RBM models
            rbm = model.rbms[stage]
            if top:
                v0 = torch.cat([v0, F.one_hot(y, model.cfg.num_classes).to(v0)], dim=1)  # (B, D + C)
                vk = top_negative(rbm, v0, model.cfg.num_classes, g)
            else:
                vk = rbm.p_v(rbm.sample_h(v0, g))
            recon = (rbm.reconstruct(v0) - v0).pow(2).mean()
        self._cd = rbm.free_energy(v0).mean() - rbm.free_energy(vk).mean()
        return recon
