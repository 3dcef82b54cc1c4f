"""The Compare page and its core: costs of any preset, forward latency that refuses what cannot fit, the
map of every canonical model, and a training race on one recipe."""

import json

import pytest
import torch

import archs
from archs.catalog import canonical_costs, cost_row, input_text
from archs.latency import Latency, LatencyRefused, batched, forward_latency
from tests.apptest import app_test, poll
from viz.compare import cost_bars, landscape_figure

PAGE = "pages/compare.py"


def test_batched_repeats_the_first_example():
    x = (torch.randn(2, 3, 4), torch.arange(10).view(2, 5))
    b = batched(x, 5)
    assert b[0].shape == (5, 3, 4) and b[1].shape == (5, 5)
    assert torch.equal(b[0][4], x[0][0]) and torch.equal(b[1][3], x[1][0])


def test_latency_is_measured_for_both_batches_of_a_small_model():
    spec = archs.get_arch("mlp")
    out = forward_latency(spec, spec.make_config("tiny"), (1, 32), "cpu", budget_s=0.05)
    assert set(out) == {1, 32}
    for b, lat in out.items():
        assert isinstance(lat, Latency) and lat.batch == b and lat.median_s > 0 and lat.runs >= 2
    assert out[32].throughput == pytest.approx(32 / out[32].median_s)


def test_latency_refuses_a_giant_and_an_oversized_batch_with_a_sentence():
    gpt3 = archs.get_arch("gpt3")
    with pytest.raises(LatencyRefused, match="counted, not run"):
        forward_latency(gpt3, gpt3.make_config("canonical"))
    spec = archs.get_arch("mlp")
    out = forward_latency(spec, spec.make_config("tiny"), (1, 32), "cpu", 2**29, budget_s=0.05)
    assert isinstance(out[1], Latency) and out[32].startswith("not run: a batch of 32 needs about")


def test_cost_rows_count_any_preset_and_carry_the_published_score():
    r = cost_row("resnet50", "canonical")
    assert r["params"] == 25_557_032 and r["mult_adds"] == 4_089_184_256  # torchvision: 4.09 GFLOPS
    assert r["score"] == pytest.approx(76.13) and "ResNet50_Weights" in r["score_source"]
    assert r["input"] == "3×224×224"
    tiny = cost_row("resnet50", "tiny")
    assert tiny["score"] is None and tiny["params"] < r["params"]
    assert input_text((torch.zeros(2, 12, dtype=torch.long), torch.zeros(2, 7, dtype=torch.long))) == (
        "12 tokens + 7 tokens"
    )


def test_the_map_places_every_canonical_model_once():
    rows = canonical_costs()
    canonical = {s.name for s in archs.list_archs() if "canonical" in s.presets}
    assert sorted(r["name"] for r in rows) == sorted(canonical)
    gpt3 = next(r for r in rows if r["name"] == "gpt3")
    assert gpt3["params"] == 174_604_259_328  # counted on meta, never allocated
    fig = landscape_figure(rows, highlight=["resnet50", "vit_b_16"])
    families = {r["family_title"] for r in rows}
    assert {t.name for t in fig.data} == families | {"compared"}
    ringed = next(t for t in fig.data if t.name == "compared")
    assert list(ringed.text) == ["ResNet-50", "ViT-B/16"]
    scored = [t for t in fig.data if "ImageNet-1k top-1" in "".join(t.text or ())]
    assert scored, "published scores are in the hover text"


def test_cost_bars_put_each_model_on_three_log_scales():
    rows = [
        dict(cost_row(n, "canonical"), label=n, train_mb=m) for n, m in (("resnet50", 900.0), ("mlp", 4.0))
    ]
    fig = cost_bars(rows)
    assert len(fig.data) == 3 and all(list(t.y) == ["resnet50", "mlp"] for t in fig.data)
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis3.type == "log"


def _sheet(at):
    return next(df for df in (d.value for d in at.dataframe) if "parameters" in list(df.index))


def test_cost_tab_compares_two_canonical_models_side_by_side():
    at = app_test(PAGE, timeout=300, every_tab=False)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    sheet = _sheet(at)
    assert list(sheet.columns) == ["ResNet-50 (canonical)", "MobileNetV2 (canonical)"]
    assert sheet.loc["parameters", "ResNet-50 (canonical)"] == "25,557,032 (25.56 M)"
    assert sheet.loc["published size", "MobileNetV2 (canonical)"] == "✓ 3,504,872"
    assert sheet.loc["published score", "ResNet-50 (canonical)"] == "76.13 % ImageNet-1k top-1"
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["y"] for t in bars["data"]][0] == ["ResNet-50 (canonical)", "MobileNetV2 (canonical)"]


def test_latency_button_fills_the_sheet_and_the_same_model_twice_gets_two_labels():
    at = app_test(PAGE, timeout=300, every_tab=False)
    mlp = archs.get_arch("mlp").title  # a link names an architecture by its title
    at.query_params.update(
        {"cmp.1.arch": mlp, "cmp.2.arch": mlp, "cmp.1.mlp.preset": "tiny", "cmp.2.mlp.preset": "tiny"}
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="cmp.measure").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sheet = _sheet(at)
    assert list(sheet.columns) == [f"{mlp} (tiny) #1", f"{mlp} (tiny) #2"]
    assert sheet.loc["latency, batch 1"].str.endswith(" ms").all()
    assert sheet.loc["latency, batch 32"].str.contains(" ex/s").all()


def test_a_giant_is_counted_and_its_latency_refused_in_the_page():
    at = app_test(PAGE, timeout=300, every_tab=False)
    at.query_params.update({"cmp.1.arch": archs.get_arch("gpt3").title, "cmp.1.gpt3.preset": "canonical"})
    at.run()
    at.button(key="cmp.measure").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sheet = _sheet(at)
    col = f"{archs.get_arch('gpt3').title} (canonical)"
    assert sheet.loc["parameters", col] == "174,604,259,328 (174.60 G)"
    assert "counted, not run" in sheet.loc["latency, batch 1", col]


def test_models_with_other_example_batches_share_every_row_of_the_sheet():
    at = app_test(PAGE, timeout=300, every_tab=False)
    at.query_params.update({"cmp.2.arch": archs.get_arch("mlp").title, "cmp.2.mlp.preset": "tiny"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    sheet = _sheet(at)
    assert not sheet.isin(["nan", "None"]).any().any(), sheet  # no row that only one model fills
    assert sheet.loc["training memory (MB)"].str.contains(r"\(batch \d\)").all()


def test_graphs_and_layers_tabs_draw_each_model():
    at = app_test(PAGE, timeout=300, every_tab=False)
    at.query_params["cmp.tab"] = "Graphs"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    graphs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(graphs) == 2 and all(any(t.get("name") == "layers" for t in g["data"]) for g in graphs)
    at.query_params["cmp.tab"] = "Layers"
    at.run()
    assert len([d for d in at.dataframe if "layer" in d.value.columns]) == 2


def test_train_all_races_two_models_on_one_recipe():
    at = app_test(PAGE, timeout=300, every_tab=False)
    at.query_params.update(
        {
            "cmp.tab": "Train on one recipe",
            "cmp.1.arch": "ResNet-18",
            "cmp.2.arch": "MobileNetV2",
            "cmp.1.resnet18.preset": "tiny",
            "cmp.2.mobilenet_v2.preset": "tiny",
        }
    )
    at.run()
    assert at.selectbox(key="cmp.recipe").value == "cnn_digits"
    at.select_slider(key="cmp.steps").set_value(50).run()
    at.button(key="cmp.train").click().run()
    at = poll(at, lambda a: any("model" in d.value.columns for d in a.dataframe), timeout=180)
    table = next(d.value for d in at.dataframe if "model" in d.value.columns)
    assert list(table["model"]) == ["ResNet-18", "MobileNetV2"]
    assert (table["steps"] == 50).all() and table["test acc"].between(0, 1).all()
    curves = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = {t.get("name") for t in curves["data"]}
    assert "ResNet-18 · train loss (smoothed)" in names and "MobileNetV2 · train loss (smoothed)" in names


def test_map_tab_rings_the_compared_models():
    at = app_test(PAGE, timeout=300, every_tab=False)
    at.query_params["cmp.tab"] = "All published models"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    ringed = next(t for t in fig["data"] if t.get("name") == "compared")
    assert ringed["text"] == ["ResNet-50", "MobileNetV2"]


def test_a_family_pages_compare_link_opens_compare_with_that_model():
    from urllib.parse import parse_qsl, urlsplit

    at = app_test("pages/transformers.py", timeout=300, every_tab=False)
    at.query_params.update({"tx.tab": "Architectures", "tx.arch": "GPT-2 (small) (2019)"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    link = next(m.value for m in at.markdown if m.value.startswith("[Compare it with other models]"))
    url = urlsplit(link[link.index("(") + 1 : -1])
    assert url.path == "/compare"
    cmp = app_test(PAGE, timeout=300, every_tab=False)
    cmp.query_params.update(dict(parse_qsl(url.query)))
    cmp.run()
    assert not cmp.exception, [e.value for e in cmp.exception]
    assert at.selectbox(key="tx.arch").value.name == "gpt2_small"
    assert cmp.selectbox(key="cmp.1.arch").value.name == "gpt2_small"
    assert cmp.selectbox(key="cmp.1.gpt2_small.preset").value == "tiny"


def test_graph_networks_are_timed_on_copies_of_their_example_graph_in_the_page():
    """A graph network's latency (batch 1: its example graph; 32: 32 copies side by side) fills the
    sheet; before, the batch was cut from the edge list's first row and the page crashed."""
    at = app_test(PAGE, timeout=300, every_tab=False)
    gcn, gin = archs.get_arch("gcn").title, archs.get_arch("gin").title
    at.query_params.update(
        {"cmp.1.arch": gcn, "cmp.2.arch": gin, "cmp.1.gcn.preset": "tiny", "cmp.2.gin.preset": "canonical"}
    )
    at.run()
    at.button(key="cmp.measure").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sheet = _sheet(at)
    assert sheet.loc["input (one example)"].str.startswith("graph: ").all()
    assert sheet.loc["latency, batch 1"].str.endswith(" ms").all()
    assert sheet.loc["latency, batch 32"].str.contains(" ex/s").all()
