"""Scene sets: shapes of tensors, targets per image, masks inside their boxes, sentences for bad sizes."""

import pytest
import torch

from archs.detection.boxes import check_boxes
from training.detection.data import scene_set


def test_scene_set_layout():
    s = scene_set(n=50, size=48, max_objects=3, seed=1)
    assert s.images_train.shape == (40, 1, 48, 48) and s.images_test.shape == (10, 1, 48, 48)
    assert s.images_train.dtype == torch.float32 and 0 <= s.images_train.min() and s.images_train.max() <= 1
    assert len(s.targets_train) == 40 and len(s.targets_test) == 10 and s.num_classes == 6
    assert s.semantic_train.shape == (40, 48, 48) and s.semantic_train.dtype == torch.int64
    for img, t, sem in zip(s.images_train, s.targets_train, s.semantic_train, strict=True):
        n = len(t["labels"])
        assert 1 <= n <= 3 and t["boxes"].shape == (n, 4) and t["masks"].shape == (n, 48, 48)
        assert t["boxes"].dtype == torch.float32 and t["labels"].dtype == torch.int64
        assert t["masks"].dtype == torch.uint8
        check_boxes(t["boxes"])
        for b, lab, m in zip(t["boxes"], t["labels"], t["masks"], strict=True):
            ys, xs = torch.nonzero(m, as_tuple=True)
            assert len(ys) > 10  # a visible shape
            # the tight box: the mask's first pixel and one past its last
            assert [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1] == b.tolist()
            assert (sem[m.bool()] == lab + 1).all()  # the semantic map agrees with the instance
        assert img[0][sem > 0].mean() > 0.5


def test_scene_set_is_seeded():
    a, b = scene_set(n=10, size=32, seed=4), scene_set(n=10, size=32, seed=4)
    assert torch.equal(a.images_train, b.images_train)
    assert not torch.equal(a.images_train, scene_set(n=10, size=32, seed=5).images_train)


@pytest.mark.parametrize(
    "kw, words", [({"n": 1}, "at least 2"), ({"size": 8}, "16×16"), ({"test_frac": 1.0}, "strictly between")]
)
def test_scene_set_sentences(kw, words):
    with pytest.raises(ValueError, match=words):
        scene_set(**kw)
