"""Synthesised audio: words, keyword clips, word sequences, SNR, WAV checks, resampling."""

import io
import wave

import numpy as np
import pytest

from data import audio as A


def test_vocabulary_and_words():
    assert A.SAMPLE_RATE == 16000 and len(set(A.WORDS)) >= 10
    rng = np.random.default_rng(0)
    for w in A.WORDS:
        x = A.synth_word(w, rng)
        assert x.dtype == np.float32 and x.ndim == 1
        assert 0.15 <= len(x) / A.SAMPLE_RATE <= 0.65
        assert np.abs(x).max() <= 1.0 and np.sqrt(np.mean(x**2)) > 0.02


def test_speaker_variation_and_determinism():
    a = A.synth_word("seven", np.random.default_rng(1))
    b = A.synth_word("seven", np.random.default_rng(1))
    c = A.synth_word("seven", np.random.default_rng(2))
    np.testing.assert_array_equal(a, b)
    assert len(a) != len(c) or not np.allclose(a, c)
    with pytest.raises(ValueError, match="vocabulary"):
        A.synth_word("banana", np.random.default_rng(0))


def test_add_noise_hits_the_snr():
    rng = np.random.default_rng(0)
    x = 0.3 * np.sin(np.linspace(0, 400, 16000)).astype(np.float32)
    y = A.add_noise(x, 10.0, rng)
    snr = 10 * np.log10(np.mean(x**2) / np.mean((y - x) ** 2))
    assert abs(snr - 10.0) < 0.3


def test_keyword_set_is_balanced_and_seeded():
    d = A.keyword_set(48, seed=3, duration=0.8)
    assert d["waves"].shape == (48, 12800) and d["waves"].dtype == np.float32
    assert d["labels"].dtype == np.int64 and np.bincount(d["labels"]).tolist() == [4] * len(A.WORDS)
    assert d["words"] == A.WORDS
    np.testing.assert_array_equal(d["waves"], A.keyword_set(48, seed=3, duration=0.8)["waves"])


def test_word_sequences():
    d = A.word_sequences(6, min_words=2, max_words=3, seed=1)
    assert len(d["waves"]) == len(d["texts"]) == len(d["word_bounds"]) == 6
    for x, t, b in zip(d["waves"], d["texts"], d["word_bounds"], strict=True):
        words = t.split(" ")
        assert 2 <= len(words) <= 3 and all(w in A.WORDS for w in words) and len(b) == len(words)
        assert all(0 <= s < e <= len(x) for s, e in b)
        assert all(b[i][1] <= b[i + 1][0] for i in range(len(b) - 1))


def _wav(samples, width=2, sr=16000, ch=1):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as f:
        f.setnchannels(ch)
        f.setsampwidth(width)
        f.setframerate(sr)
        f.writeframes(samples)
    return buf.getvalue()


def test_wav_round_trip_and_checks():
    x = A.synth_word("nine", np.random.default_rng(0))
    y, sr = A.read_wav(A.to_wav_bytes(x, 16000))
    assert sr == 16000 and np.abs(y - x).max() < 1e-4
    stereo = np.repeat((x * 30000).astype("<i2"), 2).tobytes()
    assert A.read_wav(_wav(stereo, ch=2))[0].shape == x.shape
    with pytest.raises(ValueError, match="not a PCM WAV"):
        A.read_wav(b"RIFF nonsense, this is a text file")
    with pytest.raises(ValueError, match="at most 1 s"):
        A.read_wav(A.to_wav_bytes(np.tile(x, 8)), max_seconds=1.0)
    with pytest.raises(ValueError, match="silent"):
        A.read_wav(A.to_wav_bytes(np.zeros(8000)))
    u8 = _wav(((x * 100) + 128).astype(np.uint8).tobytes(), width=1)
    assert A.read_wav(u8)[0].shape == x.shape


def test_resample_keeps_a_tone():
    t = np.arange(44100) / 44100
    x = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    y = A.resample(x, 44100, 16000)
    assert len(y) == 16000
    f = np.fft.rfftfreq(len(y), 1 / 16000)[np.argmax(np.abs(np.fft.rfft(y)))]
    assert abs(f - 440) <= 1.0
