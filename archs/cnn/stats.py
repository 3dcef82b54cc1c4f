"""Numbers about the CNN family (no architectures here): the family table (parameters and mult-adds
counted on the meta device by ``archs.cost``, ImageNet top-1 from the registry) and the receptive field
of every layer.

Receptive field along a traced layer graph: for a convolution or pooling with kernel k, stride s and
dilation d, r_out = r_in + (k − 1)·d·j_in and j_out = j_in·s (j: the distance in input pixels between
neighbouring outputs). Where branches merge (add, concatenation) the largest field is kept.
"""

from __future__ import annotations

import networkx as nx
from torch import nn

import archs
from archs.cost import mult_adds
from archs.spec import IMAGENET_TOP1, to_device


def family_table() -> list[dict]:
    """One row per canonical CNN trained on ImageNet: parameters, mult-adds, and the ImageNet top-1 the
    registry cites (``ArchSpec.published_result``) with its source."""
    rows = []
    for spec in archs.list_archs("cnn"):
        if "canonical" not in spec.presets:
            continue
        cfg = spec.make_config("canonical")
        model = archs.build_from_config(spec, cfg, "meta")
        x = to_device(spec.example_input(cfg), "meta")[:1]
        res = spec.published_result
        top1, source = (res.value, res.source) if res and res.benchmark == IMAGENET_TOP1 else (None, "")
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
