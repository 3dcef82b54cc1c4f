"""The audio front end in plain torch: STFT, mel filterbank, log-mel spectrogram (Whisper's recipe).

torchaudio is not a dependency (its wheels need CUDA here), so the three steps are written out:

1. ``stft``: short-time Fourier transform with ``torch.stft`` (centred frames, reflect padding, periodic
   Hann window, as Whisper and librosa do). A frame of ``n_fft`` samples every ``hop_length`` samples;
   Whisper uses 400 samples (25 ms) every 160 (10 ms) at 16 kHz.
2. ``mel_filterbank``: triangular filters evenly spaced on the mel scale (Slaney's: linear under 1 kHz,
   logarithmic above), area-normalised ("slaney" norm): the same numbers as ``librosa.filters.mel`` and
   Whisper's ``mel_filters.npz`` (tested against ``transformers``).
3. ``log_mel_spectrogram``: Whisper's features (Radford et al. 2022, "Robust Speech Recognition via
   Large-Scale Weak Supervision", arXiv:2212.04356): power spectrum, drop the last frame, mel filters,
   log10 of max(., 1e-10), clamp to 8 decades under the maximum, then (x + 4) / 4.

``MelFrontend`` wraps step 3 as an ``nn.Module`` (filters and window as non-persistent buffers: no
weights), so a model can take waveforms directly.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

WINDOWS = ("hann", "hamming", "rectangular")


def make_window(win_length: int, window: str = "hann", device=None) -> torch.Tensor:
    """Periodic analysis window of ``win_length`` samples (torch's default periodic Hann, as Whisper)."""
    if window == "hann":
        return torch.hann_window(win_length, device=device)
    if window == "hamming":
        return torch.hamming_window(win_length, device=device)
    if window == "rectangular":
        return torch.ones(win_length, device=device)
    raise ValueError(f"window must be one of {WINDOWS}, not {window!r}")


def stft(wave: torch.Tensor, n_fft: int = 400, hop_length: int = 160, win_length: int | None = None,
         window: str = "hann") -> torch.Tensor:
    """Complex STFT (B, n_fft//2+1, frames) of ``wave`` (B, S) or (S,) -> (1, F, frames).

    Frames are centred (the signal is reflect-padded by n_fft//2 at both ends), so there are
    1 + S // hop_length of them; a window shorter than ``n_fft`` is zero-padded at both sides.
    """
    wave = torch.as_tensor(wave, dtype=torch.float32)
    if wave.dim() == 1:
        wave = wave[None]  # (1, S)
    win_length = n_fft if win_length is None else win_length
    if not 0 < win_length <= n_fft:
        raise ValueError(f"win_length ({win_length}) must lie in 1..n_fft ({n_fft})")
    w = make_window(win_length, window, device=wave.device)
    return torch.stft(wave, n_fft, hop_length, win_length, window=w, center=True, pad_mode="reflect",
                      return_complex=True)  # (B, F, frames)


def hz_to_mel(f, mel_scale: str = "slaney"):
    """Hz -> mel (numpy). "htk": 2595·log10(1 + f/700); "slaney": 3 mel per 200 Hz under 1 kHz, log above."""
    f = np.asarray(f, dtype=np.float64)
    if mel_scale == "htk":
        return 2595.0 * np.log10(1.0 + f / 700.0)
    logstep = math.log(6.4) / 27.0
    return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / logstep, f / (200.0 / 3))


def mel_to_hz(m, mel_scale: str = "slaney"):
    """mel -> Hz (numpy), the inverse of ``hz_to_mel``."""
    m = np.asarray(m, dtype=np.float64)
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    logstep = math.log(6.4) / 27.0
    return np.where(m >= 15.0, 1000.0 * np.exp(logstep * (m - 15.0)), m * (200.0 / 3))


def mel_filterbank(n_mels: int = 80, n_fft: int = 400, sample_rate: int = 16000, f_min: float = 0.0,
                   f_max: float | None = None, norm: str | None = "slaney",
                   mel_scale: str = "slaney") -> torch.Tensor:
    """(n_mels, n_fft//2+1) triangular filters, their corners evenly spaced in mel from f_min to f_max.

    Filter m rises from corner m to corner m+1 and falls to corner m+2 (corners in Hz, interpolated on the
    FFT bin frequencies). norm="slaney" divides each by its width in Hz / 2, so every filter has the same
    area: a broad high band does not collect more energy than a narrow low one just by being broad.
    Computed in float64 numpy (so also under a meta default device), returned as a float32 CPU tensor.
    """
    f_max = sample_rate / 2 if f_max is None else f_max
    if not 0 <= f_min < f_max <= sample_rate / 2:
        raise ValueError(f"Need 0 <= f_min ({f_min}) < f_max ({f_max}) <= sample_rate/2 ({sample_rate / 2})")
    fft_f = np.linspace(0, sample_rate / 2, n_fft // 2 + 1)  # (F,)
    hz = mel_to_hz(np.linspace(hz_to_mel(f_min, mel_scale), hz_to_mel(f_max, mel_scale), n_mels + 2),
                   mel_scale)  # (n_mels + 2,) corner frequencies
    widths = np.diff(hz)  # (n_mels + 1,)
    ramps = hz[:, None] - fft_f[None, :]  # (n_mels + 2, F)
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    fb = np.maximum(0.0, np.minimum(lower, upper))  # (n_mels, F)
    if norm == "slaney":
        fb = fb * (2.0 / (hz[2:] - hz[:-2]))[:, None]
    return torch.from_numpy(fb.astype(np.float32))


def power_to_whisper_log(mel: torch.Tensor) -> torch.Tensor:
    """Whisper's scaling of a mel power spectrogram (B, M, T): log10, 8 decades under each example's max,
    then (x + 4) / 4, which puts speech roughly in [-1, 1]."""
    log = mel.clamp_min(1e-10).log10()
    peak = log.amax(dim=(-2, -1), keepdim=True)  # (B, 1, 1)
    log = torch.maximum(log, peak - 8.0)
    return (log + 4.0) / 4.0


def log_mel_spectrogram(wave: torch.Tensor, n_mels: int = 80, n_fft: int = 400, hop_length: int = 160,
                        sample_rate: int = 16000, whisper: bool = True, win_length: int | None = None,
                        window: str = "hann", filters: torch.Tensor | None = None) -> torch.Tensor:
    """(B, n_mels, frames) log-mel features of ``wave`` (B, S) or (S,).

    whisper=True: Whisper's recipe exactly (S // hop frames: the last centred frame is dropped; log10,
    max-8 clamp, (x+4)/4). whisper=False: natural log of the mel power, log(mel + 1e-6), all 1 + S // hop
    frames (the usual features of keyword spotters).
    """
    spec = stft(wave, n_fft, hop_length, win_length, window)  # (B, F, frames)
    power = spec.abs() ** 2
    if whisper:
        power = power[..., :-1]
    fb = mel_filterbank(n_mels, n_fft, sample_rate) if filters is None else filters
    mel = torch.matmul(fb.to(power.device), power)  # (B, M, T)
    return power_to_whisper_log(mel) if whisper else torch.log(mel + 1e-6)


class MelFrontend(nn.Module):
    """Waveform (B, S) -> log-mel (B, n_mels, frames): a parameter-free first layer (see module docstring)."""

    def __init__(self, n_mels: int = 80, n_fft: int = 400, hop_length: int = 160, sample_rate: int = 16000,
                 whisper: bool = True):
        super().__init__()
        self.n_mels, self.n_fft, self.hop_length, self.whisper = n_mels, n_fft, hop_length, whisper
        self.sample_rate = sample_rate
        here = torch.empty(0).device  # the default device: meta when the model is built on meta
        self.register_buffer("filters", mel_filterbank(n_mels, n_fft, sample_rate).to(here), persistent=False)
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)

    def num_frames(self, num_samples: int) -> int:
        """Frames out for ``num_samples`` samples in."""
        return num_samples // self.hop_length + (0 if self.whisper else 1)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        if wave.dim() == 1:
            wave = wave[None]  # (1, S)
        spec = torch.stft(wave, self.n_fft, self.hop_length, window=self.window, center=True,
                          pad_mode="reflect", return_complex=True)  # (B, F, frames)
        power = spec.abs() ** 2
        if self.whisper:
            power = power[..., :-1]
        mel = torch.matmul(self.filters, power)  # (B, M, T)
        return power_to_whisper_log(mel) if self.whisper else torch.log(mel + 1e-6)

    def extra_repr(self) -> str:
        return (f"n_mels={self.n_mels}, n_fft={self.n_fft}, hop_length={self.hop_length}, "
                f"whisper={self.whisper}")
