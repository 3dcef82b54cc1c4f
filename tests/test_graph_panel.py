"""The graph panel under AppTest: each model opens at its own readable detail (a preset switched from tiny
to canonical does not keep "every layer"), and the search box finds a layer hidden in a ×N run, opens
it and selects it for inspection."""

from streamlit.testing.v1 import AppTest


def _panel():
    import streamlit as st

    import archs
    from ui.panels import graph_panel

    spec = archs.get_arch(st.session_state.get("arch", "resnet152"))
    graph_panel(spec, spec.make_config(st.session_state.get("preset", "tiny")), key="t")


def _app() -> AppTest:
    at = AppTest.from_function(_panel, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _nodes(at) -> int:
    return int(next(c.value for c in at.caption if "nodes ·" in c.value).split()[0])


def _detail(at):
    return next(r for r in at.radio if r.label == "Detail")


def test_each_preset_opens_at_its_own_readable_detail():
    at = _app()
    assert _detail(at).value == "auto"
    _detail(at).set_value("every layer").run()
    tiny_every = _nodes(at)
    at.session_state["preset"] = "canonical"
    at.run()
    assert not at.exception
    assert _detail(at).value == "auto"  # not the tiny model's "every layer"
    assert 20 <= _nodes(at) <= 70 < tiny_every * 4
    runs = next(m for m in at.multiselect if m.label == "Expand repeated blocks")
    assert any("×35" in runs.format_func(o) for o in runs.options)  # layer3's bottlenecks


def test_search_opens_a_layer_hidden_in_a_run_and_inspects_it():
    at = _app()
    at.session_state["preset"] = "canonical"
    at.run()
    at.text_input(key="t.find").input("layer3.17.conv").run()
    found = at.selectbox(key="t.found.resnet152.layer3.17.conv")
    assert found.options[:3] == [
        "layer3.17.conv1 · Conv2d",
        "layer3.17.conv2 · Conv2d",
        "layer3.17.conv3 · Conv2d",
    ]
    found.set_value("layer3.17.conv2").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="t.selected").value == "layer3_17_conv2"
    chart = at.get("plotly_chart")[0].proto.spec
    assert "layer3_17_conv2" in chart and "#f76707" in chart  # drawn, and ringed as a match
