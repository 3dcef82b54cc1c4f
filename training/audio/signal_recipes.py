"""Recipes of the signal part of the audio family: keyword spotting and CTC transcription on synthesised
speech (training/audio/signal_trainer.py says what each trainer logs and shows).

    t = get_recipe("kws_synth").trainer(seed=0)
    t.step(t.num_steps); t.last_eval()["accuracy"]     # held-out clips at 20 dB SNR
    t = get_recipe("ctc_synth").trainer(seed=0)
    t.step(t.num_steps); t.last_eval()["cer"]          # held-out sequences, greedy decoding
"""

from __future__ import annotations

from typing import Any

from data.base import Supervised
from training.audio.signal_trainer import CTCTrainer, KwsTrainer, ctc_data, ctc_task, kws_data, kws_task
from training.recipes import Recipe, register_recipe


def kws_link(d: Supervised) -> dict[str, Any]:
    return {"num_classes": d.num_classes, "n_mels": d.x_train.shape[2], "num_frames": d.x_train.shape[3]}


def ctc_link(d: Supervised) -> dict[str, Any]:
    return {"num_classes": d.num_classes, "input_dim": d.x_train.shape[1], "num_frames": d.x_train.shape[2]}


register_recipe(
    Recipe(
        name="kws_synth",
        title="Keyword spotting on synthesised words",
        summary="Twelve spoken-word-like sounds (formants, pitch, noise), a new speaker every clip, at a "
        "random place in 0.8 s of background noise: the res8 CNN names the word from its log-mel picture.",
        arch="kws_cnn",
        preset="tiny",
        data=kws_data,
        data_params=dict(n_train=1200, n_test=240, snr_db=20.0, snr_range=15.0, duration=0.8, n_mels=40),
        arch_overrides=dict(width=16, num_layers=4),
        train_params=dict(optimizer="adam", lr=3e-3, batch_size=32, num_steps=300, eval_every=50),
        link=kws_link,
        task=kws_task,
        trainer_cls=KwsTrainer,
        max_steps=20_000,
    )
)

register_recipe(
    Recipe(
        name="ctc_synth",
        title="CTC transcription of word sequences",
        summary="One to three synthesised words in a row; a bidirectional LSTM learns to spell them from the "
        "text alone, CTC's blank filling the frames between letters.",
        arch="ctc_bilstm",
        preset="tiny",
        data=ctc_data,
        data_params=dict(n_train=800, n_test=100, min_words=1, max_words=3, snr_db=30.0, n_mels=40),
        arch_overrides=dict(hidden_dim=64, num_layers=2, subsample=2),
        train_params=dict(
            optimizer="adam", lr=3e-3, batch_size=32, num_steps=300, eval_every=50, grad_clip=5.0
        ),
        link=ctc_link,
        task=ctc_task,
        trainer_cls=CTCTrainer,
        max_steps=20_000,
    )
)
