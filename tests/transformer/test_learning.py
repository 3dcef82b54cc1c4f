"""The transformer recipes learn on fixed seeds (small budgets; margins measured 2026-11-21 on the
2-core development machine are in each test's comment)."""

import torch

from data.text2text import text2text
from training.recipes import get_recipe
from training.transformer.tasks import exact_match, greedy_decode


def test_char_gpt_beats_the_unigram_baseline_by_40_percent():
    t = get_recipe("char_gpt").trainer(num_steps=1000, eval_every=1000, seed=0)
    t.step(1000)
    assert t.status == "done", t.message
    base = t.data.meta["unigram_ce"]  # ≈ 3.27 nats
    val = t.evaluate()["val_loss"]  # measured 1.92 at 750 and 1.83 at 1000 steps (threshold 1.96)
    assert val <= 0.6 * base, (val, base)


def test_bert_mlm_predicts_masked_characters_far_above_frequency():
    # measured (context 32): masked-character accuracy 0.34 at 200 steps, 0.40 at 400
    t = get_recipe("bert_mlm").trainer(context=32, num_steps=300, eval_every=300, seed=0)
    t.step(300)
    assert t.status == "done", t.message
    acc = t.evaluate()["val_acc"]
    freq = t.data.meta["top_char_freq"]  # always guessing the most frequent character (space): ≈ 0.14
    assert acc >= 2 * freq, (acc, freq)


def test_t5_toy_reverses_strings():
    # Exact match at 1,200 steps, measured 2026-12-02 over seeds 0-2 and 1 or 2 threads: 0.95-0.98 for
    # seeds 0-1, 0.65 for seed 2; another machine gave 0.90 for seed 0. A fixed seed does not fix the
    # number across machines, so the claim is what every run showed: at least half the test strings
    # reversed exactly (chance: none).
    t = get_recipe("t5_toy").trainer(tasks=("reverse",), num_steps=1200, eval_every=1200, seed=0)
    t.step(1200)
    assert t.status == "done", t.message
    d = t.data
    x, y = (torch.from_numpy(a) for a in (d.x_test, d.y_test))
    t.model.eval()
    em = exact_match(greedy_decode(t.model, x, y.shape[1]), y).float().mean().item()
    assert em >= 0.5, em


def test_vit_digits_reaches_85_percent():
    t = get_recipe("vit_digits").trainer(num_steps=300, eval_every=300, seed=0)
    t.step(300)
    # measured 2026-12-02 over seeds 0-2 and 1 or 2 threads: 0.905-0.964; another machine: 0.9025
    acc = t.evaluate()["test_acc"]
    assert acc >= 0.85, acc


def test_text2text_mix_is_balanced():
    d = text2text(n_train=30, n_test=9)
    assert sorted(set(d.meta["task_test"])) == ["add", "reverse", "sort"]
