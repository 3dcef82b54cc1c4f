"""A character corpus from the documentation that ships with Python, and its character vocabulary.

``corpus()`` joins the docstrings of a fixed list of standard-library modules and of their public
functions and classes (sorted by name), keeps printable ASCII and newlines, and squeezes runs of
blank lines: the same text on every run of the same Python, with nothing downloaded. ``char_text``
cuts it into windows for causal language modelling (predict the next character) or masked language
modelling (recover hidden characters); the last 10% of the text is held out for validation and test.
"""

from __future__ import annotations

import importlib
import inspect
import re
import string
from collections import Counter
from functools import lru_cache

import numpy as np

from data.base import Supervised

MODULES = (
    "textwrap",
    "string",
    "json",
    "random",
    "heapq",
    "bisect",
    "collections",
    "functools",
    "statistics",
    "fractions",
    "decimal",
    "csv",
    "shutil",
    "pathlib",
    "argparse",
    "logging",
    "difflib",
    "calendar",
    "datetime",
    "inspect",
    "pprint",
    "queue",
    "tempfile",
    "threading",
    "timeit",
    "zipfile",
    "tarfile",
    "urllib.parse",
    "email.message",
    "http.client",
    "unittest.case",
    "dataclasses",
    "enum",
    "typing",
    "contextlib",
    "abc",
    "copy",
    "glob",
    "fnmatch",
    "gzip",
    "hashlib",
    "hmac",
    "ipaddress",
    "locale",
    "mimetypes",
    "numbers",
    "operator",
    "os",
    "platform",
    "pickle",
    "re",
    "secrets",
    "selectors",
    "shlex",
    "socket",
    "subprocess",
    "tokenize",
    "traceback",
    "uuid",
    "warnings",
    "weakref",
    "zoneinfo",
)
SPECIALS = ("<pad>", "<mask>", "<bos>", "<eos>")
PAD, MASK, BOS, EOS = range(4)
_ALLOWED = set(string.printable) - set("\t\r\x0b\x0c")


def _docs(module_name: str) -> list[str]:
    try:
        mod = importlib.import_module(module_name)
    except ImportError:
        return []
    docs = [inspect.getdoc(mod) or ""]
    for name, obj in sorted(vars(mod).items()):
        if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
            continue
        if inspect.isclass(obj) or inspect.isfunction(obj):
            docs.append(inspect.getdoc(obj) or "")
    return [d for d in docs if len(d) > 40]


@lru_cache(maxsize=1)
def corpus(max_chars: int = 400_000) -> str:
    """The standard library's documentation as one deterministic string of printable ASCII."""
    seen, parts = set(), []
    for m in MODULES:
        for d in _docs(m):
            if d not in seen:  # classes re-exported under two names share a docstring
                seen.add(d)
                parts.append(d)
    text = "\n\n".join(parts)
    text = "".join(c for c in text if c in _ALLOWED)
    text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ ]{2,}", " ", text))
    return text[:max_chars]


class CharVocab:
    """Characters <-> ids; ids 0-3 are the special tokens <pad>, <mask>, <bos>, <eos>."""

    def __init__(self, chars: str):
        self.chars = "".join(sorted(set(chars)))
        self.itos = list(SPECIALS) + list(self.chars)
        self.stoi = {c: i + len(SPECIALS) for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str, mask_char: str | None = None) -> list[int]:
        """Ids of ``text``; ``mask_char`` (e.g. "_") stands for <mask>. Unknown characters raise ValueError
        with a sentence naming them."""
        unknown = sorted({c for c in text if c not in self.stoi and c != mask_char})
        if unknown:
            shown = ", ".join(repr(c) for c in unknown[:8])
            raise ValueError(
                f"the model's vocabulary has no character {shown}; it knows only the {len(self.chars)} "
                f"characters of its training text (letters, digits, punctuation, space, newline)"
            )
        return [MASK if c == mask_char else self.stoi[c] for c in text]

    def decode(self, ids, mask_char: str = "_") -> str:
        out = []
        for i in ids:
            i = int(i)
            if i >= len(SPECIALS):
                out.append(self.itos[i])
            elif i == MASK:
                out.append(mask_char)
        return "".join(out)

    def token(self, i: int) -> str:
        return self.itos[int(i)]


@lru_cache(maxsize=1)
def vocab() -> CharVocab:
    return CharVocab(corpus())


def unigram_cross_entropy(train_ids: np.ndarray, eval_ids: np.ndarray, vocab_size: int) -> float:
    """Cross-entropy (nats) of predicting ``eval_ids`` from the character frequencies of ``train_ids``
    (add-one smoothed): the baseline a language model must beat."""
    counts = np.bincount(train_ids, minlength=vocab_size).astype(np.float64) + 1.0
    p = counts / counts.sum()
    return float(-np.log(p[eval_ids]).mean())


def _windows(ids: np.ndarray, n: int, stride: int) -> np.ndarray:
    starts = np.arange(0, len(ids) - n + 1, stride)
    return np.stack([ids[s : s + n] for s in starts]).astype(np.int64)  # (N, n)


def char_text(
    context: int = 64, objective: str = "causal", max_chars: int = 400_000, stride: int | None = None
) -> Supervised:
    """Windows of ``context`` characters. causal: x = text[i:i+T], y = text[i+1:i+T+1];
    masked: x = y = text[i:i+T] (the task hides characters afresh at every step)."""
    if objective not in ("causal", "masked"):
        raise ValueError(f"objective must be causal or masked, not {objective!r}")
    if not 4 <= context <= 1024:
        raise ValueError(f"the context must be between 4 and 1024 characters, not {context}")
    text, v = corpus(max_chars), vocab()
    ids = np.array(v.encode(text), dtype=np.int64)
    n_hold = len(ids) // 20
    parts = {"train": ids[: -2 * n_hold], "val": ids[-2 * n_hold : -n_hold], "test": ids[-n_hold:]}
    extra = 1 if objective == "causal" else 0
    out = {}
    for k, a in parts.items():
        w = _windows(a, context + extra, stride or (context // 2 if k == "train" else context))
        out[k] = (w[:, :context], w[:, extra:]) if extra else (w, w.copy())
    freq = Counter(parts["train"].tolist())
    return Supervised(
        x_train=out["train"][0],
        y_train=out["train"][1],
        x_val=out["val"][0],
        y_val=out["val"][1],
        x_test=out["test"][0],
        y_test=out["test"][1],
        kind="language_model" if objective == "causal" else "masked_lm",
        num_classes=len(v),
        name=f"Python docs, {len(text):,} characters",
        class_names=tuple(v.itos),
        meta={
            "vocab": v,
            "context": context,
            "objective": objective,
            "unigram_ce": unigram_cross_entropy(parts["train"], parts["val"], len(v)),
            "top_char_freq": freq.most_common(1)[0][1] / len(parts["train"]),
        },
    )
