"""The copy task of Graves et al. (2014), "Neural Turing Machines" (arXiv:1410.5401), section 4.1.

A sequence of L random binary vectors (``width`` bits each) is shown, framed by a start marker and an end
marker on two extra input channels; then, with no further input, the network must output the same L vectors
in order. One sequence takes 2L + 2 steps::

    step        0      1 .. L      L + 1     L + 2 .. 2L + 1
    input       start  bits        end       zeros
    target      -      -           -         bits (the mask is 1 only here)

Sequences of different lengths in one array are padded with zeros at the end (mask 0 there). Training on
lengths up to L_train and testing on longer ones shows whether a network learned a copying *algorithm*
(the NTM) or a fixed-size code (an LSTM, whose errors grow quickly past L_train).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from data.base import Supervised


class CopySequences(NamedTuple):
    inputs: np.ndarray  # (n, T, width + 2) float32, T = 2 max_len + 2
    targets: np.ndarray  # (n, T, width) float32, the bits at the output steps, 0 elsewhere
    mask: np.ndarray  # (n, T) float32: 1 at the output steps
    lengths: np.ndarray  # (n,) int64: L of each sequence


def copy_sequences(n: int, min_len: int, max_len: int, width: int, seed: int = 0) -> CopySequences:
    """``n`` copy-task sequences of random lengths in [min_len, max_len] with ``width`` bits per vector."""
    if not 1 <= min_len <= max_len:
        raise ValueError(f"the lengths must satisfy 1 <= min_len <= max_len, got {min_len} and {max_len}")
    if width < 1 or n < 1:
        raise ValueError(f"the copy task needs at least one sequence and one bit, got n={n}, width={width}")
    rng = np.random.default_rng(seed)
    t_len = 2 * max_len + 2
    lengths = rng.integers(min_len, max_len + 1, size=n)
    bits = (rng.random((n, max_len, width)) < 0.5).astype(np.float32)
    x = np.zeros((n, t_len, width + 2), np.float32)
    y = np.zeros((n, t_len, width), np.float32)
    mask = np.zeros((n, t_len), np.float32)
    for i, L in enumerate(lengths):
        x[i, 0, width] = 1.0  # start marker
        x[i, 1 : L + 1, :width] = bits[i, :L]
        x[i, L + 1, width + 1] = 1.0  # end marker: now recall
        y[i, L + 2 : 2 * L + 2] = bits[i, :L]
        mask[i, L + 2 : 2 * L + 2] = 1.0
    return CopySequences(x, y, mask, lengths.astype(np.int64))


def pack_targets(s: CopySequences) -> np.ndarray:
    """Targets and mask in one array (n, T, width + 1), the mask last: the form a Trainer batches."""
    return np.concatenate([s.targets, s.mask[..., None]], -1)


def copy_data(
    width: int = 4,
    min_len: int = 1,
    max_len: int = 5,
    num_train: int = 2048,
    num_test: int = 256,
    seed: int = 0,
) -> Supervised:
    """Training and test sequences of lengths min_len..max_len (kind "copy"): x (n, T, width + 2), y (n, T,
    width + 1) = targets with the output mask as last channel. ``meta`` records width and the lengths."""
    if width > 32:
        raise ValueError(f"the copy task is kept to at most 32 bits per vector, got {width}")
    if max_len > 40:
        raise ValueError(f"training sequences are kept to at most 40 vectors, got {max_len}")
    train = copy_sequences(num_train, min_len, max_len, width, seed)
    test = copy_sequences(num_test, min_len, max_len, width, seed + 10_000)
    return Supervised(
        x_train=train.inputs,
        y_train=pack_targets(train),
        x_test=test.inputs,
        y_test=pack_targets(test),
        kind="copy",
        num_classes=width,
        name=f"Copy task ({width}-bit vectors, lengths {min_len}–{max_len})",
        meta={"width": width, "min_len": min_len, "max_len": max_len},
    )
