"""SSL images and augmentations: seeded, in range; raw pixels a weak baseline; two views that differ."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from data.augment import AUGMENTATIONS, augment, positive_pairs
from data.ssl_images import ssl_digits, ssl_shapes


def test_ssl_shapes_are_seeded_coloured_and_labelled():
    d = ssl_shapes(n=200, size=32, seed=3)
    assert d.x_train.shape == (140, 3, 32, 32) and d.x_test.shape == (40, 3, 32, 32)
    assert d.x_train.dtype == np.float32 and 0 <= d.x_train.min() and d.x_train.max() <= 1
    assert set(np.unique(d.y_train)) <= set(range(d.num_classes)) and d.num_classes == 6
    assert np.array_equal(d.x_train, ssl_shapes(n=200, size=32, seed=3).x_train)
    assert not np.array_equal(d.x_train, ssl_shapes(n=200, size=32, seed=4).x_train)
    # colours vary: the mean colour of the images spreads over the channels
    assert d.x_train.mean((2, 3)).std(0).min() > 0.05
    with pytest.raises(ValueError, match="12×12"):
        ssl_shapes(size=8)


def test_raw_pixels_are_a_weak_linear_probe_on_shapes():
    d = ssl_shapes(n=600, size=16, seed=0)
    flat = lambda x: x.reshape(len(x), -1)
    acc = LogisticRegression(max_iter=300).fit(flat(d.x_train), d.y_train).score(flat(d.x_test), d.y_test)
    assert acc < 0.5  # six kinds: chance is 0.17; a fixed-position set would give near 1


def test_ssl_digits_keep_the_digits_split_and_move_them():
    d = ssl_digits(size=16, seed=0)
    assert d.x_train.shape[1:] == (1, 16, 16) and len(d.x_train) + len(d.x_val) + len(d.x_test) == 1797
    assert 0 <= d.x_train.min() and d.x_train.max() <= 1 and d.num_classes == 10
    assert not np.array_equal(d.x_train, ssl_digits(size=16, seed=1).x_train)
    assert np.array_equal(d.y_train, ssl_digits(size=16, seed=1).y_train)  # the split is fixed


@pytest.mark.parametrize("channels", [1, 3])
def test_each_augmentation_keeps_shape_range_and_device(channels):
    x = torch.from_numpy(ssl_shapes(n=40, size=16, seed=0).x_train[:8, :channels].copy())
    for op in AUGMENTATIONS:
        y = augment(x, (op,), 1.0, torch.Generator().manual_seed(0))
        assert y.shape == x.shape and y.dtype == torch.float32
        assert 0 <= y.min() and y.max() <= 1 + 1e-6, op
        assert not torch.equal(y, x), f"{op} at full strength changed nothing"
    assert torch.equal(augment(x, tuple(AUGMENTATIONS), 0.0), x)  # strength 0 is the identity
    assert torch.equal(augment(x, ()), x)


def test_positive_pairs_are_two_different_reproducible_views():
    x = torch.from_numpy(ssl_shapes(n=40, size=16, seed=0).x_train[:8].copy())
    a, b = positive_pairs(x, ("crop", "jitter"), 1.0, seed=5)
    assert a.shape == b.shape == x.shape and not torch.equal(a, b)
    a2, b2 = positive_pairs(x, ("crop", "jitter"), 1.0, seed=5)
    assert torch.equal(a, a2) and torch.equal(b, b2)
    # flip alone: each view is the image or its mirror
    f, _ = positive_pairs(x, ("flip",), 1.0, seed=1)
    assert all(torch.equal(fi, xi) or torch.equal(fi, xi.flip(-1)) for fi, xi in zip(f, x, strict=True))


def test_augment_refuses_bad_input_with_sentences():
    x = torch.rand(2, 3, 16, 16)
    with pytest.raises(ValueError, match="unknown augmentation 'rotate'"):
        augment(x, ("rotate",))
    with pytest.raises(ValueError, match="between 0 and 1"):
        augment(x, ("crop",), 1.5)
    with pytest.raises(ValueError, match=r"\(B, C, H, W\)"):
        augment(x[0], ("crop",))
