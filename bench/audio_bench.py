"""Audio: seconds of audio processed per second of CPU time, for the mel front end (archs.audio.frontend)
and the keyword spotter kws_cnn, one thread. ``python -m bench.audio_bench`` prints one JSON row per
measurement (``--quick``: fewer repeats and clips).

Rows:
- ``log-mel 80 (Whisper)``: our plain-torch Whisper features of a batch of 1 s clips, against the numpy
  path of ``transformers``' WhisperFeatureExtractor on the same clips (the baseline; ratio = ours / theirs,
  > 1 is faster), when transformers is installed;
- ``log-mel 40 (kws)``: the 40-band features the keyword spotter reads;
- ``kws_cnn tiny`` / ``kws_cnn canonical (res8)``: front end + network, batch of 64 clips of 1 s, eval mode.

Each time is the median of ``repeats`` runs after a warm-up; audio s/s = clips × seconds per clip / time.

Measured 2026-12-03, one thread, 2 cores shared with three other helpers' jobs, 64 clips of 1 s:

    log-mel 80 (Whisper)     1,227 audio s/s   (transformers' numpy extractor: 101; ratio 12.2)
    log-mel 40 (kws)         1,437 audio s/s
    kws_cnn tiny (9,564)       657 audio s/s   (front end included)
    kws_cnn res8 (110,307)     247 audio s/s
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import torch

import archs
from archs.audio.frontend import log_mel_spectrogram
from data.audio import SAMPLE_RATE, keyword_set


def _median_s(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rows(repeats: int = 20, clips: int = 64) -> list[dict]:
    torch.set_num_threads(1)
    waves = keyword_set(clips, seed=0, duration=1.0)["waves"]  # (N, 16000)
    audio_s = clips * waves.shape[1] / SAMPLE_RATE
    x = torch.from_numpy(waves)
    out = []

    def row(name: str, seconds: float, **extra) -> dict:
        r = dict(name=name, clips=clips, seconds=round(seconds, 5), audio_s_per_s=round(audio_s / seconds, 1))
        r.update(extra)
        out.append(r)
        return r

    whisper = row("log-mel 80 (Whisper)", _median_s(lambda: log_mel_spectrogram(x), repeats))
    try:
        from transformers import WhisperFeatureExtractor

        fe = WhisperFeatureExtractor()
        ref = _median_s(
            lambda: [fe._np_extract_fbank_features(w[None], "cpu") for w in waves], max(3, repeats // 4)
        )
        whisper["baseline"] = "transformers WhisperFeatureExtractor (numpy)"
        whisper["baseline_audio_s_per_s"] = round(audio_s / ref, 1)
        whisper["ratio"] = round(ref / whisper["seconds"], 2)
    except ImportError:
        whisper["baseline"] = None
    row("log-mel 40 (kws)", _median_s(lambda: log_mel_spectrogram(x, 40, 400, 160, whisper=False), repeats))
    for preset in ("tiny", "canonical"):
        model = archs.build_model("kws_cnn", preset).eval()

        def run(model=model):
            with torch.no_grad():
                return model(log_mel_spectrogram(x, 40, 400, 160, whisper=False)[:, None])

        row(f"kws_cnn {preset}", _median_s(run, repeats), params=sum(p.numel() for p in model.parameters()))
    return out


def main(argv: list[str]) -> list[dict]:
    quick = "--quick" in argv
    out = rows(repeats=3 if quick else 20, clips=16 if quick else 64)
    for r in out:
        print(json.dumps(r))
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
