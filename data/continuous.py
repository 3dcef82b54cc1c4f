"""Data of the continuous family: the spiral trajectory of torchdiffeq's ODE demo, a formula of two
variables for a KAN, and a procedural image full of high frequencies for coordinate MLPs. Seeded, made
in milliseconds, nothing downloaded.
"""

from __future__ import annotations

import numpy as np
import torch
from torchdiffeq import odeint

from data.base import Supervised

SPIRAL_A = ((-0.1, 2.0), (-2.0, -0.1))  # dz/dt = z³ A: a spiral that winds inwards (the ODE demo's)
SPIRAL_Z0 = (2.0, 0.0)


def spiral_path(n_points: int = 1000, t_end: float = 25.0) -> tuple[np.ndarray, np.ndarray]:
    """The true trajectory: times (n,) and states (n, 2), solved tightly by dopri5."""
    A = torch.tensor(SPIRAL_A, dtype=torch.float64)
    t = torch.linspace(0.0, t_end, n_points, dtype=torch.float64)
    z0 = torch.tensor([SPIRAL_Z0], dtype=torch.float64)
    z = odeint(lambda _t, z: (z**3) @ A, z0, t, rtol=1e-8, atol=1e-9)  # (n, 1, 2)
    return t.numpy().astype(np.float32), z[:, 0].numpy().astype(np.float32)  # (n,), (n, 2)


def spiral_segments(n_points: int = 1000, t_end: float = 25.0, batch_time: int = 10) -> Supervised:
    """Train on segments: x the state at a start time (N, 2), y the next ``batch_time`` states
    (N, batch_time, 2), from z(s) on (as the demo's get_batch). Test: the whole trajectory from z(0),
    x (1, 2) and y (1, n_points, 2). meta: dt, the times, the true path."""
    if n_points < 50 or batch_time < 2 or batch_time >= n_points // 2:
        raise ValueError(
            f"take at least 50 points and segments of 2 to {n_points // 2 - 1} points "
            f"(got n_points={n_points}, batch_time={batch_time})"
        )
    t, z = spiral_path(n_points, t_end)
    starts = np.arange(n_points - batch_time)
    segs = np.stack([z[s : s + batch_time] for s in starts])  # (N, batch_time, 2)
    return Supervised(
        x_train=z[starts],
        y_train=segs,
        x_test=z[:1],
        y_test=z[None],
        kind="trajectory",
        num_classes=0,
        name="spiral trajectory",
        meta={"dt": float(t[1] - t[0]), "t": t, "path": z, "batch_time": batch_time},
    )


def kan_target(x: np.ndarray) -> np.ndarray:
    """f(x, y) = exp(sin(πx) + y²), the KAN paper's first example."""
    return np.exp(np.sin(np.pi * x[:, 0]) + x[:, 1] ** 2)


def formula(n_train: int = 1000, n_test: int = 1000, seed: int = 0) -> Supervised:
    """(x, y) uniform on [−1, 1]², target exp(sin(πx) + y²), as the paper's create_dataset draws it."""
    if n_train < 10 or n_test < 10:
        raise ValueError(f"take at least 10 training and 10 test points (got {n_train} and {n_test})")
    rng = np.random.default_rng(seed)
    x_tr = rng.uniform(-1, 1, (n_train, 2)).astype(np.float32)
    x_te = rng.uniform(-1, 1, (n_test, 2)).astype(np.float32)
    return Supervised(
        x_train=x_tr,
        y_train=kan_target(x_tr).astype(np.float32),
        x_test=x_te,
        y_test=kan_target(x_te).astype(np.float32),
        kind="regression",
        num_classes=0,
        name="exp(sin(πx) + y²)",
    )


def pattern_image(size: int = 64) -> np.ndarray:
    """(size, size, 3) float32 in [0, 1]: rings whose frequency rises outwards, a fine checkerboard in one
    corner, stripes and a smooth colour wash: details an MLP on raw coordinates cannot draw."""
    v = np.linspace(-1, 1, size, dtype=np.float32)
    y, x = np.meshgrid(v, v, indexing="ij")
    r = np.sqrt(x**2 + y**2)
    rings = 0.5 + 0.5 * np.cos(18 * np.pi * r**2)  # chirp: the rings get closer outwards
    checker = ((np.floor((x + 1) * size / 8) + np.floor((y + 1) * size / 8)) % 2).astype(np.float32)
    stripes = 0.5 + 0.5 * np.sin(10 * np.pi * (x + 0.5 * y))
    corner = (x > 0.25) & (y > 0.25)
    red = np.where(corner, checker, rings)
    green = np.where(corner, 1 - checker, 0.35 + 0.5 * stripes * (y < 0))
    blue = np.clip(0.5 + 0.4 * x - 0.3 * y, 0, 1) * (0.6 + 0.4 * rings)
    return np.clip(np.stack([red, green, blue], -1), 0, 1).astype(np.float32)


def image_pixels(size: int = 64) -> Supervised:
    """Every pixel of pattern_image: x its coordinates in [−1, 1]² (N, 2), y its colour (N, 3). The
    image is the training set and the test set alike: the task is to store it."""
    if not 8 <= size <= 256:
        raise ValueError(f"the image side must be between 8 and 256 pixels, got {size}")
    img = pattern_image(size)
    v = np.linspace(-1, 1, size, dtype=np.float32)
    yy, xx = np.meshgrid(v, v, indexing="ij")
    coords = np.stack([xx.ravel(), yy.ravel()], -1)  # (N, 2): x then y, row by row
    rgb = img.reshape(-1, 3)
    return Supervised(
        x_train=coords,
        y_train=rgb,
        x_test=coords,
        y_test=rgb,
        kind="image_fit",
        num_classes=0,
        name=f"pattern {size}×{size}",
        meta={"image": img, "size": size},
    )
