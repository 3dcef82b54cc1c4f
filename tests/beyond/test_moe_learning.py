"""The MoE recipe: the load-balancing loss keeps every expert near its fair share of characters; without
it a few experts take most of them. Smallest budget that shows it (100 steps, 32-character windows)."""

from __future__ import annotations

import pickle

import pytest
import torch

from training.recipes import get_recipe

torch.set_num_threads(1)
BUDGET = dict(num_steps=100, eval_every=50, context=32, seed=0)


def test_with_the_balancing_loss_no_expert_gets_more_than_twice_its_share():
    t = get_recipe("moe_char_lm").trainer(**BUDGET)  # aux_coef default 0.01
    t.step(t.num_steps)
    assert t.status == "done", t.message
    ev = t.last_eval()
    assert ev["max_share"] <= 2.0, ev  # measured 1.35
    assert ev["val_loss"] < t.history[0]["lm_loss"] - 1.0  # it learned the text too (4.3 → 2.5)
    assert all("loss" in r and "aux_loss" in r for r in t.history if "lm_loss" in r)

    snap = t.snapshot()
    L, E, k, T = 2, 8, 2, len(snap["text"])
    assert snap["load"].shape == (L, E)
    torch.testing.assert_close(snap["load"].sum(1), torch.ones(L))
    assert [s for s, _ in snap["load_history"]] == [50, 100]
    assert len(snap["load_history"][-1][1]) == L and len(snap["load_history"][-1][1][0]) == E
    assert snap["router_probs"].shape == (T, E) and snap["router_topk"].shape == (T, k)
    assert isinstance(snap["sample"], str) and len(snap["sample"]) > 100
    small = {k: snap[k] for k in ("load", "load_history", "router_probs", "router_topk", "text", "sample")}
    assert len(pickle.dumps(small)) < 200_000


def test_without_it_the_load_drifts_to_a_few_experts():
    t = get_recipe("moe_char_lm").trainer(aux_coef=0.0, **BUDGET)
    t.step(t.num_steps)
    ev = t.last_eval()
    assert ev["max_share"] >= 3.0, ev  # measured 4.0 (of at most E / k = 4): one expert in every token's pair


def test_a_negative_balancing_coefficient_is_refused():
    from archs.spec import ConfigError

    with pytest.raises(ConfigError, match="aux_coef"):
        get_recipe("moe_char_lm").trainer(aux_coef=-1.0)
