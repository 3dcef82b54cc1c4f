"""Session memo (ui.state.memo): a rerun that changes nothing a result depends on reuses it; a change of
its version recomputes it. Checked on its own and on the CNN page, whose attributions are the costliest."""

import numpy as np

from ui import state


def test_memo_recomputes_only_when_the_version_changes():
    calls = []

    def compute(v):
        calls.append(v)
        return f"value {v}"

    assert state.memo("t.memo", 1, lambda: compute(1)) == "value 1"
    assert state.memo("t.memo", 1, lambda: compute(99)) == "value 1"  # same version: kept
    assert state.memo("t.memo", 2, lambda: compute(2)) == "value 2"
    assert state.memo("t.memo", 1, lambda: compute(1)) == "value 1"  # one slot: the old version is gone
    assert calls == [1, 2, 1]


def test_fingerprint_tells_arrays_and_nested_values_apart():
    a = np.zeros((3, 4), np.float32)
    b = a.copy()
    b[2, 3] = 1e-6
    fp = state.fingerprint
    assert fp(a) == fp(a.copy()) and fp(a) != fp(b)
    assert fp(a) != fp(a.reshape(4, 3)) and fp(a) != fp(a.astype(np.float64))
    big = np.zeros(5000)
    big2 = big.copy()
    big2[2500] = 1  # repr would elide the middle of a long array; the digest must not
    assert fp({"x": big}) != fp({"x": big2})
    assert fp({"x": [a, "t"]}) == fp({"x": [a.copy(), "t"]}) != fp({"x": [a, "u"]})
