"""Transfer learning (training.transfer, recipe transfer_digits): with 5 labels per class of randomly placed
digits 5-9, the residual CNN pre-trained on varied digits 0-4 beats training from scratch both as a frozen
feature extractor and fine-tuned (same budget, 3 seeds); LoRA trains under 5 % of the network and ends
within 2 points of fine-tuning all of it; gradual unfreezing frees one block at a time; a frozen body keeps
its BatchNorm statistics; bad settings are sentences."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from archs.spec import ConfigError
from training import transfer as tr
from training.recipes import get_recipe

torch.set_num_threads(1)


SEEDS = (0, 1, 2)


def test_with_five_labels_per_class_pre_training_beats_scratch_and_lora_trains_under_five_percent():
    """Seeds 0-2, 150 steps each, 179 randomly placed test digits 5-9; the source: digits 0-4 moved, turned
    and zoomed at random and at four quarter turns (20 classes), 800 steps. Measured (mean; seeds 0, 1, 2):
    scratch 0.572 (0.615, 0.547, 0.553), feature extraction 0.646 (0.642, 0.642, 0.654), fine-tune all
    0.818 (0.810, 0.827, 0.816), LoRA rank 1 0.801 (0.810, 0.816, 0.777). Feature extraction beats scratch
    by 7.4 points on the mean (seeds: +2.8, +9.5, +10.1), fine-tuning by 24.6 (+19.6, +27.9, +26.3). LoRA
    (α = 0.25, BatchNorm at 0.3× the rate, chosen on the validation digits) trains 3.5 % (2,638 of
    74,677) and ends 1.7 points under fine-tune-all on the mean (seeds 3-5, not run here: 0.801 against
    0.816, 1.5 points; at α = 4, 7.5 points under)."""
    strategies = ("scratch", "features", "finetune", "lora")
    runs = {s: [tr.run(s, "digits", 5, seed) for seed in SEEDS] for s in strategies}
    accs = {s: [t.last_eval()["test_acc"] for t in ts] for s, ts in runs.items()}
    acc = {s: sum(a) / len(a) for s, a in accs.items()}
    assert acc["features"] >= acc["scratch"] + 0.05, acc
    assert acc["finetune"] >= acc["scratch"] + 0.15, acc
    assert all(f > s for f, s in zip(accs["features"], accs["scratch"], strict=True)), accs
    assert all(f > s + 0.1 for f, s in zip(accs["finetune"], accs["scratch"], strict=True)), accs
    lora, total = runs["lora"][0].trainable, runs["lora"][0].total
    assert lora <= 0.05 * total and total == runs["scratch"][0].trainable, (lora, total)
    assert acc["lora"] >= acc["finetune"] - 0.02 and acc["lora"] > acc["scratch"] + 0.1, acc
    assert runs["features"][0].trainable < 0.01 * total


def test_gradual_unfreezing_frees_one_block_at_a_time_with_slower_lower_layers():
    t = get_recipe("transfer_digits").trainer(strategy="gradual", num_steps=40)
    groups = len(t.groups)  # stem, three blocks, head
    assert groups == 5 and t.unfreeze_every == 40 // (2 * 4) and t.unfrozen() == 1
    assert [p.requires_grad for p in t.model.parameters()][-2:] == [True, True]
    assert not t.model.blocks[2].conv1.weight.requires_grad
    t.step(6)  # the next group is freed before step 6
    assert t.unfrozen() == 2 and t.model.blocks[2].conv1.weight.requires_grad
    assert t.model.blocks[2].bn1.weight.requires_grad and not t.model.blocks[1].bn1.weight.requires_grad
    lrs = [g["lr"] for g in t.optimizer.param_groups]
    assert lrs[-1] == pytest.approx(1e-2) and lrs[0] == pytest.approx(1e-2 / 2.6**4)
    t.step(34)
    assert t.unfrozen() == 5 and t.status == "done"


def test_a_frozen_body_keeps_its_batchnorm_in_eval_mode_and_its_statistics():
    state = tr.source_state("digits")
    t = get_recipe("transfer_digits").trainer(strategy="features", num_steps=3)
    assert torch.equal(t.model.stem[0].weight, state["stem.0.weight"])
    assert not t.model.stem[0].weight.requires_grad and t.model.fc.weight.requires_grad
    t.step(3)
    assert torch.equal(t.model.blocks[0].bn1.running_mean, state["blocks.0.bn1.running_mean"])
    assert t.trainable == t.model.fc.weight.numel() + t.model.fc.bias.numel()
    filt = tr.first_filters("digits")
    assert filt["pre-trained"].shape == filt["random"].shape == (16, 3, 3)


def test_target_data_keeps_the_labels_asked_for():
    d = tr.target_data("digits", per_class=5)
    assert d.num_classes == 5 and len(d.y_train) == 25 and set(d.y_test) == set(range(5))
    assert d.class_names == ("5", "6", "7", "8", "9")
    assert tr.target_data("shapes", per_class=0).num_classes == 10
    src = tr.source_data("digits", copies=2, shift=0.25, quarter_turns=True)
    assert src.num_classes == 20 and len(src.y_train) == 8 * len(tr.source_data("digits").y_train)


def test_bad_settings_are_sentences():
    r = get_recipe("transfer_digits")
    with pytest.raises(ConfigError, match="LoRA rank \\(10\\)"):
        r.trainer(strategy="lora", rank=10)  # the stem's 3×3 kernel on one channel: 9 inputs
    with pytest.raises(ConfigError, match="strategy"):
        r.trainer(strategy="magic")
    with pytest.raises(ConfigError, match="(?i)per_class"):
        r.trainer(per_class=-1)
    with pytest.raises(ConfigError, match="source"):
        r.trainer(source="imagenet")


def test_the_singular_value_chart_shows_the_drop_after_rank_r_on_a_log_axis():
    from viz.transfer import singular_figure

    fig = singular_figure({"conv": {"singular": np.array([3.0, 2e-7, 0.0])}})
    (bar,) = fig.data
    assert list(bar.y) == [3.0, 2e-7, 1e-8]  # a zero is drawn at the floor, not left out
    assert fig.layout.yaxis.type == "log"
