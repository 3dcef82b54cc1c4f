"""Data for autoregressive density models: sklearn's digits quantised to a few grey levels (PixelCNN) and
synthetic tones μ-law quantised to discrete levels (WaveNet), with the baselines their likelihoods are
compared against.

μ-law companding (ITU-T G.711; WaveNet, van den Oord et al. 2016, arXiv 1609.03499, §2.2):
``f(x) = sign(x) · ln(1 + μ|x|) / ln(1 + μ)`` for x in [−1, 1], then ``L = μ + 1`` equal bins of f(x):
quiet samples get fine steps, loud ones coarse steps.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from data.base import Supervised
from data.digits import digits

SAMPLE_RATE = 8000  # of the tones: low enough that a few hundred samples hold several periods


# ------------------------------------------------------------------------------------------- μ-law


def mu_law_compress(x: np.ndarray, mu: float = 255.0) -> np.ndarray:
    """f(x) = sign(x) ln(1 + μ|x|) / ln(1 + μ), for x in [−1, 1] (clipped there)."""
    x = np.clip(np.asarray(x, dtype=np.float64), -1.0, 1.0)
    return np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)


def mu_law_expand(y: np.ndarray, mu: float = 255.0) -> np.ndarray:
    """The inverse of mu_law_compress: x = sign(y) ((1 + μ)^|y| − 1) / μ."""
    y = np.asarray(y, dtype=np.float64)
    return np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu


def mu_law_encode(x: np.ndarray, levels: int = 256) -> np.ndarray:
    """Samples in [−1, 1] -> integer levels 0 … levels − 1 (μ = levels − 1), int64."""
    if levels < 2:
        raise ValueError(f"μ-law needs at least 2 levels, not {levels}")
    y = mu_law_compress(x, levels - 1)
    return np.clip(np.floor((y + 1) / 2 * levels), 0, levels - 1).astype(np.int64)


def mu_law_decode(q: np.ndarray, levels: int = 256) -> np.ndarray:
    """Levels -> samples in [−1, 1]: each level's bin centre, expanded. float32."""
    y = (np.asarray(q, dtype=np.float64) + 0.5) / levels * 2 - 1
    return mu_law_expand(y, levels - 1).astype(np.float32)


def linear_encode(x: np.ndarray, levels: int = 256) -> np.ndarray:
    """Uniform quantisation of [−1, 1] into ``levels`` bins (for the comparison with μ-law)."""
    x = np.clip(np.asarray(x, dtype=np.float64), -1.0, 1.0)
    return np.clip(np.floor((x + 1) / 2 * levels), 0, levels - 1).astype(np.int64)


def linear_decode(q: np.ndarray, levels: int = 256) -> np.ndarray:
    return ((np.asarray(q, dtype=np.float64) + 0.5) / levels * 2 - 1).astype(np.float32)


# ----------------------------------------------------------------------------------------- digits


def quantise(images: np.ndarray, levels: int) -> np.ndarray:
    """Pixels in [0, 1] -> integer levels 0 … levels − 1 (equal bins), int64."""
    return np.clip(np.floor(np.asarray(images) * levels), 0, levels - 1).astype(np.int64)


def independent_nll(train: np.ndarray, test: np.ndarray, levels: int, alpha: float) -> float:
    """Bits per pixel on ``test`` (N, ...) of the per-pixel independent model fitted on ``train``: each
    pixel position its own categorical over the levels, counts + ``alpha`` (additive smoothing)."""
    tr = train.reshape(len(train), -1)
    te = test.reshape(len(test), -1)
    counts = np.stack([(tr == v).sum(0) for v in range(levels)], 1) + alpha  # (P, L)
    p = counts / counts.sum(1, keepdims=True)
    picked = p[np.arange(tr.shape[1])[None, :], te]  # (N, P)
    return float(-np.log2(picked).mean())


def independent_baseline(d: Supervised, levels: int) -> tuple[float, float]:
    """(test bits per pixel, α) of the best per-pixel independent model: α (its smoothing) is chosen on
    the validation split among a few values, as a fair baseline would be tuned, then scored on test."""
    alphas = (0.01, 0.05, 0.1, 0.5, 1.0)
    val = [independent_nll(d.y_train, d.y_val, levels, a) for a in alphas]
    alpha = alphas[int(np.argmin(val))]
    return independent_nll(d.y_train, d.y_test, levels, alpha), alpha


@lru_cache(maxsize=8)
def quantised_digits(levels: int = 4) -> Supervised:
    """sklearn's 8×8 digits quantised to ``levels`` grey levels: x the levels scaled to [0, 1] (N, 1, 8, 8)
    float32 (what the network reads), y the levels themselves (N, 1, 8, 8) int64 (what it predicts).
    ``meta``: levels, the digit labels of every split, and the independent baseline (bits per pixel)."""
    if not 2 <= levels <= 17:
        raise ValueError(f"the digits have 17 grey levels: quantise them to 2 … 17 levels, not {levels}")
    d = digits(8)
    q = {
        "train": quantise(d.x_train, levels),
        "val": quantise(d.x_val, levels),
        "test": quantise(d.x_test, levels),
    }
    x = {k: (v / (levels - 1)).astype(np.float32) for k, v in q.items()}
    res = Supervised(
        x_train=x["train"],
        y_train=q["train"],
        x_val=x["val"],
        y_val=q["val"],
        x_test=x["test"],
        y_test=q["test"],
        kind="density",
        num_classes=levels,
        name=f"digits 8×8, {levels} levels",
        meta={"levels": levels, "labels": {"train": d.y_train, "val": d.y_val, "test": d.y_test}},
    )
    bits, alpha = independent_baseline(res, levels)
    res.meta.update(baseline_bits=bits, baseline_alpha=alpha)
    return res


# ------------------------------------------------------------------------------------------ tones


def tone(
    n: int, freq: float, rng: np.random.Generator, harmonics: int = 2, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """One clip of ``n`` samples: a note at ``freq`` Hz with up to two ``harmonics`` of random strength
    and phase, a random loudness between 0.2 and 0.9. float32 in [−1, 1]."""
    t = np.arange(n) / sample_rate
    w = np.zeros(n)
    for k, a in ((1, 1.0), (2, rng.uniform(0, 0.5)), (3, rng.uniform(0, 0.25)))[: harmonics + 1]:
        w += a * np.sin(2 * np.pi * k * freq * t + rng.uniform(0, 2 * np.pi))
    return (w / np.abs(w).max() * rng.uniform(0.2, 0.9)).astype(np.float32)


@lru_cache(maxsize=8)
def tones(
    n: int = 1200,
    length: int = 128,
    levels: int = 64,
    fmin: float = 250.0,
    fmax: float = 1000.0,
    harmonics: int = 2,
    seed: int = 0,
) -> Supervised:
    """``n`` clips of ``length`` + 1 samples (tone: pitch uniform in [fmin, fmax] Hz at 8 kHz), μ-law
    quantised to ``levels``: x the first ``length`` levels (N, length) int64, y the same clip one sample
    later (N, length). ``meta``: levels, sample rate, the clips' pitches, and the baseline of an i.i.d.
    model (the training set's level histogram) in bits per sample."""
    if n < 20:
        raise ValueError(f"n ({n}) is too small: take at least 20 clips")
    if not 0 < fmin < fmax <= SAMPLE_RATE / 6:
        raise ValueError(f"the pitches need 0 < fmin < fmax ≤ {SAMPLE_RATE // 6} Hz (three harmonics)")
    rng = np.random.default_rng(seed)
    freq = rng.uniform(fmin, fmax, n)
    q = np.stack(
        [mu_law_encode(tone(length + 1, f, rng, harmonics), levels) for f in freq]
    )  # (N, length + 1)
    n_test = n_val = max(4, n // 10)
    parts = {
        "test": slice(0, n_test),
        "val": slice(n_test, n_test + n_val),
        "train": slice(n_test + n_val, n),
    }
    x = {k: q[s, :-1] for k, s in parts.items()}  # (n, length): the clip
    y = {k: q[s, 1:] for k, s in parts.items()}  # (n, length): the clip one sample later
    hist = np.bincount(y["train"].ravel(), minlength=levels) + 0.5
    p = hist / hist.sum()
    baseline = float(-np.log2(p[y["test"]]).mean())
    return Supervised(
        x_train=x["train"],
        y_train=y["train"],
        x_val=x["val"],
        y_val=y["val"],
        x_test=x["test"],
        y_test=y["test"],
        kind="density",
        num_classes=levels,
        name=f"tones, {levels} μ-law levels",
        meta={"levels": levels, "sample_rate": SAMPLE_RATE, "freq": freq, "baseline_bits": baseline},
    )
