"""The Speech & audio page under AppTest: every tab draws; the Whisper preset sets the front end's
sliders; uploads are checked (not a WAV, too long, silent, an unusable sample rate: a sentence each) and a
good one is drawn and, once a keyword spotter has trained, classified; the keyword-spotting lab draws its
confusion matrix and SNR curve after a step; the CTC lab draws the alignment path."""

from __future__ import annotations

import numpy as np

from data import audio
from tests.apptest import chart, errors, on_tab, open_page, plotly_values, poll

TABS = ["Idea", "Spectrograms", "Keyword spotting", "CTC", "Wav2Vec 2.0", "Whisper", "Architectures"]


def _spec_tab(**state):
    return on_tab("pages/audio.py", "audio.tab", "Spectrograms", timeout=240, **state)


def test_page_draws_every_tab_with_formulas():
    at = open_page("pages/audio.py", timeout=300)
    assert set(TABS) | {"Graph", "Summary"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 3
    assert at.selectbox(key="audio.arch").value.name == "kws_cnn"
    mel = chart(at, "audio.spec.mel")
    assert mel is not None and plotly_values(mel["data"][0]["z"]).shape[0] == 80
    assert chart(at, "audio.spec.wave") is not None and chart(at, "audio.spec.fb") is not None


def test_each_tab_draws_alone():
    for tab in TABS:
        on_tab("pages/audio.py", "audio.tab", tab, timeout=240)


def test_whisper_preset_sets_the_front_end():
    at = _spec_tab(audio__spec__nfft=128, audio__spec__win=128, audio__spec__hop=64, audio__spec__mels=40)
    assert plotly_values(chart(at, "audio.spec.mel")["data"][0]["z"]).shape[0] == 40
    at.button(key="audio.spec.whisper").click().run()
    assert not at.exception
    assert [at.session_state[f"audio.spec.{k}"] for k in ("nfft", "win", "hop", "mels")] == [
        400,
        400,
        160,
        80,
    ]
    z = plotly_values(chart(at, "audio.spec.mel")["data"][0]["z"])
    assert z.shape[0] == 80


def _upload(at, body: bytes, name: str = "mine.wav"):
    if at.radio(key="audio.spec.src").value != "Upload a WAV":
        at.radio(key="audio.spec.src").set_value("Upload a WAV").run()
    at.get("file_uploader")[0].set_value((name, body, "audio/wav"))
    return at.run()


def test_uploads_are_checked_and_a_good_one_is_drawn():
    at = _spec_tab()
    word = audio.synth_word("nine", np.random.default_rng(0))
    at = _upload(at, audio.to_wav_bytes(audio.resample(word, 16000, 44100), 44100))
    assert not at.exception and not errors(at)
    assert any("Resampled from 44100 Hz" in c.value for c in at.caption)
    assert chart(at, "audio.spec.mel") is not None
    bad = [
        (b"this is not a sound", "not a PCM WAV"),
        (audio.to_wav_bytes(np.tile(word, 60)), "upload at most 10 s"),
        (audio.to_wav_bytes(np.zeros(8000)), "silent"),
        (audio.to_wav_bytes(word[::4], 4000), "sample rate is 4000 Hz"),
    ]
    for body, message in bad:
        at = _upload(at, body)
        assert not at.exception
        assert any(message in e for e in errors(at)), (message, errors(at))


def test_a_keyword_spotting_step_draws_the_confusion_matrix_and_classifies_an_upload():
    at = open_page("pages/audio.py", timeout=300)
    at.selectbox(key="audio.kws.nstep").set_value(10).run()
    at.button(key="audio.kws.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    conf = plotly_values(chart(at, "audio.kws.view.conf")["data"][0]["z"])
    assert conf.shape == (12, 12) and conf.sum() == 240
    assert chart(at, "audio.kws.view.snr") is not None
    # the Spectrograms tab draws before the lab: on the next run it finds the trained model
    poll(at, lambda a: any("Your keyword spotter" in m.value for m in a.markdown), timeout=60)


def test_a_ctc_step_draws_the_alignment_path():
    at = on_tab("pages/audio.py", "audio.tab", "CTC", timeout=300)
    at.button(key="audio.ctc.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    fig = chart(at, "audio.ctc.view.ctc")
    assert [d["type"] for d in fig["data"]] == ["heatmap", "heatmap", "scatter"]
    assert any("Reference:" in m.value for m in at.markdown)
