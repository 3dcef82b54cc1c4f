"""Selective copying (Gu & Dao 2023): on the same data and budget, Mamba (20,448 parameters) learns it and
S4 (21,904: same width and depth, a larger state) does not; the snapshot holds what the page draws."""

from __future__ import annotations

import numpy as np
import torch

import archs
from data.selective_copy import IGNORE, selective_copy
from training import get_recipe

torch.set_num_threads(1)


def test_selective_copy_hides_the_tokens_among_noise_and_asks_for_them_in_order():
    x, y, mask = selective_copy(50, seq_len=16, n_memorise=4, vocab=10, seed=3)
    assert x.shape == y.shape == mask.shape == (50, 20)
    assert (x[:, 16:] == 9).all() and mask[:, 16:].all() and not mask[:, :16].any()
    for row, target in zip(x, y, strict=True):
        assert (row[:16][row[:16] != 0] == target[16:]).all()  # the data tokens, in order
    assert (y[~mask] == IGNORE).all()
    positions = {tuple(np.flatnonzero(r[:16])) for r in x}
    assert len(positions) > 40  # the spacing changes from example to example


def _train(name: str):
    t = get_recipe(name).trainer(seed=0)
    t.step(t.num_steps)
    assert t.status == "done", t.message
    return t


def test_mamba_learns_selective_copying_where_s4_of_the_same_size_does_not():
    mamba, s4 = _train("mamba_selective_copy"), _train("s4_selective_copy")
    n_m, n_s = archs.count_params(mamba.model), archs.count_params(s4.model)
    assert abs(n_s - n_m) / n_m < 0.2
    assert mamba.num_steps == s4.num_steps
    assert mamba.last_eval()["accuracy"] >= 0.9
    assert s4.last_eval()["accuracy"] <= 0.6

    snap = mamba.snapshot()
    ex, length = snap["example"], 20
    assert all(len(ex[k]) == length for k in ("inputs", "targets", "predicted", "answer_mask"))
    assert snap["delta"].shape == (length, mamba.model.cfg.inner)
    assert snap["B"].shape == snap["C"].shape == (length, 16)
    assert s4.snapshot()["kernel"].shape == (32, length)
