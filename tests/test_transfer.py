"""Transfer learning (training.transfer, recipe transfer_digits): with 5 labels per class of digits 5-9, the
body pre-trained on digits 0-4 beats training from scratch (feature extraction and fine-tuning, same budget);
LoRA and adapters train a small share; gradual unfreezing frees one layer group at a time; the source model
comes from the shipped demo; bad settings are sentences."""

from __future__ import annotations

import pytest
import torch

from archs.spec import ConfigError
from training import transfer as tr
from training.recipes import get_recipe

torch.set_num_threads(1)


def test_with_five_labels_per_class_pre_trained_features_beat_scratch():
    r = tr.compare("digits", 5, strategies=("scratch", "features", "finetune", "lora"))
    acc = {k: v["test_acc"] for k, v in r.items()}
    # measured (seed 0, 150 steps, 179 test digits): scratch 0.872, features 0.883, fine-tune 0.883
    assert acc["features"] > acc["scratch"], acc
    assert acc["finetune"] > acc["scratch"], acc
    assert r["features"]["trainable"] < 0.4 * r["scratch"]["trainable"]  # the head alone: 2,005 of 5,429
    assert r["lora"]["trainable"] < r["finetune"]["trainable"] and acc["lora"] > 0.8  # measured 0.855


def test_gradual_unfreezing_frees_one_group_at_a_time_with_slower_lower_layers():
    t = get_recipe("transfer_digits").trainer(strategy="gradual", num_steps=40)
    assert t.unfreeze_every == 40 // (2 * 2) and t.unfrozen() == 1
    assert [p.requires_grad for p in t.model.parameters()] == [False, False, False, False, True, True]
    t.step(11)  # the next group is freed before step 11
    assert t.unfrozen() == 2 and t.model.features[3].weight.requires_grad
    lrs = [g["lr"] for g in t.optimizer.param_groups]
    assert lrs[-1] == pytest.approx(2e-3) and lrs[0] == pytest.approx(2e-3 / 2.6**2)
    t.step(29)
    assert t.unfrozen() == 3 and t.status == "done"


def test_source_model_is_the_shipped_demo_and_transfers_its_body():
    state = tr.source_state("digits")
    t = get_recipe("transfer_digits").trainer(strategy="features", num_steps=1)
    assert torch.equal(t.model.features[0].weight, state["features.0.weight"])
    assert not t.model.features[0].weight.requires_grad and t.model.classifier[0].weight.requires_grad
    filt = tr.first_filters("digits")
    assert filt["pre-trained"].shape == filt["random"].shape == (8, 5, 5)


def test_target_data_keeps_the_labels_asked_for():
    d = tr.target_data("digits", per_class=5)
    assert d.num_classes == 5 and len(d.y_train) == 25 and set(d.y_test) == set(range(5))
    assert d.class_names == ("5", "6", "7", "8", "9")
    assert tr.target_data("shapes", per_class=0).num_classes == 10


def test_bad_settings_are_sentences():
    r = get_recipe("transfer_digits")
    with pytest.raises(ConfigError, match="LoRA rank \\(9\\)"):
        r.trainer(strategy="lora", rank=9)  # the first convolution has 8 filters
    with pytest.raises(ConfigError, match="strategy"):
        r.trainer(strategy="magic")
    with pytest.raises(ConfigError, match="(?i)per_class"):
        r.trainer(per_class=-1)
    with pytest.raises(ConfigError, match="source"):
        r.trainer(source="imagenet")
