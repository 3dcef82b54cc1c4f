"""Box operations every detector here shares, in plain torch (torchvision.ops is not a dependency).

Boxes are (N, 4) tensors ``(x0, y0, x1, y1)`` in pixels (xyxy). IoU is area of intersection over area
of union. Box coding is Faster R-CNN's (Ren et al., 2015, arXiv:1506.01497; Girshick et al. 2014):
a box is coded against a reference (an anchor or a proposal) as

    dx = wx (x - xa) / wa,   dy = wy (y - ya) / ha,   dw = ww log(w / wa),   dh = wh log(h / ha)

with (x, y) centres and (w, h) sizes; decoding clamps dw, dh at log(1000 / 16) as torchvision does, so a
wild regression cannot overflow ``exp``. Non-maximum suppression keeps the best-scoring box, drops every
box that overlaps it by more than the IoU threshold, and repeats (greedy NMS, the rule of R-CNN and YOLO).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

BBOX_XFORM_CLIP = math.log(1000.0 / 16)
_NMS_BLOCK = 512  # boxes resolved together: the IoU of a block against the rest is one tensor op


def check_boxes(boxes, name: str = "boxes") -> torch.Tensor:
    """``boxes`` as an (N, 4) float tensor, or a ValueError with a sentence naming the first bad box."""
    b = torch.as_tensor(boxes, dtype=torch.float32)
    if b.numel() == 0:
        return b.reshape(0, 4)
    if b.dim() != 2 or b.shape[1] != 4:
        raise ValueError(
            f"{name} must be a list of (x0, y0, x1, y1) rows, an (N, 4) array; got shape {tuple(b.shape)}"
        )
    bad = ~torch.isfinite(b).all(1)
    if bad.any():
        i = int(bad.nonzero()[0])
        raise ValueError(f"{name}: box {i} has a coordinate that is not a finite number ({b[i].tolist()})")
    for axis, (lo, hi) in (("x", (0, 2)), ("y", (1, 3))):
        bad = b[:, hi] < b[:, lo]
        if bad.any():
            i = int(bad.nonzero()[0])
            raise ValueError(
                f"{name}: box {i} has {axis}1 ({b[i, hi].item():g}) < {axis}0 ({b[i, lo].item():g}); "
                f"write boxes as (x0, y0, x1, y1) with the top-left corner first"
            )
    return b


def box_area(boxes: torch.Tensor) -> torch.Tensor:
    """(N,) areas of (N, 4) xyxy boxes."""
    return (boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (boxes[:, 3] - boxes[:, 1]).clamp(min=0)


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(N, M) IoU of every box of ``a`` (N, 4) with every box of ``b`` (M, 4); 0 where both are empty."""
    lt = torch.maximum(a[:, None, :2], b[None, :, :2])  # (N, M, 2)
    rb = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)  # (N, M)
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return torch.where(union > 0, inter / union.clamp(min=1e-12), torch.zeros_like(inter))


def xyxy_to_cxcywh(b: torch.Tensor) -> torch.Tensor:
    return torch.stack(
        [
            (b[..., 0] + b[..., 2]) / 2,
            (b[..., 1] + b[..., 3]) / 2,
            b[..., 2] - b[..., 0],
            b[..., 3] - b[..., 1],
        ],
        -1,
    )


def cxcywh_to_xyxy(b: torch.Tensor) -> torch.Tensor:
    return torch.stack(
        [
            b[..., 0] - b[..., 2] / 2,
            b[..., 1] - b[..., 3] / 2,
            b[..., 0] + b[..., 2] / 2,
            b[..., 1] + b[..., 3] / 2,
        ],
        -1,
    )


Weights = Sequence[float]


def encode(ref: torch.Tensor, gt: torch.Tensor, weights: Weights = (1.0, 1.0, 1.0, 1.0)) -> torch.Tensor:
    """(N, 4) deltas (dx, dy, dw, dh) that take each reference box to its ground-truth box."""
    wx, wy, ww, wh = weights
    r, g = xyxy_to_cxcywh(ref), xyxy_to_cxcywh(gt)
    return torch.stack(
        [
            wx * (g[:, 0] - r[:, 0]) / r[:, 2],
            wy * (g[:, 1] - r[:, 1]) / r[:, 3],
            ww * torch.log(g[:, 2] / r[:, 2]),
            wh * torch.log(g[:, 3] / r[:, 3]),
        ],
        1,
    )


def decode(ref: torch.Tensor, deltas: torch.Tensor, weights: Weights = (1.0, 1.0, 1.0, 1.0)) -> torch.Tensor:
    """(N, 4) xyxy boxes from reference boxes and deltas (the inverse of ``encode``)."""
    wx, wy, ww, wh = weights
    r = xyxy_to_cxcywh(ref)
    dx, dy = deltas[:, 0] / wx, deltas[:, 1] / wy
    dw = (deltas[:, 2] / ww).clamp(max=BBOX_XFORM_CLIP)
    dh = (deltas[:, 3] / wh).clamp(max=BBOX_XFORM_CLIP)
    cxcywh = torch.stack(
        [r[:, 0] + dx * r[:, 2], r[:, 1] + dy * r[:, 3], r[:, 2] * torch.exp(dw), r[:, 3] * torch.exp(dh)], 1
    )
    return cxcywh_to_xyxy(cxcywh)


def _overlaps(a: torch.Tensor, b: torch.Tensor, thr: float) -> torch.Tensor:
    """(N, M) bool: IoU(a_i, b_j) > thr, as inter·(1 + thr) > thr·(area_a + area_b) (no division)."""
    lt = torch.maximum(a[:, None, :2], b[None, :, :2])  # (N, M, 2)
    rb = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp_(min=0).prod(-1)  # (N, M)
    return inter * (1 + thr) > thr * (box_area(a)[:, None] + box_area(b)[None, :])


def _order(scores: torch.Tensor) -> torch.Tensor:
    # stable: equal scores keep their input order, so the result is reproducible
    return torch.sort(scores, descending=True, stable=True).indices


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> torch.Tensor:
    """Indices of the boxes greedy NMS keeps, in descending score order; a box is dropped when its IoU
    with a kept, better-scoring box exceeds ``iou_threshold``.

    Blocked: the boxes, sorted by score, are taken ``_NMS_BLOCK`` at a time; inside a block the greedy
    rule runs on its small IoU matrix, then the block's kept boxes suppress every later box in one op."""
    n = boxes.shape[0]
    if n == 0:
        return torch.zeros(0, dtype=torch.long, device=boxes.device)
    order = _order(scores)
    b = boxes[order].float()
    removed = np.zeros(n, bool)
    keep: list[np.ndarray] = []
    for s in range(0, n, _NMS_BLOCK):
        e = min(s + _NMS_BLOCK, n)
        over = _overlaps(b[s:e], b[s:e], iou_threshold).cpu().numpy()  # (k, k)
        alive = ~removed[s:e]
        for i in range(e - s):
            if alive[i]:
                alive[i + 1 :] &= ~over[i, i + 1 :]
        kept = np.nonzero(alive)[0] + s
        keep.append(kept)
        if e < n and len(kept):
            rest = np.nonzero(~removed[e:])[0] + e  # only boxes still alive can be suppressed
            hit = _overlaps(b[torch.from_numpy(kept)], b[torch.from_numpy(rest)], iou_threshold).any(0)
            removed[rest] |= hit.cpu().numpy()
    return order[torch.from_numpy(np.concatenate(keep)).to(order.device)]


def batched_nms(
    boxes: torch.Tensor, scores: torch.Tensor, labels: torch.Tensor, iou_threshold: float
) -> torch.Tensor:
    """NMS run separately per class (a box only suppresses boxes of its own label); kept indices in
    descending score order."""
    if boxes.shape[0] == 0:
        return torch.zeros(0, dtype=torch.long, device=boxes.device)
    kept = [
        idx[nms(boxes[idx], scores[idx], iou_threshold)]
        for idx in (torch.nonzero(labels == c).flatten() for c in torch.unique(labels))
    ]
    kept = torch.cat(kept)
    return kept[_order(scores[kept])]


def nms_steps(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float) -> list[tuple[int, list[int]]]:
    """Greedy NMS one step at a time: a list of (kept index, [indices it suppressed]) in the order the
    boxes are kept (indices into the inputs). The kept indices equal ``nms``'s result."""
    order = _order(scores).tolist()
    iou = box_iou(boxes.float(), boxes.float())
    removed: set[int] = set()
    steps = []
    for pos, i in enumerate(order):
        if i in removed:
            continue
        sup = [j for j in order[pos + 1 :] if j not in removed and iou[i, j] > iou_threshold]
        removed.update(sup)
        steps.append((i, sup))
    return steps


def anchor_grid(
    h: int, w: int, stride: int | tuple[int, int], sizes: Sequence[float], ratios: Sequence[float]
) -> torch.Tensor:
    """(h·w·A, 4) xyxy anchors of one feature map, A = len(sizes)·len(ratios), in torchvision's
    AnchorGenerator order: location-major (row by row), then ratio, then size. A ratio is height / width;
    the base anchors are centred on (0, 0), rounded, and shifted to each cell's top-left pixel."""
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    scales = torch.as_tensor(sizes, dtype=torch.float32)
    ar = torch.as_tensor(ratios, dtype=torch.float32)
    h_ratios = torch.sqrt(ar)
    w_ratios = 1 / h_ratios
    ws = (w_ratios[:, None] * scales[None, :]).reshape(-1)  # (A,) ratio-major
    hs = (h_ratios[:, None] * scales[None, :]).reshape(-1)
    base = (torch.stack([-ws, -hs, ws, hs], 1) / 2).round()  # (A, 4)
    ys, xs = torch.meshgrid(
        torch.arange(h, dtype=torch.float32) * sh, torch.arange(w, dtype=torch.float32) * sw, indexing="ij"
    )
    shifts = torch.stack([xs, ys, xs, ys], -1).reshape(-1, 1, 4)  # (h*w, 1, 4)
    return (shifts + base[None]).reshape(-1, 4)
