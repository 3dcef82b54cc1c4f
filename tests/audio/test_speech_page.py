"""The speech tabs (ui/audio/speech.py) under AppTest, run by a small script that draws both: Wav2Vec 2.0's
25 ms window and 20 ms hop on a waveform, the mask and the contrastive choice computed by the tiny model;
Whisper's live training draws transcripts and the cross-attention after ten steps."""

from __future__ import annotations

import numpy as np

from tests.apptest import chart, plotly_values

SCRIPT = """
import streamlit as st

from ui.audio.speech import wav2vec2_tab, whisper_tab
from ui.boot import ensure_app

ensure_app()
a, b = st.tabs(["Wav2Vec 2.0", "Whisper"])
with a:
    wav2vec2_tab()
with b:
    whisper_tab()
"""


def _app(tmp_path, **state):
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "speech_page.py"
    path.write_text(SCRIPT)
    at = AppTest.from_file(str(path), default_timeout=240)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_wav2vec2_tab_draws_the_window_the_hop_the_mask_and_the_contrastive_choice(tmp_path):
    at = _app(tmp_path, **{"audio.w2v.frame": 10, "audio.w2v.k": 20})
    field = chart(at, "audio.w2v.field")
    shaded = [s for s in field["layout"]["shapes"] if s.get("fillcolor") != "rgba(0,0,0,0)"]
    (win,) = shaded
    assert win["x1"] - win["x0"] == 25.0 and win["x0"] == 10 * 20.0  # frame 10: 25 ms from 200 ms
    starts = plotly_values(field["data"][1]["x"])
    assert np.allclose(np.diff(starts), 20.0)  # a frame every 20 ms
    mask = plotly_values(chart(at, "audio.w2v.mask")["data"][0]["z"])
    assert mask.shape == (2, 49) and (mask.sum(1) >= 10).all()  # at least two spans of 10 per clip
    probs = plotly_values(chart(at, "audio.w2v.contrastive")["data"][0]["z"])
    assert probs.shape[1] == 21 and np.allclose(probs.sum(1), 1, atol=1e-4)
    assert len(at.latex) >= 1 and len(at.metric) >= 4


def test_whisper_tab_trains_and_draws_transcripts_and_cross_attention(tmp_path):
    at = _app(tmp_path)
    assert chart(at, "audio.whisper.train.view.cross") is None  # nothing before training
    at.selectbox(key="audio.whisper.train.nstep").set_value(10).run()
    at.button(key="audio.whisper.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    cross = chart(at, "audio.whisper.train.view.cross")
    assert cross is not None
    mel, att = (plotly_values(t["z"]) for t in cross["data"][:2])
    assert mel.shape == (80, 160) and att.shape[1] == 80
    assert np.allclose(att.sum(1), 1, atol=1e-3)  # each written token's attention over the sound
    assert at.dataframe and len(at.dataframe[0].value) == 6
