"""Training a tiny Whisper-style model to transcribe synthesised word sequences (recipe ``whisper_synth``).

Data: ``data.audio.word_sequences`` (1 to 3 of the 12 synthesised words, pauses, noise at 30 dB SNR), each
padded with silence to a fixed window (Whisper pads every clip to 30 s; here 1.6 s) and turned into
Whisper's 80-band log-mel spectrogram (``archs.audio.frontend.log_mel_spectrogram``). Text is tokenised
**by words**: one token per vocabulary word plus ``<pad>``, ``<sot>`` (start of transcript) and ``<eot>``
(end), so a word error is a token error. The decoder reads ``<sot> w1 … wk`` and learns to write
``w1 … wk <eot>`` (teacher forcing, cross-entropy, padding ignored); transcripts are decoded greedily.

Logged per step: ``loss``. Each evaluation adds ``{split}_loss``, ``{split}_token_acc`` (next-token accuracy
under teacher forcing) and ``{split}_wer`` (word error rate of greedy transcripts: word-level Levenshtein
distance / reference words), and ``wer`` = ``test_wer`` (held-out utterances from another seed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from archs.audio.frontend import log_mel_spectrogram
from data.audio import SAMPLE_RATE, WORDS, resample, word_sequences
from data.base import Supervised
from training.audio.metrics import wer
from training.tasks import Task
from training.trainer import Trainer

PAD, SOT, EOT = 0, 1, 2
SPECIALS = ("<pad>", "<sot>", "<eot>")
HOP = 160  # samples per spectrogram frame (10 ms), Whisper's


def vocabulary(words: tuple[str, ...] = WORDS) -> tuple[str, ...]:
    return SPECIALS + tuple(words)


def encode_text(text: str, tokens: tuple[str, ...]) -> list[int]:
    """'one two' -> [<sot>, one, two, <eot>] ids."""
    return [SOT, *(tokens.index(w) for w in text.split()), EOT]


def decode_ids(ids, tokens: tuple[str, ...]) -> str:
    """Token ids after <sot> -> words, up to the first <eot>."""
    out = []
    for i in ids:
        if i == EOT:
            break
        if i >= len(SPECIALS):
            out.append(tokens[i])
    return " ".join(out)


def mel_window(waves: list[np.ndarray], n_frames: int) -> torch.Tensor:
    """Waves padded with silence (or cut) to ``n_frames`` × 160 samples -> Whisper log-mels
    (N, 80, n_frames)."""
    S = n_frames * HOP
    batch = np.zeros((len(waves), S), np.float32)
    for i, w in enumerate(waves):
        batch[i, : min(len(w), S)] = w[:S]
    return log_mel_spectrogram(torch.from_numpy(batch))  # (N, 80, n_frames)


def _split(n: int, min_words: int, max_words: int, snr_db: float, n_frames: int, seed: int):
    """``n`` utterances that fit the window: a quarter more are drawn and the longest left out."""
    d = word_sequences(n + n // 4 + 2, min_words, max_words, snr_db, seed)
    keep = [i for i, w in enumerate(d["waves"]) if len(w) <= n_frames * HOP][:n]
    if len(keep) < n:
        raise ValueError(
            f"Only {len(keep)} of {n} utterances fit in {n_frames} frames "
            f"({n_frames * HOP / SAMPLE_RATE:.2f} s); "
            "raise n_frames or lower max_words"
        )
    waves = [d["waves"][i] for i in keep]
    bounds = [[(s // HOP, e // HOP) for s, e in d["word_bounds"][i]] for i in keep]
    return mel_window(waves, n_frames).numpy(), [d["texts"][i] for i in keep], bounds


def speech_data(
    num_train: int = 512,
    num_test: int = 128,
    min_words: int = 1,
    max_words: int = 3,
    snr_db: float = 30.0,
    n_frames: int = 160,
    seed: int = 0,
) -> Supervised:
    """Log-mel windows x (N, 80, n_frames) and token ids y (N, max_words + 2): <sot> words <eot> <pad>…."""
    if not 8 <= num_train <= 20_000 or not 4 <= num_test <= 5_000:
        raise ValueError("Use between 8 and 20,000 training and 4 to 5,000 test utterances")
    tokens = vocabulary()
    out = {}
    for split, n, s in (("train", num_train, seed), ("test", num_test, seed + 10_000)):
        mel, texts, bounds = _split(n, min_words, max_words, snr_db, n_frames, s)
        y = np.full((n, max_words + 2), PAD, np.int64)
        for i, t in enumerate(texts):
            ids = encode_text(t, tokens)
            y[i, : len(ids)] = ids
        out[split] = (mel, y, texts, bounds)
    return Supervised(
        x_train=out["train"][0],
        y_train=out["train"][1],
        x_test=out["test"][0],
        y_test=out["test"][1],
        kind="transcription",
        num_classes=len(tokens),
        name="synthesised word sequences",
        meta=dict(
            tokens=tokens,
            n_frames=n_frames,
            max_words=max_words,
            test_texts=out["test"][2],
            test_bounds=out["test"][3],
        ),
    )


class Transcription(Task):
    """x: log-mels (B, 80, T); y: ids (B, L) = <sot> words <eot> <pad>…; the model reads y[:, :-1]."""

    name = "transcription"
    higher_is_better = "token_acc"

    def __init__(self, tokens: tuple[str, ...]):
        self.tokens = tokens

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        logits = model(x, y[:, :-1])  # (B, L-1, V)
        return F.cross_entropy(logits.flatten(0, 1), y[:, 1:].flatten(), ignore_index=PAD)

    def transcribe(self, model: nn.Module, x: torch.Tensor, max_words: int) -> list[str]:
        start = torch.full((len(x), 1), SOT, dtype=torch.long, device=x.device)
        out = model.greedy(x, start, EOT, max_words + 1)
        return [decode_ids(row[1:].tolist(), self.tokens) for row in out]

    @torch.no_grad()
    def metrics(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        logits = model(x, y[:, :-1])
        target = y[:, 1:]
        real = target != PAD
        refs = [decode_ids(row[1:].tolist(), self.tokens) for row in y]
        hyps = self.transcribe(model, x, y.shape[1] - 2)
        return {
            "loss": float(F.cross_entropy(logits.flatten(0, 1), target.flatten(), ignore_index=PAD)),
            "token_acc": float((logits.argmax(-1) == target)[real].float().mean()),
            "wer": wer(refs, hyps),
        }


def transcription_task(data: Supervised) -> Transcription:
    return Transcription(data.meta["tokens"])


class WhisperTrainer(Trainer):
    """The Trainer with WER in every evaluation and a snapshot of one held-out transcription."""

    @torch.no_grad()
    def evaluate(self, max_examples: int = 256) -> dict[str, Any]:
        out: dict[str, Any] = super().evaluate(max_examples=max_examples)
        out["wer"] = out["test_wer"]
        return out

    @torch.no_grad()
    def example(self, index: int = 0) -> dict[str, Any]:
        """Held-out utterance ``index``: its mel (80, T), reference, greedy hypothesis, the decoder's
        cross-attention in the last layer averaged over heads (tokens read × audio positions), the rows'
        labels (the token each row predicts) and the words' (start, end) frames."""
        meta, tokens = self.data.meta, self.data.meta["tokens"]
        x = self.splits["test"][0][index : index + 1]  # (1, 80, T)
        was_training = self.model.training
        self.model.eval()
        try:
            hyp = self.task.transcribe(self.model, x, meta["max_words"])
            ids = [SOT, *(tokens.index(w) for w in hyp[0].split())]
            _, att = self.model(x, torch.tensor([ids], device=x.device), return_attention=True)
        finally:
            self.model.train(was_training)
        cross = att["cross"][-1][0].mean(0).float().cpu().numpy()  # (tokens, positions)
        return dict(
            mel=x[0].float().cpu().numpy(),
            reference=meta["test_texts"][index],
            hypothesis=hyp[0],
            cross_attention=cross,
            rows=[*hyp[0].split(), "<eot>"],
            word_frames=list(meta["test_bounds"][index]),
        )

    @torch.no_grad()
    def transcripts(self, n: int = 6) -> list[tuple[str, str]]:
        """(reference, hypothesis) for the first ``n`` held-out utterances."""
        x = self.splits["test"][0][:n]
        was_training = self.model.training
        self.model.eval()
        try:
            hyps = self.task.transcribe(self.model, x, self.data.meta["max_words"])
        finally:
            self.model.train(was_training)
        return list(zip(self.data.meta["test_texts"][:n], hyps, strict=True))

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        snap["example"] = self.example()
        snap["transcripts"] = self.transcripts()
        return snap


@torch.no_grad()
def transcribe_wave(trainer: WhisperTrainer, wave: np.ndarray, sample_rate: int) -> str:
    """A user's waveform (checked by ``data.audio.read_wav``) transcribed by the trained model: resampled to
    16 kHz, cut or padded to the model's window, greedy decoding."""
    if sample_rate != SAMPLE_RATE:
        wave = resample(wave, sample_rate, SAMPLE_RATE)
    x = mel_window([np.asarray(wave, np.float32)], trainer.data.meta["n_frames"]).to(trainer.device)
    was_training = trainer.model.training
    trainer.model.eval()
    try:
        return trainer.task.transcribe(trainer.model, x, trainer.data.meta["max_words"])[0]
    finally:
        trainer.model.train(was_training)
