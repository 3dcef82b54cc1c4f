"""DARTS: the canonical network is DARTS V2 on CIFAR-10 with exactly the reference code's 3,349,342
parameters outside the auxiliary head; genotypes parse and refuse bad input with a sentence; the supernet's
α move and derive a cell; the derived cell's network trains to >= 0.9 on digits."""

from __future__ import annotations

import pytest
import torch

import archs
from archs.cnn.darts import GENOTYPES, format_genotype, params_without_aux, parse_genotype
from archs.spec import ConfigError
from training.recipes import get_recipe
from viz import search as vs

torch.set_num_threads(1)


def test_canonical_is_darts_v2_with_the_reference_count():
    m = archs.build_model("darts", "canonical", device="meta")
    assert params_without_aux(m) == 3_349_342  # quark0/darts train.py: "param size = 3.349342MB"
    assert archs.count_params(m) == 3_825_768  # + the auxiliary head's 476,426
    assert len(m.cells) == 20 and sum(c.reduction for c in m.cells) == 2


def test_auxiliary_logits_in_training_only():
    m = archs.build_model("darts", "tiny", image_size=32, auxiliary=True, init_channels=2)
    x = torch.randn(2, 1, 32, 32)
    logits, aux = m.forward_with_aux(x)
    assert logits.shape == aux.shape == (2, 10)
    m.eval()
    assert m.forward_with_aux(x)[1] is None


def test_genotype_strings_round_trip_and_bad_ones_are_sentences():
    g = GENOTYPES["darts_v2"]
    assert parse_genotype(format_genotype(g)) == g
    with pytest.raises(ConfigError, match="op@input|operation@input"):
        archs.build_model("darts", genotype="conv_9x9@0 sep_conv_3x3@1 / max_pool_3x3@0 max_pool_3x3@1")
    with pytest.raises(ConfigError, match="inputs 0..1"):
        archs.build_model("darts", genotype="sep_conv_3x3@0 sep_conv_3x3@2 / max_pool_3x3@0 max_pool_3x3@1")
    with pytest.raises(ConfigError, match="auxiliary"):
        archs.build_model("darts", "tiny", auxiliary=True)


def test_search_moves_alpha_and_the_derived_cell_trains_to_090():
    t = get_recipe("darts_search_digits").trainer(num_steps=10, eval_every=5, seed=0)
    t.step(10)
    assert t.status == "done", t.message
    h = t.alpha_history
    assert [r["step"] for r in h] == [0, 5, 10]
    moved = abs(torch.tensor(h[-1]["normal"]) - torch.tensor(h[0]["normal"])).max().item()
    assert moved > 1e-3, moved
    normal, reduce = parse_genotype(t.genotype)
    assert len(normal) == len(reduce) == 8 and all(op != "none" for op, _ in normal + reduce)
    assert len(vs.cell_figure(normal).layout.annotations) == 8 * 2 + 4
    d = get_recipe("darts_digits").trainer(genotype=t.genotype, seed=0, num_steps=150)
    d.step(150)
    assert d.last_eval()["test_acc"] >= 0.9, d.last_eval()
