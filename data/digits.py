"""Handwritten digits: scikit-learn's bundled 8×8 set (1,797 images, 10 classes), no download.

The train / validation / test split is fixed (stratified, its own seed) so that results are
comparable across runs and sessions; ``size`` 16 or 28 upsamples bilinearly for models that want
larger inputs. Pixels are scaled to [0, 1].
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from data.base import Supervised

SPLIT_SEED = 1234


@lru_cache(maxsize=4)
def _load(size: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[:, None]  # (N, 1, 8, 8)
    if size != 8:
        import torch
        import torch.nn.functional as F

        x = F.interpolate(
            torch.from_numpy(x), size=(size, size), mode="bilinear", align_corners=False
        ).numpy()
    x.setflags(write=False)
    y = d.target.astype(np.int64)
    y.setflags(write=False)
    return x, y


def _stratified_split(y: np.ndarray, fracs: tuple[float, float], seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[], [], []]
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_test, n_val = int(round(len(idx) * fracs[1])), int(round(len(idx) * fracs[0]))
        parts[2].append(idx[:n_test])
        parts[1].append(idx[n_test : n_test + n_val])
        parts[0].append(idx[n_test + n_val :])
    return tuple(np.sort(np.concatenate(p)) for p in parts)


def digits(size: int = 8, val_frac: float = 0.15, test_frac: float = 0.2) -> Supervised:
    """The digits set as (N, 1, size, size) images; ``size`` is 8, 16 or 28."""
    if size not in (8, 16, 28):
        raise ValueError(f"digits come at 8, 16 or 28 pixels, not {size}")
    x, y = _load(size)
    tr, va, te = _stratified_split(y, (val_frac, test_frac), SPLIT_SEED)
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
        name=f"digits {size}×{size}",
        meta={"size": size},
    )
