"""kws_synth reaches 95 % held-out accuracy at its default SNR; ctc_synth a held-out CER of at most 0.1.

Measured (seed 0, one thread): kws_synth 0.996 after its 300 steps (accuracy against SNR: 0 dB 0.22,
5 dB 0.68, 10 dB 0.97, 20 dB and 30 dB 1.0); ctc_synth CER 0.0 after its 300 steps (0.035 at step 200).
"""

import json

import pytest
import torch

from training.recipes import get_recipe


@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _trained(name):
    t = get_recipe(name).trainer(seed=0)
    t.step(t.num_steps)
    assert t.status == "done", t.message
    return t


def test_kws_synth_accuracy_and_snapshot():
    t = _trained("kws_synth")
    assert t.last_eval()["accuracy"] >= 0.95
    snap = t.snapshot()
    conf = snap["confusion"]
    assert len(conf) == len(snap["words"]) == 12 and sum(map(sum, conf)) == len(t.data.y_test)
    acc = snap["snr_accuracy"]
    assert acc[20.0] >= 0.9 and acc[0.0] < acc[30.0]  # noise hurts: the curve says so
    assert len(snap["example"]["mel"]) == 40
    assert len(json.dumps({k: snap[k] for k in ("confusion", "snr_accuracy", "example", "words")})) < 200_000


def test_ctc_synth_cer_and_alignment():
    t = _trained("ctc_synth")
    ev = t.last_eval()
    assert ev["cer"] <= 0.1, ev
    ex = t.snapshot()["example"]
    assert len(ex["alignment"]) == len(ex["log_probs"])
    assert set(ex) >= {"mel", "log_probs", "reference", "hypothesis", "alignment", "subsample"}
    syms = t.data.meta["alphabet"]
    spelled, last = [], None
    for s in ex["alignment"]:
        if s != last and s != 0:
            spelled.append(syms[s])
        last = s
    assert "".join(spelled) == ex["reference"]
    assert len(json.dumps(ex)) < 200_000
