"""Synthesised speech-like audio: words from formants, pitch and noise; keyword clips, sequences, WAV I/O.

No recording is downloaded. A "word" is a deterministic recipe of phones (``PHONES``): vowels and glides
are voiced sounds whose spectral envelope has three resonances, the formants F1, F2, F3 (the classic
source-filter model of speech, Fant 1960; vowel formants after Peterson & Barney 1952); nasals are weak
voiced sounds with a low F1; fricatives are band-passed noise; stops are a short silence (the closure)
and a noise burst. Formants move linearly from one phone's target to the next, so a word is a
trajectory through formant space, as coarticulated speech is.

Synthesis is additive and vectorised: the voiced source is a sum of harmonics k·f0(t) of a pitch
contour f0(t), each harmonic weighted by the formant envelope at its frequency and time; noise bands
are shaped in the Fourier domain. Each call draws a new "speaker": base pitch, speaking rate, a
formant scale (vocal-tract length), phone-duration jitter, a gain. Recognising a word therefore means
recognising its formant trajectory across speakers, which is the real task.

Loaders (seeded, cheap: about a millisecond per word):

- ``keyword_set``: one word per fixed-length clip at a random offset, white background noise at a
  chosen signal-to-noise ratio (keyword spotting);
- ``word_sequences``: 1 to 4 words with short pauses, their text and word boundaries (transcription).

``read_wav`` checks an uploaded file; errors are ValueErrors whose message is a sentence without its final
period (the caller adds it), as elsewhere in ``data``.
"""

from __future__ import annotations

import io
import wave as wavmod

import numpy as np

SAMPLE_RATE = 16000

# phone: (kind, formants or noise band, relative duration). kinds: "v" vowel/glide, "d" diphthong (two
# formant targets), "n" nasal, "f" unvoiced fricative, "z" voiced fricative, "s" stop (closure + burst).
PHONES: dict[str, tuple[str, tuple, float]] = {
    "iy": ("v", (270, 2290, 3010), 1.0),
    "ih": ("v", (390, 1990, 2550), 0.8),
    "eh": ("v", (530, 1840, 2480), 0.9),
    "ae": ("v", (660, 1720, 2410), 1.0),
    "ah": ("v", (640, 1190, 2390), 0.9),
    "ao": ("v", (570, 840, 2410), 1.0),
    "uw": ("v", (300, 870, 2240), 1.0),
    "er": ("v", (490, 1350, 1690), 0.9),
    "ay": ("d", ((730, 1090, 2440), (300, 2200, 2950)), 1.5),
    "ey": ("d", ((530, 1840, 2480), (300, 2250, 2950)), 1.4),
    "ow": ("d", ((570, 900, 2400), (320, 800, 2250)), 1.4),
    "w": ("v", (300, 610, 2200), 0.5),
    "r": ("v", (420, 1300, 1600), 0.5),
    "y": ("v", (260, 2300, 3000), 0.45),
    "n": ("n", (250, 1700, 2600), 0.6),
    "s": ("f", (4500, 8000), 0.8),
    "f": ("f", (1200, 7000), 0.7),
    "th": ("f", (2500, 7500), 0.6),
    "z": ("z", (4000, 8000), 0.7),
    "v": ("z", (1200, 6000), 0.55),
    "t": ("s", (3000, 6500), 0.45),
    "k": ("s", (1500, 3200), 0.45),
}
LEXICON: dict[str, tuple[str, ...]] = {
    "zero": ("z", "iy", "r", "ow"),
    "one": ("w", "ah", "n"),
    "two": ("t", "uw"),
    "three": ("th", "r", "iy"),
    "four": ("f", "ao", "er"),
    "five": ("f", "ay", "v"),
    "six": ("s", "ih", "k", "s"),
    "seven": ("s", "eh", "v", "ah", "n"),
    "eight": ("ey", "t"),
    "nine": ("n", "ay", "n"),
    "yes": ("y", "eh", "s"),
    "no": ("n", "ow"),
}
WORDS: tuple[str, ...] = tuple(LEXICON)
PHONE_MS = 125.0  # one relative-duration unit at rate 1
BANDWIDTHS = np.array([90.0, 110.0, 170.0])  # formant bandwidths (Hz)
FORMANT_GAINS = np.array([1.0, 0.55, 0.3])


def _speaker(rng: np.random.Generator) -> dict:
    """One random speaker: base pitch (Hz), speaking rate, formant scale (vocal-tract length), gain."""
    return {
        "f0": float(rng.uniform(90.0, 230.0)),
        "rate": float(rng.uniform(0.85, 1.2)),
        "scale": float(rng.uniform(0.9, 1.12)),
        "gain": float(rng.uniform(0.45, 0.9)),
        "slope": float(rng.uniform(-0.25, 0.05)),  # pitch declination over the word
    }


def _durations(phones, spk, rng, sample_rate):
    """Sample count of each phone: relative duration x rate x ±12 % jitter."""
    ms = [PHONES[p][2] * PHONE_MS / spk["rate"] * rng.uniform(0.88, 1.12) for p in phones]
    return [max(8, int(m * sample_rate / 1000.0)) for m in ms]


def _formant_tracks(phones, starts, lens, n, scale):
    """(3, n) formant frequencies: linear moves between the targets of the voiced phones."""
    times, targets = [], []
    for p, s, ln in zip(phones, starts, lens, strict=True):
        kind, spec, _ = PHONES[p]
        if kind in ("v", "n"):
            times.append(s + ln / 2)
            targets.append(spec)
        elif kind == "d":
            times += [s + 0.2 * ln, s + 0.85 * ln]
            targets += list(spec)
    if not times:  # a word without voiced phones: a neutral tract
        times, targets = [0.0], [(500, 1500, 2500)]
    t = np.arange(n)
    tg = np.asarray(targets, dtype=np.float64) * scale  # (P, 3)
    return np.stack([np.interp(t, times, tg[:, i]) for i in range(3)])  # (3, n)


def _smooth(env: np.ndarray, width: int) -> np.ndarray:
    """Soften an on/off envelope with a Hann kernel of ``width`` samples (no clicks at phone edges)."""
    k = np.hanning(max(3, width))
    return np.convolve(env, k / k.sum(), mode="same")


def _voiced(f0, tracks, amp, sample_rate, n_fft=256, hop=64):
    """Glottal pulse train at f0(t) shaped frame by frame by the formant envelope (overlap-add): (n,).

    Each 16 ms frame of the pulse train is multiplied in the Fourier domain by the sum of three resonance
    curves centred on the frame's formants (F1, F2, F3) and a source tilt; frames overlap-add back with a
    Hann window at hop n_fft/4 (the windows then sum to a constant).
    """
    n = len(f0)
    phase = np.cumsum(f0) / sample_rate  # cycles
    src = np.zeros(n + n_fft)
    src[np.flatnonzero(np.diff(np.floor(phase), prepend=0.0) > 0)] = 1.0
    src[:n] *= amp
    win = np.hanning(n_fft + 1)[:-1]
    freq = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)  # (F,)
    out = np.zeros(n + n_fft)
    for s in range(0, n, hop):
        c = min(n - 1, s + n_fft // 2)
        fr = tracks[:, c][:, None]  # (3, 1)
        env = (FORMANT_GAINS[:, None] / (1.0 + ((freq[None] - fr) / BANDWIDTHS[:, None]) ** 2)).sum(0)
        env /= np.sqrt(1.0 + freq / 300.0)  # spectral tilt of the glottal source
        out[s : s + n_fft] += np.fft.irfft(np.fft.rfft(src[s : s + n_fft] * win) * env, n_fft)
    return out[:n] * np.sqrt(f0 / 100.0) * 57.0  # about unit RMS for a steady vowel at 120 Hz


def _noise_band(n, band, rng, sample_rate):
    """n samples of white noise band-passed to ``band`` (Hz) in the Fourier domain, unit RMS."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / sample_rate)
    lo, hi = band
    spec *= np.exp(-0.5 * (np.maximum(lo - f, 0) / 300.0) ** 2 - 0.5 * (np.maximum(f - hi, 0) / 600.0) ** 2)
    x = np.fft.irfft(spec, n)
    return x / (np.sqrt(np.mean(x**2)) + 1e-9)


def synth_word(word: str, rng: np.random.Generator, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """One spoken-word-like signal: float32 mono in [-1, 1], about 0.25-0.5 s, a new speaker per call."""
    if word not in LEXICON:
        raise ValueError(f"Unknown word {word!r}: the vocabulary is {', '.join(WORDS)}")
    phones = LEXICON[word]
    spk = _speaker(rng)
    lens = _durations(phones, spk, rng, sample_rate)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(int)
    n = int(sum(lens))
    tracks = _formant_tracks(phones, starts, lens, n, spk["scale"])
    voicing = np.zeros(n)
    out = np.zeros(n)
    for p, s, ln in zip(phones, starts, lens, strict=True):
        kind, spec, _ = PHONES[p]
        if kind in ("v", "d"):
            voicing[s : s + ln] = 1.0
        elif kind == "n":
            voicing[s : s + ln] = 0.35
        elif kind == "z":
            voicing[s : s + ln] = 0.25
        if kind in ("f", "z"):
            out[s : s + ln] += 0.25 * _noise_band(ln, spec, rng, sample_rate) * np.hanning(ln)
        elif kind == "s":  # closure (silence) for 60 %, then a decaying burst
            b0 = s + int(0.6 * ln)
            bl = s + ln - b0
            decay = np.exp(-np.arange(bl) / (bl / 3))
            out[b0 : s + ln] += 0.45 * _noise_band(bl, spec, rng, sample_rate) * decay
    t = np.arange(n) / n
    f0 = spk["f0"] * (1.0 + 0.08 * np.sin(np.pi * t) + spk["slope"] * t)  # rise-fall with declination
    f0 *= 1.0 + 0.01 * rng.standard_normal() * np.sin(2 * np.pi * 5.0 * np.arange(n) / sample_rate)
    out += _voiced(f0, tracks, _smooth(voicing, int(0.012 * sample_rate)), sample_rate) * 0.35
    fade = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (0.005 * sample_rate))
    out *= fade
    out = out / (np.abs(out).max() + 1e-9) * spk["gain"]
    return out.astype(np.float32)


def add_noise(wave: np.ndarray, snr_db: float, rng: np.random.Generator, signal_power: float | None = None):
    """``wave`` plus white Gaussian noise whose power is ``snr_db`` decibels under the signal's power.

    SNR = 10·log10(P_signal / P_noise). ``signal_power`` defaults to the mean square of ``wave``; pass the
    power of the speech alone when ``wave`` is mostly silence (a padded clip). Clipped to [-1, 1], float32.
    """
    p = float(np.mean(np.square(wave))) if signal_power is None else float(signal_power)
    sigma = np.sqrt(p / (10.0 ** (snr_db / 10.0)))
    return np.clip(wave + sigma * rng.standard_normal(wave.shape), -1.0, 1.0).astype(np.float32)


def keyword_set(n: int, snr_db: float = 20.0, seed: int = 0, duration: float = 1.0,
                words: tuple[str, ...] = WORDS) -> dict:
    """``n`` clips of ``duration`` s, one word each at a random offset, noise at ``snr_db`` (speech power).

    Returns dict(waves (n, S) float32, labels (n,) int64 indices into ``words``, words, sample_rate,
    offsets (n,) the sample where each word starts). Labels cycle through the vocabulary, then are shuffled,
    so classes are balanced.
    """
    rng = np.random.default_rng(seed)
    S = int(duration * SAMPLE_RATE)
    labels = rng.permutation(np.arange(n) % len(words)).astype(np.int64)
    waves = np.zeros((n, S), np.float32)
    offsets = np.zeros(n, np.int64)
    for i, lab in enumerate(labels):
        w = synth_word(words[lab], rng)[:S]
        off = int(rng.integers(0, S - len(w) + 1))
        waves[i, off : off + len(w)] = w
        offsets[i] = off
        waves[i] = add_noise(waves[i], snr_db, rng, signal_power=float(np.mean(w**2)))
    return {"waves": waves, "labels": labels, "words": tuple(words), "sample_rate": SAMPLE_RATE,
            "offsets": offsets}


def word_sequences(n: int, min_words: int = 1, max_words: int = 4, snr_db: float = 30.0, seed: int = 0,
                   vocab: tuple[str, ...] = WORDS) -> dict:
    """``n`` utterances of ``min_words``..``max_words`` words with 40-150 ms pauses and noise at ``snr_db``.

    Returns dict(waves list of float32 arrays (lengths differ), texts list of str (words joined by single
    spaces), word_bounds list of [(start, end)] in samples, sample_rate).
    """
    if not 1 <= min_words <= max_words:
        raise ValueError(f"Need 1 <= min_words ({min_words}) <= max_words ({max_words})")
    rng = np.random.default_rng(seed)
    waves, texts, bounds = [], [], []
    for _ in range(n):
        k = int(rng.integers(min_words, max_words + 1))
        words = [vocab[int(i)] for i in rng.integers(0, len(vocab), size=k)]
        parts, b, pos = [], [], 0
        spk = rng.integers(0, 2**31)  # one speaker per utterance: same seed stream for its words
        wrng = np.random.default_rng(int(spk))
        for w in words:
            gap = np.zeros(int(rng.uniform(0.04, 0.15) * SAMPLE_RATE), np.float32)
            x = synth_word(w, np.random.default_rng(wrng.integers(0, 2**31)))
            parts += [gap, x]
            b.append((pos + len(gap), pos + len(gap) + len(x)))
            pos += len(gap) + len(x)
        parts.append(np.zeros(int(0.08 * SAMPLE_RATE), np.float32))
        sig = np.concatenate(parts)
        speech = np.concatenate([sig[s:e] for s, e in b])
        waves.append(add_noise(sig, snr_db, rng, signal_power=float(np.mean(speech**2))))
        texts.append(" ".join(words))
        bounds.append(b)
    return {"waves": waves, "texts": texts, "word_bounds": bounds, "sample_rate": SAMPLE_RATE}


def read_wav(data: bytes, max_seconds: float = 10.0) -> tuple[np.ndarray, int]:
    """Decode an uploaded WAV (PCM 8/16/24/32-bit, any channel count) to float32 mono in [-1, 1].

    Raises ValueError (a sentence without final period) for a file that is not a WAV, is longer than
    ``max_seconds``, has an unsupported sample width, or is silent.
    """
    try:
        with wavmod.open(io.BytesIO(data), "rb") as f:
            ch, width, sr, frames = f.getnchannels(), f.getsampwidth(), f.getframerate(), f.getnframes()
            if sr <= 0:
                raise ValueError("The WAV file states a sample rate of 0 Hz")
            if frames / sr > max_seconds:
                raise ValueError(f"The recording lasts {frames / sr:.1f} s; upload at most {max_seconds:g} s")
            raw = f.readframes(frames)
    except (wavmod.Error, EOFError) as e:
        msg = f"This file is not a PCM WAV file ({e}); save it as WAV (16-bit PCM) and retry"
        raise ValueError(msg) from e
    if width == 1:
        x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        x = (np.where(v >= 2**23, v - 2**24, v)).astype(np.float32) / 2**23
    elif width == 4:
        x = np.frombuffer(raw, "<i4").astype(np.float32) / 2**31
    else:
        raise ValueError(f"Samples of {width} bytes are not supported; use 8, 16, 24 or 32-bit PCM")
    if x.size == 0:
        raise ValueError("The WAV file holds no samples")
    x = x[: (x.size // ch) * ch].reshape(-1, ch).mean(1)  # (S,) mono
    if np.abs(x).max() < 1e-3:
        raise ValueError("The recording is silent (its loudest sample is under 0.1 % of full scale)")
    return x.astype(np.float32), int(sr)


def to_wav_bytes(wave: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """16-bit PCM mono WAV bytes of a float wave in [-1, 1] (clipped)."""
    pcm = (np.clip(np.asarray(wave, np.float64), -1.0, 1.0) * 32767.0).round().astype("<i2")
    buf = io.BytesIO()
    with wavmod.open(buf, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(int(sample_rate))
        f.writeframes(pcm.tobytes())
    return buf.getvalue()


def resample(wave: np.ndarray, sr_from: int, sr_to: int) -> np.ndarray:
    """Resample by linear interpolation, after a windowed-sinc low-pass at the new Nyquist when going down.

    Good enough for speech-band uploads (the energy that matters sits under 4 kHz); float32 out.
    """
    x = np.asarray(wave, np.float64)
    if sr_from == sr_to:
        return x.astype(np.float32)
    if sr_to < sr_from:  # anti-alias: cut at 0.9 of the new Nyquist
        fc = 0.45 * sr_to / sr_from  # cycles per input sample
        taps = np.arange(-32, 33)
        h = 2 * fc * np.sinc(2 * fc * taps) * np.hamming(len(taps))
        x = np.convolve(x, h / h.sum(), mode="same")
    n_out = int(round(len(x) * sr_to / sr_from))
    t = np.arange(n_out) * (sr_from / sr_to)
    return np.interp(t, np.arange(len(x)), x).astype(np.float32)
