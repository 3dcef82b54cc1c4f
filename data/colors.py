"""Random RGB colours, uniform in the unit cube: the self-organising map's classic demonstration (a grid
that arranges them into a smooth palette; Kohonen 1990). Seeded and cheap."""

from __future__ import annotations

import numpy as np

from data.base import Supervised

CORNERS = ("black", "blue", "green", "cyan", "red", "magenta", "yellow", "white")


def colors(n: int = 1000, seed: int = 0) -> Supervised:
    """(n, 3) colours in [0, 1]³, 80 % train and 20 % test. ``y`` is the nearest of the cube's eight corners
    (0 black … 7 white), for colouring plots only: a SOM never reads it."""
    if not 10 <= n <= 100_000:
        raise ValueError(f"the colour set takes 10 to 100,000 colours, got {n}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n, 3)).astype(np.float32)
    y = ((x > 0.5) @ np.array([4, 2, 1])).astype(np.int64)  # (n,) corner id
    cut = int(n * 0.8)
    return Supervised(
        x[:cut], y[:cut], x[cut:], y[cut:], "colors", 8, class_names=CORNERS, name="random colours"
    )
