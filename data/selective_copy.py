"""The selective copying task (Gu & Dao 2023, "Mamba", section 3.1 and figure 2): a handful of tokens to
remember are scattered at random positions among noise tokens; then come as many marker tokens, and at each
marker the model must output the next remembered token, in order. The spacing changes from example to
example, so a fixed (time-invariant) filter cannot pick the tokens out: the model has to look at the content.

Token ids: 0 is the noise (blank) token, ``vocab − 1`` the marker, 1..vocab − 2 the tokens to remember.
"""

from __future__ import annotations

import numpy as np

from data.base import Supervised

NOISE = 0
IGNORE = -100  # target at positions that are not scored (cross-entropy's ignore_index)


def selective_copy(
    n: int, seq_len: int = 32, n_memorise: int = 4, vocab: int = 8, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` examples of length ``seq_len + n_memorise``: inputs (n, L) int64, targets (n, L) int64 (the
    remembered tokens at the marker positions, IGNORE elsewhere) and answer_mask (n, L) bool."""
    if vocab < 3:
        raise ValueError(
            f"the vocabulary needs at least 3 tokens (noise, marker, one data token), got {vocab}"
        )
    if not 1 <= n_memorise <= seq_len:
        raise ValueError(f"the tokens to remember ({n_memorise}) must fit in the sequence ({seq_len})")
    rng = np.random.default_rng(seed)
    length = seq_len + n_memorise
    inputs = np.full((n, length), NOISE, dtype=np.int64)
    targets = np.full((n, length), IGNORE, dtype=np.int64)
    tokens = rng.integers(1, vocab - 1, size=(n, n_memorise))  # (n, M)
    where = np.sort(rng.random((n, seq_len)).argsort(1)[:, :n_memorise], 1)  # M distinct positions, in order
    np.put_along_axis(inputs, where, tokens, 1)
    inputs[:, seq_len:] = vocab - 1  # the markers
    targets[:, seq_len:] = tokens
    return inputs, targets, targets != IGNORE


def selective_copy_data(
    n_train: int = 2048,
    n_test: int = 256,
    seq_len: int = 32,
    n_memorise: int = 4,
    vocab: int = 8,
    seed: int = 0,
) -> Supervised:
    """Train and held-out test sets of the task (the test draws from another seed) for a recipe."""
    x, y, _ = selective_copy(n_train, seq_len, n_memorise, vocab, seed)
    xt, yt, _ = selective_copy(n_test, seq_len, n_memorise, vocab, seed + 10_007)
    return Supervised(
        x_train=x,
        y_train=y,
        x_test=xt,
        y_test=yt,
        kind="selective_copy",
        num_classes=vocab,
        name=f"Selective copying ({n_memorise} of {seq_len} positions, {vocab} tokens)",
        meta={"seq_len": seq_len, "n_memorise": n_memorise, "vocab": vocab},
    )
