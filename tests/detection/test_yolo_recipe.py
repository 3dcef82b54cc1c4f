"""yolo_shapes: a tiny YOLOv8n reaches mAP@0.5 ≥ 0.6 on 120 held-out scenes in 180 steps of 16 scenes
(about 20 s on one core; it crosses 0.6 between steps 150 and 180 and ends near 0.8)."""

import time

import torch

from training.recipes import get_recipe


def test_yolo_shapes_reaches_map50_on_held_out_scenes():
    torch.set_num_threads(1)
    r = get_recipe("yolo_shapes")
    assert set(r.compatible) == {"yolov8n", "yolov8s", "yolov3", "yolov1"}
    t = r.trainer(num_steps=180, eval_every=90, seed=0)
    t0 = time.perf_counter()
    t.step(180)
    assert t.status == "done", t.message
    ev = t.last_eval()
    print(f"yolo_shapes: map50 {ev['map50']:.3f}, map {ev['map']:.3f} in {time.perf_counter() - t0:.1f} s")
    assert ev["map50"] >= 0.6 and ev["map"] < ev["map50"]
    assert {"loss_box", "loss_cls", "loss_dfl"} <= set(t.history[0])
    scenes = t.snapshot()["scenes"]
    assert len(scenes["detections"]) == 4 and scenes["images"].shape == (4, 1, 64, 64)
    assert set(scenes["detections"][0]) == {"boxes", "scores", "labels", "index"}
    assert all((d["scores"] >= 0.25).all() for d in scenes["detections"])
