"""Numbers about the CNN family (no architectures here): published ImageNet top-1 accuracies with their
sources, the family table (parameters and mult-adds counted on the meta device by ``archs.cost``),
and the receptive field of every layer.

Receptive field along a traced layer graph: for a convolution or pooling with kernel k, stride s and
dilation d, r_out = r_in + (k − 1)·d·j_in and j_out = j_in·s (j: the distance in input pixels between
neighbouring outputs). Where branches merge (add, concatenation) the largest field is kept.
"""

from __future__ import annotations

import networkx as nx
from torch import nn

import archs
from archs.cost import mult_adds
from archs.spec import to_device

_TV = "torchvision model docs, {} IMAGENET1K_V1 weights, acc@1 (single 224-crop unless noted)"
# name: (ImageNet-1k top-1 %, source)
TOP1: dict[str, tuple[float, str]] = {
    "alexnet": (56.522, _TV.format("AlexNet_Weights")),
    "vgg11": (69.020, _TV.format("VGG11_Weights")),
    "vgg16": (71.592, _TV.format("VGG16_Weights")),
    "vgg19": (72.376, _TV.format("VGG19_Weights")),
    "googlenet": (69.778, _TV.format("GoogLeNet_Weights")),
    "resnet18": (69.758, _TV.format("ResNet18_Weights")),
    "resnet34": (73.314, _TV.format("ResNet34_Weights")),
    "resnet50": (76.130, _TV.format("ResNet50_Weights")),
    "resnet101": (77.374, _TV.format("ResNet101_Weights")),
    "resnet152": (78.312, _TV.format("ResNet152_Weights")),
    "densenet121": (74.434, _TV.format("DenseNet121_Weights")),
    "mobilenet_v2": (71.878, _TV.format("MobileNet_V2_Weights")),
    "efficientnet_b0": (77.692, _TV.format("EfficientNet_B0_Weights") + "; ported from the paper"),
    "efficientnet_b1": (78.642, _TV.format("EfficientNet_B1_Weights") + "; 240 px"),
    "efficientnet_b2": (80.608, _TV.format("EfficientNet_B2_Weights") + "; 288 px"),
    "efficientnet_b3": (82.008, _TV.format("EfficientNet_B3_Weights") + "; 300 px"),
    "efficientnet_b4": (83.384, _TV.format("EfficientNet_B4_Weights") + "; 380 px"),
    "efficientnet_b5": (83.444, _TV.format("EfficientNet_B5_Weights") + "; 456 px"),
    "efficientnet_b6": (84.008, _TV.format("EfficientNet_B6_Weights") + "; 528 px"),
    "efficientnet_b7": (84.122, _TV.format("EfficientNet_B7_Weights") + "; 600 px"),
    "convnext_tiny": (82.520, _TV.format("ConvNeXt_Tiny_Weights")),
}


def family_table() -> list[dict]:
    """One row per canonical CNN trained on ImageNet: parameters, mult-adds, top-1 and its source."""
    rows = []
    for spec in archs.list_archs("cnn"):
        if "canonical" not in spec.presets:
            continue
        cfg = spec.make_config("canonical")
        model = archs.build_from_config(spec, cfg, "meta")
        x = to_device(spec.example_input(cfg), "meta")[:1]
        top1, source = TOP1.get(spec.name, (None, ""))
        rows.append(
            dict(
                name=spec.name,
                title=spec.title,
                year=spec.year,
                params=archs.count_params(model),
                mult_adds=mult_adds(model, x),
                image_size=cfg.image_size,
                classes=cfg.num_classes,
                top1=top1,
                top1_source=source,
            )
        )
    return rows


def _geometry(m: nn.Module) -> tuple[int, int, int] | None:
    if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
        k, s = m.kernel_size, m.stride
        d = getattr(m, "dilation", 1)
        first = lambda v: v if isinstance(v, int) else v[0]
        return first(k), first(s), first(d)
    return None


def receptive_fields(G: nx.DiGraph, model: nn.Module, image_size: int) -> list[dict]:
    """Receptive field (pixels) and jump of every convolution and pooling layer, in execution order."""
    modules = dict(model.named_modules())
    rf: dict[str, tuple[int, int]] = {}
    rows = []
    for n in nx.topological_sort(G):
        d = G.nodes[n]
        preds = [rf[p] for p in G.predecessors(n) if p in rf]
        r, j = max(preds) if preds else (1, 1)
        m = modules.get(d.get("path") or "") if d.get("kind") == "module" else None
        if isinstance(m, nn.AdaptiveAvgPool2d | nn.AdaptiveMaxPool2d):
            r = max(r, image_size)  # global pooling sees the whole image
        geo = _geometry(m) if m is not None else None
        if geo:
            k, s, dil = geo
            r, j = r + (k - 1) * dil * j, j * s
            rows.append(
                dict(
                    order=len(rows) + 1,
                    layer=d["path"],
                    type=d["type"],
                    kernel=k,
                    stride=s,
                    receptive_field=r,
                    jump=j,
                    shape="×".join(map(str, d.get("shape") or ())),
                )
            )
        rf[n] = (r, j)
    return rows
