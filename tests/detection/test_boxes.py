"""Box operations: IoU by hand, box coding round trip, NMS against a brute-force greedy reference on
random boxes (hypothesis), per-class NMS, NMS steps, anchors in torchvision's order, sentences for bad
boxes."""

import math
import time

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from archs.detection.boxes import (
    anchor_grid,
    batched_nms,
    box_area,
    box_iou,
    check_boxes,
    decode,
    encode,
    nms,
    nms_steps,
)


def brute_nms(boxes, scores, thr):
    """The textbook loop: take the best remaining box, drop all that overlap it by more than thr."""
    order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))
    keep = []
    for i in order:
        if all(_iou(boxes[i], boxes[k]) <= thr for k in keep):
            keep.append(i)
    return keep


def _iou(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def random_boxes(g, n, extent=100.0):
    xy = torch.rand(n, 2, generator=g) * extent
    wh = torch.rand(n, 2, generator=g) * extent * 0.3 + 1
    return torch.cat([xy, xy + wh], 1)


def test_iou_by_hand():
    a = torch.tensor([[0.0, 0, 2, 2]])
    b = torch.tensor([[1.0, 1, 3, 3], [2, 2, 4, 4], [0, 0, 2, 2], [0, 0, 1, 2]])
    # overlap 1x1 of union 4+4-1=7; corners touch: 0; identical: 1; half contained: 2/4
    assert torch.allclose(box_iou(a, b), torch.tensor([[1 / 7, 0.0, 1.0, 0.5]]))
    assert box_area(b).tolist() == [4, 4, 4, 2]
    assert box_iou(torch.zeros(1, 4), torch.zeros(1, 4)).item() == 0.0  # empty boxes: 0, not NaN


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 120), seed=st.integers(0, 10_000), thr=st.floats(0.05, 0.95))
def test_nms_matches_brute_force(n, seed, thr):
    g = torch.Generator().manual_seed(seed)
    boxes = random_boxes(g, n)
    scores = torch.rand(n, generator=g)
    if n > 4:
        scores[:3] = scores[3]  # ties keep input order
    got = nms(boxes, scores, thr).tolist()
    assert got == brute_nms(boxes.tolist(), scores.tolist(), thr)
    assert [k for k, _ in nms_steps(boxes, scores, thr)] == got


def test_nms_blocks_across_block_boundary():
    g = torch.Generator().manual_seed(3)
    boxes, scores = random_boxes(g, 1300, extent=300.0), torch.rand(1300, generator=g)
    assert nms(boxes, scores, 0.3).tolist() == brute_nms(boxes.tolist(), scores.tolist(), 0.3)


def test_nms_of_10000_boxes_well_under_a_second():
    g = torch.Generator().manual_seed(0)
    boxes, scores = random_boxes(g, 10_000, extent=1000.0), torch.rand(10_000, generator=g)
    torch.set_num_threads(1)
    nms(boxes[:600], scores[:600], 0.5)  # warm up torch's kernels
    # CPU time of this process on one thread (about 0.3 s): other processes on the machine do not count
    t = time.process_time()
    keep = nms(boxes, scores, 0.5)
    assert time.process_time() - t < 1.0
    kept = boxes[keep]
    iou = box_iou(kept, kept).fill_diagonal_(0)
    assert iou.max() <= 0.5 and len(keep) > 100  # no two kept boxes overlap beyond the threshold


def test_batched_nms_never_crosses_classes():
    boxes = torch.tensor([[0.0, 0, 10, 10], [1, 1, 10, 10], [0, 0, 10, 10]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    assert batched_nms(boxes, scores, torch.tensor([0, 0, 1]), 0.5).tolist() == [0, 2]
    assert nms(boxes, scores, 0.5).tolist() == [0]


def test_nms_steps_report_who_suppressed_whom():
    boxes = torch.tensor([[0.0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60], [51, 50, 61, 60]])
    scores = torch.tensor([0.6, 0.9, 0.5, 0.7])
    assert nms_steps(boxes, scores, 0.5) == [(1, [0]), (3, [2])]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_encode_decode_round_trip(seed):
    g = torch.Generator().manual_seed(seed)
    ref, gt = random_boxes(g, 50), random_boxes(g, 50)
    for w in ((1.0, 1.0, 1.0, 1.0), (10.0, 10.0, 5.0, 5.0)):
        assert torch.allclose(decode(ref, encode(ref, gt, w), w), gt, atol=1e-3)


def test_encode_by_hand_and_decode_clamps():
    ref = torch.tensor([[0.0, 0, 10, 20]])  # centre (5, 10), size (10, 20)
    gt = torch.tensor([[5.0, 0, 25, 40]])  # centre (15, 20), size (20, 40)
    assert torch.allclose(encode(ref, gt), torch.tensor([[1.0, 0.5, math.log(2), math.log(2)]]))
    huge = decode(ref, torch.tensor([[0.0, 0, 100, 100]]))
    assert torch.isfinite(huge).all() and huge[0, 2] - huge[0, 0] == pytest.approx(10 * 1000 / 16, rel=1e-4)


def test_anchor_grid_matches_torchvision_layout():
    # torchvision AnchorGenerator(sizes=((32,),), aspect_ratios=((0.5, 1.0, 2.0),)) on a 2x3 map, stride 16:
    # base anchors round([-w, -h, w, h] / 2) with h/w = ratio, area = 32^2, ratio-major then size
    a = anchor_grid(2, 3, 16, (32,), (0.5, 1.0, 2.0))
    assert a.shape == (2 * 3 * 3, 4)
    base = [[-23.0, -11.0, 23.0, 11.0], [-16.0, -16.0, 16.0, 16.0], [-11.0, -23.0, 11.0, 23.0]]
    assert a[:3].tolist() == base
    assert a[3].tolist() == [-23.0 + 16, -11.0, 23.0 + 16, 11.0]  # next column: x shifted by the stride
    assert a[9].tolist() == [-23.0, -11.0 + 16, 23.0, 11.0 + 16]  # next row
    two = anchor_grid(1, 1, 8, (16, 32), (1.0, 2.0))
    assert (two[:, 2] - two[:, 0]).tolist() == [16, 32, 12, 22]  # size inner, ratio outer


@pytest.mark.parametrize(
    "boxes, words",
    [
        ([[10, 0, 5, 4]], "box 0 has x1 (5) < x0 (10)"),
        ([[0, 0, 4, 4], [0, 9, 4, 3]], "box 1 has y1 (3) < y0 (9)"),
        ([[0, 0, float("nan"), 1]], "not a finite number"),
        ([[0, 0, 1]], "(N, 4)"),
    ],
)
def test_check_boxes_sentences(boxes, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        check_boxes(boxes)


def test_check_boxes_accepts_good_and_empty():
    assert check_boxes([[0, 0, 1, 1]]).dtype == torch.float32
    assert check_boxes([]).shape == (0, 4)
