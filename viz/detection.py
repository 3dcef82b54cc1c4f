"""Figures for detection and segmentation: a scene with its boxes (class and score on each, masks
tinted over the objects), two boxes and their IoU, NMS one step at a time, the precision–recall curve and
its AP, YOLO's anchors over the grid of each stride, the two stages of an R-CNN (proposals, the FPN level
each RoI is pooled from, RoI Align crops, final boxes), semantic masks side by side, and the loss terms and
quality curves of a run.

Inputs are numpy arrays: images (C, H, W) or (H, W) in [0, 1], boxes (n, 4) as x0, y0, x1, y1 in pixels
(pixel i covers [i, i + 1]), labels and scores (n,). Nothing here runs a model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, ema, light_chart
from viz.images import rgb_image

# one colour per class (the scenes have six kinds); boxes, masks and legends agree
CLASS_COLORS = ("#e03131", "#1c7ed6", "#2f9e44", "#f08c00", "#9c36b5", "#0c8599", "#c2255c", "#5c940d")
KEPT, SUPPRESSED, PENDING, CURRENT, TRUTH = "#2f9e44", "#adb5bd", "#868e96", "#e8590c", "#212529"


def class_color(k: int) -> str:
    return CLASS_COLORS[int(k) % len(CLASS_COLORS)]


def _rgb(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)], dtype=np.float32)


def to_rgb(image: np.ndarray) -> np.ndarray:
    """(H, W), (1, H, W), (3, H, W) or (H, W, 3) in [0, 1] → (H, W, 3) uint8."""
    a = np.asarray(image, dtype=np.float32)
    if a.ndim == 3 and a.shape[0] in (1, 3):
        a = a[0] if a.shape[0] == 1 else a.transpose(1, 2, 0)  # (H, W) or (H, W, 3)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, -1)
    return (np.clip(a, 0, 1) * 255).astype(np.uint8)


def tint(rgb: np.ndarray, masks: np.ndarray, colors: Sequence[str], alpha: float = 0.45) -> np.ndarray:
    """Blend each mask (n, H, W), weights in [0, 1], over the picture in its colour."""
    out = rgb.astype(np.float32)
    for m, c in zip(masks, colors, strict=False):
        w = alpha * np.clip(np.asarray(m, np.float32), 0, 1)[..., None]
        out = out * (1 - w) + _rgb(c) * w
    return out.astype(np.uint8)


def semantic_rgb(image: np.ndarray, semantic: np.ndarray, alpha: float = 0.55) -> np.ndarray:
    """A semantic map (H, W), 0 = background and k + 1 = class k, tinted over the picture."""
    rgb = to_rgb(image)
    k = int(semantic.max()) if semantic.size else 0
    return tint(rgb, [semantic == c + 1 for c in range(k)], [class_color(c) for c in range(k)], alpha)


def _box_lines(boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closed rectangles as one polyline with None-free NaN breaks (one trace draws them all)."""
    if len(boxes) == 0:
        return np.array([]), np.array([])
    b = np.asarray(boxes, dtype=float)
    xs = np.stack([b[:, 0], b[:, 2], b[:, 2], b[:, 0], b[:, 0], np.full(len(b), np.nan)], 1).ravel()
    ys = np.stack([b[:, 1], b[:, 1], b[:, 3], b[:, 3], b[:, 1], np.full(len(b), np.nan)], 1).ravel()
    return xs, ys


def box_trace(boxes, color: str, name: str, width: float = 2, dash: str = "solid", show=True) -> go.Scatter:
    xs, ys = _box_lines(np.asarray(boxes).reshape(-1, 4))
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        line=dict(color=color, width=width, dash=dash),
        name=name,
        showlegend=show,
        hoverinfo="skip",
    )


def _image_axes(fig: go.Figure, h: int, w: int, row=None, col=None) -> None:
    kw = dict(row=row, col=col) if row else {}
    fig.update_xaxes(range=[0, w], visible=False, constrain="domain", **kw)
    fig.update_yaxes(range=[h, 0], visible=False, scaleanchor="x" if not row else None, **kw)


def _labels(boxes, labels, scores, class_names) -> list[str]:
    out = []
    for i in range(len(boxes)):
        name = class_names[int(labels[i])] if labels is not None else ""
        out.append(f"{name} {scores[i]:.2f}".strip() if scores is not None else name)
    return out


def add_detections(fig, boxes, labels, scores, class_names, row=None, col=None, legend=True) -> None:
    """Boxes coloured by class (one trace per class), each labelled with its class and score."""
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    labels = np.asarray(labels if labels is not None else np.zeros(len(boxes)), dtype=int)
    kw = dict(row=row, col=col) if row else {}
    for k in np.unique(labels):
        sel = labels == k
        name = class_names[k] if k < len(class_names) else f"class {k}"
        fig.add_trace(box_trace(boxes[sel], class_color(k), name, 2.5, show=legend), **kw)
    text = _labels(boxes, labels, scores, class_names)
    label_boxes(fig, boxes, text, [class_color(k) for k in labels], row, col)


def label_boxes(
    fig, boxes: np.ndarray, text: Sequence[str], colors: Sequence[str], row=None, col=None
) -> None:
    """A white label on a tab of the box's colour above each box's top-left corner, and an invisible
    marker at each centre that names the box and its corners on hover."""
    kw = dict(row=row, col=col) if row else {}
    for b, t, c in zip(boxes, text, colors, strict=True):
        fig.add_annotation(
            x=b[0],
            y=b[1],
            text=t,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            bgcolor=c,
            font=dict(color="white", size=11),
            borderpad=1,
            **kw,
        )
    fig.add_trace(
        go.Scatter(
            x=(boxes[:, 0] + boxes[:, 2]) / 2,
            y=(boxes[:, 1] + boxes[:, 3]) / 2,
            mode="markers",
            marker=dict(size=14, opacity=0),
            showlegend=False,
            hovertext=[
                f"{t}<br>box ({b[0]:.1f}, {b[1]:.1f}) – ({b[2]:.1f}, {b[3]:.1f})"
                for t, b in zip(text, boxes, strict=True)
            ],
            hoverinfo="text",
        ),
        **kw,
    )


def scene_figure(
    image: np.ndarray,
    boxes=None,
    labels=None,
    scores=None,
    class_names: Sequence[str] = (),
    masks=None,
    truth=None,
    title: str = "",
    height: int = 420,
) -> go.Figure:
    """One scene with its detections (and, dashed in black, the ground-truth boxes where given)."""
    rgb = to_rgb(image)
    if masks is not None and len(masks):
        rgb = tint(rgb, masks, [class_color(k) for k in labels])
    h, w = rgb.shape[:2]
    fig = go.Figure(rgb_image(rgb, x0=0.5, y0=0.5))
    if truth is not None and len(truth):
        fig.add_trace(box_trace(truth, TRUTH, "ground truth", 1.5, "dot"))
    if boxes is not None and len(boxes):
        add_detections(fig, boxes, labels, scores, class_names)
    _image_axes(fig, h, w)
    fig.update_layout(
        height=height,
        margin=dict(l=5, r=5, t=30 if title else 5, b=5),
        title=title or None,
        legend=dict(orientation="h", y=-0.02, yanchor="top"),
        plot_bgcolor="white",
    )
    return fig


def scenes_figure(scenes: dict, class_names: Sequence[str], height: int = 300) -> go.Figure:
    """Held-out scenes in a row with the model's detections (masks tinted where it makes them) and the
    ground-truth boxes dotted: the live view of a detector's run."""
    images, dets, targets = scenes["images"], scenes["detections"], scenes["targets"]
    n = len(images)
    fig = make_subplots(rows=1, cols=n, horizontal_spacing=0.01)
    seen: set[int] = set()
    for i in range(n):
        d = dets[i]
        rgb = to_rgb(images[i])
        if d.get("masks") is not None and len(d["masks"]):
            rgb = tint(rgb, d["masks"], [class_color(k) for k in d["labels"]])
        h, w = rgb.shape[:2]
        fig.add_trace(rgb_image(rgb, x0=0.5, y0=0.5), 1, i + 1)
        fig.add_trace(
            box_trace(targets[i]["boxes"], TRUTH, "ground truth", 1.2, "dot", show=i == 0), 1, i + 1
        )
        new = {int(k) for k in d["labels"]} - seen
        add_detections(fig, d["boxes"], d["labels"], d["scores"], class_names, 1, i + 1, legend=bool(new))
        seen |= new
        _image_axes(fig, h, w, 1, i + 1)
    for i in range(1, n + 1):
        fig.update_yaxes(scaleanchor=f"x{'' if i == 1 else i}", row=1, col=i)
    fig.update_layout(
        height=height, margin=dict(l=5, r=5, t=5, b=5), legend=dict(orientation="h", y=-0.02, yanchor="top")
    )
    return fig


def segmentation_figure(scenes: dict, class_names: Sequence[str], height: int = 460) -> go.Figure:
    """Each held-out scene, its true semantic mask and the prediction, one column per scene."""
    images, true, pred = scenes["images"], scenes["semantic_true"], scenes["semantic_pred"]
    n = len(images)
    fig = make_subplots(
        rows=2, cols=n, horizontal_spacing=0.01, vertical_spacing=0.06, row_titles=["truth", "prediction"]
    )
    for i in range(n):
        for r, sem in ((1, true[i]), (2, pred[i])):
            rgb = semantic_rgb(images[i], np.asarray(sem))
            fig.add_trace(rgb_image(rgb, x0=0.5, y0=0.5), r, i + 1)
            _image_axes(fig, rgb.shape[0], rgb.shape[1], r, i + 1)
    for k, name in enumerate(class_names):  # a legend of the class colours
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker=dict(color=class_color(k), size=12, symbol="square"),
                name=name,
            ),
            1,
            1,
        )
    fig.update_layout(
        height=height, margin=dict(l=5, r=30, t=5, b=5), legend=dict(orientation="h", y=-0.02, yanchor="top")
    )
    return fig


def iou_figure(a: Sequence[float], b: Sequence[float], iou: float, size: int = 100, height: int = 380):
    """Two boxes on a canvas: the intersection filled, the union outlined, and IoU = |A∩B| / |A∪B|."""
    fig = go.Figure()
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    if x1 > x0 and y1 > y0:
        fig.add_trace(
            go.Scatter(
                x=[x0, x1, x1, x0, x0],
                y=[y0, y0, y1, y1, y0],
                fill="toself",
                mode="lines",
                fillcolor="rgba(232, 89, 12, 0.35)",
                line=dict(color=CURRENT, width=0),
                name="A ∩ B",
            )
        )
    fig.add_trace(box_trace([a], "#1c7ed6", "box A", 3))
    fig.add_trace(box_trace([b], "#2f9e44", "box B", 3))
    fig.update_xaxes(range=[0, size], gridcolor="#eee", zeroline=False, constrain="domain")
    fig.update_yaxes(range=[size, 0], gridcolor="#eee", zeroline=False, scaleanchor="x")
    fig.update_layout(
        title=f"IoU = {iou:.3f}",
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.05, yanchor="top"),
    )
    return fig


def nms_figure(
    image: np.ndarray,
    boxes: np.ndarray,
    scores: np.ndarray,
    kept: Sequence[int],
    suppressed: Sequence[int],
    current: int | None = None,
    title: str = "",
    height: int = 440,
    labels: np.ndarray | None = None,
    class_names: Sequence[str] = (),
) -> go.Figure:
    """NMS at one step: boxes kept so far (green, with their scores), boxes suppressed (light grey,
    dashed), those still waiting (thin grey) and the box just kept (orange, thick)."""
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    done = set(kept) | set(suppressed)
    pending = [i for i in range(len(boxes)) if i not in done]
    fig = go.Figure(rgb_image(to_rgb(image), x0=0.5, y0=0.5))
    fig.add_trace(box_trace(boxes[pending], PENDING, f"waiting ({len(pending)})", 1))
    fig.add_trace(
        box_trace(boxes[list(suppressed)], SUPPRESSED, f"suppressed ({len(suppressed)})", 1.5, "dash")
    )
    fig.add_trace(box_trace(boxes[list(kept)], KEPT, f"kept ({len(kept)})", 2.5))
    if current is not None:
        fig.add_trace(box_trace(boxes[[current]], CURRENT, "kept at this step", 4))
    if len(kept):
        k = np.asarray(kept)
        names = [class_names[int(labels[i])] + " " if labels is not None else "" for i in k]
        label_boxes(
            fig, boxes[k], [f"{n}{scores[i]:.2f}" for n, i in zip(names, k, strict=True)], [KEPT] * len(k)
        )
    h, w = np.asarray(image).shape[-2:]
    _image_axes(fig, h, w)
    fig.update_layout(
        height=height,
        title=title or None,
        margin=dict(l=5, r=5, t=30 if title else 5, b=5),
        legend=dict(orientation="h", y=-0.02, yanchor="top"),
    )
    return fig


def pr_figure(precision: np.ndarray, recall: np.ndarray, ap: float, title: str = "", height: int = 320):
    """The precision–recall curve of detections ranked by score, its interpolated envelope (precision
    at recall r = the best precision at any recall ≥ r) whose mean over 101 recall points is AP."""
    p, r = np.asarray(precision, float), np.asarray(recall, float)
    fig = go.Figure()
    if len(p):
        env = np.maximum.accumulate(p[::-1])[::-1]
        fig.add_trace(
            go.Scatter(
                x=r,
                y=env,
                mode="lines",
                line=dict(color=KEPT, width=0, shape="hv"),
                fill="tozeroy",
                fillcolor="rgba(47, 158, 68, 0.15)",
                name=f"interpolated (area ≈ AP = {ap:.3f})",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=r,
                y=p,
                mode="lines+markers",
                line=dict(color="#1c7ed6", width=2),
                marker=dict(size=4),
                name="precision at each rank",
            )
        )
    fig.update_xaxes(title="recall", range=[0, 1.02])
    fig.update_yaxes(title="precision", range=[0, 1.05])
    fig.update_layout(title=title or f"AP = {ap:.3f}")
    return light_chart(fig, height, -0.3)


def anchors_figure(
    image: np.ndarray,
    stride: int,
    anchors: Sequence[tuple[float, float]],
    cell: tuple[int, int],
    truth: np.ndarray | None = None,
    best: int | None = None,
    height: int = 440,
) -> go.Figure:
    """The grid of one stride over the image, the chosen cell shaded and its anchors (w × h) drawn about
    the cell's centre; the anchor a ground-truth box is assigned to (best IoU of shapes) is drawn thick."""
    h, w = np.asarray(image).shape[-2:]
    fig = go.Figure(rgb_image(to_rgb(image), x0=0.5, y0=0.5))
    xs, ys = [], []
    for gx in np.arange(0, w + 1e-6, stride):
        xs += [gx, gx, np.nan]
        ys += [0, h, np.nan]
    for gy in np.arange(0, h + 1e-6, stride):
        xs += [0, w, np.nan]
        ys += [gy, gy, np.nan]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line=dict(color="rgba(255,255,255,0.35)", width=1),
            name=f"grid (stride {stride})",
            hoverinfo="skip",
        )
    )
    r, c = cell
    fig.add_trace(
        go.Scatter(
            x=[c * stride, (c + 1) * stride, (c + 1) * stride, c * stride, c * stride],
            y=[r * stride, r * stride, (r + 1) * stride, (r + 1) * stride, r * stride],
            fill="toself",
            fillcolor="rgba(232, 89, 12, 0.35)",
            line=dict(width=0),
            mode="lines",
            name="the cell",
            hoverinfo="skip",
        )
    )
    cx, cy = (c + 0.5) * stride, (r + 0.5) * stride
    for i, (aw, ah) in enumerate(anchors):
        fig.add_trace(
            box_trace(
                [[cx - aw / 2, cy - ah / 2, cx + aw / 2, cy + ah / 2]],
                PALETTE[i % 8],
                f"anchor {i}: {aw:g} × {ah:g}",
                4 if i == best else 1.5,
                "solid" if i == best else "dash",
            )
        )
    if truth is not None:
        fig.add_trace(box_trace(truth, "#fcc419", "ground truth", 2.5, "dot"))
    _image_axes(fig, h, w)
    fig.update_xaxes(
        range=[min(0, cx - max(a[0] for a in anchors) / 2), max(w, cx + max(a[0] for a in anchors) / 2)]
    )
    fig.update_yaxes(
        range=[max(h, cy + max(a[1] for a in anchors) / 2), min(0, cy - max(a[1] for a in anchors) / 2)]
    )
    fig.update_layout(
        height=height,
        margin=dict(l=5, r=5, t=5, b=5),
        legend=dict(orientation="h", y=-0.02, yanchor="top"),
        plot_bgcolor="white",
    )
    return fig


MAX_PRE = 100  # proposals drawn before NMS: more only fills the picture
LEVEL_COLORS = {2: "#1c7ed6", 3: "#2f9e44", 4: "#f08c00", 5: "#9c36b5", 6: "#c2255c"}


def two_stage_figure(image: np.ndarray, internals: dict, class_names: Sequence[str], height: int = 360):
    """Left: the RPN's top proposals before NMS. Middle: the proposals NMS keeps, coloured by the FPN level
    their RoI is pooled from. Right: the final boxes (and masks) after the second stage."""
    pre = np.asarray(internals["pre_nms"])
    titles = [
        f"{min(len(pre), MAX_PRE)} best of {len(pre)} proposals (before NMS)",
        f"{len(internals['proposals'])} after NMS, by FPN level",
        "final detections",
    ]
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.02)
    rgb = to_rgb(image)
    h, w = rgb.shape[:2]
    det = internals["detections"]
    final = rgb
    if det.get("masks") is not None and len(det["masks"]):
        final = tint(rgb, det["masks"], [class_color(k) for k in det["labels"]])
    for col, pic in ((1, rgb), (2, rgb), (3, final)):
        fig.add_trace(rgb_image(pic, x0=0.5, y0=0.5), 1, col)
        _image_axes(fig, h, w, 1, col)
        fig.update_yaxes(scaleanchor=f"x{'' if col == 1 else col}", row=1, col=col)
    fig.add_trace(box_trace(pre[:MAX_PRE], "rgba(255, 212, 59, 0.6)", "proposal", 1), 1, 1)
    levels = np.asarray(internals["levels"])
    for lv in sorted(set(levels.tolist())):
        fig.add_trace(
            box_trace(
                np.asarray(internals["proposals"])[levels == lv],
                LEVEL_COLORS.get(lv, "#495057"),
                f"pooled from P{lv}",
                1.5,
            ),
            1,
            2,
        )
    add_detections(fig, det["boxes"], det["labels"], det["scores"], class_names, 1, 3)
    fig.update_layout(
        height=height, margin=dict(l=5, r=5, t=30, b=5), legend=dict(orientation="h", y=-0.02, yanchor="top")
    )
    return fig


LOSS_NAMES = {
    "loss_box": "box",
    "loss_obj": "objectness",
    "loss_cls": "class",
    "loss_dfl": "distribution focal",
    "loss_rpn_obj": "RPN objectness",
    "loss_rpn_box": "RPN box",
    "loss_mask": "mask",
    "loss_ce": "cross-entropy",
    "loss_dice": "Dice loss",
}
QUALITY = (
    ("map50", "mAP@0.5"),
    ("map", "mAP@[.5:.95]"),
    ("mask_iou", "mask IoU"),
    ("miou", "mIoU"),
    ("dice", "Dice"),
)


def det_curves(history: list[dict], height: int = 320) -> go.Figure | None:
    """Left: each loss term (smoothed) against the step. Right: the held-out quality (mAP@0.5, COCO mAP,
    mask IoU, mIoU, Dice: what the run reports), all on [0, 1]."""
    if not history:
        return None
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=["loss terms", "held-out quality"], horizontal_spacing=0.1
    )
    steps = np.array([r["step"] for r in history], float)
    i = 0
    for key, name in LOSS_NAMES.items():
        rows = [(r["step"], r[key]) for r in history if key in r]
        if rows:
            x, y = np.array(rows, float).T
            fig.add_trace(
                go.Scatter(
                    x=x, y=ema(y, 0.1), mode="lines", name=name, line=dict(color=PALETTE[i % 8], width=2)
                ),
                1,
                1,
            )
            i += 1
    if i == 0 and any("loss" in r for r in history):
        y = np.array([r.get("loss", np.nan) for r in history], float)
        fig.add_trace(go.Scatter(x=steps, y=ema(y, 0.1), mode="lines", name="loss"), 1, 1)
    for j, (key, name) in enumerate(QUALITY):
        rows = [
            (r["step"], r.get(key, r.get(f"test_{key}"))) for r in history if key in r or f"test_{key}" in r
        ]
        if rows:
            x, y = np.array(rows, float).T
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines+markers",
                    name=name,
                    line=dict(color=PALETTE[(j + 4) % 8], width=2, dash="dot"),
                ),
                1,
                2,
            )
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_xaxes(title="step")
    return light_chart(fig, height, -0.35)


def cam_figure(image: np.ndarray, cam: np.ndarray, box: Sequence[float], label: str, height: int = 380):
    """A class-activation map (H, W) in [0, 1] laid over the scene, the explained detection boxed."""
    base = to_rgb(image).astype(np.float32) * 0.45  # the scene dimmed, so the heat reads on white shapes
    c = np.clip(np.asarray(cam, np.float32), 0, 1)[..., None]
    heat = np.concatenate([np.full_like(c, 255.0), 255.0 * c, np.full_like(c, 40.0)], -1)  # red → yellow
    a = 0.8 * c
    out = (base * (1 - a) + heat * a).clip(0, 255).astype(np.uint8)
    fig = go.Figure(rgb_image(out, x0=0.5, y0=0.5))
    fig.add_trace(box_trace([box], "#4dabf7", label, 3))
    h, w = out.shape[:2]
    _image_axes(fig, h, w)
    fig.update_layout(
        height=height, margin=dict(l=5, r=5, t=5, b=5), legend=dict(orientation="h", y=-0.02, yanchor="top")
    )
    return fig
