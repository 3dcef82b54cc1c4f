"""Detection and segmentation: boxes, IoU, anchors and NMS; one-stage (YOLO) and two-stage (Faster/Mask R-CNN)
detectors; U-Net and DeepLabv3+ segmenters; each trained live on shape scenes and taken apart."""

import streamlit as st

from ui.boot import ensure_app
from ui.detection.anchors import anchors_lab
from ui.detection.idea import idea_tab
from ui.detection.nms import iou_nms_lab
from ui.detection.train import train_lab
from ui.detection.two_stage import two_stage_lab
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Detection & segmentation")
st.markdown(
    "A classifier says *what*; a detector says *what and where*: a box, a class and a score for every object "
    "in the picture. Segmenters go down to the pixel. Here are the pieces every detector is made of (IoU, "
    "anchors, non-maximum suppression, RoI Align), the two great designs (one stage: YOLO; two stages: "
    "Faster and Mask R-CNN), two segmenters (U-Net, DeepLabv3+), and each of them trained while you watch."
)

lesson_bar("det")
idea, nms, anchors, two, train, explore = tabs(
    ["Idea", "IoU & NMS", "Anchors", "Two-stage", "Train", "Architectures"], key="det.tab"
)

if idea.open:
    with idea:
        idea_tab()

if nms.open:
    with nms:
        iou_nms_lab()

if anchors.open:
    with anchors:
        anchors_lab()

if two.open:
    with two:
        two_stage_lab()

if train.open:
    with train:
        train_lab()

cfg = None
if explore.open:
    with explore:
        spec, preset = arch_picker("detection", key="det", default="yolov3")
        with st.expander("Hyperparameters", expanded=True):
            cfg = config_form(spec, key="det", preset=preset)
        graph, summary = tabs(["Graph", "Summary"], key="det.view")

if explore.open and cfg is not None:
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="det.gr")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="det.s")
