"""YOLOv8's training loss: the task-aligned assigner, then BCE on classes, CIoU and DFL on boxes.

Task-aligned assignment (TOOD, Feng et al. 2021, arXiv:2108.07755): for every ground-truth box and every
grid point whose centre lies inside it, the alignment t = s^α · u^β (s the predicted score of the box's
class, u the CIoU of the predicted box with it; α = 0.5, β = 6) ranks the points; the ten best are
positives (a point claimed by two boxes goes to the one it overlaps most). Class targets are soft: the
positive's one-hot class times t normalised so that each box's best point gets its best IoU.
Losses (Ultralytics' weights): 7.5 · (1 − CIoU) and 1.5 · DFL over positives, 0.5 · BCE over all points
and classes, each weighted by the soft targets and divided by their sum. DFL (Li et al. 2020,
arXiv:2006.04388) puts the probability of a distance d on its two neighbouring bins ⌊d⌋ and ⌊d⌋ + 1,
split by how close d is to each.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from archs.detection.yolo_common import ciou, pad_targets

TOPK, ALPHA, BETA = 10, 0.5, 6.0
GAINS = {"box": 7.5, "cls": 0.5, "dfl": 1.5}


@torch.no_grad()
def task_aligned_assign(scores, pred_boxes, points, gt_boxes, gt_labels, valid, eps=1e-9):
    """scores (B, N, C) sigmoids, pred_boxes (B, N, 4) and points (N, 2) in pixels, ground truth padded
    (B, M, ...). Returns target boxes (B, N, 4), target scores (B, N, C) and the foreground mask (B, N)."""
    b, n, c = scores.shape
    m = gt_boxes.shape[1]
    lt = points[None, None] - gt_boxes[:, :, None, :2]  # (B, M, N, 2)
    rb = gt_boxes[:, :, None, 2:] - points[None, None]
    inside = torch.cat([lt, rb], -1).amin(-1) > eps  # (B, M, N): the point lies in the box
    mask = inside & valid[:, :, None]
    overlaps = ciou(gt_boxes[:, :, None], pred_boxes[:, None]).clamp(min=0) * mask  # (B, M, N)
    cls_score = scores.gather(2, gt_labels[:, None, :].expand(b, n, m)).transpose(1, 2)  # (B, M, N)
    align = cls_score.pow(ALPHA) * overlaps.pow(BETA) * mask
    top = align.topk(min(TOPK, n), dim=-1).indices  # (B, M, k)
    pos = torch.zeros_like(mask).scatter_(-1, top, True) & mask  # (B, M, N)
    many = pos.sum(1, keepdim=True) > 1  # a point claimed by several boxes: the best-overlapping one wins
    if many.any():
        best = F.one_hot(overlaps.argmax(1), m).transpose(1, 2).bool()  # (B, M, N)
        pos = torch.where(many, best, pos)
    fg = pos.any(1)  # (B, N)
    gt_idx = pos.float().argmax(1)  # (B, N)
    t_boxes = gt_boxes.gather(1, gt_idx[..., None].expand(b, n, 4))
    t_labels = gt_labels.gather(1, gt_idx)
    t_scores = F.one_hot(t_labels, c).float() * fg[..., None]
    align, overlaps = align * pos, overlaps * pos
    norm = (align * overlaps.amax(-1, keepdim=True) / (align.amax(-1, keepdim=True) + eps)).amax(1)  # (B, N)
    return t_boxes, t_scores * norm[..., None], fg


def dfl_loss(dist_logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """(P, 4, 16) logits and (P, 4) distances in bins → (P,) distribution focal loss."""
    target = target.clamp(0, dist_logits.shape[-1] - 1 - 0.01)
    left = target.long()
    wl = left + 1 - target
    logp = dist_logits.log_softmax(-1)
    ce_l = -logp.gather(-1, left[..., None]).squeeze(-1)
    ce_r = -logp.gather(-1, (left + 1)[..., None]).squeeze(-1)
    return (ce_l * wl + ce_r * (1 - wl)).mean(-1)


def yolov8_losses(model, x: torch.Tensor, targets: list[dict]) -> dict[str, torch.Tensor]:
    maps = model(x)
    dist, cls = model.split(maps)  # (B, N, 4, 16), (B, N, C)
    pts, strides = model.points(maps)  # cell units, (N, 1)
    d = model.distances(dist)
    pred = torch.cat([pts - d[..., :2], pts + d[..., 2:]], -1)  # (B, N, 4) in cell units
    gt_boxes, gt_labels, valid = pad_targets(targets, x.device)
    t_boxes, t_scores, fg = task_aligned_assign(
        cls.detach().sigmoid(), pred.detach() * strides, pts * strides, gt_boxes, gt_labels, valid
    )
    total = t_scores.sum().clamp(min=1)
    loss_cls = F.binary_cross_entropy_with_logits(cls, t_scores, reduction="sum") / total
    if fg.any():
        weight = t_scores.sum(-1)[fg]  # (P,)
        tb = t_boxes / strides  # targets in cell units
        loss_box = ((1 - ciou(pred[fg], tb[fg])) * weight).sum() / total
        ltrb = torch.cat([pts - tb[..., :2], tb[..., 2:] - pts], -1)  # (B, N, 4) target distances
        loss_dfl = (dfl_loss(dist[fg], ltrb[fg]) * weight).sum() / total
    else:
        loss_box = loss_dfl = dist.sum() * 0
    return {"box": GAINS["box"] * loss_box, "cls": GAINS["cls"] * loss_cls, "dfl": GAINS["dfl"] * loss_dfl}
