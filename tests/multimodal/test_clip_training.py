"""clip_shapes: a small CLIP trained on captioned shapes names the kind of shapes shown in colours it never
saw them in (zero-shot, by prompts) at least 80 % of the time, from chance before training; the loss, the
split and the tokenizer say what they promise."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from archs import ConfigError
from training.multimodal.clip_recipes import clip_captions, held_out_pairs
from training.multimodal.clip_trainer import TOKENIZER, clip_loss
from training.recipes import get_recipe


def test_the_held_out_pairs_never_appear_in_a_training_caption():
    d = clip_captions(n=600)
    train = {TOKENIZER.decode(r) for r in d.y_train} | {TOKENIZER.decode(r) for r in d.y_val}
    test = {TOKENIZER.decode(r) for r in d.y_test}
    assert test and not train & test
    for kind, color in held_out_pairs():
        assert not any(f"{color} {kind}" in c for c in train)
        assert any(f"{color} {kind}" in c for c in test)
    assert {k for k, _ in held_out_pairs()} == set(d.meta["kinds"])  # every kind has one unseen colour
    assert {c for _, c in held_out_pairs()} == set(d.meta["colors"])


def test_the_loss_counts_identical_captions_as_right_and_the_tokenizer_refuses_with_a_sentence():
    y = torch.from_numpy(
        np.stack([TOKENIZER.encode(c) for c in ["a red circle", "a red circle", "a blue ring"]])
    )
    good = torch.tensor([[9.0, 9.0, -9.0], [9.0, 9.0, -9.0], [-9.0, -9.0, 9.0]])
    # rows 0 and 1 may pick either red circle: the target is (½, ½, 0), whose entropy ln 2 is the floor
    assert float(clip_loss(good, y)) == pytest.approx(2 / 3 * np.log(2), abs=1e-4)
    assert float(clip_loss(-good, y)) > 10
    ids = TOKENIZER.encode("A red circle at the top")
    assert ids[0] == 1 and ids.argmax() == 7 and ids[7] == TOKENIZER.end and not ids[8:].any()
    with pytest.raises(ConfigError, match="empty"):
        TOKENIZER.encode("  ")
    with pytest.raises(ConfigError, match="'photo'"):
        TOKENIZER.encode("a photo of a circle")


def test_clip_names_shapes_in_unseen_colours_zero_shot():
    torch.set_num_threads(1)
    t = get_recipe("clip_shapes").trainer(num_steps=150, eval_every=150)
    before = t.evaluate()
    assert before["zeroshot_acc"] < 0.45  # six kinds: chance is 1/6
    t.step(150)
    assert t.status == "done", t.message
    ev = t.last_eval()
    assert ev["zeroshot_acc"] >= 0.8, ev  # 0.996 when written
    assert ev["zeroshot_color_acc"] >= 0.9, ev
    temps = [r["temperature"] for r in t.history if "temperature" in r]
    assert temps[0] == pytest.approx(0.07, abs=1e-3) and temps[-1] < temps[0]  # it learned to sharpen
    snap = t.snapshot()
    sim = snap["sim"]
    n = len(sim)
    assert n == len(snap["sim_captions"]) == 8 and len(set(snap["sim_captions"])) == n
    assert (sim.argmax(1) == np.arange(n)).mean() >= 0.75  # each unseen image picks its own caption
    assert snap["confusion"].sum() == len(t.data.x_test) and np.trace(snap["confusion"]) > 0.8 * len(
        t.data.x_test
    )
    assert snap["gallery"].dtype == np.uint8 and snap["gallery"].shape[-1] == 3
    q = snap["text_to_image"][0]
    assert snap["gallery_captions"][q["top"][0][0]] == q["query"]
    i2t = snap["image_to_text"][0]
    assert i2t["top"][0][0].split()[2] == snap["gallery_captions"][0].split()[2]  # the right kind first
    assert len(pickle.dumps(snap)) < 250_000
