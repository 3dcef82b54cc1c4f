"""Keyword spotting and CTC transcription on synthesised speech (data/audio.py): data sets, tasks, trainers.

Features are log-mel spectrograms from archs.audio.frontend (natural log of the mel power, 40 bands,
25 ms windows every 10 ms), standardised with the training split's mean and standard deviation (stored in
``data.meta`` so an uploaded recording is scaled the same way: ``features``).

KwsTrainer (recipe ``kws_synth``) -- last_eval(): ``accuracy`` (held-out), ``test_acc``, ``test_loss``,
``train_acc``, ``train_loss``. snapshot() adds ``words``, ``confusion`` (C × C counts, rows = true word,
held-out), ``snr_accuracy`` {snr_db: accuracy} on fresh held-out clips at each of ``SNRS`` and
``example`` = dict(mel (n_mels, T), word, predicted, probs).

CTCTrainer (recipe ``ctc_synth``) -- last_eval(): ``cer`` (held-out character error rate, greedy decoding),
``wer``, ``test_loss``, ``train_loss``. snapshot() adds ``alphabet`` (index 0 is the blank, shown "_"),
``example`` = dict(mel (n_mels, T), log_probs (T', C), reference, hypothesis, alignment (T',) symbol per
step of the best CTC path spelling the reference, subsample, word_bounds in frames).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from archs.audio.frontend import log_mel_spectrogram
from data import audio
from data.base import Supervised
from training.audio.metrics import cer, ctc_alignment, ctc_greedy, wer
from training.tasks import Classification, Task
from training.trainer import Trainer

N_FFT, HOP = 400, 160  # 25 ms windows every 10 ms at 16 kHz
SNRS = (0.0, 5.0, 10.0, 20.0, 30.0)
SNR_CLIPS = 96  # held-out clips per SNR for the accuracy-against-SNR curve
BLANK = "_"


def log_mels(waves: np.ndarray, n_mels: int) -> np.ndarray:
    """(N, S) waves -> (N, n_mels, 1 + S // HOP) natural-log mel power, float32."""
    out = [
        log_mel_spectrogram(torch.from_numpy(np.asarray(w, np.float32)), n_mels, N_FFT, HOP, whisper=False)
        for w in np.array_split(np.asarray(waves, np.float32), max(1, len(waves) // 256))
    ]
    return torch.cat(out).numpy()


def features(wave: np.ndarray, meta: dict) -> np.ndarray:
    """One recording (S,) -> standardised log-mel (n_mels, T) as the trained model expects it."""
    m = log_mels(np.asarray(wave, np.float32)[None], meta["n_mels"])[0]
    return ((m - meta["mean"]) / meta["std"]).astype(np.float32)


# ------------------------------------------------------------------------------------ keyword spotting


@functools.lru_cache(maxsize=4)  # deterministic in its arguments; a page's Reset reuses it
def kws_data(
    n_train: int = 1200,
    n_test: int = 240,
    snr_db: float = 20.0,
    duration: float = 0.8,
    n_mels: int = 40,
    snr_range: float = 15.0,
    seed: int = 0,
) -> Supervised:
    """Keyword clips (data.audio.keyword_set) as standardised log-mels (N, 1, n_mels, frames).

    Training clips have SNRs drawn from snr_db ± snr_range (a model that heard only one noise level
    fails at others); the held-out clips are all at ``snr_db``."""
    if n_train < len(audio.WORDS) or n_test < 1:
        raise ValueError(f"Need at least {len(audio.WORDS)} training clips (one per word) and 1 test clip")
    tr = audio.keyword_set(n_train, snr_db=snr_db, seed=seed, duration=duration, snr_range=snr_range)
    te = audio.keyword_set(n_test, snr_db=snr_db, seed=seed + 10_000, duration=duration)
    xtr, xte = log_mels(tr["waves"], n_mels), log_mels(te["waves"], n_mels)
    mean, std = float(xtr.mean()), float(xtr.std() + 1e-6)
    meta = dict(n_mels=n_mels, mean=mean, std=std, duration=duration, snr_db=snr_db, seed=seed)
    return Supervised(
        ((xtr - mean) / std)[:, None],
        tr["labels"],
        ((xte - mean) / std)[:, None],
        te["labels"],
        kind="classification",
        num_classes=len(audio.WORDS),
        class_names=audio.WORDS,
        name="keyword clips",
        meta=meta,
    )


class KwsTrainer(Trainer):
    """The Trainer with the held-out confusion matrix and accuracy against SNR in its snapshot."""

    eval_key = "test_acc"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._snr_sets: dict[float, tuple[torch.Tensor, torch.Tensor]] | None = None
        self._snr_cache: tuple[int, dict[float, float]] | None = None

    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        out = super().evaluate(max_examples)
        out["accuracy"] = out["test_acc"]
        return out

    @torch.no_grad()
    def _predict(self, x: torch.Tensor) -> torch.Tensor:
        was = self.model.training
        self.model.eval()
        try:
            return torch.cat([self.model(b) for b in x.split(256)]).softmax(-1)  # (N, C)
        finally:
            self.model.train(was)

    def snr_accuracy(self) -> dict[float, float]:
        """Held-out accuracy at each SNR of ``SNRS`` (fresh clips, the same words at every SNR)."""
        if self._snr_cache and self._snr_cache[0] == self.step_count:
            return self._snr_cache[1]
        if self._snr_sets is None:
            m = self.data.meta
            clean = audio.keyword_set(
                SNR_CLIPS, snr_db=np.inf, seed=m["seed"] + 20_000, duration=m["duration"]
            )
            rng = np.random.default_rng(m["seed"] + 30_000)
            y = torch.as_tensor(clean["labels"], device=self.device)
            self._snr_sets = {}
            for snr in SNRS:
                noisy = np.stack(
                    [
                        audio.add_noise(w, snr, rng, float(np.sum(w**2) / max(1, np.count_nonzero(w))))
                        for w in clean["waves"]
                    ]
                )
                x = (log_mels(noisy, m["n_mels"]) - m["mean"]) / m["std"]
                self._snr_sets[snr] = (torch.as_tensor(x[:, None], device=self.device), y)
        acc = {
            snr: float((self._predict(x).argmax(-1) == y).float().mean())
            for snr, (x, y) in self._snr_sets.items()
        }
        self._snr_cache = (self.step_count, acc)
        return acc

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        x, y = self.splits["test"]
        p = self._predict(x)
        C = self.data.num_classes
        conf = torch.bincount(y * C + p.argmax(-1), minlength=C * C).reshape(C, C)  # (true, predicted)
        snap.update(
            words=list(self.data.class_names),
            confusion=conf.cpu().tolist(),
            snr_accuracy=self.snr_accuracy(),
            example=dict(
                mel=x[0, 0].cpu().numpy().round(3).tolist(),
                word=self.data.class_names[int(y[0])],
                predicted=self.data.class_names[int(p[0].argmax())],
                probs=p[0].cpu().tolist(),
            ),
        )
        return snap


def kws_task(data: Supervised) -> Task:
    return Classification()


# ---------------------------------------------------------------------------------------------- CTC


def alphabet(words=audio.WORDS) -> tuple[str, ...]:
    """The CTC symbols: blank first, then the space, then the letters of the vocabulary."""
    return (BLANK, " ", *sorted(set("".join(words))))


def _pad_with_noise(
    waves: list[np.ndarray], bounds: list, length: int, rng: np.random.Generator
) -> np.ndarray:
    """Pad each utterance to ``length`` samples with noise as loud as its own leading pause (no digital
    silence the model could learn to rely on)."""
    out = np.zeros((len(waves), length), np.float32)
    for i, (w, b) in enumerate(zip(waves, bounds, strict=True)):
        sigma = float(np.std(w[: max(1, b[0][0])]))
        out[i, : len(w)] = w
        out[i, len(w) :] = sigma * rng.standard_normal(length - len(w))
    return out


@functools.lru_cache(maxsize=4)
def ctc_data(
    n_train: int = 800,
    n_test: int = 100,
    min_words: int = 1,
    max_words: int = 3,
    snr_db: float = 30.0,
    n_mels: int = 40,
    seed: int = 0,
) -> Supervised:
    """Word sequences (data.audio.word_sequences) as standardised log-mels (N, n_mels, T) and targets
    (N, L) of symbol indices into ``alphabet()`` padded with -1; all utterances padded to one length."""
    syms = alphabet()
    tr = audio.word_sequences(n_train, min_words, max_words, snr_db, seed)
    te = audio.word_sequences(n_test, min_words, max_words, snr_db, seed + 10_000)
    length = max(len(w) for w in tr["waves"] + te["waves"])
    rng = np.random.default_rng(seed + 1)
    xtr = log_mels(_pad_with_noise(tr["waves"], tr["word_bounds"], length, rng), n_mels)
    xte = log_mels(_pad_with_noise(te["waves"], te["word_bounds"], length, rng), n_mels)
    mean, std = float(xtr.mean()), float(xtr.std() + 1e-6)
    L = max(len(t) for t in tr["texts"] + te["texts"])

    def targets(texts):
        y = np.full((len(texts), L), -1, np.int64)
        for i, t in enumerate(texts):
            y[i, : len(t)] = [syms.index(ch) for ch in t]
        return y

    meta = dict(
        n_mels=n_mels,
        mean=mean,
        std=std,
        alphabet=syms,
        test_texts=te["texts"],
        test_bounds=[[(s // HOP, e // HOP) for s, e in b] for b in te["word_bounds"]],
    )
    return Supervised(
        (xtr - mean) / std,
        targets(tr["texts"]),
        (xte - mean) / std,
        targets(te["texts"]),
        kind="ctc",
        num_classes=len(syms),
        name="word sequences",
        meta=meta,
    )


def decode(ids: list[int], syms: tuple[str, ...]) -> str:
    return "".join(syms[i] for i in ids)


class CTCTask(Task):
    """CTC loss over the whole (padded) utterance; the metric is the greedy decoding's error rates."""

    name = "ctc"
    higher_is_better = "cer"

    def __init__(self, syms: tuple[str, ...]):
        self.syms = syms

    def loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        lp = model(x)  # (B, T', C)
        lengths = (y >= 0).sum(1)
        T = torch.full((len(x),), lp.shape[1], dtype=torch.long, device=lp.device)
        return F.ctc_loss(lp.transpose(0, 1), y.clamp_min(0), T, lengths, blank=0, zero_infinity=True)

    @torch.no_grad()
    def metrics(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        lp = model(x)
        refs = [decode([int(i) for i in row if i >= 0], self.syms) for row in y.cpu()]
        hyps = [decode(ctc_greedy(row), self.syms) for row in lp.cpu()]
        return {"loss": float(self.loss(model, x, y)), "cer": cer(refs, hyps), "wer": wer(refs, hyps)}


def ctc_task(data: Supervised) -> CTCTask:
    return CTCTask(data.meta["alphabet"])


class CTCTrainer(Trainer):
    eval_key = "cer"

    def evaluate(self, max_examples: int = 512) -> dict[str, float]:
        out = super().evaluate(max_examples)
        out["cer"], out["wer"] = out["test_cer"], out["test_wer"]
        return out

    @torch.no_grad()
    def example(self, index: int = 0) -> dict[str, Any]:
        """One held-out utterance: its features, the model's log-probabilities, both texts, the best path."""
        x, y = self.splits["test"]
        was = self.model.training
        self.model.eval()
        try:
            lp = self.model(x[index : index + 1])[0].cpu()  # (T', C)
        finally:
            self.model.train(was)
        syms = self.data.meta["alphabet"]
        target = [int(i) for i in y[index] if i >= 0]
        try:
            path = ctc_alignment(lp, target)
        except ValueError:
            path = []
        return dict(
            mel=x[index].cpu().numpy().round(3).tolist(),
            log_probs=lp.numpy().round(3).tolist(),
            reference=decode(target, syms),
            hypothesis=decode(ctc_greedy(lp), syms),
            alignment=path,
            subsample=int(getattr(self.config, "subsample", 1) or 1),
            word_bounds=self.data.meta["test_bounds"][index],
        )

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        snap.update(alphabet=list(self.data.meta["alphabet"]), example=self.example())
        return snap


# ------------------------------------------------------------------------------------------ uploads


def fit_clip(wave: np.ndarray, seconds: float, sample_rate: int = audio.SAMPLE_RATE) -> np.ndarray:
    """Cut or pad a recording to ``seconds``: the loudest stretch of that length, or the whole recording
    centred in faint noise (digital silence would look unlike any training clip)."""
    n = int(seconds * sample_rate)
    wave = np.asarray(wave, np.float32)
    if len(wave) >= n:
        energy = np.convolve(wave.astype(np.float64) ** 2, np.ones(n), mode="valid")  # (S - n + 1,)
        start = int(np.argmax(energy))
        return wave[start : start + n]
    rng = np.random.default_rng(0)
    out = (1e-3 * rng.standard_normal(n)).astype(np.float32)
    off = (n - len(wave)) // 2
    out[off : off + len(wave)] += wave
    return out


@torch.no_grad()
def classify_wave(model: nn.Module, data: Supervised, wave: np.ndarray) -> np.ndarray:
    """A trained keyword spotter's class probabilities (C,) for a 16 kHz recording."""
    x = features(fit_clip(wave, data.meta["duration"]), data.meta)
    dev = next(model.parameters()).device
    was = model.training
    model.eval()
    try:
        return model(torch.as_tensor(x)[None, None].to(dev))[0].softmax(-1).cpu().numpy()
    finally:
        model.train(was)


@torch.no_grad()
def transcribe_wave(model: nn.Module, data: Supervised, wave: np.ndarray) -> str:
    """A trained CTC model's greedy transcript of a 16 kHz recording."""
    x = features(wave, data.meta)
    dev = next(model.parameters()).device
    was = model.training
    model.eval()
    try:
        lp = model(torch.as_tensor(x)[None].to(dev))[0].cpu()
    finally:
        model.train(was)
    return decode(ctc_greedy(lp), data.meta["alphabet"])
