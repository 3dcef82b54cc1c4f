"""Measures of a GAN's samples: mode coverage on 2-D mixtures, and a held-out classifier's verdict on images.

``coverage`` reports the standard 8-Gaussian / 25-Gaussian measures (Metz et al. 2017, Srivastava et
al. 2017): how many of the target's modes receive high-quality samples, and what share of all samples
are high quality (within 3 standard deviations of a mode's centre). ``classifier_verdict`` runs a
classifier trained on real images over generated ones: its confidence shows whether the samples look
like some class, its agreement with the requested class whether a conditional GAN obeys its label.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from data.points2d import mode_stats


def coverage(samples: np.ndarray, target: str) -> dict[str, float]:
    """{"modes_covered", "high_quality"} for a mixture target (ring8, grid25); {} for other targets."""
    s = mode_stats(np.asarray(samples, dtype=np.float32).reshape(len(samples), -1)[:, :2], target)
    if s is None:
        return {}
    return {"modes_covered": float(s["covered"]), "high_quality": s["high_quality"]}


@torch.no_grad()
def classifier_verdict(classifier: nn.Module, images: np.ndarray | torch.Tensor) -> dict[str, np.ndarray]:
    """Predicted class and its softmax confidence for each image (images in the classifier's range)."""
    x = torch.as_tensor(np.asarray(images, dtype=np.float32))
    was = classifier.training
    classifier.eval()
    try:
        p = classifier(x).float().softmax(-1)
    finally:
        classifier.train(was)
    conf, pred = p.max(-1)
    return {"pred": pred.numpy(), "confidence": conf.numpy()}


def to_unit(images: np.ndarray) -> np.ndarray:
    """GAN images live in [-1, 1]; classifiers and displays want [0, 1]."""
    return np.clip((np.asarray(images) + 1) / 2, 0, 1)
