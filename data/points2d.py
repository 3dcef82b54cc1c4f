"""Unlabelled 2-D point clouds for generative models (GANs, diffusion): targets with known modes.

``ring8`` (8 Gaussians on a circle) and ``grid25`` (a 5×5 grid of Gaussians) are the standard mode-
coverage benchmarks; ``modes(name)`` returns their centres and ``mode_stats`` measures how many modes
a set of samples covers and what share of samples are of high quality (within 3 standard deviations
of a centre), as in the unrolled-GAN and VEEGAN papers.
"""

from __future__ import annotations

import numpy as np

POINT_SETS = ("ring8", "grid25", "moons", "line", "spiral", "swiss_roll")
RING_RADIUS, RING_STD = 2.0, 0.02**0.5  # variance 0.02, as in Metz et al. (2017)
GRID_STD = 0.05  # grid25 spacing 2 on [-4, 4]


def modes(name: str) -> tuple[np.ndarray, float] | None:
    """(centres (K, 2), std) of a mixture target, or None for sets without discrete modes."""
    if name == "ring8":
        a = 2 * np.pi * np.arange(8) / 8
        return RING_RADIUS * np.stack([np.cos(a), np.sin(a)], 1), RING_STD
    if name == "grid25":
        g = np.arange(-4, 5, 2, dtype=float)
        return np.stack(np.meshgrid(g, g), -1).reshape(-1, 2), GRID_STD
    return None


def points2d(name: str = "ring8", n: int = 2000, seed: int = 0, noise: float | None = None) -> np.ndarray:
    """(n, 2) float32 samples of a target distribution, roughly within [-4, 4]²."""
    rng = np.random.default_rng(seed)
    if name in ("ring8", "grid25"):
        centres, std = modes(name)
        k = rng.integers(0, len(centres), n)
        x = centres[k] + rng.normal(0, std if noise is None else noise, (n, 2))
    elif name == "moons":
        m = n // 2
        a1, a2 = rng.uniform(0, np.pi, m), rng.uniform(0, np.pi, n - m)
        x = np.concatenate(
            [np.stack([np.cos(a1), np.sin(a1)], 1), np.stack([1 - np.cos(a2), 0.5 - np.sin(a2)], 1)]
        )
        x = (x - [0.5, 0.25]) * 2.0 + rng.normal(0, 0.05 if noise is None else noise, (n, 2))
    elif name == "line":
        t = rng.uniform(-3, 3, n)
        x = np.stack([t, 0.5 * t], 1) + rng.normal(0, 0.05 if noise is None else noise, (n, 2))
    elif name == "spiral":
        t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
        x = np.stack([t * np.cos(t), t * np.sin(t)], 1) / (3 * np.pi) * 3.5
        x += rng.normal(0, 0.05 if noise is None else noise, (n, 2))
    elif name == "swiss_roll":
        t = 1.5 * np.pi * (1 + 2 * rng.uniform(0, 1, n))
        x = np.stack([t * np.cos(t), t * np.sin(t)], 1) / 14 * 3.5
        x += rng.normal(0, 0.1 if noise is None else noise, (n, 2))
    else:
        raise ValueError(f"unknown 2-D target {name!r}; choose one of {', '.join(POINT_SETS)}")
    return x.astype(np.float32)


def mode_stats(samples: np.ndarray, name: str) -> dict[str, float] | None:
    """Modes covered and the share of high-quality samples (within 3 std of the nearest centre).

    A mode counts as covered when at least 1 % of the samples (and at least one) are high-quality
    samples of it."""
    m = modes(name)
    if m is None:
        return None
    centres, std = m
    d = np.linalg.norm(samples[:, None, :] - centres[None], axis=-1)
    nearest, dist = d.argmin(1), d.min(1)
    good = dist < 3 * std
    counts = np.bincount(nearest[good], minlength=len(centres))
    covered = int((counts >= max(1, 0.01 * len(samples))).sum())
    return {"modes": len(centres), "covered": covered, "high_quality": float(good.mean())}
