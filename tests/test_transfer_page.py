"""The Transfer learning page: every tab draws its charts under AppTest; a LoRA rank larger than a layer is
a sentence; one live step of a strategy puts its run on the chart."""

from __future__ import annotations

import torch

from tests.apptest import chart, on_tab

torch.set_num_threads(1)


def test_idea_tab_draws():
    at = on_tab("pages/transfer.py", "transfer.tab", "Idea")
    assert {"Idea", "Strategies", "LoRA", "Sources"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 3 and not at.error and not at.exception


def test_strategies_tab_draws_the_comparison():
    at = on_tab("pages/transfer.py", "transfer.tab", "Strategies", transfer__cmp__steps=50)
    assert not at.exception, [e.value for e in at.exception]
    fig = chart(at, "transfer.cmp.curves")
    assert {t.get("name") for t in fig["data"]} >= {"From scratch", "Feature extraction", "LoRA"}
    assert chart(at, "transfer.cmp.params") is not None


def test_lora_and_sources_tabs_draw_and_a_too_large_rank_is_a_sentence():
    at = on_tab("pages/transfer.py", "transfer.tab", "LoRA")
    assert not at.exception, [e.value for e in at.exception]
    for key in ("transfer.lora.share", "transfer.lora.sv", "transfer.lora.heat"):
        assert chart(at, key) is not None, key
    at.slider(key="transfer.lora.r").set_value(12).run()
    assert not at.exception and any("rank" in e.value for e in at.error)
    at = on_tab("pages/transfer.py", "transfer.tab", "Sources")
    assert not at.exception and chart(at, "transfer.src.filters") is not None
