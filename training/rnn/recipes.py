"""Recipes of the recurrent networks page.

- ``memory_rnn_vs_lstm``: the plain RNN, the LSTM and the GRU trained side by side on a long-lag memory
  task (copy or adding problem). At lag 40 with distractors the LSTM recalls, the RNN stays near
  chance (tests/test_rnn_training.py states the numbers). The LSTM starts with forget-gate bias 4
  (f = σ(4) ≈ 0.98, so the cell starts out remembering; Tallec & Ollivier's 2018 "chrono" initialisation
  sets it near log(lag) for the same reason); set ``forget_bias=1`` to see the usual default struggle.
- ``copy_memory``: one recurrent model (or the TCN) on the copy task.
- ``seq2seq_dates``: the Bahdanau encoder-decoder translates typed dates into ISO form (≥ 90 % exact).
- ``text_cnn_sentiment``: Kim's text CNN on generated reviews, optionally augmented (EDA, back-translation).
- ``translate_en_pivot`` / ``translate_pivot_en``: the same encoder-decoder translating reviews into and out
  of the made-up pivot language of data/pivot.py: the two translators of back-translation
  (training/backtranslation.py).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from data.base import Supervised
from data.pivot import canonical, decode, parallel
from data.sequences import dates, memory_task
from training.backtranslation import sentiment_data
from training.recipes import Recipe, register_recipe
from training.rnn.tasks import CompareTrainer, Seq2SeqTask, compare_task, memory_task_for


def _memory_link(d: Supervised) -> dict:
    m = d.meta
    if m["problem"] == "copy":
        return dict(
            vocab_size=m["vocab_size"], num_classes=d.num_classes, readout="sequence", seq_len=m["seq_len"]
        )
    return dict(vocab_size=0, input_dim=2, num_classes=1, readout="last", seq_len=m["seq_len"])


def _dates_link(d: Supervised) -> dict:
    m = d.meta
    return dict(
        src_vocab=len(m["src_vocab"]),
        tgt_vocab=len(m["tgt_vocab"]),
        src_len=m["src_len"],
        tgt_len=m["tgt_len"],
    )


MEMORY_DATA = dict(problem="copy", lag=40, noise=True, n=2000)

register_recipe(
    Recipe(
        name="memory_rnn_vs_lstm",
        title="Long-lag memory: RNN vs LSTM vs GRU",
        summary="The same memory task for three recurrent cells trained side by side on identical batches.",
        arch="rnn",
        archs=("lstm", "gru"),
        data=memory_task,
        data_params=dict(MEMORY_DATA),
        arch_overrides=dict(hidden_dim=32),
        train_params=dict(
            optimizer="adam", lr=0.01, batch_size=32, num_steps=300, eval_every=25, grad_clip=1.0
        ),
        link=_memory_link,
        task=lambda data, contenders=("rnn", "lstm", "gru"), forget_bias=4.0: compare_task(
            data, contenders, forget_bias
        ),
        task_keys=("contenders", "forget_bias"),
        trainer_cls=CompareTrainer,
        max_steps=5000,
    )
)

register_recipe(
    Recipe(
        name="copy_memory",
        title="Copy task",
        summary="Remember a symbol across a lag full of distractors and recall it at a cue.",
        arch="lstm",
        archs=("rnn", "gru", "bilstm", "tcn"),
        data=memory_task,
        data_params=dict(problem="copy", lag=20, noise=True, n=3000),
        arch_overrides=dict(hidden_dim=32),
        train_params=dict(
            optimizer="adam", lr=0.01, batch_size=64, num_steps=600, eval_every=50, grad_clip=1.0
        ),
        link=_memory_link,
        task=memory_task_for,
        max_steps=5000,
    )
)

register_recipe(
    Recipe(
        name="seq2seq_dates",
        title="Dates to ISO with attention",
        summary="Translate '7 March 2024' or '07/03/2024' into 2024-03-07, character by character.",
        arch="seq2seq_attention",
        preset="dates",
        data=dates,
        data_params=dict(n=6000),
        train_params=dict(
            optimizer="adam", lr=0.005, batch_size=64, num_steps=1200, eval_every=200, grad_clip=1.0
        ),
        link=_dates_link,
        task=lambda data, **_: Seq2SeqTask(),
        max_steps=10_000,
    )
)


# ------------------------------------------------------------------- text CNN on reviews (issue 23)


def _sentiment_link(d: Supervised) -> dict:
    return dict(vocab_size=d.meta["vocab_size"], seq_len=d.meta["seq_len"], num_classes=d.num_classes)


register_recipe(
    Recipe(
        name="text_cnn_sentiment",
        title="Sentiment of short reviews with a text CNN",
        summary="Kim's text CNN reads generated film reviews (negations, rare synonyms) and says positive or "
        "negative; the training reviews can be multiplied by text augmentation.",
        arch="text_cnn",
        data=sentiment_data,
        data_params=dict(n_train=200, augmentations=(), copies=4, strength=0.1, seq_len=40),
        arch_overrides=dict(embed_dim=32, num_filters=32, kernel_sizes=(2, 3, 4), dropout=0.5),
        train_params=dict(optimizer="adam", lr=3e-3, batch_size=32, num_steps=300, eval_every=50),
        link=_sentiment_link,
        max_steps=5000,
    )
)


# --------------------------------------------------- translators for back-translation (issue 23)


class TranslationTask(Seq2SeqTask):
    """Seq2SeqTask whose word accuracy counts only the target's words (not its padding) and which, into
    English, also counts translations that are right up to synonyms (``meaning_acc``: the pivot language
    has one word per synonym group, so the exact English synonym cannot be known)."""

    def __init__(self, data: Supervised):
        self.tgt_vocab, self.into_english = data.meta["tgt_vocab"], data.meta["direction"] == "pivot_en"
        self.higher_is_better = "meaning_acc" if self.into_english else "acc"

    @torch.no_grad()
    def metrics(self, model, x, y):
        x, y = x[:600], y[:600]  # greedy decoding is a Python loop: keep evaluation quick
        lo = model(x, self.shift(y))  # (B, Tt, V)
        pred, _ = model.greedy(x, y.shape[1])  # (B, Tt)
        words = y != 0
        out = {
            "loss": float(F.cross_entropy(lo.reshape(-1, lo.shape[-1]), y.reshape(-1))),
            "token_acc": float((pred == y)[words].float().mean()),
            "acc": float((pred == y).all(1).float().mean()),  # exact match, end of sentence included
        }
        if self.into_english:
            same = [
                canonical(decode(p, self.tgt_vocab)) == canonical(decode(t, self.tgt_vocab))
                for p, t in zip(pred.tolist(), y.tolist(), strict=True)
            ]
            out["meaning_acc"] = sum(same) / len(same)
        return out


for _direction, _title in (("en_pivot", "English → pivot"), ("pivot_en", "pivot → English")):
    register_recipe(
        Recipe(
            name=f"translate_{_direction}",
            title=f"Reviews, {_title} (made-up pivot language)",
            summary="The Bahdanau encoder-decoder translates generated film reviews word by word between "
            "English and a made-up pivot language (its own words, verb last); the two directions together "
            "make back-translation on the Augmentation page.",
            arch="seq2seq_attention",
            data=parallel,
            data_params=dict(n=6000, direction=_direction),
            # small: both demo files must fit the demos/ cap (139 kB together); they still reach 99 %
            arch_overrides=dict(embed_dim=12, hidden_dim=16, attn_dim=12),
            train_params=dict(
                optimizer="adam", lr=0.01, batch_size=64, num_steps=600, eval_every=100, grad_clip=1.0
            ),
            link=_dates_link,
            task=lambda data, **_: TranslationTask(data),
            max_steps=10_000,
        )
    )
