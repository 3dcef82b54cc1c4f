"""What the detection page asks of a model: Grad-CAM and LayerCAM of one detection (a trained detector looks
inside the box it found), the anchor view's scenes and shape fits, an upload made square."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import archs
from training import demos
from training.detection.explain import (
    anchor_fit,
    anchor_scene,
    backbone_layer,
    detection_cam,
    segment_image,
    square,
)


def test_square_centres_the_picture_on_a_black_canvas():
    out = square(np.ones((10, 20), np.float32), 20)
    assert out.shape == (20, 20) and out[5:15].min() == 1 and out[:5].max() == 0 and out[15:].max() == 0


def test_anchor_fit_is_the_iou_of_shapes_centred_together():
    fits = anchor_fit(np.array([0, 0, 10, 20]), [(10, 20), (20, 10), (5, 5)])
    assert fits[0] == pytest.approx(1.0)
    assert fits[1] == pytest.approx(100 / 300)  # 10×10 shared of 200 + 200 − 100
    assert fits[2] == pytest.approx(25 / 200)


@pytest.mark.parametrize("tiles", [1, 2, 4])
def test_anchor_scenes_place_every_box_inside_its_own_tile(tiles):
    image, boxes = anchor_scene(seed=1, tiles=tiles, size=416)
    side = 416 // tiles
    assert image.shape == (416, 416) and len(boxes) >= tiles * tiles
    tile_of = (boxes[:, :2] // side).astype(int)
    assert (boxes[:, 2:] <= (tile_of + 1) * side + 1e-3).all()  # a box never crosses into the next tile
    for x0, y0, x1, y1 in boxes.astype(int):
        assert image[y0:y1, x0:x1].max() > 0.5  # a shape is drawn in each box


def test_the_cam_layers_are_the_backbones_last_convolutions_at_strides_8_and_4():
    m = archs.build_model("yolov8n", "tiny").eval()
    x = torch.zeros(1, 1, 64, 64)
    l8, l4 = backbone_layer(m, x, 8), backbone_layer(m, x, 4)
    seen: dict[str, int] = {}

    def keep(name):
        def hook(_m, _i, out):
            seen.setdefault(name, out.shape[-1])  # returns None: the output is left alone

        return hook

    hooks = [l8.register_forward_hook(keep("8")), l4.register_forward_hook(keep("4"))]
    m(x)
    for h in hooks:
        h.remove()
    assert seen == {"8": 8, "4": 16}


def _demo_cams(method: str):
    """(cam, the explained box's mask, every true box's mask) for each detection of the demo's scenes."""
    t = demos.load("yolo_shapes")
    sc = t.snapshot()["scenes"]
    out = []
    for i, d in enumerate(sc["detections"]):
        objects = np.zeros((64, 64), bool)
        for b in np.round(sc["targets"][i]["boxes"]).astype(int):
            objects[b[1] : b[3], b[0] : b[2]] = True
        for j in range(len(d["boxes"])):
            cam = detection_cam(
                t.model.eval(), sc["images"][i], int(d["index"][j]), int(d["labels"][j]), method
            )
            assert cam.shape == (64, 64) and np.isfinite(cam).all() and 0 <= cam.min() and cam.max() <= 1
            x0, y0, x1, y1 = np.round(d["boxes"][j]).astype(int)
            own = np.zeros((64, 64), bool)
            own[max(y0, 0) : y1, max(x0, 0) : x1] = True
            out.append((cam, own, objects))
    assert len(out) >= 4, "the demo detector finds too little on its held-out scenes"
    return out


NO_DEMO = pytest.mark.skipif(not demos.available("yolo_shapes"), reason="the YOLO demo file is not built")


@NO_DEMO
def test_layercam_of_a_trained_detector_looks_inside_the_box_it_explains():
    cams = _demo_cams("LayerCAM")
    peaks_inside = [own.flat[cam.argmax()] for cam, own, _ in cams]
    concentration = [cam[own].sum() / cam.sum() / own.mean() for cam, own, _ in cams]
    assert np.mean(peaks_inside) >= 0.8, peaks_inside  # measured 10 of 11
    assert np.mean(concentration) >= 4, concentration  # mass inside the box over its share of the image: ~7


@NO_DEMO
def test_gradcam_of_a_trained_detector_lights_up_the_objects_of_the_scene():
    cams = _demo_cams("Grad-CAM")
    on_objects = [cam[objects].sum() / cam.sum() / objects.mean() for cam, _, objects in cams]
    assert np.mean(on_objects) >= 1.5, on_objects  # measured ~2.3: objects, though not only the explained one


def test_an_unknown_method_is_refused_with_a_sentence():
    m = archs.build_model("yolov8n", "tiny").eval()
    with pytest.raises(ValueError, match="choose one of"):
        detection_cam(m, np.zeros((1, 64, 64), np.float32), 0, 0, "Saliency")


def test_segment_image_gives_one_class_per_pixel():
    m = archs.build_model("unet", "tiny")
    out = segment_image(m, np.zeros((64, 64), np.float32))
    assert out.shape == (64, 64) and out.dtype == np.int64 and m.training  # the model is left as it was
