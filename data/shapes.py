"""Procedural shape scenes: classes, boxes, masks, captions and paired domains, all generated.

One drawing routine (``draw``) renders a filled or outlined shape of a given kind, centre and radius
as an anti-aliased mask; the loaders below build labelled sets from it:

- ``shapes``: one shape per image, its kind as the class (optionally coloured);
- ``shape_scenes``: several shapes per image with their boxes, masks and kinds (detection, segmentation);
- ``captioned_shapes``: one coloured shape placed in a 3×3 grid cell, with a caption such as
  "a red circle at the top left" (text-conditioned generation);
- ``paired_shapes``: the same shape in two domains (outline → filled, or palette A ↔ palette B).

Every loader is seeded and takes well under a second for a few thousand 32×32 images.
"""

from __future__ import annotations

import numpy as np

from data.base import Supervised

KINDS = ("circle", "square", "triangle", "cross", "ring", "diamond")
COLORS: dict[str, tuple[float, float, float]] = {
    "red": (0.9, 0.15, 0.15),
    "green": (0.15, 0.75, 0.2),
    "blue": (0.15, 0.35, 0.95),
    "yellow": (0.95, 0.85, 0.1),
    "purple": (0.6, 0.2, 0.8),
    "white": (1.0, 1.0, 1.0),
}
POSITIONS = (
    "top left",
    "top",
    "top right",
    "left",
    "center",
    "right",
    "bottom left",
    "bottom",
    "bottom right",
)


def draw(kind: str, size: int, cx: float, cy: float, r: float, outline: bool = False) -> np.ndarray:
    """(size, size) float mask in [0, 1] of a shape centred at (cx, cy) (pixels) with radius r."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    dx, dy = xx - cx, yy - cy
    if kind == "circle":
        d = np.hypot(dx, dy) - r
    elif kind == "square":
        d = np.maximum(abs(dx), abs(dy)) - r * 0.85
    elif kind == "diamond":
        d = (abs(dx) + abs(dy)) / np.sqrt(2) - r * 0.75
    elif kind == "triangle":  # pointing up: three half-planes
        d = np.maximum.reduce(
            [dy - r * 0.6, -0.866 * dx - 0.5 * dy - r * 0.55, 0.866 * dx - 0.5 * dy - r * 0.55]
        )
    elif kind == "cross":
        w = r * 0.32
        d = np.minimum(np.maximum(abs(dx) - r, abs(dy) - w), np.maximum(abs(dx) - w, abs(dy) - r))
    elif kind == "ring":
        d = abs(np.hypot(dx, dy) - r * 0.75) - r * 0.25
    else:
        raise ValueError(f"unknown shape {kind!r}; choose one of {', '.join(KINDS)}")
    if outline:
        d = abs(d) - 0.6
    return np.clip(0.5 - d, 0.0, 1.0)  # one pixel of anti-aliasing


def _split(n: int, test_frac: float, val_frac: float):
    n_test, n_val = int(n * test_frac), int(n * val_frac)
    return slice(n_test + n_val, n), slice(n_test, n_test + n_val), slice(0, n_test)


def shapes(
    n: int = 2000,
    size: int = 16,
    kinds: tuple[str, ...] = KINDS,
    color: bool = False,
    noise: float = 0.05,
    seed: int = 0,
    test_frac: float = 0.2,
    val_frac: float = 0.1,
) -> Supervised:
    """One shape per image, class = its kind; (N, 1 or 3, size, size) in [0, 1]."""
    if size < 8:
        raise ValueError(f"shapes need at least 8×8 pixels, not {size}")
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(kinds), n)
    x = np.zeros((n, 3 if color else 1, size, size), np.float32)
    names = list(COLORS)
    for i in range(n):
        r = rng.uniform(0.22, 0.36) * size
        cx, cy = rng.uniform(r + 0.5, size - r - 0.5, 2)
        m = draw(kinds[y[i]], size, cx, cy, r)
        if color:
            x[i] = m[None] * np.array(COLORS[names[rng.integers(len(names))]], np.float32)[:, None, None]
        else:
            x[i, 0] = m
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
        name=f"shapes {size}×{size}",
        meta={"size": size},
    )


def shape_scenes(
    n: int = 500, size: int = 32, max_objects: int = 3, kinds: tuple[str, ...] = KINDS, seed: int = 0
) -> dict:
    """Several non-overlapping shapes per image: images (N, 1, H, W), per image a list of boxes
    (x0, y0, x1, y1) in pixels (the tight box of each shape's pixels, x1 one past the last column), class
    ids, and an instance mask (N, H, W) with 0 = background and k = the k-th object; ``semantic`` (N, H, W)
    holds class id + 1 per pixel."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 1, size, size), np.float32)
    inst = np.zeros((n, size, size), np.int64)
    sem = np.zeros((n, size, size), np.int64)
    boxes, labels = [], []
    for i in range(n):
        bs, ls, tight = [], [], []
        for _ in range(rng.integers(1, max_objects + 1)):
            for _try in range(20):
                r = rng.uniform(0.12, 0.2) * size
                cx, cy = rng.uniform(r + 1, size - r - 1, 2)
                b = (cx - r, cy - r, cx + r, cy + r)
                if all(b[2] < o[0] or b[0] > o[2] or b[3] < o[1] or b[1] > o[3] for o in bs):
                    k = int(rng.integers(len(kinds)))
                    m = draw(kinds[k], size, cx, cy, r)
                    images[i, 0] = np.maximum(images[i, 0], m)
                    inst[i][m > 0.5] = len(bs) + 1
                    sem[i][m > 0.5] = k + 1
                    bs.append(b)
                    ys, xs = np.nonzero(m > 0.5)  # the tight box of the drawn pixels (a triangle's tip
                    tight.append((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))  # pokes out of b)
                    ls.append(k)
                    break
        boxes.append(np.array(tight, np.float32).reshape(-1, 4))
        labels.append(np.array(ls, np.int64))
    return {
        "images": images,
        "boxes": boxes,
        "labels": labels,
        "instances": inst,
        "semantic": sem,
        "class_names": tuple(kinds),
    }


def caption(kind: str, color: str, position: str) -> str:
    return (
        f"a {color} {kind} at the {position}" if position != "center" else f"a {color} {kind} in the center"
    )


# every word a caption uses, sorted: the vocabulary of the text-conditioned models of the shape scenes
CAPTION_WORDS = tuple(
    sorted({"a", "at", "the", "in", "center", *KINDS, *COLORS, *" ".join(POSITIONS).split()})
)


def captioned_shapes(
    n: int = 2000,
    size: int = 32,
    kinds: tuple[str, ...] = KINDS,
    colors: tuple[str, ...] = tuple(COLORS),
    seed: int = 0,
) -> dict:
    """One coloured shape per image in one of the 3×3 grid cells, with its caption.

    Returns images (N, 3, H, W) in [0, 1] on black, captions (list of str), and the attributes as
    integer arrays ``kind``, ``color`` and ``position`` (indices into ``kinds``, ``colors`` and
    POSITIONS), so that generated samples can be checked against what was asked."""
    rng = np.random.default_rng(seed)
    k, c, p = rng.integers(0, len(kinds), n), rng.integers(0, len(colors), n), rng.integers(0, 9, n)
    images = np.zeros((n, 3, size, size), np.float32)
    cell = size / 3
    for i in range(n):
        r = cell * rng.uniform(0.36, 0.46)
        row, col = divmod(int(p[i]), 3)
        cx = (col + 0.5) * cell + rng.uniform(-0.08, 0.08) * cell
        cy = (row + 0.5) * cell + rng.uniform(-0.08, 0.08) * cell
        m = draw(kinds[k[i]], size, cx, cy, r)
        images[i] = m[None] * np.array(COLORS[colors[c[i]]], np.float32)[:, None, None]
    caps = [caption(kinds[k[i]], colors[c[i]], POSITIONS[p[i]]) for i in range(n)]
    return {
        "images": images,
        "captions": caps,
        "kind": k,
        "color": c,
        "position": p,
        "kinds": tuple(kinds),
        "colors": tuple(colors),
        "positions": POSITIONS,
    }


def paired_shapes(
    n: int = 1000,
    size: int = 32,
    mode: str = "outline_to_filled",
    kinds: tuple[str, ...] = KINDS,
    seed: int = 0,
) -> dict:
    """Paired domains of the same scenes: ``outline_to_filled`` gives a = the outline (1 channel),
    b = the filled shape in colour (3 channels); ``palette`` gives the same filled shape in palette A
    (warm colours on dark blue) and palette B (cool colours on cream). For unpaired training, shuffle
    one side."""
    if mode not in ("outline_to_filled", "palette"):
        raise ValueError(f"unknown pairing {mode!r}; choose outline_to_filled or palette")
    rng = np.random.default_rng(seed)
    a = np.zeros((n, 1 if mode == "outline_to_filled" else 3, size, size), np.float32)
    b = np.zeros((n, 3, size, size), np.float32)
    warm = np.array([COLORS["red"], COLORS["yellow"], (0.95, 0.5, 0.1)], np.float32)
    cool = np.array([COLORS["blue"], COLORS["green"], COLORS["purple"]], np.float32)
    bg_a, bg_b = np.array([0.05, 0.08, 0.25], np.float32), np.array([0.96, 0.93, 0.82], np.float32)
    labels = rng.integers(0, len(kinds), n)
    for i in range(n):
        r = rng.uniform(0.25, 0.38) * size
        cx, cy = rng.uniform(r + 1, size - r - 1, 2)
        fill = draw(kinds[labels[i]], size, cx, cy, r)[None]
        j = rng.integers(3)
        if mode == "outline_to_filled":
            a[i, 0] = draw(kinds[labels[i]], size, cx, cy, r, outline=True)
            b[i] = fill * warm[j][:, None, None]
        else:
            a[i] = fill * warm[j][:, None, None] + (1 - fill) * bg_a[:, None, None]
            b[i] = fill * cool[j][:, None, None] + (1 - fill) * bg_b[:, None, None]
    return {"a": a, "b": b, "labels": labels, "class_names": tuple(kinds), "mode": mode}
