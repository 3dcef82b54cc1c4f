"""Back-translation through the made-up pivot language (data/pivot.py, training/backtranslation.py).

Claims, on sentences the translators never saw in training (fixed seeds; measured at commit time):
- English → pivot, greedy: exact-sentence accuracy >= 0.95 (measured 0.987 on 238 unseen reviews);
- pivot → English, greedy: right up to synonyms >= 0.95 (measured 1.000); exact English words are not
  knowable (one pivot word per synonym group), so exact match is not asked;
- a round trip at temperature 0.9 keeps the polarity of the review's clauses in >= 95 % of reviews (measured
  99.5 %), keeps the whole meaning up to synonyms in >= 85 % (measured 92 %) and differs from the input in
  >= 80 % (measured 100 %);
- the demo's training run (400 steps, 10,871 weights) reaches >= 0.9 exact on English → pivot from scratch;
- the page shows the pivot translation and the sampled round trips, and offers to build the translators
  when they are missing, without an exception.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from data.pivot import canonical, parallel, polarity, review_pair, vocabularies
from data.text_augment import reviews
from tests.apptest import errors, on_tab
from training import backtranslation as bt
from training.rnn.recipes import TranslationTask

torch.set_num_threads(1)


def test_pivot_language_merges_synonyms_and_puts_the_verb_last():
    r = random.Random(3)
    pairs = [review_pair(i % 2, r) for i in range(400)]
    by_meaning: dict[str, set[str]] = {}
    for en, pv in pairs:
        by_meaning.setdefault(canonical(en), set()).add(pv)
    assert all(len(p) == 1 for p in by_meaning.values())  # synonyms make the same pivot sentence
    assert len({en for en, _ in pairs}) > len({pv for _, pv in pairs})  # many English to one pivot
    en, pv = review_pair(1, random.Random(0))
    assert canonical("we adored the cast") == "i loved the acting"
    assert canonical("all in all a superb movie") == "overall a good film"
    assert polarity("the plot was not dire and we adored the cast") == 1
    assert polarity("the story was not good") == 0 and polarity("it runs two hours") is None
    d = parallel(200, "pivot_en", seed=1)
    assert d.meta["tgt_vocab"] == vocabularies()[0] and d.x_train.shape[1] == 22
    with pytest.raises(ValueError, match="direction must be one of"):
        parallel(200, "en_fr")


def _unseen(direction: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Test pairs of a fresh seed whose English sentence is not among the training pairs."""
    train = parallel(6000, "en_pivot", seed=0).x_train
    seen = {row.tobytes() for row in train}
    fresh = parallel(300, "en_pivot", seed=12345)
    keep = np.array([row.tobytes() not in seen for row in fresh.x_train])
    d = parallel(300, direction, seed=12345)
    return torch.from_numpy(d.x_train[keep]), torch.from_numpy(d.y_train[keep])


def test_both_translators_are_right_on_unseen_reviews():
    fwd, back = bt.translators()
    x, y = _unseen("en_pivot")
    assert len(x) >= 200
    m = TranslationTask(parallel(100, "en_pivot")).metrics(fwd, x, y)
    assert m["acc"] >= 0.95, m
    x, y = _unseen("pivot_en")
    m = TranslationTask(parallel(100, "pivot_en")).metrics(back, x, y)
    assert m["meaning_acc"] >= 0.95, m


def test_round_trips_keep_the_sentiment_and_change_the_words():
    texts, y = reviews(200, 777)
    out = bt.back_translate(texts, 0.9, seed=0)
    kept = np.mean([polarity(b) == int(label) for b, label in zip(out, y, strict=True)])
    same_meaning = np.mean([canonical(a) == canonical(b) for a, b in zip(texts, out, strict=True)])
    differs = np.mean([" ".join(a.split()) != b for a, b in zip(texts, out, strict=True)])
    assert kept >= 0.95 and same_meaning >= 0.85 and differs >= 0.80, (kept, same_meaning, differs)
    assert bt.back_translate(texts[:20], 0.9, seed=5) == bt.back_translate(texts[:20], 0.9, seed=5)
    greedy = bt.back_translate(texts[:20], 0.0, seed=1)
    assert greedy == bt.back_translate(texts[:20], 0.0, seed=2)  # temperature 0: no sampling
    r = bt.round_trip("we adored the cast and the score was witty and superb", 4, seed=0)
    assert r["pivot"] == "mi ludo amis kaj muziko amuza kaj bona estis" and len(r["paraphrases"]) == 4
    assert bt.round_trip("the zorblax was good", 1)["unknown"] == ["zorblax"]


def test_bad_settings_and_missing_translators_are_refused_with_a_sentence(monkeypatch):
    with pytest.raises(ValueError, match="temperature must be between 0 and 2"):
        bt.back_translate(["the film was good"], 3.0)
    with pytest.raises(ValueError, match="between 1 and 20 round trips"):
        bt.round_trip("the film was good", 50)
    monkeypatch.setattr(bt.demos, "available", lambda name: False)
    bt.translators.cache_clear()
    try:
        with pytest.raises(bt.TranslatorsMissing, match="python -m training.demos build translate_en_pivot"):
            bt.back_translate(["the film was good"])
        from archs.spec import ConfigError
        from training.recipes import get_recipe

        with pytest.raises(ConfigError, match="have not been built"):
            get_recipe("text_cnn_sentiment").trainer(augmentations=("backtranslate",), n_train=30)
    finally:
        bt.translators.cache_clear()


def test_back_translated_training_reviews_use_only_known_words():
    d = bt.sentiment_data(n_train=30, augmentations=("backtranslate", "swap"), copies=2)
    assert len(d.x_train) == 90 and int((d.x_train == 1).sum()) == 0  # no <unk> in any round trip
    assert d.meta["train_texts"][30] != d.meta["train_texts"][0]


def test_a_training_run_learns_english_to_pivot():
    from training.recipes import get_recipe

    t = get_recipe("translate_en_pivot").trainer(seed=0, num_steps=400, eval_every=1000)
    t.step(400)
    x, y = (torch.from_numpy(a[:300]) for a in (t.data.x_test, t.data.y_test))
    assert t.task.metrics(t.model.eval(), x, y)["acc"] >= 0.9


def test_page_shows_the_pivot_and_the_round_trips():
    at = on_tab("pages/augmentation.py", "aug.tab", "Text")
    shown = " ".join(m.value for m in at.markdown)
    assert "filmo mava tre estis" in shown and "Back in English" in shown, shown[-600:]
    assert not errors(at)


def test_page_offers_to_build_missing_translators(monkeypatch):
    monkeypatch.setattr(bt.demos, "available", lambda name: False)
    at = on_tab("pages/augmentation.py", "aug.tab", "Text")
    assert any(b.label == "Build the translators" for b in at.button)
    assert any("have not been built on this server" in i.value for i in at.info)
