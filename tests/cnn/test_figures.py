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


# --------------------------------------------------------------------------- convolution explainer


def _explain(kernel, d, s=1, p=0, i=2, j=3):
    from viz.convolution import convolve, explainer_figure

    image = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    out, padded = convolve(image, kernel, s, p, d)
    return explainer_figure(padded, kernel, out, i, j, s, d, p)


@pytest.mark.parametrize("d", [1, 2, 8])
def test_dilated_kernel_is_drawn_as_separate_taps_at_their_spacing(d):
    from viz.convolution import KERNELS

    fig = _explain(KERNELS["edge (Laplacian)"], d)
    taps = [s for s in fig.layout.shapes if s.name == "kernel tap"]
    assert len(taps) == 9 and {s.xref for s in taps} == {"x"}  # 3×3 taps, on the input panel
    assert all(s.x1 - s.x0 == 1 and s.y1 - s.y0 == 1 for s in taps)  # one input pixel each
    xs = sorted({s.x0 for s in taps})
    ys = sorted({s.y0 for s in taps})
    assert xs == [3 - 0.5 + n * d for n in range(3)] and ys == [2 - 0.5 + m * d for m in range(3)]
    assert not any(s.name == "kernel tap" and s.x1 - s.x0 > 1 for s in fig.layout.shapes)


def test_pooled_map_has_square_pixels():
    from viz.convolution import pool, pooled_figure

    pooled = pool(np.random.default_rng(0).random((26, 26)).astype(np.float32), "max", 2)
    fig = pooled_figure(pooled, "max", 2, (26, 26))
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    assert fig.layout.xaxis.constrain == "domain"


def _luminance(colour: str) -> float:
    """WCAG relative luminance of "#000", "#fff" or "rgb(r, g, b)"."""
    if colour.startswith("#"):
        rgb = [int(c * 2, 16) for c in colour[1:4]]
    else:
        rgb = [float(c) for c in colour[colour.index("(") + 1 : colour.index(")")].split(",")]
    lin = [(c / 255 / 12.92) if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize(
    "name, factor",
    [("vertical edge (Sobel x)", ""), ("blur (box 3×3)", "× 1/9"), ("blur (Gaussian 5×5)", "× 1/256")],
)
def test_kernel_numbers_are_large_rounded_and_contrast_with_their_cells(name, factor):
    from viz.convolution import KERNELS, cell_colours

    kernel = KERNELS[name]
    k = kernel.shape[0]
    fig = _explain(kernel, 1)
    numbers = [a for a in fig.layout.annotations if a.xref == "x2"]
    assert len(numbers) == k * k  # a number in every cell of the kernel panel
    assert any(a.text == f"kernel {factor}".strip() for a in fig.layout.annotations)  # its title
    colours = cell_colours(kernel, "RdBu", 0.0)
    for a in numbers:
        assert a.font.size >= 12 and a.text and len(a.text) <= 3  # rounded: "-2", "36"
        bg, fg = _luminance(colours[int(a.y)][int(a.x)]), _luminance(a.font.color)
        assert (max(bg, fg) + 0.05) / (min(bg, fg) + 0.05) >= 3.0, (a.text, a.font.color)
    shown = np.array([[0] * k] * k)
    for a in numbers:
        shown[int(a.y), int(a.x)] = int(a.text)
    scale = {"": 1, "× 1/9": 1 / 9, "× 1/256": 1 / 256}[factor]
    assert np.allclose(shown * scale, kernel, atol=1e-6)


def test_learned_kernels_are_rounded_to_two_digits_times_a_power_of_ten():
    from viz.convolution import cell_texts

    texts, factor = cell_texts(np.array([[0.1234, -0.0567], [0.3, 0.0]]))
    assert factor == "× 0.01" and texts == [["12", "-6"], ["30", "0"]]
