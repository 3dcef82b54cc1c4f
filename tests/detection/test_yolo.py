"""YOLOv1, v3, v8n, v8s: exact canonical counts, forward on meta, the detection contract on tiny models
(losses, candidates, detect, raw_scores with consistent indices), anchors and assignment, sentences."""

import pytest
import torch

import archs
from archs.detection.boxes import box_iou
from archs.detection.yolo_common import assign, ciou, yolo_anchor_table
from archs.detection.yolov8_loss import dfl_loss
from archs.spec import ConfigError
from training.detection.data import scene_set

YOLOS = ["yolov1", "yolov3", "yolov8n", "yolov8s"]
COUNTS = {"yolov1": 271_703_550, "yolov3": 61_949_149, "yolov8n": 3_157_200, "yolov8s": 11_166_560}
RAW = {  # canonical raw output shapes for one image
    "yolov1": [(1, 7, 7, 30)],
    "yolov3": [(1, 255, 52, 52), (1, 255, 26, 26), (1, 255, 13, 13)],
    "yolov8n": [(1, 144, 80, 80), (1, 144, 40, 40), (1, 144, 20, 20)],
    "yolov8s": [(1, 144, 80, 80), (1, 144, 40, 40), (1, 144, 20, 20)],
}
KEYS = {"yolov1": {"box", "obj", "cls"}, "yolov3": {"box", "obj", "cls"}, "yolov8n": {"box", "cls", "dfl"}}


@pytest.fixture(scope="module")
def scenes():
    return scene_set(n=12, size=64, seed=3)


@pytest.mark.parametrize("name", YOLOS)
def test_canonical_count_and_meta_forward(name):
    m = archs.build_model(name, "canonical", device="meta")
    assert sum(p.numel() for p in m.parameters()) == COUNTS[name] == archs.get_arch(name).published_params
    cfg = m.cfg
    x = torch.empty(1, cfg.in_channels, cfg.image_size, cfg.image_size, device="meta")
    out = m(x)
    out = out if isinstance(out, tuple) else (out,)
    assert [tuple(o.shape) for o in out] == RAW[name]
    boxes, scores = m.decode(x)
    assert boxes.shape[:2] == scores.shape[:2] and scores.shape[2] == cfg.num_classes


@pytest.mark.parametrize("name", ["yolov1", "yolov3", "yolov8n"])
def test_contract_on_tiny(name, scenes):
    torch.manual_seed(0)
    m = archs.build_model(name, "tiny")
    x, t = scenes.images_train[:3], scenes.targets_train[:3]
    terms = m.losses(x, t)
    assert set(terms) == KEYS[name] and all(v.dim() == 0 and torch.isfinite(v) for v in terms.values())
    sum(terms.values()).backward()
    assert all(p.grad is not None for p in m.parameters() if p.requires_grad)
    m.eval()
    raw = m.raw_scores(x)
    cands = m.candidates(x, score_threshold=0.0)
    dets = m.detect(x, score_threshold=0.0, iou_threshold=0.5, max_detections=5)
    for b in range(len(x)):
        c, d = cands[b], dets[b]
        assert len(c["scores"]) == raw.shape[1]  # threshold 0: every raw prediction is a candidate
        assert torch.allclose(c["scores"], raw[b, c["index"], c["labels"]])
        assert (c["scores"][:-1] >= c["scores"][1:]).all()
        assert len(d["scores"]) <= 5 and d["labels"].dtype == torch.int64 and d["index"].dtype == torch.int64
        assert torch.allclose(d["scores"], raw[b, d["index"], d["labels"]])
        for lab in d["labels"].unique():  # after per-class NMS no two boxes of a class overlap > 0.5
            bx = d["boxes"][d["labels"] == lab]
            assert (box_iou(bx, bx).fill_diagonal_(0) <= 0.5 + 1e-6).all()


def test_raw_scores_are_differentiable_wrt_the_image(scenes):
    m = archs.build_model("yolov8n", "tiny").eval()
    x = scenes.images_test[:1].clone().requires_grad_(True)
    m.raw_scores(x)[0, 5, 2].backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_anchor_table_and_assignment():
    m3 = archs.build_model("yolov3", "canonical", device="meta")
    table = yolo_anchor_table(m3)
    assert [s for s, _ in table] == [8, 16, 32] and table[2][1][2] == (373.0, 326.0)
    boxes = {"boxes": torch.tensor([[100.0, 100, 110, 113], [0, 0, 370, 330], [200, 40, 262, 85]])}
    # a 10×13 box is anchor 0 at stride 8 in the cell of its centre (105, 106.5): row 13, col 13;
    # 370×330 is the largest anchor (scale 2, anchor 2) in cell (5, 5); 62×45 is anchor 1 of stride 16
    assert assign(m3, boxes) == [(0, 13, 13, 0), (2, 5, 5, 2), (1, 3, 14, 1)]
    m1 = archs.build_model("yolov1", "canonical", device="meta")
    assert assign(m1, {"boxes": torch.tensor([[0.0, 0, 64, 64], [400, 300, 440, 440]])}) == [
        (0, 0, 0, -1),
        (0, 5, 6, -1),
    ]  # 448 / 7 = 64-pixel cells: centres (32, 32) and (420, 370)
    assert yolo_anchor_table(archs.build_model("yolov8n", "tiny"))[0] == (8, [])


def test_yolov1_tiny_keeps_a_map_for_its_dense_layers_and_squashes(scenes):
    # 64 pixels shrunk 64 times would leave one pixel; downsample=16 leaves 4×4 (the paper's 448 leave 7×7)
    m = archs.build_model("yolov1", "tiny", squash=True).eval()
    assert m.features(scenes.images_test[:1]).shape[-2:] == (4, 4)
    boxes, p = m._boxes(m(scenes.images_test[:2]))
    xy_conf = p[..., [0, 1, 4]]
    assert (xy_conf > 0).all() and (xy_conf < 1).all()  # sigmoid on x, y and the confidence
    canon = archs.build_model("yolov1", "canonical", device="meta")
    assert canon.features(torch.empty(1, 3, 448, 448, device="meta")).shape[-2:] == (7, 7)


def test_ciou_and_dfl_by_hand():
    a = torch.tensor([[0.0, 0, 2, 2]])
    assert ciou(a, a).item() == pytest.approx(1.0, abs=1e-6)
    # same shape shifted by 2: IoU 0, centres 2 apart, enclosing box 4×2 (diagonal² 20) -> −4/20
    assert ciou(a, torch.tensor([[2.0, 0, 4, 2]])).item() == pytest.approx(-0.2, abs=1e-6)
    logits = torch.full((1, 4, 16), -1e4)
    logits[0, :, 3], logits[0, :, 4] = 0.0, 0.0  # half the mass on bins 3 and 4: matches distance 3.5
    assert dfl_loss(logits, torch.full((1, 4), 3.5)).item() == pytest.approx(
        -torch.log(torch.tensor(0.5)).item()
    )


@pytest.mark.parametrize(
    "name, kw, words",
    [
        ("yolov3", {"image_size": 100}, "multiple of 32"),
        ("yolov1", {"image_size": 96, "downsample": 64}, "multiple of 64"),
        ("yolov1", {"image_size": 72}, "multiple of 16"),
        ("yolov1", {"grid_size": 9}, "too fine"),
        ("yolov3", {"depths": (1, 2)}, "five"),
    ],
)
def test_config_sentences(name, kw, words):
    with pytest.raises(ConfigError, match=words):
        archs.get_arch(name).make_config("tiny", **kw)


def test_thresholds_outside_unit_interval_are_sentences(scenes):
    m = archs.build_model("yolov8n", "tiny").eval()
    with pytest.raises(ValueError, match="score threshold must lie between 0 and 1"):
        m.detect(scenes.images_test[:1], score_threshold=1.5)
    with pytest.raises(ValueError, match="IoU threshold must lie between 0 and 1"):
        m.detect(scenes.images_test[:1], iou_threshold=-0.1)


def test_empty_scene_has_no_box_loss_and_no_crash():
    m = archs.build_model("yolov8n", "tiny")
    empty = [{"boxes": torch.zeros(0, 4), "labels": torch.zeros(0, dtype=torch.long)}]
    terms = m.losses(torch.zeros(2, 1, 64, 64), empty * 2)
    assert terms["box"].item() == 0.0 and torch.isfinite(terms["cls"])
    for name in ("yolov1", "yolov3"):
        assert all(
            torch.isfinite(v)
            for v in archs.build_model(name, "tiny").losses(torch.zeros(2, 1, 64, 64), empty * 2).values()
        )
