"""Shape scenes as a detection and segmentation set: images, per-image box/label/mask targets and
semantic maps, split into train and held-out scenes.

Built on ``data.shapes.shape_scenes`` (grayscale scenes of one to ``max_objects`` non-overlapping shapes
of six kinds). Targets follow torchvision's detection convention: one dict per image with
``boxes`` (n, 4) float32 xyxy in pixels (the tight box of each mask's pixels), ``labels`` (n,) int64
(0-based class ids: the detectors add their own background where they need one) and ``masks``
(n, H, W) uint8 instance masks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from data.base import Supervised
from data.shapes import shape_scenes


@dataclass
class SceneSet:
    """Train and held-out scenes. Images (N, 1, H, W) float32 in [0, 1]; targets one dict per image;
    semantic (N, H, W) int64 with 0 = background and k + 1 = class k."""

    images_train: torch.Tensor
    images_test: torch.Tensor
    targets_train: list[dict]
    targets_test: list[dict]
    semantic_train: torch.Tensor
    semantic_test: torch.Tensor
    class_names: tuple[str, ...]
    size: int

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def _tight_box(mask: np.ndarray) -> list[float]:
    """The pixel-edge box around a mask: (x0, y0, x1, y1) with x1 one past the last pixel."""
    ys, xs = np.nonzero(mask)
    return [float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)]


def _target(labels: np.ndarray, inst: np.ndarray) -> dict:
    masks = [inst == k + 1 for k in range(len(labels))]
    seen = [k for k, m in enumerate(masks) if m.any()]  # a shape painted over entirely is no object
    labels, n = np.asarray(labels)[seen], len(seen)
    masks = np.stack([masks[k] for k in seen]) if n else np.zeros((0, *inst.shape), bool)
    # boxes from the masks, not the generator's circle boxes: a triangle's apex pokes out of its circle box
    boxes = [_tight_box(m) for m in masks]
    return {
        "boxes": torch.tensor(boxes, dtype=torch.float32).reshape(n, 4),
        "labels": torch.from_numpy(np.asarray(labels, np.int64).reshape(n)),
        "masks": torch.from_numpy(masks.astype(np.uint8)),  # (n, H, W)
    }


def scene_set(
    n: int = 600, size: int = 64, max_objects: int = 3, seed: int = 0, test_frac: float = 0.2
) -> SceneSet:
    """``n`` seeded scenes of ``size``×``size`` pixels; the first ``test_frac`` of them are held out."""
    if n < 2:
        raise ValueError(f"a scene set needs at least 2 scenes (one to train on, one held out), not {n}")
    if size < 16:
        raise ValueError(f"scenes need at least 16×16 pixels to hold a shape, not {size}")
    if max_objects < 1:
        raise ValueError(f"max_objects must be at least 1, not {max_objects}")
    if not 0.0 < test_frac < 1.0:
        raise ValueError(f"test_frac must lie strictly between 0 and 1, not {test_frac}")
    s = shape_scenes(n=n, size=size, max_objects=max_objects, seed=seed)
    n_test = min(max(1, int(round(n * test_frac))), n - 1)
    targets = [_target(lab, s["instances"][i]) for i, lab in enumerate(s["labels"])]
    images = torch.from_numpy(s["images"])  # (N, 1, H, W)
    semantic = torch.from_numpy(s["semantic"])  # (N, H, W)
    return SceneSet(
        images_train=images[n_test:],
        images_test=images[:n_test],
        targets_train=targets[n_test:],
        targets_test=targets[:n_test],
        semantic_train=semantic[n_test:],
        semantic_test=semantic[:n_test],
        class_names=tuple(s["class_names"]),
        size=size,
    )


def collate(targets: list[dict], device: torch.device | str = "cpu") -> list[dict]:
    """The targets of a batch moved to ``device`` (the detectors take a list of dicts, one per image)."""
    return [{k: v.to(device) for k, v in t.items()} for t in targets]


def scene_data(
    n: int = 600, size: int = 64, max_objects: int = 3, seed: int = 0, test_frac: float = 0.2
) -> Supervised:
    """A ``scene_set`` wrapped as the Trainer's ``Supervised`` data: x = the images (N, 1, H, W), y = each
    scene's index into ``meta["targets"]`` (held-out scenes first, then training scenes), so the Trainer's
    own batching draws scenes and a task looks their targets up. ``meta["scenes"]`` is the SceneSet."""
    s = scene_set(n=n, size=size, max_objects=max_objects, seed=seed, test_frac=test_frac)
    n_test = len(s.targets_test)
    return Supervised(
        x_train=s.images_train.numpy(),
        y_train=np.arange(n_test, n, dtype=np.int64),
        x_test=s.images_test.numpy(),
        y_test=np.arange(n_test, dtype=np.int64),
        kind="detection",
        num_classes=s.num_classes,
        class_names=s.class_names,
        name=f"shape scenes {size}×{size}",
        meta={"scenes": s, "targets": s.targets_test + s.targets_train, "size": size},
    )
