"""The Beyond-attention page under AppTest: every tab draws; top-k above the number of experts answers
with a sentence; a training step of the MoE lab redraws the expert loads and the router; the memory lab
draws the copy task and the heads' weightings; the state-space and RWKV tabs show one layer computed two
ways with equal results; the selective-copying lab draws its example and Mamba's Δ."""

from __future__ import annotations

import numpy as np

from tests.apptest import chart, errors, on_tab, open_page, plotly_values

TABS = ["Idea", "Experts", "State spaces", "RWKV", "Memory", "Architectures"]


def _tab(tab: str, **state):
    return on_tab("pages/beyond.py", "beyond.tab", tab, timeout=240, **state)


def test_page_draws_every_tab_with_formulas():
    at = open_page("pages/beyond.py", timeout=300)
    assert set(TABS) | {"Graph", "Summary"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 6
    assert at.selectbox(key="beyond.arch").value.name == "mamba"
    load = chart(at, "beyond.moe.train.view.load")
    assert load is not None and load["data"][0]["type"] == "bar"
    assert chart(at, "beyond.mem.train.view.copy") is not None


def test_each_tab_draws_alone():
    for tab in TABS:
        _tab(tab)


def test_top_k_above_the_number_of_experts_answers_with_a_sentence():
    at = _tab("Experts", beyond__moe__experts=4, beyond__moe__topk=6)
    assert any("top_k" in e or "top-k" in e for e in errors(at)), errors(at)
    assert not [b for b in at.button if b.key == "beyond.moe.train.play"]  # nothing offered to train


def test_an_moe_step_redraws_the_loads_and_the_router():
    at = _tab("Experts")
    router = chart(at, "beyond.moe.train.view.router")
    probs = plotly_values(router["data"][0]["z"])  # (E, T)
    assert probs.shape[0] == 8 and np.allclose(probs.sum(0), 1, atol=1e-4)
    at.selectbox(key="beyond.moe.train.nstep").set_value(10).run()
    at.button(key="beyond.moe.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = plotly_values(chart(at, "beyond.moe.train.view.router")["data"][0]["z"])
    assert not np.allclose(after, probs)  # the router learned something in ten steps
    names = {t.get("name") for t in chart(at, "beyond.moe.train.live.curves")["data"]}
    assert {"train loss", "balancing loss per layer"} <= names
    params = chart(at, "beyond.moe.params")
    assert params is not None and plotly_values(params["data"][0]["x"]).max() > 46  # Mixtral's 46.7 billion


def test_the_memory_lab_draws_the_copy_task_and_where_the_heads_read_and_write():
    at = _tab("Memory", beyond__mem__model="Neural Turing machine")
    copy = chart(at, "beyond.mem.train.view.copy")
    assert [d["type"] for d in copy["data"]] == ["heatmap"] * 3
    addr = chart(at, "beyond.mem.train.view.addr")
    write = plotly_values(addr["data"][0]["z"])  # (rows, T)
    assert np.allclose(write.sum(0), 1, atol=1e-3)  # a weighting over the rows at every step
    at = _tab("Memory", beyond__mem__model="LSTM (no external memory)")
    assert chart(at, "beyond.mem.train.view.addr") is None
    assert any("no memory rows" in m.value for m in at.markdown)


def test_an_s4_layer_and_rwkv_give_the_same_outputs_both_ways_and_a_state_of_zero_is_refused():
    at = _tab("State spaces", beyond__ssm__signal="a unit impulse", beyond__ssm__init="lin")
    two = chart(at, "beyond.ssm.two")
    conv, rec, diff = (plotly_values(t["y"]) for t in two["data"])
    kernel = plotly_values(chart(at, "beyond.ssm.kernel")["data"][0]["y"])
    assert np.abs(diff).max() < 1e-9 and np.allclose(conv, rec)
    assert np.allclose(conv[1:], kernel[1:])  # an impulse's response is the kernel (D adds at lag 0 only)
    assert chart(at, "beyond.sel.train.view.tokens") is not None  # the selective-copying example
    assert chart(at, "beyond.sel.train.view.sel") is not None  # Mamba's Δ, B and C on it
    at = _tab("State spaces", beyond__ssm__n=0)
    assert any("state size" in e for e in errors(at)), errors(at)
    at = _tab("RWKV", beyond__rwkv__text="hello, world")
    par, rec, diff = (plotly_values(t["y"]) for t in chart(at, "beyond.rwkv.two")["data"])
    assert len(par) == len("hello, world") and np.abs(diff).max() < 1e-9
    decays = plotly_values(chart(at, "beyond.rwkv.decay")["data"][0]["z"])
    assert decays.shape == (6, 64) and ((decays > 0) & (decays < 1)).all()
