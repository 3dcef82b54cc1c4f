"""The Anchors tab: YOLOv3's nine anchors at their three strides over a 416×416 scene, and where each
ground-truth box is learned: the scale and anchor whose shape fits it best, in the cell of its centre."""

from __future__ import annotations

import streamlit as st
import torch

import archs
from archs.detection.yolo_common import assign, yolo_anchor_table
from training.detection.explain import anchor_fit, anchor_scene
from ui.charts import plotly_chart
from ui.keys import child
from viz.detection import anchors_figure

KEY = "det.anc"
SIZE = 416
TILES = {"large": 1, "medium": 2, "small": 4}


@st.cache_resource(show_spinner=False)
def _yolov3():
    """A YOLOv3 at the paper's 416 px input (the tiny trunk: only its anchors and grids are used here)."""
    return archs.build_model("yolov3", "tiny", image_size=SIZE)


def anchors_lab() -> None:
    st.markdown(
        f"YOLOv3 reads a {SIZE}×{SIZE} image at three strides: grids of 52×52, 26×26 and 13×13 cells, three "
        "anchors per cell: 3 × (2,704 + 676 + 169) = 10,647 predictions. The nine anchor shapes were found "
        "by k-means on COCO's boxes: small ones on the fine grid, large ones on the coarse grid. A true "
        "box is learned by one prediction only: the anchor whose shape fits it best (IoU of the two "
        "shapes, centred together), in the cell that holds the box's centre."
    )
    model = _yolov3()
    table = yolo_anchor_table(model)
    c = st.columns([1, 1, 1, 2])
    seed = int(c[0].number_input("Scene", 0, 999, 3, key=child(KEY, "scene")))
    tiles = c[1].radio(
        "Object size",
        list(TILES),
        key=child(KEY, "size"),
        help="Large: one scene over the whole image. Smaller: a mosaic of scenes, so objects are smaller.",
    )
    image, boxes = anchor_scene(seed, TILES[tiles], SIZE)
    k = int(c[2].number_input("Object", 0, len(boxes) - 1, 0, key=child(KEY, "obj"))) if len(boxes) > 1 else 0
    scale, row, col, a = assign(model, {"boxes": torch.as_tensor(boxes)})[k]
    strides = [s for s, _ in table]
    shown = c[3].radio(
        "Grid",
        ["assigned", *map(str, strides)],
        horizontal=True,
        key=child(KEY, "grid"),
        help="The stride whose grid and anchors are drawn: the one the box is assigned to, or any other.",
    )
    level = scale if shown == "assigned" else strides.index(int(shown))
    stride, anchors = table[level]
    box = boxes[k]
    cell = (
        (row, col)
        if level == scale
        else (int((box[1] + box[3]) / 2 // stride), int((box[0] + box[2]) / 2 // stride))
    )
    left, right = st.columns([3, 2])
    with left:
        fig = anchors_figure(image, stride, anchors, cell, boxes[k : k + 1], a if level == scale else None)
        plotly_chart(fig, key=child(KEY, "fig"))
    with right:
        fits = anchor_fit(box, [wh for _, group in table for wh in group])
        rows = [
            {"stride": s, "anchor (w × h)": f"{w:g} × {h:g}", "shape IoU": round(float(fits[3 * i + j]), 3)}
            for i, (s, group) in enumerate(table)
            for j, (w, h) in enumerate(group)
        ]
        st.dataframe(rows, hide_index=True, width="stretch")
        bw, bh = box[2] - box[0], box[3] - box[1]
        st.markdown(
            f"The object is {bw:.0f} × {bh:.0f} pixels; its best anchor is **{table[scale][1][a][0]:g} × "
            f"{table[scale][1][a][1]:g} at stride {table[scale][0]}** (shape IoU {fits.max():.2f}), so the "
            f"prediction of anchor {a} in cell (row {row}, column {col}) of the "
            f"{SIZE // table[scale][0]}×{SIZE // table[scale][0]} grid learns it; the other 10,646 learn "
            "*no object* here."
        )
        if level != scale:
            st.caption(
                f"This grid (stride {stride}) does not learn this box: none of its anchors fits it best."
            )
