"""DetectionTrainer mechanics on a stand-in detector: loss terms logged, mAP evaluated on held-out scenes,
snapshot scenes as numpy."""

import numpy as np
import torch
from torch import nn

from training.detection.data import scene_data
from training.detection.trainer import DetectionTask, DetectionTrainer


class Oracle(nn.Module):
    """Answers every image with the boxes it was told (a perfect detector once ``w`` has no say)."""

    def __init__(self, answers):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(3.0))
        self.answers = answers  # image bytes -> target dict

    def losses(self, x, targets):
        return {"box": (self.w - 1) ** 2, "cls": self.w.abs() * 0.1}

    def detect(self, x, score_threshold=0.25, iou_threshold=0.5, max_detections=100):
        out = []
        for img in x:
            t = self.answers[img.numpy().tobytes()]
            n = len(t["labels"])
            out.append(
                {
                    "boxes": t["boxes"],
                    "scores": torch.ones(n),
                    "labels": t["labels"],
                    "index": torch.arange(n),
                }
            )
        return out


def test_trainer_logs_terms_evaluates_map_and_snapshots_scenes():
    data = scene_data(n=30, size=32, seed=0)
    images = np.concatenate([data.x_test, data.x_train])
    model = Oracle({img.tobytes(): t for img, t in zip(images, data.meta["targets"], strict=True)})
    t = DetectionTrainer(
        model, DetectionTask.from_data(data), data, lr=0.1, batch_size=8, num_steps=20, eval_every=10
    )
    t.step(20)
    assert t.status == "done", t.message
    assert {"loss", "loss_box", "loss_cls"} <= set(t.history[0])
    assert t.history[-1]["loss_box"] < t.history[0]["loss_box"]
    ev = t.last_eval()
    assert ev["map50"] == 1.0 and ev["map"] == 1.0 and t.warning is None
    s = t.snapshot()["scenes"]
    assert s["images"].shape == (4, 1, 32, 32) and s["images"].dtype == np.float32
    assert len(s["targets"]) == 4 and s["targets"][0]["boxes"].dtype == np.float32
    assert np.array_equal(s["detections"][0]["boxes"], s["targets"][0]["boxes"])
