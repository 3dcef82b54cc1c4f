"""Attributions of a CNN's prediction to its input pixels, with captum.attr; numpy arrays out.

Saliency (|∂score/∂x|, Simonyan et al. 2013), Integrated Gradients (Sundararajan et al. 2017: the
gradient averaged along the straight path from a black image to the input, times the input),
Grad-CAM on a chosen layer (Selvaraju et al. 2017: the layer's maps weighted by their average
gradient, ReLU, upsampled to the input; by default the last spatial map before global pooling, the
"last convolutional layer" of the paper: ResNet's ``layer4``, VGG's ``features``; see
``cam_layers``) and Occlusion (Zeiler & Fergus 2014: how much the
score drops when a patch is greyed out). Every method returns an (H, W) map of the input's size.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

METHODS = ("saliency", "integrated_gradients", "grad_cam", "occlusion")
TITLES = {
    "saliency": "Saliency |∂y/∂x|",
    "integrated_gradients": "Integrated Gradients",
    "grad_cam": "Grad-CAM",
    "occlusion": "Occlusion",
}


def conv_layers(model: nn.Module) -> list[str]:
    """Paths of the model's 2-D convolutions, input side first (Grad-CAM targets)."""
    return [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]


def cam_layers(model: nn.Module, x: torch.Tensor) -> list[str]:
    """Grad-CAM targets for input ``x`` (1, C, H, W): the modules whose output is a spatial map
    (B, C, H, W), convolutions and blocks in the order their forward passes end. The last one is the
    default: the output of the network's last stage before global pooling (a container ends after its
    last child, so ResNet's ``layer4`` comes after ``layer4.1`` and its convolutions, and a shortcut
    convolution is never last). Maps of one pixel count only when no larger map exists."""
    ends: list[tuple[str, int]] = []
    hooks = []
    for name, m in model.named_modules():
        # convolutions and blocks (a norm or an activation repeats its convolution's map; a channels-last
        # Linear, as in ConvNeXt, gives (B, H, W, C): not a map); pooling is where the maps end
        if name and (isinstance(m, nn.Conv2d) or any(True for _ in m.children())):

            def hook(mod, args, out, name=name):
                if isinstance(out, torch.Tensor) and out.dim() == 4:
                    ends.append((name, out.shape[-2] * out.shape[-1]))

            hooks.append(m.register_forward_hook(hook))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(x.to(_device(model)))
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    names = [n for n, area in ends if area > 1] or [n for n, _ in ends]
    return list(dict.fromkeys(reversed(names)))[::-1]  # a module run twice counts at its last end


def _device(model: nn.Module) -> torch.device:
    return next((p.device for p in model.parameters()), torch.device("cpu"))


def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """Class probabilities (K,) for one image (C, H, W)."""
    model.eval()
    with torch.no_grad():
        logits = model(torch.as_tensor(x, dtype=torch.float32, device=_device(model))[None])
    return logits.softmax(-1)[0].float().cpu().numpy()


def attribute(
    model: nn.Module,
    x: np.ndarray,
    method: str,
    target: int | None = None,
    layer: str | None = None,
    steps: int = 32,
    window: int | None = None,
) -> np.ndarray:
    """Attribution map (H, W) of ``method`` for image ``x`` (C, H, W) and class ``target`` (default:
    the predicted class). ``layer`` picks Grad-CAM's layer (default: the last of ``cam_layers``)."""
    from captum.attr import IntegratedGradients, LayerGradCam, Occlusion, Saliency

    if method not in METHODS:
        raise ValueError(f"unknown attribution method {method!r}; choose one of {', '.join(METHODS)}")
    was_training = model.training
    model.eval()
    try:
        inp = torch.as_tensor(np.asarray(x, np.float32), device=_device(model))[None]  # (1, C, H, W)
        if target is None:
            with torch.no_grad():
                target = int(model(inp).argmax(-1))
        h, w = inp.shape[-2:]
        if method == "saliency":
            a = Saliency(model).attribute(inp.requires_grad_(), target=target, abs=True).sum(1)
        elif method == "integrated_gradients":
            ig = IntegratedGradients(model)
            a = ig.attribute(inp, baselines=torch.zeros_like(inp), target=target, n_steps=steps).sum(1)
        elif method == "grad_cam":
            layers = dict(model.named_modules())
            name = layer or (cam_layers(model, inp) or [None])[-1]
            if name not in layers:
                raise ValueError(f"the model has no layer {name!r} for Grad-CAM")
            cam = LayerGradCam(model, layers[name]).attribute(inp, target=target, relu_attributions=True)
            a = F.interpolate(cam.sum(1, keepdim=True), size=(h, w), mode="bilinear", align_corners=False)[
                :, 0
            ]
        else:
            k = window or max(2, min(h, w) // 4)
            sw = (inp.shape[1], k, k)
            st = (inp.shape[1], max(1, k // 2), max(1, k // 2))
            a = Occlusion(model).attribute(
                inp,
                sliding_window_shapes=sw,
                strides=st,
                target=target,
                baselines=0.0,
                perturbations_per_eval=64,
            )  # every occluded copy in one batch
            a = a.sum(1)
        out = a[0].detach().float().cpu().numpy()
    finally:
        model.train(was_training)
        model.zero_grad(set_to_none=True)
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)


def all_attributions(model: nn.Module, x: np.ndarray, target: int | None = None, layer: str | None = None):
    """{method: (H, W) map} for every method."""
    return {m: attribute(model, x, m, target=target, layer=layer) for m in METHODS}
