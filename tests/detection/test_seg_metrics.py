"""Segmentation metrics against a small example worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from training.detection.seg_metrics import confusion, dice, miou, per_class_iou

# Six pixels, classes 0..3 (class 3 in neither map: it must not count).
TRUE = np.array([[0, 0, 1], [1, 2, 2]])
PRED = np.array([[0, 1, 1], [1, 2, 0]])


def test_confusion_counts_true_rows_and_predicted_columns():
    c = confusion(PRED, TRUE, 4)
    expected = np.zeros((4, 4), np.int64)
    expected[0, 0] = expected[0, 1] = 1  # two background pixels: one kept, one called class 1
    expected[1, 1] = 2
    expected[2, 2] = expected[2, 0] = 1  # one class-2 pixel lost to the background
    np.testing.assert_array_equal(c, expected)
    np.testing.assert_array_equal(confusion(torch.as_tensor(PRED), torch.as_tensor(TRUE), 4), expected)


def test_miou_by_hand():
    """IoU₀ = 1/(1+1+1) = 1/3, IoU₁ = 2/(2+1+0) = 2/3, IoU₂ = 1/(1+0+1) = 1/2; class 3 absent: mean 1/2."""
    iou = per_class_iou(confusion(PRED, TRUE, 4))
    np.testing.assert_allclose(iou[:3], [1 / 3, 2 / 3, 1 / 2])
    assert np.isnan(iou[3])
    assert miou(PRED, TRUE, 4) == pytest.approx(0.5)


def test_dice_by_hand():
    """Foreground only: Dice₁ = 2·2/(2·2+1+0) = 4/5, Dice₂ = 2·1/(2·1+0+1) = 2/3; mean 11/15."""
    assert dice(PRED, TRUE, 4) == pytest.approx((4 / 5 + 2 / 3) / 2)


def test_empty_scenes_and_hallucinations():
    empty = np.zeros((4, 4), np.int64)
    assert miou(empty, empty, 3) == 1.0 and dice(empty, empty, 3) == 1.0  # nothing to find, nothing found
    ghost = empty.copy()
    ghost[0, 0] = 2  # a class the truth does not hold counts with IoU 0
    assert miou(ghost, empty, 3) == pytest.approx((15 / 16 + 0) / 2)
    assert dice(ghost, empty, 3) == 0.0


def test_bad_inputs_are_sentences():
    with pytest.raises(ValueError, match="outside 0..3"):
        confusion(np.array([4]), np.array([0]), 4)
    with pytest.raises(ValueError, match="pixels"):
        confusion(np.zeros(3, np.int64), np.zeros(4, np.int64), 2)
    with pytest.raises(ValueError, match="class ids"):
        miou(np.zeros(3), np.zeros(3, np.int64), 2)
