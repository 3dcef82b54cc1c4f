"""The IoU & NMS tab: two boxes the user sets and their IoU; then a trained detector's raw predictions on a
held-out scene, filtered by a score threshold and thinned by NMS one step at a time, with the
precision–recall curve and AP of the whole held-out set at the same thresholds."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from archs.detection.boxes import box_iou, check_boxes, nms_steps
from training.detection.metrics import average_precision
from ui.charts import plotly_chart
from ui.detection.source import trained_detector
from ui.keys import child
from viz.detection import iou_figure, nms_figure, pr_figure

KEY = "det.nms"
N_EVAL = 60  # held-out scenes the PR curve is computed on
DEFAULT_A, DEFAULT_B = (20.0, 20.0, 60.0, 55.0), (40.0, 35.0, 80.0, 75.0)


def _box_inputs(name: str, default: tuple[float, ...], where) -> list[float]:
    c = where.columns(4)
    labels = ("x₀", "y₀", "x₁", "y₁")
    return [
        float(
            c[i].number_input(
                f"{name} {labels[i]}", -50.0, 150.0, default[i], 1.0, key=child(KEY, name, str(i))
            )
        )
        for i in range(4)
    ]


def iou_part() -> None:
    left, right = st.columns([2, 3])
    with left:
        st.markdown(
            "Set two boxes by their corners (pixels, y pointing down). IoU is the area they share over the "
            "area they cover together: 1 when they coincide, 0 when they do not touch."
        )
        a = _box_inputs("A", DEFAULT_A, st)
        b = _box_inputs("B", DEFAULT_B, st)
        try:
            ta, tb = check_boxes(torch.tensor([a]), "box A"), check_boxes(torch.tensor([b]), "box B")
        except ValueError as e:
            st.error(str(e), icon=":material/crop_free:")
            return
        iou = float(box_iou(ta, tb)[0, 0])
        inter = max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
        area_a, area_b = (a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])
        st.latex(
            rf"\operatorname{{IoU}} = \frac{{{inter:.0f}}}{{{area_a:.0f} + {area_b:.0f} - {inter:.0f}}}"
            rf" = {iou:.3f}"
        )
        verdict = "a match" if iou >= 0.5 else "not a match"
        st.caption(f"At the usual threshold of 0.5, B would count as {verdict} for A.")
    with right:
        plotly_chart(iou_figure(a, b, iou), key=child(KEY, "iou"))


def _raw(model, images: torch.Tensor, score_thr: float) -> list[dict]:
    with torch.no_grad():
        return [{k: v.cpu().numpy() for k, v in c.items()} for c in model.candidates(images, score_thr)]


def _nms_all(cands: list[dict], iou_thr: float) -> list[dict]:
    """Per-class NMS of every image's candidates, in plain steps (the same rule the view animates)."""
    out = []
    for c in cands:
        keep: list[int] = []
        for k in np.unique(c["labels"]):
            idx = np.flatnonzero(c["labels"] == k)
            steps = nms_steps(torch.as_tensor(c["boxes"][idx]), torch.as_tensor(c["scores"][idx]), iou_thr)
            keep += [int(idx[s[0]]) for s in steps]
        keep = sorted(keep, key=lambda i: -c["scores"][i])
        out.append({k: v[keep] for k, v in c.items() if k in ("boxes", "scores", "labels")})
    return out


def _steps(boxes: np.ndarray, scores: np.ndarray, labels: np.ndarray, iou_thr: float) -> list[tuple]:
    """NMS step by step, per class as the detector runs it, merged in score order: (kept, [suppressed])."""
    steps = []
    for k in np.unique(labels):
        idx = np.flatnonzero(labels == k)
        for kept, gone in nms_steps(torch.as_tensor(boxes[idx]), torch.as_tensor(scores[idx]), iou_thr):
            steps.append((int(idx[kept]), [int(idx[g]) for g in gone]))
    return sorted(steps, key=lambda s: -scores[s[0]])


def _scene_view(image: np.ndarray, one: dict, score_thr: float, iou_thr: float, class_names) -> None:
    if len(one["boxes"]) == 0:
        st.info(
            f"No raw prediction on this scene scores above {score_thr:.2f}: lower the score threshold.",
            icon=":material/filter_alt_off:",
        )
        return
    order = np.argsort(-one["scores"])
    boxes, scores, labels = one["boxes"][order], one["scores"][order], one["labels"][order]
    steps = _steps(boxes, scores, labels, iou_thr)
    n = len(steps)
    t = st.slider(
        "NMS step",
        0,
        n,
        n,
        key=child(KEY, "step"),
        help="0 shows every raw box; each step keeps the best remaining box and removes the boxes of its "
        "class that overlap it more than the IoU threshold.",
    )
    kept, gone = [s[0] for s in steps[:t]], [g for s in steps[:t] for g in s[1]]
    title = (
        f"{len(boxes)} raw boxes above the score threshold → {n} kept"
        if t == n
        else f"step {t} of {n}: {len(kept)} kept, {len(gone)} suppressed"
    )
    current = kept[-1] if 0 < t < n else None
    fig = nms_figure(image, boxes, scores, kept, gone, current, title, labels=labels, class_names=class_names)
    plotly_chart(fig, key=child(KEY, "nms"))


def nms_part() -> None:
    det = trained_detector("one-stage")
    if det is None:
        return
    st.caption(det.where)
    sset = det.scenes
    c = st.columns(3)
    n_test = len(sset.images_test)
    scene = int(c[0].number_input("Held-out scene", 0, n_test - 1, 0, key=child(KEY, "scene")))
    score_thr = c[1].slider("Score threshold", 0.0, 1.0, 0.25, 0.05, key=child(KEY, "score"))
    iou_thr = c[2].slider("NMS IoU threshold", 0.0, 1.0, 0.5, 0.05, key=child(KEY, "iou_thr"))
    n_eval = min(n_test, N_EVAL)
    with det.evaluating() as model:
        cands = _raw(model, sset.images_test[:n_eval], score_thr)
        one = (
            cands[scene] if scene < n_eval else _raw(model, sset.images_test[scene : scene + 1], score_thr)[0]
        )
    left, right = st.columns([3, 2])
    with left:
        _scene_view(sset.images_test[scene].numpy(), one, score_thr, iou_thr, sset.class_names)
    with right:
        res = average_precision(_nms_all(cands, iou_thr), sset.targets_test[:n_eval], len(sset.class_names))
        title = f"{n_eval} held-out scenes: mAP@0.5 = {res['ap']:.3f}"
        plotly_chart(pr_figure(res["precision"], res["recall"], res["ap"], title), key=child(KEY, "pr"))
        st.caption(
            "Raising the score threshold cuts the curve short (recall lost); a very high NMS threshold keeps "
            "duplicates (false positives: precision falls); a very low one removes neighbours that were real."
        )


def iou_nms_lab() -> None:
    st.subheader("IoU of two boxes")
    iou_part()
    st.subheader("Non-maximum suppression on a trained detector")
    nms_part()
