"""The CNN page's figures as a reader sees them: the family chart's names do not cover each other, and
the convolution explainer draws dilated kernels, pooled maps and kernel numbers legibly."""

import numpy as np
import pytest

from archs.cnn.stats import family_table
from viz.labels import Box, anchored_box, text_size


@pytest.fixture(scope="module")
def family():
    from viz.cnn import family_figure

    return family_figure(family_table())


def _plot_px(fig):
    """Data -> pixel mapping of the figure's plot area (log axes: ranges and annotations in log10)."""
    m = fig.layout.margin
    pw, ph = fig.layout.width - m.l - m.r, fig.layout.height - m.t - m.b
    xr, yr = fig.layout.xaxis.range, fig.layout.yaxis.range

    def to_px(lx, ly):
        return (lx - xr[0]) / (xr[1] - xr[0]) * pw, (ly - yr[0]) / (yr[1] - yr[0]) * ph

    return to_px, Box(0, 0, pw, ph)


def test_family_chart_names_every_model_without_overlaps(family):
    """Each label's box, estimated from its font size and characters at the figure's own size, overlaps
    no other label and no marker, and lies inside the plot."""
    to_px, plot = _plot_px(family)
    points = family.data[0]
    names = [a.text for a in family.layout.annotations]
    assert len(names) == len(points.x) and len(names) >= 20
    assert any(n.startswith("EfficientNet-B3") for n in names) and any(
        n.startswith("ResNet-18") for n in names
    )
    boxes = []
    for a in family.layout.annotations:
        x, y = to_px(a.x, a.y)
        w, h = text_size(a.text, a.font.size)
        boxes.append(anchored_box(x + (a.xshift or 0), y + (a.yshift or 0), w, h, a.xanchor, a.yanchor))
    r = points.marker.size / 2
    markers = [
        Box(x - r, y - r, x + r, y + r)
        for x, y in (to_px(np.log10(u), np.log10(v)) for u, v in zip(points.x, points.y, strict=True))
    ]
    for i, b in enumerate(boxes):
        assert b.inside(plot), names[i]
        for j in range(i + 1, len(boxes)):
            assert not b.overlaps(boxes[j]), (names[i], names[j])
        for j, m in enumerate(markers):
            assert not b.overlaps(m), (names[i], "covers the marker of", names[j])


def test_family_chart_leader_lines_join_points_to_far_labels(family):
    """A label moved away from its point (beyond the first ring of 7 px marker + 4 px gap) is tied to it
    by a line that starts at the point."""
    lines = [t for t in family.data if t.name == "leader lines"]
    starts = set()
    if lines:
        xs, ys = list(lines[0].x), list(lines[0].y)
        starts = {(round(xs[i], 6), round(ys[i], 6)) for i in range(0, len(xs), 3)}
    far = [a for a in family.layout.annotations if np.hypot(a.xshift or 0, a.yshift or 0) > 1.2 * 11]
    assert far  # the chart has crowded corners (EfficientNet-B1 among B0, B2 and ResNet-18)
    for a in far:
        assert (round(10**a.x, 6), round(10**a.y, 6)) in starts, a.text
