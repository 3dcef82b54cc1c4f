"""The audio figures stay small enough to redraw live: a second of audio is drawn as its min/max envelope
(every extreme kept, in time order), not 16,000 JSON numbers (the receptive-field chart was 366 kB)."""

from __future__ import annotations

import numpy as np

from data import audio
from viz.audio import receptive_field_figure, wave_envelope, waveform_figure


def test_the_envelope_keeps_every_bins_extremes_in_time_order():
    wave = audio.synth_word("seven", np.random.default_rng(0))
    t, y = wave_envelope(wave, audio.SAMPLE_RATE, points=800)
    assert len(t) <= 800 and np.all(np.diff(t) >= 0)
    assert y.max() == wave.max() and y.min() == wave.min()
    idx = np.rint(t * audio.SAMPLE_RATE).astype(int)
    assert np.array_equal(wave[idx], y)  # real samples at their own times
    short = wave[:300]
    assert np.array_equal(wave_envelope(short, audio.SAMPLE_RATE)[1], short)


def test_waveform_charts_of_a_second_of_audio_are_small():
    wave = audio.keyword_set(1, seed=0)["waves"][0]
    assert len(waveform_figure(wave, audio.SAMPLE_RATE).to_json()) < 60_000
    assert len(receptive_field_figure(wave, audio.SAMPLE_RATE, 400, 320, 10).to_json()) < 60_000
