"""Every training panel of every page, in its training state, under AppTest: no two elements share a
key (Streamlit refuses that with StreamlitDuplicateElementKey, which once crashed CNN → Degradation a few
seconds after Train), nothing raises, and no chart is too big to redraw at every tick. Each case reaches
one set of labs (a mode, an experiment, an architecture), presses Step on every training panel shown,
and reruns as the live view would."""

from __future__ import annotations

import pytest

import archs
from tests.apptest import open_page

GAN_ARCHS = ("gan", "dcgan", "infogan", "stylegan", "pix2pix")
CASES = [
    ("pages/feedforward.py", ()),
    ("pages/feedforward.py", (("segmented_control", "pg.mode", "Digits"),)),
    ("pages/cnn.py", ()),
    *[
        ("pages/detection.py", (("radio", "det.train.recipe", r),))
        for r in ("YOLO (one stage)", "Mask R-CNN (two stages)", "U-Net (semantic)")
    ],
    ("pages/rnn.py", (("radio", "rnn.exp", "Memory: RNN vs LSTM vs GRU"),)),
    ("pages/rnn.py", (("radio", "rnn.exp", "Dates with attention"),)),
    ("pages/rnn.py", (("radio", "rnn.exp", "Train the chosen architecture"),)),
    ("pages/forecasting.py", ()),
    *[("pages/transformers.py", (("selectbox", "tx.t.recipe", r),)) for r in ("char_gpt", "vit_digits")],
    ("pages/autoencoders.py", ()),
    *[("pages/gans.py", (("selectbox", "gan.arch", archs.get_arch(a)),)) for a in GAN_ARCHS],
    ("pages/diffusion.py", ()),
    ("pages/graph.py", ()),
    ("pages/rl.py", ()),
    ("pages/energy.py", ()),
    ("pages/ssl.py", ()),
    *[
        ("pages/beyond.py", (("radio", "beyond.mem.model", m),))
        for m in ("Neural Turing machine", "LSTM (no external memory)")
    ],
    ("pages/beyond.py", (("radio", "beyond.sel.model", "S4 (time-invariant)"),)),
    ("pages/audio.py", ()),
    ("pages/multimodal.py", ()),
    ("pages/continuous.py", ()),
    ("pages/capsules.py", ()),
    ("pages/autoregressive.py", ()),
    ("pages/flows.py", ()),
    ("pages/modern_vision.py", ()),
    ("pages/regularization.py", ()),
    ("pages/augmentation.py", ()),
    ("pages/compression.py", ()),
    ("pages/transfer.py", ()),
]


def _ids(case) -> str:
    path, actions = case
    chosen = [getattr(v, "name", v) for _, _, v in actions]
    return path.rsplit("/", 1)[-1][:-3] + ("-" + "-".join(map(str, chosen)) if chosen else "")


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_every_training_panel_steps_without_a_duplicate_key(case):
    path, actions = case
    at = open_page(path, timeout=240)
    for kind, key, value in actions:
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, [e.value for e in at.exception]
    steps = [b.key for b in at.button if b.key and b.key.endswith(".step") and not b.disabled]
    assert steps, "no training panel on this view"
    for key in steps:
        at.button(key=key).click().run()
        assert not at.exception, (key, [e.value for e in at.exception])
    at.run()  # the live views draw again from the new snapshot
    assert not at.exception, [e.value for e in at.exception]
    # live views are redrawn at every tick: a chart of megabytes (every pixel or weight as a JSON
    # number) left the browser seconds behind the run; each is a PNG, binary arrays or counts now
    sizes = {len(c.proto.spec) for c in at.get("plotly_chart")}
    assert max(sizes) < 250_000 and sum(sizes) < 1_000_000, sorted(sizes)[-3:]
