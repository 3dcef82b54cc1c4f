"""Images for self-supervised learning, made so that raw pixels are a weak baseline.

A linear classifier on raw pixels does well when a class always lights the same pixels. Self-supervised
methods earn their keep when it does not: here the class (a shape's kind, a digit) varies in position,
size, colour and background, so the pixels a class lights change from image to image, while an encoder
trained to ignore those nuisances (by augmentations that vary them) sees the kind.

- ``ssl_shapes``: one shape per image (kinds of data.shapes.KINDS) at a random position and size, in a
  random colour on a random dark background, with pixel noise; label = the kind.
- ``ssl_digits``: scikit-learn's bundled digits, each randomly scaled, rotated, shifted and dimmed once,
  on a larger canvas; label = the digit. The split follows data.digits (stratified, fixed).
"""

from __future__ import annotations

import colorsys

import numpy as np
import torch
import torch.nn.functional as F

from data.base import Supervised
from data.digits import SPLIT_SEED, _load, _stratified_split
from data.shapes import KINDS, _split, draw


def _random_colour(rng: np.random.Generator) -> np.ndarray:
    h, s, v = rng.uniform(0, 1), rng.uniform(0.5, 1.0), rng.uniform(0.7, 1.0)
    return np.array(colorsys.hsv_to_rgb(h, s, v), np.float32)


def ssl_shapes(
    n: int = 2000,
    size: int = 32,
    seed: int = 0,
    kinds: tuple[str, ...] = KINDS,
    noise: float = 0.03,
    test_frac: float = 0.2,
    val_frac: float = 0.1,
) -> Supervised:
    """``n`` coloured shapes (N, 3, size, size) in [0, 1], labels = kind index into ``kinds``."""
    if size < 12:
        raise ValueError(f"self-supervised shapes need at least 12×12 pixels, not {size}")
    if n < 10:
        raise ValueError(f"ask for at least 10 images (one per split and more), not {n}")
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(kinds), n)
    x = np.zeros((n, 3, size, size), np.float32)
    for i in range(n):
        r = rng.uniform(0.18, 0.36) * size
        cx, cy = rng.uniform(r + 0.5, size - r - 0.5, 2)
        m = draw(kinds[y[i]], size, cx, cy, r)[None]  # (1, H, W)
        fg, bg = _random_colour(rng), rng.uniform(0.0, 0.35, 3).astype(np.float32)
        x[i] = m * fg[:, None, None] + (1 - m) * bg[:, None, None]
    x = np.clip(x + rng.normal(0, noise, x.shape).astype(np.float32), 0, 1)
    tr, va, te = _split(n, test_frac, val_frac)
    return Supervised(
        x_train=x[tr],
        y_train=y[tr],
        x_val=x[va],
        y_val=y[va],
        x_test=x[te],
        y_test=y[te],
        kind="classification",
        num_classes=len(kinds),
        class_names=tuple(kinds),
        name=f"coloured shapes {size}×{size}",
        meta={"size": size},
    )


def _jitter_digits(x: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Each (1, 8, 8) digit scaled by 0.6 to 1.0 of the canvas, rotated up to 15°, shifted so that it
    stays inside, and dimmed to 60 to 100 % brightness, on a (size, size) canvas."""
    n = len(x)
    scale = rng.uniform(0.6, 1.0, n)
    angle = np.deg2rad(rng.uniform(-15, 15, n))
    shift = rng.uniform(-1, 1, (n, 2)) * (1 - scale[:, None])
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    theta = np.zeros((n, 2, 3), np.float32)  # output -> input coordinates, in [-1, 1]
    theta[:, 0, 0], theta[:, 0, 1], theta[:, 1, 0], theta[:, 1, 1] = cos, -sin, sin, cos
    theta[:, :, 2] = -(theta[:, :, :2] @ shift[:, :, None].astype(np.float32))[:, :, 0]
    src = torch.from_numpy(np.array(x, np.float32))  # a writable copy
    grid = F.affine_grid(torch.from_numpy(theta), [n, 1, size, size], align_corners=False)  # (N, H, W, 2)
    out = F.grid_sample(src, grid, mode="bilinear", padding_mode="zeros", align_corners=False).numpy()
    return out * rng.uniform(0.6, 1.0, (n, 1, 1, 1)).astype(np.float32)  # (N, 1, size, size)


def ssl_digits(size: int = 16, seed: int = 0, val_frac: float = 0.15, test_frac: float = 0.2) -> Supervised:
    """The 1,797 digits (N, 1, size, size) in [0, 1], each moved, scaled, turned and dimmed at random."""
    if not 8 <= size <= 64:
        raise ValueError(f"augmented digits come at 8 to 64 pixels, not {size}")
    x, y = _load(8)
    x = _jitter_digits(np.asarray(x), size, np.random.default_rng(seed)).clip(0, 1).astype(np.float32)
    tr, va, te = _stratified_split(np.asarray(y), (val_frac, test_frac), SPLIT_SEED)
    return Supervised(
        x_train=x[tr],
        y_train=y[tr],
        x_val=x[va],
        y_val=y[va],
        x_test=x[te],
        y_test=y[te],
        kind="classification",
        num_classes=10,
        class_names=tuple(str(i) for i in range(10)),
        name=f"augmented digits {size}×{size}",
        meta={"size": size},
    )
