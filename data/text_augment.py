"""Text augmentation on words, and a generated corpus of short film reviews to measure it on.

The four operations of EDA (Wei & Zou, 2019, "EDA: Easy data augmentation techniques for boosting
performance on text classification tasks", arXiv:1901.11196): synonym replacement (from the small table
``data/synonyms.json`` shipped with the project, no download), random insertion (of a synonym of a word of
the sentence), random swap and random deletion. ``strength`` is EDA's α: the fraction of the words changed.

Back-translation (Sennrich et al., 2016, arXiv:1511.06709) translates a sentence into another language and
back to get a paraphrase. The atlas does it with its own translators (``training.backtranslation``: two
``seq2seq_attention`` models and a made-up pivot language, ``data.pivot``); this module, which may not
import training code, takes them as ``translate(texts, seed) -> paraphrases`` where an operation
"backtranslate" is asked for.

``reviews`` generates labelled reviews from a small grammar (positive or negative clauses, negations, filler);
words are drawn from the synonym groups with Zipf-like frequencies (the first word of a group is common, the
others rare), as in real text, so that a classifier trained on few reviews meets words at test time that it
has hardly seen: the situation synonym replacement is meant to help with. ``sentiment`` tokenises them for
the text CNN (Kim, 2014).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from data.base import Supervised

MAX_CHARS = 2000
TEXT_OPS: dict[str, str] = {
    "synonym": "replace words by a synonym from the project's table",
    "insert": "insert a synonym of a word of the sentence at a random place",
    "swap": "swap two random words",
    "delete": "drop each word with probability α (one word always stays)",
}
EDA_OPS = tuple(TEXT_OPS)
TEXT_OPS["backtranslate"] = (
    "translate into a made-up pivot language and back with the atlas's two trained seq2seq models, "
    "sampling the way back (each round trip can differ)"
)
PAD, UNK = "<pad>", "<unk>"


@lru_cache(maxsize=1)
def table() -> tuple[dict[str, list[str]], None, list[list[str]]]:
    """(synonyms of each word, None, the groups) from data/synonyms.json. (The middle place held the
    phrase table of a rule-based paraphrase, replaced by real back-translation.)"""
    raw = json.loads((Path(__file__).with_name("synonyms.json")).read_text())
    groups = [list(g) for g in raw["groups"]]
    syn = {w: [v for v in g if v != w] for g in groups for w in g}
    return syn, None, groups


def check_text(text: str) -> str:
    """The text, if it can be augmented; ValueError with a sentence otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("Type a sentence to augment.")
    if len(text) > MAX_CHARS:
        raise ValueError(
            f"The text is {len(text):,} characters long; augmentation works on a few sentences, "
            f"at most {MAX_CHARS:,} characters. Paste a shorter passage."
        )
    return text


def words(text: str) -> list[str]:
    """Lower-case words and punctuation marks, in order."""
    return re.findall(r"[a-z0-9']+|[.,!?;]", text.lower())


def _replaceable(ws: list[str]) -> list[int]:
    syn = table()[0]
    return [i for i, w in enumerate(ws) if w in syn]


def synonym_replace(ws: list[str], n: int, rng: random.Random) -> list[str]:
    ws = list(ws)
    idx = _replaceable(ws)
    rng.shuffle(idx)
    for i in idx[:n]:
        ws[i] = rng.choice(table()[0][ws[i]])
    return ws


def random_insert(ws: list[str], n: int, rng: random.Random) -> list[str]:
    ws = list(ws)
    for _ in range(n):
        idx = _replaceable(ws)
        if not idx:
            break
        ws.insert(rng.randrange(len(ws) + 1), rng.choice(table()[0][ws[rng.choice(idx)]]))
    return ws


def random_swap(ws: list[str], n: int, rng: random.Random) -> list[str]:
    ws = list(ws)
    for _ in range(n if len(ws) > 1 else 0):
        i, j = rng.randrange(len(ws)), rng.randrange(len(ws))
        ws[i], ws[j] = ws[j], ws[i]
    return ws


def random_delete(ws: list[str], p: float, rng: random.Random) -> list[str]:
    kept = [w for w in ws if rng.random() >= p]
    return kept or [rng.choice(ws)] if ws else []


def augment_words(ws: list[str], ops: tuple[str, ...], strength: float, rng: random.Random) -> list[str]:
    """The word-level operations of ``ops`` (names of EDA_OPS, in that table's order) on a list of words;
    "backtranslate" works on whole sentences and is done by ``augment_text`` or ``sentiment``."""
    bad = [o for o in ops if o not in EDA_OPS]
    if bad:
        raise ValueError(f"unknown text augmentation {bad[0]!r}; choose from {', '.join(TEXT_OPS)}")
    if not 0.0 <= strength <= 0.5:
        raise ValueError(f"the text augmentation strength α must be between 0 and 0.5, not {strength}")
    n = max(1, round(strength * len(ws))) if strength > 0 else 0
    for op in EDA_OPS:
        if op not in ops or not ws:
            continue
        if op == "synonym":
            ws = synonym_replace(ws, n, rng)
        elif op == "insert":
            ws = random_insert(ws, n, rng)
        elif op == "swap":
            ws = random_swap(ws, n, rng)
        elif op == "delete" and strength > 0:
            ws = random_delete(ws, strength, rng)
    return ws


Translate = Callable[[list[str], int], list[str]]


def _split_ops(ops: tuple[str, ...], translate: Translate | None) -> tuple[bool, tuple[str, ...]]:
    """(whether to back-translate first, the word-level operations)."""
    bad = [o for o in ops if o not in TEXT_OPS]
    if bad:
        raise ValueError(f"unknown text augmentation {bad[0]!r}; choose from {', '.join(TEXT_OPS)}")
    bt = "backtranslate" in ops
    if bt and translate is None:
        raise ValueError("back-translation needs the atlas's translators (training.backtranslation)")
    return bt, tuple(o for o in ops if o != "backtranslate")


def augment_text(
    text: str, ops: tuple[str, ...], strength: float = 0.1, seed: int = 0, translate: Translate | None = None
) -> str:
    """One augmented version of ``text`` (checked: at most MAX_CHARS characters): back-translated first
    if ``ops`` holds "backtranslate" (with ``translate``), then the word-level operations."""
    bt, rest = _split_ops(tuple(ops), translate)
    text = check_text(text)
    if bt:
        text = translate([text], seed)[0]
    return " ".join(augment_words(words(text), rest, strength, random.Random(seed)))


# ------------------------------------------------------------------------------------ the review corpus

POSITIVE_CLAUSES = (
    "the {film} was {very} {good}",
    "the {story} was not {bad}",
    "{i} {loved} the {acting}",
    "the {music} was {funny} and {good}",
    "{i} would {recommend} this {film}",
    "{overall} a {good} {film}",
    "the {ending} was {very} {good}",
)
NEGATIVE_CLAUSES = (
    "the {film} was {very} {bad}",
    "the {story} was not {good}",
    "{i} {hated} the {acting}",
    "the {music} was {boring} and {bad}",
    "{i} would not {recommend} this {film}",
    "{overall} a {waste} of time",
    "the {ending} was {very} {boring}",
)
FILLER = (
    "{i} {watched} it on sunday",
    "it runs two hours",
    "the {film} came out last year",
    "{i} went with a friend",
)


def _zipf_word(group: list[str], rng: random.Random) -> str:
    weights = [1.0 / (k + 1) ** 1.5 for k in range(len(group))]  # the first word common, the rest rare
    return rng.choices(group, weights)[0]


def review(label: int, rng: random.Random) -> str:
    """One review: two or three clauses of the label's polarity (1 positive, 0 negative), maybe a filler
    clause, joined by commas and "and"."""
    slots = {g[0]: g for g in table()[2]}
    clauses = list(POSITIVE_CLAUSES if label else NEGATIVE_CLAUSES)
    picked = rng.sample(clauses, rng.choice((2, 3)))
    if rng.random() < 0.5:
        picked.insert(rng.randrange(len(picked) + 1), rng.choice(FILLER))
    text = rng.choice((" , ", " and ", " . ")).join(picked)
    return re.sub(r"\{(\w+)\}", lambda m: _zipf_word(slots[m.group(1)], rng), text)


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """Every word the grammar and the synonym table can produce (so every back-translation too), after PAD
    and UNK."""
    groups = table()[2]
    found = {w for g in groups for v in g for w in words(v)}
    found |= {
        w for c in (*POSITIVE_CLAUSES, *NEGATIVE_CLAUSES, *FILLER) for w in words(re.sub(r"\{\w+\}", "", c))
    }
    return (PAD, UNK, *sorted(found | {",", "and", "."}))


def encode(texts: list[str], seq_len: int) -> np.ndarray:
    """(N, seq_len) int64 word ids, cut or padded with PAD (0) at the end; unknown words are UNK (1)."""
    index = {w: i for i, w in enumerate(vocabulary())}
    out = np.zeros((len(texts), seq_len), dtype=np.int64)
    for r, t in enumerate(texts):
        ids = [index.get(w, 1) for w in words(t)][:seq_len]
        out[r, : len(ids)] = ids
    return out


def reviews(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    """``n`` reviews, half positive, shuffled, and their labels (N,) int64."""
    rng = random.Random(seed)
    labels = [i % 2 for i in range(n)]
    rng.shuffle(labels)
    return [review(y, rng) for y in labels], np.asarray(labels, dtype=np.int64)


def sentiment(
    n_train: int = 200,
    augmentations: tuple[str, ...] = (),
    copies: int = 4,
    strength: float = 0.1,
    seq_len: int = 40,
    seed: int = 0,
    translate: Translate | None = None,
) -> Supervised:
    """Generated film reviews, positive (1) or negative (0), as word ids for a text classifier. The training
    split (``n_train`` reviews) grows by ``copies`` augmented versions of each review when ``augmentations``
    names operations of TEXT_OPS ("backtranslate" needs ``translate``: each copy is then one round trip of
    every review, seeded by the copy, before the word-level operations); validation (300) and test (1,000)
    reviews come from their own seeds, so every setting is judged on the same reviews."""
    if not 10 <= n_train <= 20_000:
        raise ValueError(f"n_train must be between 10 and 20,000 reviews, not {n_train}")
    if not 0 <= copies <= 20:
        raise ValueError(f"copies must be between 0 and 20 augmented versions per review, not {copies}")
    bt, rest = _split_ops(tuple(augmentations), translate)
    texts, y = reviews(n_train, seed)
    if augmentations and copies:
        rng = random.Random(seed + 1)
        extra: list[str] = []
        for c in range(copies):
            source = translate(texts, 1000 * seed + c) if bt else texts
            extra += [" ".join(augment_words(words(t), rest, strength, rng)) for t in source]
        texts, y = texts + extra, np.concatenate([y] + [y] * copies)
    val, y_val = reviews(300, 10_000 + 1)
    test, y_test = reviews(1000, 20_000 + 2)
    return Supervised(
        x_train=encode(texts, seq_len),
        y_train=y,
        x_val=encode(val, seq_len),
        y_val=y_val,
        x_test=encode(test, seq_len),
        y_test=y_test,
        kind="classification",
        num_classes=2,
        class_names=("negative", "positive"),
        name=f"generated reviews ({n_train} for training)",
        meta={"vocab_size": len(vocabulary()), "seq_len": seq_len, "train_texts": texts[:50]},
    )
