"""Coordinate MLPs storing an image: NeRF's network on pixel coordinates (Mildenhall et al. 2020; the
experiment of Tancik et al. 2020, "Fourier Features Let Networks Learn High Frequency Functions in Low
Dimensional Domains", arXiv 2006.10739), with the positional encoding γ(p) (the main model) and, as its
twin, the same network on raw coordinates (pos_freqs = 0, include_input on), trained on the same batches.

Loss: mean squared error of the colours; metrics ``loss`` and ``psnr`` = −10·log₁₀(MSE) (colours in
[0, 1]). ``snapshot()`` adds ``image`` (H, W, 3) uint8, the target, and ``recon`` / ``twin_recon``, the
two networks' renderings of every pixel.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

import archs
from training.continuous.twin import TwinTrainer
from training.tasks import Task


class ImageFitTask(Task):
    name = "image fitting"
    higher_is_better = "psnr"

    def loss(self, model, x, y):
        return F.mse_loss(model(x)[:, :3], y), {}

    @torch.no_grad()
    def metrics(self, model, x, y):
        mse = float(F.mse_loss(model(x)[:, :3], y))
        return {"loss": mse, "psnr": -10 * math.log10(max(mse, 1e-10))}


def _uint8(rgb: np.ndarray) -> np.ndarray:
    return (np.clip(rgb, 0, 1) * 255).round().astype(np.uint8)


class ImageFitTrainer(TwinTrainer):
    """The encoded network (main) and the raw-coordinate one (twin), on the same pixels."""

    def make_twin(self, model, data):
        spec = archs.get_arch("nerf")
        raw = model.cfg.replace(pos_freqs=0, include_input=True)
        return archs.build_from_config(spec, raw)

    @torch.no_grad()
    def renders(self) -> dict[str, np.ndarray]:
        x = self.splits["test"][0]
        s = int(self.data.meta["size"])
        main = self.main(x)[:, :3].reshape(s, s, 3).cpu().numpy()
        twin = self.twin(x)[:, :3].reshape(s, s, 3).cpu().numpy()
        return {"image": _uint8(self.data.meta["image"]), "recon": _uint8(main), "twin_recon": _uint8(twin)}

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        was = self.model.training
        self.model.eval()
        try:
            snap.update(self.renders())
        finally:
            self.model.train(was)
        return snap
