"""AP and COCO mAP against a precision–recall example worked by hand."""

import numpy as np
import pytest
import torch

from training.detection.metrics import average_precision, coco_map

# Class 0: image A holds g1 = (0,0,10,10) and g2 = (20,20,30,30), image B holds g3 = (0,0,10,10).
# Five detections of class 0, best first:
#   d1 A (0,0,10,10)  0.9  IoU 1 with g1                     -> TP
#   d2 A (1,0,11,10)  0.8  IoU 90/110 with g1, already taken  -> FP (a duplicate)
#   d3 B (0,0,10,10)  0.7  IoU 1 with g3                     -> TP
#   d4 B (50,50,60,60) 0.6 overlaps nothing                  -> FP
#   d5 A (20,20,30,35) 0.5 IoU 100/150 = 0.667 with g2       -> TP at IoU 0.5 (FP from 0.70 up)
# Class 1 has one ground truth in B and no detection (AP 0); class 2 has a detection and no ground truth
# (no AP: it is left out of the mean).
TARGETS = [
    {"boxes": torch.tensor([[0.0, 0, 10, 10], [20, 20, 30, 30]]), "labels": torch.tensor([0, 0])},
    {"boxes": torch.tensor([[0.0, 0, 10, 10], [40, 0, 50, 10]]), "labels": torch.tensor([0, 1])},
]
DETS = [
    {
        "boxes": torch.tensor([[0.0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 35]]),
        "scores": torch.tensor([0.9, 0.8, 0.5]),
        "labels": torch.tensor([0, 0, 0]),
    },
    {
        "boxes": torch.tensor([[0.0, 0, 10, 10], [50, 50, 60, 60], [70, 70, 80, 80]]),
        "scores": torch.tensor([0.7, 0.6, 0.95]),
        "labels": torch.tensor([0, 0, 2]),
    },
]

# At IoU 0.5, class 0 in score order is TP FP TP FP TP with 3 ground truths:
#   precision 1, 1/2, 2/3, 1/2, 3/5;  recall 1/3, 1/3, 2/3, 2/3, 1
#   non-increasing from the right: 1, 2/3, 2/3, 3/5, 3/5
#   recalls 0.00..0.33 (34 points) first reached at d1 -> 1; 0.34..0.66 (33 points) at d3 -> 2/3;
#   0.67..1.00 (34 points) at d5 -> 3/5.   AP = (34·1 + 33·2/3 + 34·3/5) / 101 = 76.4 / 101
AP50 = 76.4 / 101
# From IoU 0.70 up d5 is a FP: TP FP TP FP FP, recall stops at 2/3:
#   AP = (34·1 + 33·2/3 + 34·0) / 101 = 56 / 101
AP_STRICT = 56 / 101


def test_ap50_by_hand():
    r = average_precision(DETS, TARGETS, num_classes=3, iou_threshold=0.5)
    assert r["per_class"][0] == pytest.approx(AP50)
    assert r["per_class"][1] == 0.0 and 2 not in r["per_class"]
    assert r["ap"] == pytest.approx(AP50 / 2)
    assert r["n_gt"] == 4
    # pooled over classes, best first: d(class 2) 0.95 FP, d1 TP, d2 FP, d3 TP, d4 FP, d5 TP
    assert r["tp"].tolist() == [False, True, False, True, False, True]
    assert np.allclose(r["recall"], [0, 1 / 4, 1 / 4, 2 / 4, 2 / 4, 3 / 4])
    assert np.allclose(r["precision"], [0, 1 / 2, 1 / 3, 2 / 4, 2 / 5, 3 / 6])


def test_ap_at_a_strict_threshold_by_hand():
    r = average_precision(DETS, TARGETS, num_classes=3, iou_threshold=0.75)
    assert r["per_class"][0] == pytest.approx(AP_STRICT)


def test_coco_map_by_hand():
    one = [{k: v[v_idx] for k, v in d.items()} for d, v_idx in zip(DETS, ([0, 1, 2], [0, 1]), strict=True)]
    tgt = [{"boxes": t["boxes"][t["labels"] == 0], "labels": t["labels"][t["labels"] == 0]} for t in TARGETS]
    # d5's IoU 2/3 passes the thresholds 0.50, 0.55, 0.60, 0.65 and fails the six from 0.70 to 0.95
    assert coco_map(one, tgt, num_classes=1) == pytest.approx((4 * AP50 + 6 * AP_STRICT) / 10)


def test_perfect_and_empty():
    perfect = [
        {"boxes": t["boxes"], "scores": torch.ones(len(t["labels"])), "labels": t["labels"]} for t in TARGETS
    ]
    assert average_precision(perfect, TARGETS, 3)["ap"] == pytest.approx(1.0)
    assert coco_map(perfect, TARGETS, 3) == pytest.approx(1.0)
    none = [
        {"boxes": torch.zeros(0, 4), "scores": torch.zeros(0), "labels": torch.zeros(0, dtype=torch.long)}
        for _ in TARGETS
    ]
    assert average_precision(none, TARGETS, 3)["ap"] == 0.0


@pytest.mark.parametrize("thr", [-0.1, 1.5])
def test_threshold_outside_unit_interval_is_a_sentence(thr):
    with pytest.raises(ValueError, match="between 0 and 1"):
        average_precision(DETS, TARGETS, 3, iou_threshold=thr)
