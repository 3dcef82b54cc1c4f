"""The Beyond-attention page under AppTest: every tab draws; top-k above the number of experts answers
with a sentence; a training step of the MoE lab redraws the expert loads and the router; the memory lab
draws the copy task and the heads' weightings; the state-space and RWKV tabs show one layer computed two
ways with equal results; the selective-copying lab draws its example and Mamba's Δ."""

from __future__ import annotations

import json

import numpy as np

from tests.apptest import app_test, errors, open_page, plotly_values

TABS = ["Idea", "Experts", "State spaces", "RWKV", "Memory", "Architectures"]


def _chart(at, key: str) -> dict | None:
    return next((json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(key)), None)


def _tab(tab: str, **state):
    at = app_test("pages/beyond.py", timeout=240, every_tab=False)
    at.query_params["beyond.tab"] = tab
    for k, v in state.items():
        at.session_state[k.replace("__", ".")] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_draws_every_tab_with_formulas():
    at = open_page("pages/beyond.py", timeout=300)
    assert set(TABS) | {"Graph", "Summary"} <= {t.label for t in at.tabs}
    assert len(at.latex) >= 6
    assert at.selectbox(key="beyond.arch").value.name == "mamba"
    load = _chart(at, "beyond.moe.train.view.load")
    assert load is not None and load["data"][0]["type"] == "bar"
    assert _chart(at, "beyond.mem.train.view.copy") is not None


def test_each_tab_draws_alone():
    for tab in TABS:
        _tab(tab)


def test_top_k_above_the_number_of_experts_answers_with_a_sentence():
    at = _tab("Experts", beyond__moe__experts=4, beyond__moe__topk=6)
    assert any("top_k" in e or "top-k" in e for e in errors(at)), errors(at)
    assert not [b for b in at.button if b.key == "beyond.moe.train.play"]  # nothing offered to train


def test_an_moe_step_redraws_the_loads_and_the_router():
    at = _tab("Experts")
    router = _chart(at, "beyond.moe.train.view.router")
    probs = plotly_values(router["data"][0]["z"])  # (E, T)
    assert probs.shape[0] == 8 and np.allclose(probs.sum(0), 1, atol=1e-4)
    at.selectbox(key="beyond.moe.train.nstep").set_value(10).run()
    at.button(key="beyond.moe.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = plotly_values(_chart(at, "beyond.moe.train.view.router")["data"][0]["z"])
    assert not np.allclose(after, probs)  # the router learned something in ten steps
    names = {t.get("name") for t in _chart(at, "beyond.moe.train.live.curves")["data"]}
    assert {"train loss", "balancing loss per layer"} <= names
    params = _chart(at, "beyond.moe.params")
    assert params is not None and plotly_values(params["data"][0]["x"]).max() > 46  # Mixtral's 46.7 billion


def test_the_memory_lab_draws_the_copy_task_and_where_the_heads_read_and_write():
    at = _tab("Memory", beyond__mem__model="Neural Turing machine")
    copy = _chart(at, "beyond.mem.train.view.copy")
    assert [d["type"] for d in copy["data"]] == ["heatmap"] * 3
    addr = _chart(at, "beyond.mem.train.view.addr")
    write = plotly_values(addr["data"][0]["z"])  # (rows, T)
    assert np.allclose(write.sum(0), 1, atol=1e-3)  # a weighting over the rows at every step
    at = _tab("Memory", beyond__mem__model="LSTM (no external memory)")
    assert _chart(at, "beyond.mem.train.view.addr") is None
    assert any("no memory rows" in m.value for m in at.markdown)
