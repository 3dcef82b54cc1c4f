"""The Detection & segmentation page under AppTest: every tab draws (formulas, IoU of two boxes, the demo
detector's NMS and PR curve, YOLOv3's anchors, Mask R-CNN's two stages); a box written backwards is answered
with a sentence; a Train step redraws held-out scenes and the explainers switch to the trained model; a
segmenter's step draws semantic maps; Grad-CAM of a detection is drawn once a run is paused."""

from __future__ import annotations

import json

from tests.apptest import app_test, open_page


def _chart(at, key: str) -> dict | None:
    return next((json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(key)), None)


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_page_draws_every_tab():
    at = open_page("pages/detection.py", timeout=240)
    labels = {t.label for t in at.tabs}
    assert {
        "Idea",
        "IoU & NMS",
        "Anchors",
        "Two-stage",
        "Train",
        "Architectures",
        "Graph",
        "Summary",
    } <= labels
    assert len(at.latex) >= 8
    assert _chart(at, "det.nms.iou")["layout"]["title"]["text"].startswith("IoU = ")
    anchors = _chart(at, "det.anc.fig")
    assert sum((t.get("name") or "").startswith("anchor ") for t in anchors["data"]) == 3
    assert len(at.dataframe[0].value) == 9  # the nine anchors and their fit to the chosen box
    assert at.selectbox(key="det.arch").value.name == "yolov3"
    # the explainers use the demo detectors until the Train tab has trained one
    pr = _chart(at, "det.nms.pr")
    assert pr is not None and "mAP@0.5" in pr["layout"]["title"]["text"]
    assert any("demo detector" in c.value for c in at.caption)
    # Mask R-CNN's demo is not shipped (5.8 MB): the Two-stage tab asks for one trained in the Train tab
    assert _chart(at, "det.two.stages") is not None or any("two-stage detector" in i.value for i in at.info)


def test_a_box_written_backwards_gets_a_sentence_and_no_iou():
    at = app_test("pages/detection.py", timeout=240, every_tab=False)
    at.query_params["det.tab"] = "IoU & NMS"
    at.run()
    at.number_input(key="det.nms.A.2").set_value(5.0).run()  # x1 = 5 < x0 = 20
    _ok(at)
    assert any("x1 (5) < x0 (20)" in e.value for e in at.error), [e.value for e in at.error]
    assert _chart(at, "det.nms.iou") is None


def test_nms_thresholds_change_what_is_kept_and_the_step_slider_walks_through_it():
    at = app_test("pages/detection.py", timeout=240, every_tab=False)
    at.query_params["det.tab"] = "IoU & NMS"
    at.run()
    _ok(at)
    n = at.slider(key="det.nms.step").max
    assert n >= 1
    at.slider(key="det.nms.step").set_value(0).run()
    fig = _chart(at, "det.nms.nms")
    waiting = next(t for t in fig["data"] if (t.get("name") or "").startswith("waiting"))
    assert waiting["name"] != "waiting (0)"
    at.slider(key="det.nms.score").set_value(1.0).run()
    assert any("lower the score threshold" in i.value for i in at.info)


def test_a_train_step_redraws_the_scenes_and_the_explainers_follow_the_trained_model():
    at = app_test("pages/detection.py", timeout=240, every_tab=False)
    at.query_params["det.tab"] = "Train"
    at.run()
    at.button(key="det.train.step").click().run()
    _ok(at)
    scenes = _chart(at, "det.train.view.scenes")
    assert scenes is not None and sum(t["type"] == "image" for t in scenes["data"]) == 4
    assert _chart(at, "det.train.cam") is not None  # paused after the step: where the detector looks
    at.query_params["det.tab"] = "IoU & NMS"
    at.run()
    _ok(at)
    assert any("detector of the **Train** tab" in c.value for c in at.caption)


def test_a_mask_rcnn_step_opens_the_two_stage_view_of_that_model():
    at = app_test("pages/detection.py", timeout=240, every_tab=False)
    at.query_params["det.tab"] = "Train"
    at.session_state["det.train.recipe"] = "Mask R-CNN (two stages)"
    at.run()
    at.button(key="det.train.step").click().run()
    _ok(at)
    at.query_params["det.tab"] = "Two-stage"
    at.run()
    _ok(at)
    fig = _chart(at, "det.two.stages")
    assert fig is not None and "after NMS, by FPN level" in fig["layout"]["annotations"][1]["text"]
    assert _chart(at, "det.two.crops") is not None


def test_a_segmenter_step_draws_truth_and_prediction():
    at = app_test("pages/detection.py", timeout=240, every_tab=False)
    at.query_params["det.tab"] = "Train"
    at.session_state["det.train.recipe"] = "U-Net (semantic)"
    at.run()
    at.button(key="det.train.step").click().run()
    _ok(at)
    fig = _chart(at, "det.train.view.scenes")
    assert sum(t["type"] == "image" for t in fig["data"]) == 8  # four scenes × (truth, prediction)
