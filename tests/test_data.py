import numpy as np
import pytest

from data import digits, toy2d
from data.toy2d import TOY2D_SETS


@pytest.mark.parametrize("name", list(TOY2D_SETS))
def test_toy2d_sets(name):
    d = toy2d(name, n=200, noise=0.1, features=("x1", "x2", "x1^2", "sin(x2)"), num_classes=3, seed=1)
    assert d.x_train.shape == (100, 4) and d.x_test.shape == (100, 4)
    assert np.isfinite(d.x_train).all()
    assert np.allclose(d.x_train.mean(0), 0, atol=1e-5)  # standardised on the training split
    assert np.abs(d.points_train).max() <= 6 * 1.6
    if d.kind == "classification":
        assert set(np.unique(d.y_train)) <= set(range(d.num_classes)) and d.y_train.dtype == np.int64
    else:
        assert d.y_train.dtype == np.float32 and d.num_classes == 1
    again = toy2d(name, n=200, noise=0.1, features=("x1", "x2", "x1^2", "sin(x2)"), num_classes=3, seed=1)
    assert np.array_equal(d.x_train, again.x_train)


def test_toy2d_labels_follow_definitions():
    d = toy2d("xor", n=400, noise=0.0)
    p, y = d.points_train, d.y_train
    assert np.array_equal(y, (p[:, 0] * p[:, 1] >= 0).astype(np.int64))
    c = toy2d("circle", n=400, noise=0.0)
    r = np.linalg.norm(c.points_train, axis=1)
    assert r[c.y_train == 1].max() < r[c.y_train == 0].min()


def test_toy2d_refuses_bad_settings():
    with pytest.raises(ValueError, match="at least one input feature"):
        toy2d(features=())
    with pytest.raises(ValueError, match="noise"):
        toy2d(noise=0.9)
    with pytest.raises(ValueError, match="unknown 2-D"):
        toy2d("donut")


def test_digits_split_is_fixed_disjoint_and_stratified():
    a, b = digits(8), digits(8)
    assert np.array_equal(a.y_test, b.y_test)
    n = len(a.x_train) + len(a.x_val) + len(a.x_test)
    assert n == 1797
    assert abs(len(a.x_test) - 0.2 * n) < 15 and abs(len(a.x_val) - 0.15 * n) < 15
    for split in (a.y_train, a.y_val, a.y_test):
        assert len(np.unique(split)) == 10
    assert a.x_train.max() <= 1.0 and a.x_train.min() >= 0.0


@pytest.mark.parametrize("size", [16, 28])
def test_digits_upsampled(size):
    d = digits(size)
    assert d.x_train.shape[1:] == (1, size, size)
    assert d.in_features == size * size


def test_split_indices_are_disjoint_and_cover_everything():
    from data.digits import _stratified_split

    y = np.repeat(np.arange(10), 50)
    tr, va, te = _stratified_split(y, (0.15, 0.2), 3)
    assert len(set(tr) | set(va) | set(te)) == 500
    assert not (set(tr) & set(va)) and not (set(tr) & set(te)) and not (set(va) & set(te))
