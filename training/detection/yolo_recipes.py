"""Recipes of the YOLO detectors (imported by training/detection/recipes.py).

``yolo_shapes``: a tiny one-stage detector learns to find and name the six kinds of shapes in 64×64
grey scenes of one to three shapes; mAP@0.5 on held-out scenes is evaluated as it trains.

    t = get_recipe("yolo_shapes").trainer(arch="yolov3", num_steps=400)
    t.step(400); t.last_eval()["map50"]
"""

from __future__ import annotations

from typing import Any

from data.base import Supervised
from training.detection.data import scene_data
from training.detection.trainer import DetectionTask, DetectionTrainer
from training.recipes import Recipe, register_recipe


def scene_link(d: Supervised) -> dict[str, Any]:
    """The detector's input and classes follow the scenes."""
    return {"in_channels": 1, "num_classes": d.num_classes, "image_size": d.meta["size"]}


register_recipe(
    Recipe(
        name="yolo_shapes",
        title="YOLO on shape scenes",
        summary="A tiny YOLO finds and names circles, squares, triangles, crosses, rings and diamonds in "
        "64×64 scenes of one to three shapes; mAP@0.5 on held-out scenes climbs as it trains.",
        arch="yolov8n",
        archs=("yolov8s", "yolov3", "yolov1"),
        data=scene_data,
        data_params=dict(n=600, size=64, max_objects=3),
        train_params=dict(optimizer="adamw", lr=5e-3, batch_size=16, num_steps=600, eval_every=50),
        link=scene_link,
        task=DetectionTask.from_data,
        trainer_cls=DetectionTrainer,
        max_steps=20_000,
    )
)
