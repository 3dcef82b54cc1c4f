"""Text labels without a browser: the estimated box of a label (from its font size and characters) and a
greedy placement of labels beside points so that no two collide (the layer graph and the CNN family
chart use them; their tests measure the same boxes).

Widths are estimated, not measured: an average character advance of 0.62 em, which is on the wide side
for the sans-serif fonts Plotly and Streamlit use (Open Sans, Source Sans: 0.50–0.58 em for lower case
and digits), so the estimated box holds the drawn text. A line is 1.3 em high.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

CHAR_EM = 0.62
LINE_EM = 1.3
_TAG = re.compile(r"<[^>]+>")


def text_lines(text: str) -> list[str]:
    """The visible lines of a Plotly text (``<br>`` breaks lines; other tags draw nothing)."""
    return [_TAG.sub("", line) for line in re.split(r"<br\s*/?>", text or "")]


def text_size(text: str, size: float) -> tuple[float, float]:
    """(width, height) in pixels of ``text`` at font ``size`` px."""
    lines = text_lines(text)
    return max((len(s) for s in lines), default=0) * CHAR_EM * size, len(lines) * LINE_EM * size


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels, y growing upwards (as on a chart)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, pad: float = 0.0) -> bool:
        return not (
            self.x1 + pad <= other.x0
            or other.x1 + pad <= self.x0
            or self.y1 + pad <= other.y0
            or other.y1 + pad <= self.y0
        )

    def inside(self, other: Box) -> bool:
        return self.x0 >= other.x0 and self.x1 <= other.x1 and self.y0 >= other.y0 and self.y1 <= other.y1


def anchored_box(x: float, y: float, w: float, h: float, xanchor: str, yanchor: str) -> Box:
    """The box of a ``w``×``h`` text whose anchor point (``xanchor`` left/center/right, ``yanchor``
    bottom/middle/top, as in Plotly's annotations) is at (x, y)."""
    x0 = x - {"left": 0.0, "center": w / 2, "right": w}[xanchor]
    y0 = y - {"bottom": 0.0, "middle": h / 2, "top": h}[yanchor]
    return Box(x0, y0, x0 + w, y0 + h)


# (dx, dy, xanchor, yanchor) in units of the distance from the point: right, above, left, below, then
# the diagonals, each at 1×, 2× and 3.5× (the far ones are drawn with a leader line)
_DIRECTIONS = [
    (1, 0, "left", "middle"),
    (0, 1, "center", "bottom"),
    (-1, 0, "right", "middle"),
    (0, -1, "center", "top"),
    (0.8, 0.8, "left", "bottom"),
    (-0.8, 0.8, "right", "bottom"),
    (0.8, -0.8, "left", "top"),
    (-0.8, -0.8, "right", "top"),
]
OFFSETS = [(dx * k, dy * k, xa, ya) for k in (1.0, 2.0, 3.5, 5.0) for dx, dy, xa, ya in _DIRECTIONS]


@dataclass(frozen=True)
class Placement:
    dx: float  # offset of the anchor from the point, pixels
    dy: float
    xanchor: str
    yanchor: str
    box: Box
    leader: bool  # far from its point: draw a line from the point to the label


def place_labels(
    points: Sequence[tuple[float, float]],
    texts: Sequence[str],
    size: float,
    bounds: Box,
    radius: float = 8.0,
    gap: float = 4.0,
) -> list[Placement]:
    """For each point (pixels), an offset for its label such that no label box overlaps another label
    or any point's marker (a square of side 2·``radius``) and stays inside ``bounds``, trying near
    positions first. Points are placed in order of how crowded they are (most neighbours first). A
    label for which no candidate fits takes the one with the least overlap (never silently dropped)."""
    sizes = [text_size(t, size) for t in texts]
    markers = [Box(x - radius, y - radius, x + radius, y + radius) for x, y in points]
    crowd = [sum(abs(x - u) < 150 and abs(y - v) < 60 for u, v in points) for x, y in points]
    placed: dict[int, Placement] = {}
    for i in sorted(range(len(points)), key=lambda i: (-crowd[i], i)):
        x, y = points[i]
        w, h = sizes[i]
        best, best_cost = None, None
        for dx, dy, xa, ya in OFFSETS:
            ox, oy = dx * (radius + gap), dy * (radius + gap)
            box = anchored_box(x + ox, y + oy, w, h, xa, ya)
            cost = sum(box.overlaps(p.box, gap) for p in placed.values())
            cost += sum(box.overlaps(m, 1.0) for m in markers)
            cost += 0 if box.inside(bounds) else 100
            if best_cost is None or cost < best_cost:
                best, best_cost = Placement(ox, oy, xa, ya, box, math.hypot(dx, dy) > 1.2), cost
            if cost == 0:
                break
        placed[i] = best
    return [placed[i] for i in range(len(points))]
