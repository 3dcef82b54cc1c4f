"""Back-translation with the atlas's own translators: English → made-up pivot language → English.

Sennrich, Haddow & Birch (2016, arXiv:1511.06709) made extra training pairs by translating text back with
a second model; UDA (Xie et al., 2019, arXiv:1904.12848) used the round trip as augmentation: translate a
sentence into another language and back, *sampling* the way back (their temperature: 0.9) so that each
round trip can give another paraphrase that keeps the meaning. Here both translators are the registered
``seq2seq_attention`` model (Bahdanau et al., 2015), trained by the recipes ``translate_en_pivot`` and
``translate_pivot_en`` on the parallel reviews of ``data.pivot`` (a language made up for the atlas) and
loaded from the demo checkpoints of the same names (``python -m training.demos build translate_en_pivot
translate_pivot_en``). The way out is greedy: the pivot language has one word per synonym group, so the
way back must choose a synonym again, and the sampling does.

``back_translate(texts, temperature, seed)`` gives one paraphrase per text; ``round_trip`` gives the pivot
translation and several paraphrases of one text for the page; ``sentiment_data`` is the text CNN's data
with back-translated training reviews (the augmentation "backtranslate").
"""

from __future__ import annotations

from functools import lru_cache

import torch
from torch import nn

from data.pivot import EN_LEN, PIVOT_LEN, decode, encode, vocabularies
from data.text_augment import sentiment, words
from training import demos

DEMO_NAMES = ("translate_en_pivot", "translate_pivot_en")
TEMPERATURE = 0.9  # UDA's sampling temperature for the way back
MAX_TEXTS = 20_000


class TranslatorsMissing(ValueError):
    """The two translators have not been built (or cannot be loaded), as a sentence."""


def ready() -> bool:
    """Whether both translators' demo files are there."""
    return all(demos.available(n) for n in DEMO_NAMES)


@lru_cache(maxsize=1)
def translators() -> tuple[nn.Module, nn.Module]:
    """(English → pivot, pivot → English), loaded once from their demo checkpoints, in eval mode."""
    missing = [n for n in DEMO_NAMES if not demos.available(n)]
    if missing:
        raise TranslatorsMissing(
            "Back-translation needs the two translators, which have not been built on this server yet "
            f"({', '.join(missing)}); build them with python -m training.demos build {' '.join(DEMO_NAMES)}"
        )
    try:
        models = tuple(demos.load(n, device="cpu").model.eval() for n in DEMO_NAMES)
    except demos.DemoError as e:
        raise TranslatorsMissing(f"The translators cannot be loaded: {e}") from e
    return models  # type: ignore[return-value]


@torch.no_grad()
def sample(
    model: nn.Module, src: torch.Tensor, max_len: int, temperature: float, top_k: int, g: torch.Generator
) -> torch.Tensor:
    """Decode by drawing each next word from softmax(logits / temperature), among the ``top_k`` likeliest
    (0: all); temperature 0 is greedy. Returns tokens (B, max_len)."""
    if temperature == 0:
        return model.greedy(src, max_len)[0]
    enc, keys, mask, s = model.encode(src)
    y = torch.full((src.shape[0],), 1, dtype=torch.long)  # BOS
    toks = []
    for _ in range(max_len):
        lo, s, _ = model.decoder(model.tgt_embed(y), s, enc, keys, mask)  # (B, V)
        lo = lo / temperature
        if top_k:
            kth = lo.topk(min(top_k, lo.shape[-1]), -1).values[:, -1:]  # (B, 1)
            lo = lo.masked_fill(lo < kth, float("-inf"))
        y = torch.multinomial(lo.softmax(-1), 1, generator=g).squeeze(1)  # (B,)
        toks.append(y)
    return torch.stack(toks, 1)  # (B, max_len)


def _check(texts: list[str], temperature: float, top_k: int) -> None:
    if not 0.0 <= temperature <= 2.0:
        raise ValueError(f"the sampling temperature must be between 0 and 2, not {temperature}")
    if not 0 <= top_k <= 100:
        raise ValueError(f"top-k must be between 0 (all words) and 100, not {top_k}")
    if len(texts) > MAX_TEXTS:
        raise ValueError(f"back-translate at most {MAX_TEXTS:,} texts at a time, not {len(texts):,}")


def to_pivot(texts: list[str]) -> list[str]:
    """The greedy pivot translation of each English text (words the translator never saw read as
    unknown; a text is cut at EN_LEN words)."""
    en_vocab, pv_vocab = vocabularies()
    fwd, _ = translators()
    pred = fwd.greedy(torch.from_numpy(encode(texts, en_vocab, EN_LEN)), PIVOT_LEN)[0]  # (N, PIVOT_LEN)
    return [decode(row, pv_vocab) for row in pred.tolist()]


def from_pivot(
    pivot: list[str], temperature: float = TEMPERATURE, seed: int = 0, top_k: int = 0
) -> list[str]:
    """English from pivot texts, sampled (temperature 0: greedy)."""
    en_vocab, pv_vocab = vocabularies()
    _, back = translators()
    src = torch.from_numpy(encode(pivot, pv_vocab, PIVOT_LEN))
    pred = sample(back, src, EN_LEN, temperature, top_k, torch.Generator().manual_seed(seed))
    return [decode(row, en_vocab) for row in pred.tolist()]


def back_translate(
    texts: list[str], temperature: float = TEMPERATURE, seed: int = 0, top_k: int = 0
) -> list[str]:
    """One round-trip paraphrase of each text: greedy into the pivot language, sampled back."""
    _check(texts, temperature, top_k)
    if not texts:
        return []
    return from_pivot(to_pivot(list(texts)), temperature, seed, top_k)


def round_trip(
    text: str, n: int = 5, temperature: float = TEMPERATURE, seed: int = 0, top_k: int = 0
) -> dict:
    """What the page shows for one text: ``{"english": the words read, "unknown": words the translator
    does not know, "pivot": its pivot translation, "paraphrases": n sampled round trips}``."""
    if not 1 <= n <= 20:
        raise ValueError(f"draw between 1 and 20 round trips, not {n}")
    _check([text], temperature, top_k)
    ws = words(text)[:EN_LEN]
    known = set(vocabularies()[0])
    unknown = sorted({w for w in ws if w not in known})
    pivot = to_pivot([text])[0]
    return dict(
        english=" ".join(ws),
        unknown=unknown,
        pivot=pivot,
        paraphrases=from_pivot([pivot] * n, temperature, seed, top_k),
    )


def sentiment_data(
    n_train: int = 200,
    augmentations: tuple[str, ...] = (),
    copies: int = 4,
    strength: float = 0.1,
    seq_len: int = 40,
    seed: int = 0,
):
    """``data.text_augment.sentiment`` with the translators at hand for the augmentation
    "backtranslate" (each copy of the training reviews is one sampled round trip at TEMPERATURE)."""

    def translate(texts: list[str], s: int) -> list[str]:
        try:
            return back_translate(texts, TEMPERATURE, s)
        except TranslatorsMissing as e:
            raise ValueError(str(e)) from e

    return sentiment(n_train, augmentations, copies, strength, seq_len, seed, translate=translate)
