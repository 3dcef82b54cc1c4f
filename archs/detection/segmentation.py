"""What every semantic segmenter of the family shares (U-Net in segmentation_unet.py, DeepLabv3+ in
segmentation_deeplab.py): a class score for every pixel, trained by per-pixel cross-entropy and,
optionally, a soft Dice loss (Milletari, Navab & Ahmadi 2016, "V-Net", arXiv 1606.04797).

Semantic segmentation gives every pixel one class (0 = background); it does not tell two touching
objects of the same class apart (that is instance segmentation: Mask R-CNN). A segmenter exposes

    forward(x)            -> logits (B, K, H', W'): the network's raw output (K classes, 0 = background)
    logits(x)             -> logits (B, K, H, W) aligned with the input pixels
    losses(x, semantic)   -> {"ce": ..., and "dice": ... when dice_weight > 0}; their sum is trained
    segment(x)            -> (B, H, W) int64: the arg-max class of every pixel

For every segmenter here H' = H except the paper's unpadded U-Net, whose output is smaller than its input
(``logits`` mirrors the borders so that it covers the whole image, as the paper's overlap-tile strategy).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def soft_dice_loss(logits: torch.Tensor, target: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """1 − mean over foreground classes of 2·Σ p·y / (Σ p + Σ y), summed over the batch's pixels, with the
    softmax probabilities p and the one-hot target y (V-Net's Dice loss; ``eps``: absent classes count 0)."""
    k = logits.shape[1]
    p = logits.softmax(1)  # (B, K, H, W)
    y = F.one_hot(target, k).permute(0, 3, 1, 2).to(p.dtype)  # (B, K, H, W)
    inter = (p * y).sum((0, 2, 3))[1:]  # (K-1,) foreground classes only
    total = (p + y).sum((0, 2, 3))[1:]
    return 1.0 - ((2 * inter + eps) / (total + eps)).mean()


def check_semantic(semantic: torch.Tensor, num_classes: int, shape: tuple[int, ...]) -> None:
    """A sentence, not a CUDA assert, when the masks do not fit the images or the classes."""
    if semantic.shape != shape:
        raise ValueError(f"the semantic masks have shape {tuple(semantic.shape)}; the images need {shape}")
    if semantic.dtype not in (torch.int64, torch.int32, torch.uint8):
        raise ValueError(f"semantic masks hold class ids (integers), not {semantic.dtype}")
    if semantic.numel() and (int(semantic.min()) < 0 or int(semantic.max()) >= num_classes):
        raise ValueError(
            f"semantic masks hold class ids from 0 to {num_classes - 1}; found {int(semantic.max())} "
            f"(set num_classes to the number of classes plus background)"
        )


class Segmenter(nn.Module):
    """Base of the family's segmenters: subclasses set ``num_classes`` and ``dice_weight`` and define
    ``forward``; override ``logits`` where the output does not line up with the input."""

    num_classes: int
    dice_weight: float = 0.0

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self(x)  # (B, K, H, W)

    def losses(self, x: torch.Tensor, semantic: torch.Tensor) -> dict[str, torch.Tensor]:
        """Per-pixel cross-entropy (and the weighted soft Dice loss): scalar terms whose sum is trained."""
        check_semantic(semantic, self.num_classes, (x.shape[0], *x.shape[2:]))
        logits = self.logits(x)
        target = semantic.long()
        out = {"ce": F.cross_entropy(logits, target)}
        if self.dice_weight > 0:
            out["dice"] = self.dice_weight * soft_dice_loss(logits, target)
        return out

    @torch.no_grad()
    def segment(self, x: torch.Tensor) -> torch.Tensor:
        """The class of every pixel: (B, H, W) int64."""
        return self.logits(x).argmax(1)
