"""The Two-stage tab: Mask R-CNN's path for one held-out scene. The region proposal network's best anchors
(top-N objectness), NMS among them, the FPN level each surviving proposal is pooled from, the RoI Align
crops the second stage reads, and the final boxes and masks."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from ui.charts import plotly_chart
from ui.detection.source import trained_detector
from ui.keys import child
from viz.detection import two_stage_figure
from viz.images import image_grid

KEY = "det.two"
N_CROPS = 8


def _numpy(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out[k] = _numpy(v)
        elif torch.is_tensor(v):
            out[k] = v.detach().cpu().numpy()
        else:
            out[k] = v
    return out


def two_stage_lab() -> None:
    st.markdown(
        "**Stage one**: the region proposal network scores every anchor of every pyramid level for "
        "*object or not* and nudges it into a box; the best proposals go through NMS. **Stage two**: RoI "
        "Align cuts a 7×7 feature crop for each proposal from the pyramid level that suits its size (small "
        "boxes from the fine P2, large ones from the coarse P5); a small network classifies each crop, "
        "refines its box and paints its mask."
    )
    det = trained_detector("two-stage")
    if det is None:
        return
    st.caption(det.where)
    sset = det.scenes
    c = st.columns([1, 3])
    scene = int(c[0].number_input("Held-out scene", 0, len(sset.images_test) - 1, 0, key=child(KEY, "scene")))
    image = sset.images_test[scene]
    with det.evaluating() as model, torch.no_grad():
        inside = _numpy(model.internals(image[None]))
    plotly_chart(two_stage_figure(image.numpy(), inside, sset.class_names), key=child(KEY, "stages"))
    levels = np.asarray(inside["levels"])
    counts = ", ".join(f"{int((levels == lv).sum())} from P{lv}" for lv in sorted(set(levels.tolist())))
    anchors = inside.get("anchors")
    total = sum(anchors.values()) if isinstance(anchors, dict) else anchors
    st.caption(
        f"{total:,} anchors scored → {len(inside['pre_nms'])} best before NMS → {len(inside['proposals'])} "
        f"proposals ({counts}) → {len(inside['detections']['boxes'])} detections."
        if total is not None
        else f"{len(inside['proposals'])} proposals ({counts})."
    )
    crops = np.asarray(inside["crops"])[:N_CROPS]
    if len(crops):
        obj = np.asarray(inside["objectness"])
        titles = [f"#{i}: P{int(levels[i])}, {obj[i]:.2f}" for i in range(len(crops))]
        st.markdown(
            "**RoI Align crops** of the best proposals (the mean over the channels of each 7×7 crop): "
            "every proposal, whatever its size, becomes a grid of the same size for the second stage."
        )
        plotly_chart(
            image_grid(crops.mean(1), titles, ncols=N_CROPS, colorscale="Viridis", height=220),
            key=child(KEY, "crops"),
        )
