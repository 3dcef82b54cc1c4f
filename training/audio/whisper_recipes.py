"""Recipe ``whisper_synth``: a tiny Whisper-style encoder-decoder transcribes synthesised word sequences
(training.audio.whisper_trainer: word tokens, greedy decoding, word error rate).

    t = get_recipe("whisper_synth").trainer(seed=0)
    t.step(t.num_steps)
    t.last_eval()["wer"]        # held-out word error rate, about 0.02 after 400 steps

Whisper trains with AdamW and warm-up on 680,000 hours; here AdamW at 3e-3, batches of 32 and 512
utterances of one to three words make the 2 + 2-layer, 64-wide model align words with sound in a few
hundred steps on a laptop CPU.
"""

from __future__ import annotations

from typing import Any

from data.base import Supervised
from training.audio.whisper_trainer import WhisperTrainer, speech_data, transcription_task
from training.recipes import Recipe, register_recipe


def whisper_link(d: Supervised) -> dict[str, Any]:
    """The data fixes the window, the vocabulary and the longest transcript (<sot> + words + <eot>)."""
    return {
        "n_mels": int(d.x_train.shape[1]),
        "n_frames": d.meta["n_frames"],
        "vocab_size": len(d.meta["tokens"]),
        "max_len": d.meta["max_words"] + 2,
    }


register_recipe(
    Recipe(
        name="whisper_synth",
        title="Tiny Whisper transcribes word sequences",
        summary="An encoder-decoder reads the log-mel spectrogram of one to three synthesised words and "
        "writes them down word by word; its cross-attention learns which stretch of sound each word "
        "comes from.",
        arch="whisper_tiny",
        archs=("whisper_base",),
        data=speech_data,
        data_params=dict(num_train=512, num_test=128, min_words=1, max_words=3, snr_db=30.0, n_frames=160),
        train_params=dict(optimizer="adamw", lr=3e-3, batch_size=32, num_steps=400, eval_every=50),
        link=whisper_link,
        task=transcription_task,
        trainer_cls=WhisperTrainer,
        max_steps=20_000,
    )
)
