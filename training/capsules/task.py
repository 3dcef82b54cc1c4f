"""CapsNet's loss and what its views read.

Loss (Sabour et al. 2017, Eq. 4 and Sec. 4.1): the margin loss on the digit capsules' lengths plus
``recon_weight`` × the sum of squared pixel errors of the reconstruction, whose decoder sees only the true
class's capsule in training. The model's config carries the margins, λ and the weight.

History, per step: ``loss``, ``margin`` and ``recon`` (the weighted term). Each evaluation adds, per split,
``{split}_loss``, ``{split}_acc`` (the longest capsule is the prediction), ``{split}_margin`` and
``{split}_sse`` (the reconstruction's squared error per image, decoder masked by the longest capsule).

``snapshot()`` adds ``probe_images`` (N, H, W) of N = 10 fixed test digits, one per class,
``probe_labels``, ``probe_lengths`` (N, J): every digit capsule's length for each, and
``probe_recon`` (N, H, W): what the decoder redraws from the longest capsule.

The views' functions (``routing_view``, ``dimension_sweep``) take the model and one image; a page calls
them under the job's lock.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from archs.capsules.capsnet import margin_loss
from training.metrics import accuracy
from training.tasks import Task
from training.trainer import Trainer

SWEEP = tuple(np.round(np.arange(-0.25, 0.2501, 0.05), 2))  # the paper's Fig. 4: steps of 0.05 in ±0.25


def _terms(model, x: torch.Tensor, y: torch.Tensor):
    cfg = model.cfg
    out = model(x, y)
    lengths, recon = out if isinstance(out, tuple) else (out, None)
    margin = margin_loss(lengths, y, cfg)
    if recon is None:
        return lengths, margin, margin.new_zeros(())
    sse = ((recon - x.flatten(1)) ** 2).sum(1).mean()  # per image, averaged over the batch
    return lengths, margin, sse


class CapsuleTask(Task):
    name = "capsule classification"
    higher_is_better = "acc"

    def loss(self, model, x, y):
        _, margin, sse = _terms(model, x, y)
        recon = model.cfg.recon_weight * sse
        return margin + recon, {"margin": margin.detach(), "recon": recon.detach()}

    @torch.no_grad()
    def metrics(self, model, x, y):
        lengths, margin, sse = _terms(model, x, y)
        loss = margin + model.cfg.recon_weight * sse
        return {"loss": float(loss), "acc": accuracy(lengths, y), "margin": float(margin), "sse": float(sse)}


@torch.no_grad()
def routing_view(model, x: torch.Tensor, iters: int | None = None) -> dict[str, np.ndarray]:
    """Routing for one image x (C, H, W), ``iters`` iterations (default: the model's): coupling ``c``
    (R, I, J) per iteration, ``agreement`` (R, I, J),
    the children's lengths ``child_len`` (I,), the digit capsules' lengths ``lengths`` (J,), and the mean
    entropy of each child's coupling per iteration, ``entropy`` (R,), weighted by the child's length."""
    r = model.routing(x[None], iters)
    c, a = r["c"][:, 0], r["agreement"][:, 0]  # (R, I, J)
    u_len = r["u"][0].norm(dim=-1)  # (I,)
    ent = -(c * c.clamp_min(1e-12).log()).sum(-1)  # (R, I)
    w = u_len / u_len.sum().clamp_min(1e-12)
    return {
        "c": c.cpu().numpy(),
        "agreement": a.cpu().numpy(),
        "child_len": u_len.cpu().numpy(),
        "lengths": r["v"][0].norm(dim=-1).cpu().numpy(),
        "entropy": (ent * w).sum(-1).cpu().numpy(),
    }


@torch.no_grad()
def dimension_sweep(model, x: torch.Tensor, values=SWEEP, cls: int | None = None) -> dict[str, Any]:
    """Fig. 4 of the paper: the capsule of class ``cls`` (default: the longest) for image x (C, H, W),
    one dimension at a time moved by each of ``values``, redrawn by the decoder: ``images``
    (D, len(values), H, W), with ``cls``, ``capsule`` (D,) and ``values``."""
    v = model.capsules(x[None])[0]  # (J, D)
    J, D = v.shape
    k = int(v.norm(dim=-1).argmax()) if cls is None else int(cls)
    vals = torch.as_tensor(values, dtype=v.dtype, device=v.device)
    grid = v[k].expand(D, len(vals), D).clone()  # (D dims swept, S values, D)
    grid[torch.arange(D), :, torch.arange(D)] += vals  # dimension d of row d moved by each value
    masked = torch.zeros(D * len(vals), J, D, dtype=v.dtype, device=v.device)
    masked[:, k] = grid.reshape(-1, D)
    img = model.decode(masked.flatten(1))  # (D·S, C·H·W)
    H = x.shape[-1]
    return {
        "images": img.view(D, len(vals), -1, H, H)[:, :, 0].cpu().numpy(),
        "cls": k,
        "capsule": v[k].cpu().numpy(),
        "values": np.asarray(values, dtype=float),
    }


class CapsuleTrainer(Trainer):
    def __init__(self, model, task, data, **kw):
        super().__init__(model, task, data, **kw)
        x, y = self.splits["test"]
        first = [int(torch.nonzero(y == k)[0]) for k in range(int(y.max()) + 1)]
        self.probe_x, self.probe_y = x[first], y[first]  # one test digit per class

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        was = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                v = self.model.capsules(self.probe_x)
                recon = self.model.decode(self.model.mask(v)) if self.model.decoder is not None else None
        finally:
            self.model.train(was)
        H = self.probe_x.shape[-1]
        snap.update(
            probe_images=self.probe_x[:, 0].cpu().numpy(),
            probe_labels=self.probe_y.cpu().numpy(),
            probe_lengths=v.norm(dim=-1).cpu().numpy(),
            probe_recon=None if recon is None else recon.view(-1, H, H).cpu().numpy(),
        )
        return snap
