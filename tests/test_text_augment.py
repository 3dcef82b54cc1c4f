"""Text augmentation: EDA's operations do what they say, a 100,000-character text is refused with a sentence
(also on the page); the recipe ``text_cnn_sentiment`` reaches test accuracy >= 0.85 on the generated reviews
(measured 0.993 at seed 0), and with 30 training reviews, back-translated copies (the translators are
tested in tests/test_backtranslation.py) raise its test accuracy by at least 5 points at seed 0 (measured
0.869 → 0.976)."""

from __future__ import annotations

import random

import pytest
import torch

from data.text_augment import (
    EDA_OPS,
    augment_text,
    random_delete,
    random_swap,
    sentiment,
    synonym_replace,
    table,
    vocabulary,
    words,
)
from tests.apptest import errors, on_tab

torch.set_num_threads(1)
S = "the film was not good and i hated the acting"


def test_operations_change_what_they_say():
    ws, rng = words(S), random.Random(0)
    syn = table()[0]
    rep = synonym_replace(ws, 2, rng)
    changed = [(a, b) for a, b in zip(ws, rep, strict=True) if a != b]
    assert len(changed) == 2 and all(b in syn[a] for a, b in changed)
    assert sorted(random_swap(ws, 2, rng)) == sorted(ws)
    assert len(random_delete(ws, 0.99, rng)) >= 1
    assert augment_text(S, (), 0.1) == S
    bt = augment_text(
        S, ("backtranslate", "swap"), 0.0, translate=lambda ts, seed: [t + " indeed" for t in ts]
    )
    assert bt == S + " indeed"  # back-translated first (here by a stand-in), then the word-level operations


def test_bad_input_is_refused_with_a_sentence():
    with pytest.raises(ValueError, match="100,000 characters long"):
        augment_text("a" * 100_000, ("synonym",))
    with pytest.raises(ValueError, match="between 0 and 0.5"):
        augment_text(S, ("swap",), 0.9)
    with pytest.raises(ValueError, match="unknown text augmentation"):
        augment_text(S, ("translate",))
    with pytest.raises(ValueError, match="back-translation needs the atlas's translators"):
        augment_text(S, ("backtranslate",))


def test_corpus_is_balanced_and_every_augmented_word_is_in_the_vocabulary():
    d = sentiment(n_train=50, augmentations=EDA_OPS, copies=2)
    assert len(d.x_train) == 150 and abs(float(d.y_test.mean()) - 0.5) < 0.01
    assert int((d.x_train == 1).sum()) == 0  # no <unk>: the vocabulary covers every augmentation
    assert d.meta["vocab_size"] == len(vocabulary())


def test_text_cnn_sentiment_reaches_085():
    from training.recipes import get_recipe

    t = get_recipe("text_cnn_sentiment").trainer(seed=0)
    t.step(300)
    assert t.evaluate()["test_acc"] >= 0.85


def test_back_translation_beats_no_augmentation_on_30_reviews():
    from training.recipes import get_recipe

    acc = {}
    for ops in ((), ("backtranslate",)):
        t = get_recipe("text_cnn_sentiment").trainer(augmentations=ops, n_train=30, num_steps=200, seed=0)
        t.step(200)
        acc[ops] = t.evaluate()["test_acc"]
    assert acc[("backtranslate",)] >= acc[()] + 0.05, acc


def test_page_refuses_a_huge_text_with_a_sentence():
    at = on_tab("pages/augmentation.py", "aug.tab", "Text", aug__text__text="a" * 100_000)
    assert any("100,000 characters" in e for e in errors(at)), errors(at)
