"""What the detection page asks of a trained model beyond its own methods: where a one-stage detector looks
for one of its detections, and the checked upload made into a scene-sized input.

Grad-CAM (Selvaraju et al., 2017, arXiv 1610.02391) weighs a layer's activation maps by the mean gradient
of a score and keeps the positive part: L = ReLU(Σ_c ᾱ_c A_c), computed here with captum.attr.LayerGradCam.
LayerCAM (Jiang et al., 2021, "LayerCAM: Exploring Hierarchical Class Activation Maps for Localization")
weighs every position by its own positive gradient instead, L = ReLU(Σ_c ReLU(g_c) ⊙ A_c), which stays
sharp on early, high-resolution layers. The score explained is ``model.raw_scores(x)[:, index, label]``:
the confidence of that one raw prediction, the one the detection came from.

Layers: Grad-CAM reads the backbone's stride-8 map (every scale's prediction depends on it) and LayerCAM
the stride-4 map: the last convolution of that stride executed before the first one of the next stride.
Measured on the YOLO demo (tests/detection/test_explain.py): LayerCAM puts about 70 % of its mass inside the
explained box (a tenth of the image), its peak inside the box for 10 of 11 detections; Grad-CAM's weights,
averaged over the whole map, light up every shape that excites the same channels: about 60 % of its mass
falls on the scene's objects (a quarter of the image), but no more on the explained one than on the others.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

CAM_METHODS = ("LayerCAM", "Grad-CAM")


def square(img: np.ndarray, size: int) -> np.ndarray:
    """An (h, w) picture whose longer side is ``size``, centred on a black (size, size) canvas."""
    h, w = img.shape[:2]
    out = np.zeros((size, size), np.float32)
    top, left = (size - h) // 2, (size - w) // 2
    out[top : top + h, left : left + w] = img[:size, :size]
    return out


def backbone_layer(model: nn.Module, x: torch.Tensor, stride: int) -> nn.Module:
    """The last Conv2d whose output is at ``stride`` before any convolution of a coarser stride runs."""
    order: list[tuple[nn.Module, int]] = []
    hooks = [
        m.register_forward_hook(lambda mod, _i, out: order.append((mod, x.shape[-1] // out.shape[-1])))
        for m in model.modules()
        if isinstance(m, nn.Conv2d)
    ]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    best = None
    for mod, s in order:
        if s > stride:
            break
        if s == stride:
            best = mod
    if best is None:
        raise ValueError(f"The model has no convolution at stride {stride} to explain.")
    return best


def _normalise(cam: torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    cam = F.interpolate(cam.reshape(1, 1, *cam.shape[-2:]), size=size, mode="bilinear", align_corners=False)
    cam = cam[0, 0].clamp_min(0)
    peak = float(cam.max())
    return (cam / peak).cpu().numpy() if peak > 0 else cam.cpu().numpy()


def detection_cam(model: nn.Module, image: np.ndarray, index: int, label: int, method: str = "LayerCAM"):
    """(H, W) map in [0, 1] of where ``model`` looks for raw prediction ``index``'s score of ``label`` on one
    image (C, H, W). The model should be in eval mode."""
    if method not in CAM_METHODS:
        raise ValueError(f"Unknown method {method!r}; choose one of {', '.join(CAM_METHODS)}.")
    device = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(image, np.float32))[None].to(device)  # (1, C, H, W)
    layer = backbone_layer(model, x, 8 if method == "Grad-CAM" else 4)

    def score(inp: torch.Tensor) -> torch.Tensor:
        return model.raw_scores(inp)[:, index, label]  # (B,)

    if method == "Grad-CAM":
        from captum.attr import LayerGradCam

        cam = LayerGradCam(score, layer).attribute(x, relu_attributions=True).detach()  # (1, 1, h, w)
        return _normalise(cam, x.shape[-2:])
    kept: dict[str, torch.Tensor] = {}
    hook = layer.register_forward_hook(lambda _m, _i, out: kept.__setitem__("a", out))
    try:
        with torch.enable_grad():
            s = score(x).sum()
            (g,) = torch.autograd.grad(s, kept["a"])
    finally:
        hook.remove()
    cam = (g.clamp_min(0) * kept["a"]).sum(1).detach()  # (1, h, w)
    return _normalise(cam, x.shape[-2:])


@torch.no_grad()
def segment_image(model: nn.Module, image: np.ndarray) -> np.ndarray:
    """The semantic map (H, W) a segmenter predicts for one image (H, W) or (C, H, W) in [0, 1]."""
    a = np.asarray(image, np.float32)
    x = torch.as_tensor(a[None] if a.ndim == 3 else a[None, None]).to(next(model.parameters()).device)
    was = model.training
    model.eval()
    try:
        return model.segment(x)[0].cpu().numpy()
    finally:
        model.train(was)


def anchor_fit(box: np.ndarray, anchors: list[tuple[float, float]]) -> np.ndarray:
    """IoU of a box's shape with each anchor's, both centred at one point: YOLOv3's assignment criterion."""
    w, h = float(box[2] - box[0]), float(box[3] - box[1])
    a = np.asarray(anchors, np.float64).reshape(-1, 2)
    inter = np.minimum(w, a[:, 0]) * np.minimum(h, a[:, 1])
    return inter / (w * h + a[:, 0] * a[:, 1] - inter)


def anchor_scene(seed: int, tiles: int = 1, size: int = 416) -> tuple[np.ndarray, np.ndarray]:
    """A (size, size) scene for the anchor view and its boxes (n, 4): one scene of shapes, or a
    ``tiles`` × ``tiles`` mosaic of smaller scenes, so that objects come in the sizes every stride serves."""
    from data.shapes import shape_scenes

    side = size // tiles
    sc = shape_scenes(n=tiles * tiles, size=side, max_objects=3, seed=seed)
    image = np.zeros((size, size), np.float32)
    boxes = []
    for k in range(tiles * tiles):
        r, c = divmod(k, tiles)
        image[r * side : (r + 1) * side, c * side : (c + 1) * side] = sc["images"][k, 0]
        boxes.append(sc["boxes"][k] + np.array([c * side, r * side] * 2, np.float32))
    return image, np.concatenate(boxes).reshape(-1, 4)
