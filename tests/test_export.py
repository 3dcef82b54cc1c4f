"""Exports other tools open (archs/export.py): every architecture's tiny preset as ONNX, run by onnxruntime
with the same weights and input, gives PyTorch's outputs within 1e-4; what cannot export says why; the
config as JSON and a run's history as CSV read back."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from archs.export import ExportError, config_json, export_model, flat_outputs, onnx_bytes, onnx_export
from archs.registry import get_arch, list_archs
from tests.apptest import app_test
from training.metrics import history_csv

ort = pytest.importorskip("onnxruntime")

# Architectures whose tiny preset the ONNX exporter refuses, and the words its reason must hold.
CANNOT_EXPORT: dict[str, str] = {}


@pytest.mark.parametrize("name", [s.name for s in list_archs()])
def test_the_tiny_preset_exports_and_onnxruntime_computes_what_pytorch_computes(name):
    spec = get_arch(name)
    cfg = spec.make_config("tiny")
    model, inputs = export_model(spec, cfg, seed=0)
    try:
        data = onnx_bytes(model, inputs, spec.title)
    except ExportError as e:
        assert name in CANNOT_EXPORT, f"{name} does not export: {e}"
        assert CANNOT_EXPORT[name] in str(e) and spec.title in str(e)
        return
    assert name not in CANNOT_EXPORT, f"{name} exports now: take it off CANNOT_EXPORT"
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    given = {f"input_{i}": x.numpy() for i, x in enumerate(inputs)}
    names = [i.name for i in sess.get_inputs()]
    if all(n in given for n in names):  # the TorchScript exporter's names (it drops unused inputs)
        feeds = {n: given[n] for n in names}
    else:  # the dynamo exporter names inputs after forward()'s arguments, in order
        feeds = {n: x.numpy() for n, x in zip(names, inputs, strict=False)}
    got = sess.run(None, feeds)
    want = [t.detach().numpy() for t in flat_outputs(model(*inputs))]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)


def test_a_model_too_large_for_one_onnx_file_is_refused_before_it_is_built():
    spec = get_arch("gpt3")
    with pytest.raises(ExportError, match="more than one ONNX file holds"):
        onnx_export(spec, spec.make_config("canonical"))


def test_config_json_reads_back_into_the_same_config():
    spec = get_arch("resnet18")
    cfg = spec.make_config("tiny", num_classes=7)
    doc = json.loads(config_json(spec, cfg))
    assert doc["arch"] == "resnet18" and doc["family"] == "cnn"
    assert spec.make_config("tiny", **doc["config"]) == cfg


def test_history_csv_has_every_column_and_empty_cells_where_a_row_has_none():
    rows = [{"step": 1, "loss": 0.5}, {"step": 2, "loss": 0.25, "test_loss": 0.3, "test_acc": 0.9}]
    back = list(csv.DictReader(io.StringIO(history_csv(rows))))
    assert list(back[0]) == ["step", "loss", "test_loss", "test_acc"]
    assert back[0]["test_acc"] == "" and float(back[1]["test_acc"]) == 0.9


def test_the_summary_tab_exports_onnx_and_json():
    at = app_test("pages/feedforward.py")
    at.query_params["ff.tab"] = "Architectures"
    at.run()
    assert at.get("download_button")  # the config's JSON, at once
    at.button(key="ff.s.onnx_btn").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(label.startswith("Download ONNX") for label in labels), labels


def _gpt3_export_panel():
    from archs.registry import get_arch
    from ui.panels import export_panel

    spec = get_arch("gpt3")
    export_panel(spec, spec.make_config("canonical"), key="x")


def test_the_page_says_why_a_model_cannot_be_exported():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_gpt3_export_panel, default_timeout=60).run()
    at.button(key="x.onnx_btn").click().run()
    assert not at.exception
    assert any("more than one ONNX file holds" in w.value for w in at.warning), [w.value for w in at.warning]
