"""An empty scene (no object at all) is a normal input for every detector: its losses are finite and train
everything as background, and detecting on a blank image returns empty results, never an error."""

from __future__ import annotations

import pytest
import torch

import archs

DETECTORS = ("yolov1", "yolov3", "yolov8n", "faster_rcnn", "mask_rcnn")
EMPTY = {
    "boxes": torch.zeros(0, 4),
    "labels": torch.zeros(0, dtype=torch.int64),
    "masks": torch.zeros(0, 64, 64, dtype=torch.uint8),
}


@pytest.mark.parametrize("name", DETECTORS)
def test_an_empty_scene_trains_as_background_and_detects_nothing_without_error(name):
    torch.manual_seed(0)
    m = archs.build_model(name, "tiny", in_channels=1, num_classes=6, image_size=64)
    x = torch.zeros(2, 1, 64, 64)
    terms = m.losses(x, [dict(EMPTY), dict(EMPTY)])
    total = sum(terms.values())
    assert torch.isfinite(total), terms
    total.backward()
    m.eval()
    with torch.no_grad():
        for out in (m.detect(x, score_threshold=0.5), m.candidates(x, score_threshold=0.99)):
            assert len(out) == 2 and all(set(d) >= {"boxes", "scores", "labels"} for d in out)
