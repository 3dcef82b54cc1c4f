"""Two-dimensional toy sets in the style of TensorFlow Playground, plus multi-class sets.

Points live in [-6, 6]²; labels follow Playground's definitions (circle, xor, gauss, spiral; plane
for regression), with moons, k-armed spirals and k blobs added. ``noise`` is Playground's 0–50 %
scale as a fraction in [0, 0.5]. Input features are computed from the raw coordinates (x1, x2, x1²,
x2², x1·x2, sin x1, sin x2) and then standardised with the training split's mean and deviation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.base import Supervised

FEATURES: dict[str, str] = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1*x2": "x₁·x₂",
    "sin(x1)": "sin x₁",
    "sin(x2)": "sin x₂",
}

# name -> (kind, fixed class count or None when num_classes is free, description)
TOY2D_SETS: dict[str, tuple[str, int | None, str]] = {
    "circle": ("classification", 2, "a disc inside a ring"),
    "xor": ("classification", 2, "the four quadrants, opposite ones alike"),
    "gauss": ("classification", 2, "two Gaussian clouds"),
    "spiral": ("classification", None, "interleaved spiral arms (2 or more classes)"),
    "moons": ("classification", 2, "two interleaving half-moons"),
    "blobs": ("classification", None, "k Gaussian clouds on a circle"),
    "plane": ("regression", None, "a tilted plane: y = (x₁ + x₂) / 12"),
    "bumps": ("regression", None, "two Gaussian bumps of opposite sign"),
}

R = 6.0


def _feature(name: str, p: np.ndarray) -> np.ndarray:
    x1, x2 = p[:, 0], p[:, 1]
    return {
        "x1": x1,
        "x2": x2,
        "x1^2": x1 * x1,
        "x2^2": x2 * x2,
        "x1*x2": x1 * x2,
        "sin(x1)": np.sin(x1),
        "sin(x2)": np.sin(x2),
    }[name]


def _circle(n, noise, rng, k):
    r_in = rng.uniform(0, R * 0.5 * 5 / 6, n // 2)
    r_out = rng.uniform(R * 0.7 * 5 / 6, R * 5 / 6, n - n // 2)
    r = np.concatenate([r_in, r_out])
    a = rng.uniform(0, 2 * np.pi, n)
    p = np.stack([r * np.cos(a), r * np.sin(a)], 1) + rng.uniform(-R, R, (n, 2)) * noise * 5 / 6
    y = np.concatenate([np.ones(n // 2), np.zeros(n - n // 2)])
    return p, y


def _xor(n, noise, rng, k):
    p = rng.uniform(-5, 5, (n, 2))
    p += np.sign(p) * 0.3  # Playground's padding keeps points off the axes
    y = (p[:, 0] * p[:, 1] >= 0).astype(float)
    return p + rng.uniform(-5, 5, (n, 2)) * noise, y


def _gauss(n, noise, rng, k):
    sd = 0.5 + 3.5 * noise / 0.5  # Playground maps noise 0..0.5 to variance 0.5..4
    c = np.where(np.arange(n)[:, None] < n // 2, 2.0, -2.0)
    p = c + rng.normal(0, np.sqrt(sd), (n, 2))
    return p, (np.arange(n) < n // 2).astype(float)


def _spiral(n, noise, rng, k):
    per = np.full(k, n // k)
    per[: n - per.sum()] += 1
    ps, ys = [], []
    for c in range(k):
        t = np.linspace(0, 1, per[c], endpoint=False)
        r = t * 5
        a = 1.75 * t * 2 * np.pi + 2 * np.pi * c / k
        pts = np.stack([r * np.sin(a), r * np.cos(a)], 1) + rng.uniform(-1, 1, (per[c], 2)) * noise * 2
        ps.append(pts)
        ys.append(np.full(per[c], c))
    return np.concatenate(ps), np.concatenate(ys).astype(float)


def _moons(n, noise, rng, k):
    m = n // 2
    a1, a2 = rng.uniform(0, np.pi, m), rng.uniform(0, np.pi, n - m)
    p = np.concatenate(
        [np.stack([np.cos(a1), np.sin(a1)], 1), np.stack([1 - np.cos(a2), 0.5 - np.sin(a2)], 1)]
    )
    p = (p - [0.5, 0.25]) * 3.2 + rng.normal(0, noise * 1.5 + 1e-9, (n, 2))
    return p, np.concatenate([np.zeros(m), np.ones(n - m)])


def _blobs(n, noise, rng, k):
    y = np.arange(n) % k
    ang = 2 * np.pi * y / k
    p = 3.5 * np.stack([np.cos(ang), np.sin(ang)], 1) + rng.normal(0, 0.4 + 3 * noise, (n, 2))
    return p, y.astype(float)


def _plane(n, noise, rng, k):
    p = rng.uniform(-R, R, (n, 2))
    y = (p[:, 0] + p[:, 1]) / (2 * R)
    return p + rng.uniform(-R, R, (n, 2)) * noise, y


def _bumps(n, noise, rng, k):
    p = rng.uniform(-R, R, (n, 2))
    y = np.exp(-((p - [2, 2]) ** 2).sum(1) / 4) - np.exp(-((p + [2, 2]) ** 2).sum(1) / 4)
    return p + rng.uniform(-R, R, (n, 2)) * noise, y


_GEN = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
    "blobs": _blobs,
    "plane": _plane,
    "bumps": _bumps,
}


@dataclass
class Toy2D(Supervised):
    """A 2-D set with its raw points kept for drawing, and the feature map for any point of the plane."""

    points_train: np.ndarray | None = None
    points_test: np.ndarray | None = None
    features: tuple[str, ...] = ("x1", "x2")
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    def featurize(self, points: np.ndarray) -> np.ndarray:
        """(N, 2) raw points -> (N, F) standardised features, as the model sees them."""
        f = np.stack([_feature(n, points) for n in self.features], 1)
        return ((f - self.mean) / self.std).astype(np.float32)


def toy2d(
    name: str = "spiral",
    n: int = 500,
    noise: float = 0.0,
    train_frac: float = 0.5,
    features: tuple[str, ...] = ("x1", "x2"),
    num_classes: int = 2,
    seed: int = 0,
) -> Toy2D:
    """Generate a 2-D set; raises ValueError with a readable sentence for impossible settings."""
    if name not in _GEN:
        raise ValueError(f"unknown 2-D data set {name!r}; choose one of {', '.join(_GEN)}")
    kind, fixed_k, _ = TOY2D_SETS[name]
    if not features:
        raise ValueError("choose at least one input feature")
    bad = [f for f in features if f not in FEATURES]
    if bad:
        raise ValueError(f"unknown feature {bad[0]!r}; choose among {', '.join(FEATURES)}")
    if not 0.0 <= noise <= 0.5:
        raise ValueError(f"noise must be between 0 and 0.5, got {noise}")
    if not 0.1 <= train_frac <= 0.9:
        raise ValueError(f"the training share must be between 10% and 90%, got {train_frac:.0%}")
    k = fixed_k or (num_classes if kind == "classification" else 1)
    if kind == "classification" and not 2 <= k <= 8:
        raise ValueError(f"{name} takes 2 to 8 classes, got {k}")
    if n < 20:
        raise ValueError(f"at least 20 points are needed, got {n}")
    rng = np.random.default_rng(seed)
    p, y = _GEN[name](n, noise, rng, k)
    order = rng.permutation(n)
    p, y = p[order].astype(np.float64), y[order]
    cut = int(round(n * train_frac))
    raw = np.stack([_feature(f, p[:cut]) for f in features], 1)
    mean, std = raw.mean(0), raw.std(0) + 1e-8
    ds = Toy2D(
        x_train=np.zeros((1, 1)),
        y_train=np.zeros(1),
        x_test=np.zeros((1, 1)),
        y_test=np.zeros(1),
        kind=kind,
        num_classes=k if kind == "classification" else 1,
        name=name,
        class_names=tuple(f"class {c}" for c in range(k)) if kind == "classification" else (),
        points_train=p[:cut].astype(np.float32),
        points_test=p[cut:].astype(np.float32),
        features=tuple(features),
        mean=mean,
        std=std,
        meta={"noise": noise, "seed": seed},
    )
    ds.x_train, ds.x_test = ds.featurize(p[:cut]), ds.featurize(p[cut:])
    ytype = np.int64 if kind == "classification" else np.float32
    ds.y_train, ds.y_test = y[:cut].astype(ytype), y[cut:].astype(ytype)
    return ds


def grid(resolution: int = 60, lim: float = R) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A square grid over the plane: (xs, ys, points (resolution², 2)) for boundary heatmaps."""
    xs = np.linspace(-lim, lim, resolution, dtype=np.float32)
    gx, gy = np.meshgrid(xs, xs)
    return xs, xs, np.stack([gx.ravel(), gy.ravel()], 1)
