"""The Compression page: every tab draws, a pruning step fine-tunes and moves the charts, bad settings (a
sparsity of 1, a quantization mode this CPU lacks) are sentences, the summary table has every method."""

from __future__ import annotations

from tests.apptest import chart, errors, on_tab, open_page

PAGE = "pages/compression.py"


def test_page_draws_every_tab():
    at = open_page(PAGE, timeout=240)
    assert {t.label for t in at.tabs} >= {"Idea", "Pruning", "Quantization", "Distillation", "Summary"}
    assert len(at.latex) >= 4 and not at.error, errors(at)
    for key in ("cmp.prune.train.view.acc", "cmp.prune.train.view.hist", "cmp.quant.sqnr", "cmp.kd.soft"):
        assert chart(at, key) is not None, key


def test_a_pruning_step_fine_tunes_and_moves_the_charts():
    at = on_tab(PAGE, "cmp.tab", "Pruning")
    before = chart(at, "cmp.prune.train.view.hist")
    # the panel starts from the trained base, pruned: it must not call that model untrained
    assert any(i.value.startswith("**Pruned, not fine-tuned yet**") for i in at.info)
    assert not any("Untrained" in i.value for i in at.info)
    at.selectbox(key="cmp.prune.train.nstep").set_value(50).run()
    at.button(key="cmp.prune.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    acc = chart(at, "cmp.prune.train.view.acc")
    assert any(t["name"].endswith("fine-tuned") for t in acc["data"]), [t["name"] for t in acc["data"]]
    assert chart(at, "cmp.prune.train.view.hist") != before


def test_bad_settings_are_sentences():
    at = on_tab(PAGE, "cmp.tab", "Pruning", cmp__prune__s=0.99)
    at.number_input(key="cmp.prune.s").set_value(0.99).run()
    assert not at.error  # 0.99 is allowed: below 1
    at = on_tab(PAGE, "cmp.tab", "Quantization", cmp__quant__mode="int4_weight_only")
    assert any("int8" in e and "GPU" in e for e in errors(at)), errors(at)


def test_summary_table_lists_every_method():
    at = on_tab(PAGE, "cmp.tab", "Summary", timeout=300, cmp__sum__run=True)
    assert not at.error, errors(at)
    methods = list(at.dataframe[0].value["method"])
    assert len(methods) == 6 and any("int8" in m for m in methods) and any("distilled" in m for m in methods)
    assert chart(at, "cmp.sum.chart") is not None
