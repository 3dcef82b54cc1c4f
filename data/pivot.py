"""A made-up pivot language for back-translation, and parallel English–pivot reviews to train translators on.

Back-translation (Sennrich, Haddow & Birch, 2016, "Improving neural machine translation models with
monolingual data", arXiv:1511.06709) needs a second language and a translator each way; used as text
augmentation (a round trip English → other language → English gives paraphrases, as in UDA: Xie et al.,
2019, "Unsupervised data augmentation for consistency training", arXiv:1904.12848) it needs nothing else.
The atlas downloads nothing, so it invents the second language here. **This pivot language is made up** (an
Esperanto-flavoured toy, not a real language): it covers exactly the film reviews of ``data.text_augment``.

Its rules, which the translators must learn from examples (they are never told them):

- its own vocabulary: every synonym group of ``data/synonyms.json`` is ONE pivot word (good, great, fine,
  superb, … → ``bona``), so English → pivot forgets which synonym was used and pivot → English must choose
  one again: sampled, the round trip comes back with other synonyms (the paraphrase);
- another word order: no articles, the adjective after its noun and the intensifier after the adjective,
  the object before the verb and the verb last ("the film was very good" → ``filmo bona tre estis``,
  "i loved the acting" → ``mi ludo amis``), negation ``ne`` right before the verb.

``parallel(n, direction, seed)`` gives sentence pairs as word ids for the registered ``seq2seq_attention``
model (id 0 pads, id 1 starts the decoder, id 2 is an unknown word); the English side is drawn exactly as
``data.text_augment.review`` draws reviews (same clauses, same Zipf-like synonym frequencies).
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

import numpy as np

from data.base import Supervised
from data.text_augment import FILLER, NEGATIVE_CLAUSES, POSITIVE_CLAUSES, _zipf_word, table, words

PAD, BOS, UNK = "<pad>", "<s>", "<unk>"
DIRECTIONS = ("en_pivot", "pivot_en")
EN_LEN, PIVOT_LEN = 28, 22  # the longest reviews (3 clauses, a filler, 3 joints) have 28 and 22 words

# One pivot word per synonym group, keyed by the group's first (common) English word.
LEXICON = {
    "good": "bona", "bad": "mava", "film": "filmo", "story": "rakonto", "acting": "ludo", "music": "muziko",
    "very": "tre", "loved": "amis", "hated": "malamis", "boring": "enua", "funny": "amuza", "ending": "fino",
    "overall": "entute", "recommend": "rekomendi", "waste": "perdo", "i": "mi", "watched": "vidis",
}  # fmt: skip

# Each English clause of the review grammar and its pivot form (slots {x} are synonym groups).
CLAUSES = {
    "the {film} was {very} {good}": "{film} {good} {very} estis",
    "the {story} was not {bad}": "{story} {bad} ne estis",
    "{i} {loved} the {acting}": "{i} {acting} {loved}",
    "the {music} was {funny} and {good}": "{music} {funny} kaj {good} estis",
    "{i} would {recommend} this {film}": "{i} {film} tiu {recommend} volus",
    "{overall} a {good} {film}": "{overall} {film} {good}",
    "the {ending} was {very} {good}": "{ending} {good} {very} estis",
    "the {film} was {very} {bad}": "{film} {bad} {very} estis",
    "the {story} was not {good}": "{story} {good} ne estis",
    "{i} {hated} the {acting}": "{i} {acting} {hated}",
    "the {music} was {boring} and {bad}": "{music} {boring} kaj {bad} estis",
    "{i} would not {recommend} this {film}": "{i} {film} tiu {recommend} ne volus",
    "{overall} a {waste} of time": "{overall} tempo {waste}",
    "the {ending} was {very} {boring}": "{ending} {boring} {very} estis",
    "{i} {watched} it on sunday": "{i} gin dimance {watched}",
    "it runs two hours": "gi du horojn dauras",
    "the {film} came out last year": "{film} pasintjare aperis",
    "{i} went with a friend": "{i} kun amiko iris",
}
JOINTS = {" , ": ",", " and ": "kaj", " . ": "."}
assert set(CLAUSES) == {*POSITIVE_CLAUSES, *NEGATIVE_CLAUSES, *FILLER}, (
    "every review clause needs a pivot form"
)


def _fill(template: str, chosen: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: chosen[m.group(1)], template)


def review_pair(label: int, rng: random.Random) -> tuple[str, str]:
    """One review (1 positive, 0 negative) in English and in the pivot language, drawn as
    ``data.text_augment.review`` draws it; each slot's synonym is drawn once per clause."""
    groups = {g[0]: g for g in table()[2]}
    clauses = list(POSITIVE_CLAUSES if label else NEGATIVE_CLAUSES)
    picked = rng.sample(clauses, rng.choice((2, 3)))
    if rng.random() < 0.5:
        picked.insert(rng.randrange(len(picked) + 1), rng.choice(FILLER))
    joint = rng.choice(list(JOINTS))
    en, pv = [], []
    for c in picked:
        slots = re.findall(r"\{(\w+)\}", c)
        chosen = {s: _zipf_word(groups[s], rng) for s in slots}
        en.append(_fill(c, chosen))
        pv.append(_fill(CLAUSES[c], {s: LEXICON[s] for s in slots}))
    return joint.join(en), f" {JOINTS[joint]} ".join(pv)


@lru_cache(maxsize=1)
def vocabularies() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(English words, pivot words), each after PAD, BOS and UNK (ids 0, 1, 2)."""
    en = {w for g in table()[2] for v in g for w in words(v)}
    en |= {w for c in CLAUSES for w in words(re.sub(r"\{\w+\}", "", c))} | {",", "and", "."}
    pv = set(LEXICON.values()) | {w for p in CLAUSES.values() for w in words(re.sub(r"\{\w+\}", "", p))}
    pv |= set(JOINTS.values())
    return (PAD, BOS, UNK, *sorted(en)), (PAD, BOS, UNK, *sorted(pv))


def encode(texts: list[str], vocab: tuple[str, ...], length: int) -> np.ndarray:
    """(N, length) int64 word ids, padded with 0 (cut at ``length``); unknown words are UNK (2)."""
    index = {w: i for i, w in enumerate(vocab)}
    out = np.zeros((len(texts), length), dtype=np.int64)
    for r, t in enumerate(texts):
        ids = [index.get(w, 2) for w in words(t)][:length]
        out[r, : len(ids)] = ids
    return out


def decode(ids, vocab: tuple[str, ...]) -> str:
    """The words of one output row, up to the first PAD (the model's end of sentence)."""
    out = []
    for i in ids:
        if int(i) == 0:
            break
        out.append(vocab[int(i)])
    return " ".join(w for w in out if w not in (BOS, UNK))


@lru_cache(maxsize=1)
def _heads() -> list[tuple[str, str]]:
    syn = [(v, g[0]) for g in table()[2] for v in g]
    return sorted(syn, key=lambda p: -len(p[0]))  # "all in all" before "all"


def canonical(text: str) -> str:
    """The English text with every synonym replaced by its group's first word: two sentences that differ
    only in synonyms have the same canonical form (what a correct round trip must keep)."""
    text = " " + " ".join(words(text)) + " "
    for v, head in _heads():
        text = text.replace(f" {v} ", f" \0{head} ")  # \0 marks a replaced word so it is not replaced twice
    return text.replace("\0", "").strip()


@lru_cache(maxsize=1)
def _canonical_clauses() -> tuple[tuple[str, ...], tuple[str, ...]]:
    def canon(c: str) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: m.group(1), c)

    return tuple(map(canon, POSITIVE_CLAUSES)), tuple(map(canon, NEGATIVE_CLAUSES))


def polarity(text: str) -> int | None:
    """1 if the English text holds more positive clauses of the grammar than negative ones (synonyms and
    order of clauses free), 0 if fewer, None if as many (or none)."""
    t = f" {canonical(text)} "
    pos, neg = (sum(f" {c} " in t for c in cs) for cs in _canonical_clauses())
    return None if pos == neg else int(pos > neg)


def parallel(n: int = 6000, direction: str = "en_pivot", seed: int = 0) -> Supervised:
    """``n`` review pairs (80 % train, 10 % validation, 10 % test) as word ids: x the source, y the target,
    in ``direction`` ("en_pivot" or "pivot_en"). The same seed gives the same pairs either way."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    if not 100 <= n <= 100_000:
        raise ValueError(f"n must be between 100 and 100,000 sentence pairs, not {n}")
    rng = random.Random(seed)
    pairs = [review_pair(i % 2, rng) for i in range(n)]
    en_vocab, pv_vocab = vocabularies()
    en = encode([e for e, _ in pairs], en_vocab, EN_LEN)
    pv = encode([p for _, p in pairs], pv_vocab, PIVOT_LEN)
    src, tgt = (en, en_vocab, EN_LEN), (pv, pv_vocab, PIVOT_LEN)
    if direction == "pivot_en":
        src, tgt = tgt, src
    (x, sv, sl), (y, tv, tl) = src, tgt
    a, b = int(0.8 * n), int(0.9 * n)
    return Supervised(
        x_train=x[:a],
        y_train=y[:a],
        x_val=x[a:b],
        y_val=y[a:b],
        x_test=x[b:],
        y_test=y[b:],
        kind="seq2seq",
        num_classes=len(tv),
        name=f"reviews, {'English → pivot' if direction == 'en_pivot' else 'pivot → English'}",
        meta=dict(src_vocab=sv, tgt_vocab=tv, src_len=sl, tgt_len=tl, direction=direction),
    )
