"""Toy text-to-text tasks, T5 style: the task is named in the input.

    "reverse: hello"  -> "olleh"
    "sort: dbca"      -> "abcd"
    "add: 12+345"     -> "357"

Generated from a seed, so every run sees the same examples. Sources are padded with <pad>; targets
are <bos> + answer + <eos>, padded (teacher forcing feeds y[:, :-1] and predicts y[:, 1:]).
"""

from __future__ import annotations

import string
from functools import lru_cache

import numpy as np

from data.base import Supervised
from data.text import BOS, EOS, PAD, CharVocab

TASKS = ("reverse", "sort", "add")
LETTERS = string.ascii_lowercase


@lru_cache(maxsize=1)
def vocab() -> CharVocab:
    return CharVocab(LETTERS + string.digits + " :+")


def example(task: str, rng: np.random.Generator, min_len: int, max_len: int) -> tuple[str, str]:
    """One (source, target) pair of ``task``."""
    if task == "add":
        hi = 10 ** max(1, max_len // 2)
        a, b = int(rng.integers(0, hi)), int(rng.integers(0, hi))
        return f"add: {a}+{b}", str(a + b)
    n = int(rng.integers(min_len, max_len + 1))
    s = "".join(rng.choice(list(LETTERS), n))
    return f"{task}: {s}", (s[::-1] if task == "reverse" else "".join(sorted(s)))


def solve(source: str) -> str:
    """The right answer for a source string; ValueError with a sentence if it is not a toy task."""
    task, _, arg = source.partition(": ")
    if task not in TASKS or not arg:
        raise ValueError('write the input as "reverse: abc", "sort: dcba" or "add: 12+34"')
    if task == "add":
        a, _, b = arg.partition("+")
        if not (a.isdigit() and b.isdigit()):
            raise ValueError('add needs two whole numbers, as in "add: 12+34"')
        return str(int(a) + int(b))
    return arg[::-1] if task == "reverse" else "".join(sorted(arg))


def encode_pairs(pairs, src_len: int, tgt_len: int) -> tuple[np.ndarray, np.ndarray]:
    v = vocab()
    x = np.full((len(pairs), src_len), PAD, dtype=np.int64)
    y = np.full((len(pairs), tgt_len), PAD, dtype=np.int64)
    for i, (s, t) in enumerate(pairs):
        si, ti = v.encode(s), [BOS, *v.encode(t), EOS]
        x[i, : len(si)], y[i, : len(ti)] = si, ti
    return x, y


def text2text(
    tasks: tuple[str, ...] = TASKS,
    n_train: int = 6000,
    n_test: int = 500,
    min_len: int = 3,
    max_len: int = 8,
    seed: int = 0,
) -> Supervised:
    """Train / validation / test pairs of the chosen tasks (mixed evenly); lengths of the letter
    strings between ``min_len`` and ``max_len``."""
    tasks = tuple(tasks)
    bad = [t for t in tasks if t not in TASKS]
    if not tasks or bad:
        raise ValueError(f"choose tasks among {', '.join(TASKS)}")
    if not 1 <= min_len <= max_len <= 24:
        raise ValueError("string lengths must satisfy 1 ≤ min_len ≤ max_len ≤ 24")
    rng = np.random.default_rng(seed)
    total = n_train + 2 * n_test
    pairs = [example(tasks[i % len(tasks)], rng, min_len, max_len) for i in range(total)]
    src_len = max(len(s) for s, _ in pairs)
    tgt_len = max(len(t) for _, t in pairs) + 2
    x, y = encode_pairs(pairs, src_len, tgt_len)
    names = np.array([tasks[i % len(tasks)] for i in range(total)])
    a, b = n_train, n_train + n_test
    return Supervised(
        x_train=x[:a],
        y_train=y[:a],
        x_val=x[a:b],
        y_val=y[a:b],
        x_test=x[b:],
        y_test=y[b:],
        kind="text2text",
        num_classes=len(vocab()),
        name="toy text-to-text: " + ", ".join(tasks),
        class_names=tuple(vocab().itos),
        meta={
            "vocab": vocab(),
            "tasks": tasks,
            "task_test": names[b:],
            "task_val": names[a:b],
            "src_len": src_len,
            "tgt_len": tgt_len,
        },
    )
