"""The detection figures: boxes drawn where they are (one trace per class, NaN-separated rectangles), masks
tinted in their class's colour, NMS's three groups, the PR curve's monotone envelope, the anchors around the
chosen cell, the two-stage panels, the curves of every loss term and quality the runs log."""

from __future__ import annotations

import numpy as np

from viz.detection import (
    CLASS_COLORS,
    anchors_figure,
    cam_figure,
    det_curves,
    iou_figure,
    nms_figure,
    pr_figure,
    scene_figure,
    scenes_figure,
    segmentation_figure,
    semantic_rgb,
    to_rgb,
    two_stage_figure,
)
from viz.images import decode_rgb_image

NAMES = ("circle", "square", "triangle", "cross", "ring", "diamond")


def _corners(trace) -> list[tuple[float, float, float, float]]:
    """The rectangles of a NaN-separated box trace, as (x0, y0, x1, y1)."""
    xs, ys = np.asarray(trace.x, float), np.asarray(trace.y, float)
    out = []
    for i in range(0, len(xs), 6):
        out.append((xs[i], ys[i], xs[i + 1], ys[i + 2]))
        assert np.isnan(xs[i + 5]) and xs[i + 4] == xs[i] and ys[i + 4] == ys[i]
    return out


def test_a_scene_draws_each_class_in_its_colour_at_its_box_with_its_score():
    img = np.zeros((1, 32, 32), np.float32)
    boxes = np.array([[2, 3, 10, 12], [15, 15, 30, 28], [1, 20, 8, 30]], np.float32)
    fig = scene_figure(img, boxes, np.array([0, 2, 0]), np.array([0.9, 0.5, 0.7]), NAMES)
    by_name = {t.name: t for t in fig.data if t.type == "scatter" and t.mode == "lines"}
    assert set(by_name) == {"circle", "triangle"}
    assert by_name["circle"].line.color == CLASS_COLORS[0]
    assert _corners(by_name["circle"]) == [(2, 3, 10, 12), (1, 20, 8, 30)]
    tabs = [(a.text, a.x, a.y, a.bgcolor) for a in fig.layout.annotations]
    assert tabs == [
        ("circle 0.90", 2, 3, CLASS_COLORS[0]),
        ("triangle 0.50", 15, 15, CLASS_COLORS[2]),
        ("circle 0.70", 1, 20, CLASS_COLORS[0]),
    ]
    assert fig.layout.yaxis.range == (32, 0)  # y points down, as in the image


def test_masks_are_tinted_in_their_class_colour_and_the_background_is_untouched():
    img = np.zeros((16, 16), np.float32)
    masks = np.zeros((1, 16, 16), np.float32)
    masks[0, 4:8, 4:8] = 1
    fig = scene_figure(img, np.array([[4, 4, 8, 8]]), np.array([1]), np.array([0.8]), NAMES, masks=masks)
    px = decode_rgb_image(fig.data[0])
    assert px[0, 0].tolist() == [0, 0, 0]
    r, g, b = px[5, 5].tolist()
    assert b > r and b > 50  # class 1 is blue
    sem = np.zeros((16, 16), np.int64)
    sem[0:4, 0:4] = 3  # class 2 (green)
    tinted = semantic_rgb(img, sem)
    assert tinted[1, 1, 1] > tinted[1, 1, 0] and tinted[10, 10].tolist() == [0, 0, 0]
    assert to_rgb(np.ones((3, 4, 5))).shape == (4, 5, 3) and to_rgb(np.ones((4, 5, 3))).shape == (4, 5, 3)


def test_the_live_view_shows_every_scene_with_its_truth_and_detections_and_a_legend_once_per_class():
    img = np.zeros((2, 1, 32, 32), np.float32)
    d = {"boxes": np.array([[1, 1, 9, 9.0]]), "labels": np.array([4]), "scores": np.array([0.6])}
    empty = {"boxes": np.zeros((0, 4)), "labels": np.zeros(0, int), "scores": np.zeros(0)}
    t = {"boxes": np.array([[1, 1, 10, 10.0]]), "labels": np.array([4])}
    fig = scenes_figure(
        {"images": img, "detections": [d, d | {"labels": np.array([4])}], "targets": [t, t]}, NAMES
    )
    assert sum(t.type == "image" for t in fig.data) == 2
    legends = [t.name for t in fig.data if t.type == "scatter" and t.showlegend is not False]
    assert legends.count("ring") == 1 and legends.count("ground truth") == 1
    fig = scenes_figure({"images": img, "detections": [empty, empty], "targets": [t, t]}, NAMES)
    assert sum(t.type == "image" for t in fig.data) == 2  # nothing detected yet: still drawn


def test_segmentation_shows_truth_above_prediction_for_every_scene_with_a_class_legend():
    sc = {"images": np.zeros((3, 1, 8, 8)), "semantic_true": np.zeros((3, 8, 8), int)}
    sc["semantic_pred"] = sc["semantic_true"].copy()
    fig = segmentation_figure(sc, NAMES)
    assert sum(t.type == "image" for t in fig.data) == 6
    assert [t.name for t in fig.data if t.type == "scatter"] == list(NAMES)


def test_iou_figure_fills_the_intersection_and_titles_the_value():
    fig = iou_figure((0, 0, 10, 10), (5, 5, 15, 15), 25 / 175)
    assert fig.layout.title.text == "IoU = 0.143"
    inter = next(t for t in fig.data if t.name == "A ∩ B")
    assert (min(inter.x), max(inter.x), min(inter.y), max(inter.y)) == (5, 10, 5, 10)
    apart = iou_figure((0, 0, 5, 5), (10, 10, 20, 20), 0.0)
    assert all(t.name != "A ∩ B" for t in apart.data)


def test_nms_figure_splits_boxes_into_kept_suppressed_waiting_and_the_current_one():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [21, 21, 31, 31]], float)
    scores, labels = np.array([0.9, 0.8, 0.7, 0.6]), np.array([0, 0, 3, 3])
    fig = nms_figure(np.zeros((40, 40)), boxes, scores, [0, 2], [1], 2, labels=labels, class_names=NAMES)
    assert [a.text for a in fig.layout.annotations] == ["circle 0.90", "cross 0.70"]
    groups = {t.name.split(" (")[0]: t for t in fig.data if t.type == "scatter" and t.mode == "lines"}
    assert len(_corners(groups["kept"])) == 2 and _corners(groups["suppressed"]) == [(1, 1, 11, 11)]
    assert _corners(groups["waiting"]) == [(21, 21, 31, 31)]
    assert _corners(groups["kept at this step"]) == [(20, 20, 30, 30)]


def test_pr_curve_draws_the_monotone_envelope_under_the_raw_precision():
    p, r = np.array([1.0, 0.5, 0.67, 0.5]), np.array([0.25, 0.25, 0.5, 0.5])
    fig = pr_figure(p, r, 0.4)
    env = next(t for t in fig.data if t.name.startswith("interpolated"))
    assert list(env.y) == [1.0, 0.67, 0.67, 0.5] and fig.layout.title.text == "AP = 0.400"
    assert len(pr_figure(np.zeros(0), np.zeros(0), 0.0).data) == 0  # no detections: an empty chart


def test_anchors_are_centred_on_the_chosen_cell_and_the_assigned_one_is_thick():
    fig = anchors_figure(
        np.zeros((64, 64)), 16, [(10, 20), (30, 30)], (1, 2), np.array([[30, 10, 50, 40]]), 1
    )
    a0, a1 = (next(t for t in fig.data if (t.name or "").startswith(f"anchor {i}")) for i in (0, 1))
    assert _corners(a0) == [(35, 14, 45, 34)]  # centre (40, 24) = ((2 + 0.5) · 16, (1 + 0.5) · 16)
    assert a1.line.width > a0.line.width


def test_two_stage_figure_colours_proposals_by_their_pyramid_level():
    inside = {
        "pre_nms": np.array([[0, 0, 5, 5], [1, 1, 6, 6], [10, 10, 30, 30]], float),
        "proposals": np.array([[0, 0, 5, 5], [10, 10, 30, 30]], float),
        "levels": np.array([2, 4]),
        "detections": {
            "boxes": np.array([[0, 0, 5, 5.0]]),
            "labels": np.array([1]),
            "scores": np.array([0.9]),
        },
    }
    fig = two_stage_figure(np.zeros((32, 32)), inside, NAMES)
    names = {t.name for t in fig.data if t.type == "scatter"}
    assert {"pooled from P2", "pooled from P4", "square"} <= names
    assert fig.layout.annotations[0].text == "3 best of 3 proposals (before NMS)"


def test_curves_show_each_logged_loss_term_and_the_quality_metrics_with_or_without_a_prefix():
    hist = [{"step": i, "loss_box": 1.0 / (i + 1), "loss_cls": 0.5} for i in range(5)]
    hist[-1] |= {"map50": 0.4, "map": 0.2}
    fig = det_curves(hist)
    assert {"box", "class", "mAP@0.5", "mAP@[.5:.95]"} <= {t.name for t in fig.data}
    seg = det_curves([{"step": 0, "loss_ce": 1.0, "test_miou": 0.3, "test_dice": 0.4}])
    assert {"cross-entropy", "mIoU", "Dice"} <= {t.name for t in seg.data}
    assert det_curves([]) is None


def test_cam_figure_brightens_where_the_map_is_high():
    cam = np.zeros((16, 16))
    cam[2:6, 2:6] = 1
    px = decode_rgb_image(cam_figure(np.zeros((16, 16)), cam, (2, 2, 6, 6), "circle 0.9").data[0])
    assert px[3, 3, 0] > 100 and px[12, 12].tolist() == [0, 0, 0]
