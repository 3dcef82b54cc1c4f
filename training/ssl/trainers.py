"""Trainers of the self-supervised family: SimCLR, BYOL and the masked autoencoder, as steppers.

Every step draws a batch of unlabelled images (the labels are never read in training), makes the views
the method needs and takes one optimiser step:

- SimCLR: two augmented views, NT-Xent over the 2N projections (``tau``);
- BYOL: two views, the symmetrised 2 − 2·cos between each view's online prediction and the target's
  projection of the other view, then the target's EMA update with τ rising from ``ema`` to 1 on a cosine
  schedule (the paper's section 3.2);
- MAE: the images themselves, a fresh random mask each step, the MSE on the removed patches.

History, per step: ``loss``; for SimCLR and BYOL also ``alignment`` and ``uniformity`` (Wang & Isola) and
``spread`` (the collapse measure) of the batch's online projections z. Each evaluation adds ``probe_acc``
(a linear probe on the frozen ``encode`` features of up to 2,000 training images, tested on the test
split) and ``knn_acc``; MAE's also ``recon_mse`` (masked patches of the test images, fixed masks) and
``mean_patch_mse`` (the same patches predicted by the training images' mean at each patch position).

``snapshot()`` adds ``embedding_2d`` (M, 2): the PCA of the encodings of M fixed test images,
``labels`` (M,) and ``class_names``; MAE's adds ``reconstructions`` (``reconstructions()``: 8 fixed test
images at ``view_mask_ratio``, as numpy arrays).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from archs.spec import ConfigError
from data.augment import AUGMENTATIONS, augment
from data.base import Supervised
from training.ssl.losses import alignment, byol_loss, nt_xent, spread, uniformity
from training.ssl.probes import baselines, encode_all, knn_accuracy, linear_probe_accuracy, pca_2d
from training.tasks import Task
from training.trainer import Trainer

PROBE_TRAIN = 2000  # training images the probes read
VIEW_POINTS = 300  # test images in the embedding view


@dataclass(frozen=True)
class SSLTask(Task):
    """The self-supervised settings a recipe routes to the trainer: the augmentations (``ops``,
    ``strength``), NT-Xent's temperature ``tau`` and BYOL's base EMA rate ``ema``."""

    ops: tuple[str, ...] = ("crop", "flip", "jitter")
    strength: float = 0.5
    tau: float = 0.2
    ema: float = 0.99

    name = "ssl"
    higher_is_better = "probe_acc"

    def __post_init__(self) -> None:
        if not self.tau > 0:
            raise ConfigError(
                f"The temperature τ must be positive (got {self.tau}): NT-Xent divides the similarities by "
                "it. Try 0.1 to 0.5."
            )
        if not 0.0 <= self.ema <= 1.0:
            raise ConfigError(
                f"The EMA rate m must lie between 0 and 1 (got {self.ema}): it is the share of the old "
                "target "
                "kept at each step. BYOL uses 0.99 to 0.996."
            )
        bad = [o for o in self.ops if o not in AUGMENTATIONS]
        if bad:
            raise ConfigError(f"Unknown augmentation {bad[0]!r}; choose from {', '.join(AUGMENTATIONS)}.")
        if not 0.0 <= self.strength <= 1.0:
            raise ConfigError(f"The augmentation strength must lie between 0 and 1, not {self.strength}.")

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return ("ops", "strength", "tau", "ema")

    @classmethod
    def from_data(cls, data: Supervised, **kw) -> SSLTask:
        if "ops" in kw:
            kw["ops"] = tuple(kw["ops"])
        return cls(**kw)

    def loss(self, model, x, y):
        raise NotImplementedError("the self-supervised trainers make their views and losses themselves")

    def metrics(self, model, x, y):
        raise NotImplementedError("the self-supervised trainers evaluate with probes")


class SSLTrainer(Trainer):
    """What the three share: views, the per-step measures, the probes, the snapshot."""

    eval_key = "probe_acc"
    mirrored = ("baseline_accs",)

    def __init__(self, model, task: SSLTask, data: Supervised, **kw):
        if kw.get("batch_size", 32) < 2:
            raise ConfigError(
                "A batch of one has no negatives and no batch statistics: use a batch of at least 2 images."
            )
        super().__init__(model, task, data, **kw)
        self.ops, self.strength = task.ops, task.strength
        self.seed = int(kw.get("seed", 0))
        self.aug_gen = torch.Generator().manual_seed(self.seed + 1)
        xtr, ytr = self.splits["train"]
        xte, yte = self.splits["test"]
        self.probe_train = (xtr[:PROBE_TRAIN], ytr[:PROBE_TRAIN].cpu())
        self.probe_test = (xte, yte.cpu())
        m = min(VIEW_POINTS, len(xte))
        self.view_x, self.view_y = xte[:m], yte[:m].cpu().numpy()
        self._view_prev: np.ndarray | None = None
        self.baseline_accs: dict[str, float] | None = None

    def views(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return augment(x, self.ops, self.strength, self.aug_gen), augment(
            x, self.ops, self.strength, self.aug_gen
        )

    def ssl_loss(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        raise NotImplementedError

    def after_step(self) -> None:
        """Called after each optimiser step (BYOL's target update)."""

    def _one_step(self) -> None:
        x, _ = self._batch()  # labels are never read
        loss, terms = self.ssl_loss(x)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.grad_clip:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.grad_clip)
        self.optimizer.step()
        self.step_count += 1
        self.after_step()
        self.samples_seen += len(x)
        self._pending.append(loss.detach())
        self._pending_terms.append(terms)

    @staticmethod
    def measures(z1: torch.Tensor, z2: torch.Tensor) -> dict[str, torch.Tensor]:
        z1, z2 = z1.detach(), z2.detach()
        return {"alignment": alignment(z1, z2), "uniformity": uniformity(z1), "spread": spread(z1)}

    @torch.no_grad()
    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        ftr = encode_all(self.model, self.probe_train[0])
        fte = encode_all(self.model, self.probe_test[0])
        ytr, yte = self.probe_train[1], self.probe_test[1]
        return {
            "probe_acc": linear_probe_accuracy(ftr, ytr, fte, yte),
            "knn_acc": knn_accuracy(ftr, ytr, fte, yte),
        }

    def diagnose(self) -> str | None:
        return None

    def embedding_view(self) -> np.ndarray:
        """(M, 2): the PCA of the encodings of the fixed test images, signs kept from the last view."""
        p = pca_2d(encode_all(self.model, self.view_x), self._view_prev)
        self._view_prev = p
        return p

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        snap.update(
            embedding_2d=self.embedding_view(),
            labels=self.view_y,
            class_names=tuple(self.data.class_names),
            baselines=self.baseline_accs,
        )
        return snap

    def baselines(self) -> dict[str, float]:
        """The probes to beat (training.ssl.probes.baselines) on this run's data, encoder and budget:
        {"raw_pixels", "random_init", "supervised"}. Costs about a supervised run; computed once."""
        if self.baseline_accs is None:
            self.baseline_accs = baselines(
                self.data,
                self.arch or "simclr",
                self.config,
                num_steps=self.num_steps,
                batch_size=self.batch_size,
                lr=self.lr,
                ops=self.ops,
                strength=self.strength,
                seed=self.seed,
                max_train=PROBE_TRAIN,
            )
        return self.baseline_accs


class SimCLRTrainer(SSLTrainer):
    def __init__(self, model, task: SSLTask, data: Supervised, **kw):
        super().__init__(model, task, data, **kw)
        self.tau = task.tau

    def ssl_loss(self, x):
        v1, v2 = self.views(x)
        z = self.model(torch.cat([v1, v2]))  # one pass: batch norm sees both views, as in the paper
        z1, z2 = z.chunk(2)
        loss, _ = nt_xent(z1, z2, self.tau)
        return loss, self.measures(z1, z2)


class BYOLTrainer(SSLTrainer):
    def __init__(self, model, task: SSLTask, data: Supervised, **kw):
        super().__init__(model, task, data, **kw)
        self.base_ema = task.ema
        self.ema_rate = task.ema

    def ssl_loss(self, x):
        m = self.model
        v1, v2 = self.views(x)
        v = torch.cat([v1, v2])
        z = m.project(m.encode(v))  # online projections of both views, (2B, Z)
        p = m.predict(z)
        zt = m.target(v)  # the target's projections (constant when stop_gradient)
        p1, p2 = p.chunk(2)
        t1, t2 = zt.chunk(2)
        loss = 0.5 * (byol_loss(p1, t2) + byol_loss(p2, t1))  # each view predicts the other's target
        return loss, self.measures(*z.chunk(2))

    def after_step(self) -> None:
        # τ_k = 1 − (1 − τ_base)(cos(πk/K) + 1)/2: from the base rate at the start to 1 at the end
        k, total = self.step_count, self.num_steps
        self.ema_rate = 1 - (1 - self.base_ema) * (math.cos(math.pi * k / total) + 1) / 2
        self.model.ema_update(self.ema_rate)


class MAETrainer(SSLTrainer):
    """MAE reads plain images (its recipes use no augmentation); ``view_mask_ratio`` is the mask ratio of
    the snapshot's reconstructions (a page's slider), the training ratio is the model's ``mask_ratio``."""

    def __init__(self, model, task: SSLTask, data: Supervised, **kw):
        super().__init__(model, task, data, **kw)
        self.view_mask_ratio = model.cfg.mask_ratio
        self.recon_x = self.splits["test"][0][:8]
        xtr = self.splits["train"][0]
        patches = model.patchify(xtr)  # (N, L, P·P·C)
        self.mean_patch = patches.mean((0, 1), keepdim=True)  # (1, 1, P·P·C): the mean patch
        self.place_mean = patches.mean(0, keepdim=True)  # (1, L, P·P·C): the mean patch at each place

    def ssl_loss(self, x):
        x = augment(x, self.ops, self.strength, self.aug_gen) if self.ops else x
        loss, _, _ = self.model(x, None, self.aug_gen)
        return loss, {}

    @torch.no_grad()
    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        out = super().evaluate(max_examples)
        m, x = self.model, self.probe_test[0]
        was = m.training
        m.eval()
        try:
            _, pred, mask = m(x, None, torch.Generator().manual_seed(0))  # fixed masks: comparable rows
            target = m.target(x)
            n = mask.sum()
            err = lambda guess: float(((guess - target).pow(2).mean(-1) * mask).sum() / n)  # noqa: E731
            out["recon_mse"] = err(pred)
            if not m.cfg.norm_pix_loss:  # (normalised patches have mean 0: the baseline is err(0) = 1)
                out["mean_patch_mse"], out["place_mean_mse"] = err(self.mean_patch), err(self.place_mean)
        finally:
            m.train(was)
        return out

    @torch.no_grad()
    def reconstructions(self, mask_ratio: float | None = None, seed: int = 0) -> dict[str, np.ndarray]:
        """The model's ``reconstruct`` of 8 fixed test images, as numpy arrays."""
        r = self.view_mask_ratio if mask_ratio is None else mask_ratio
        was = self.model.training
        self.model.eval()
        try:
            out = self.model.reconstruct(self.recon_x, r, seed)
        finally:
            self.model.train(was)
        return {k: v.float().cpu().numpy() for k, v in out.items()} | {"original": self.recon_x.cpu().numpy()}

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        snap["reconstructions"] = self.reconstructions()
        return snap
