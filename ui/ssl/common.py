"""What the self-supervised labs share: the images they show (coloured shapes or digits), the augmentation
picker, and the embeddings of a batch of views by raw pixels, an untrained encoder or the one the Train
tab is training."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from data.augment import AUGMENTATIONS
from ui.keys import child

SOURCES = {"coloured shapes": "shapes", "digits": "digits"}
OP_NAMES = {"crop": "crop", "flip": "flip", "jitter": "colour jitter", "blur": "blur", "noise": "noise"}
DEFAULT_OPS = ["crop", "flip", "jitter"]


@st.cache_data(show_spinner=False, max_entries=8)
def images(source: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """``n`` held-out images (n, C, H, W) in [0, 1] of ``source`` ("shapes" or "digits"), their labels
    and the class names."""
    from data.ssl_images import ssl_digits, ssl_shapes

    # at the size the training recipes use, so that the Train tab's encoder can read them
    d = ssl_shapes(n=max(400, 6 * n), size=16, seed=seed) if source == "shapes" else ssl_digits(16, seed=seed)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(d.x_test), size=min(n, len(d.x_test)), replace=False)
    return d.x_test[pick].astype(np.float32), d.y_test[pick], tuple(d.class_names)


def augmentation_picker(key: str, columns=None) -> tuple[tuple[str, ...], float]:
    """The augmentations (a multiselect) and their strength (a slider), keyed under ``key``."""
    c = columns or st.columns([3, 1])
    ops = c[0].multiselect(
        "Augmentations",
        list(AUGMENTATIONS),
        default=DEFAULT_OPS,
        format_func=lambda o: OP_NAMES.get(o, o),
        key=child(key, "ops"),
        help=" · ".join(f"{OP_NAMES.get(k, k)}: {v}" for k, v in AUGMENTATIONS.items()),
    )
    strength = c[1].slider(
        "Strength",
        0.0,
        1.0,
        1.0,
        0.1,
        key=child(key, "strength"),
        help="Scales every augmentation at once: 0 leaves the images as they are, 1 is SimCLR's setting.",
    )
    return tuple(ops), float(strength)


def as_tensor(x: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(np.ascontiguousarray(x), dtype=torch.float32)
