"""Training targets of Faster / Mask R-CNN (Ren et al. 2015, arXiv 1506.01497; He et al. 2017, arXiv
1703.06870), as torchvision computes them:

- matching: every anchor (or proposal) takes the ground-truth box it overlaps most; IoU ≥ ``fg`` makes it
  positive, IoU < ``bg`` negative, in between it is ignored. The RPN also keeps "low-quality" matches:
  for each ground truth, the anchors that overlap it most are positive even below ``fg``, so every object
  has at least one anchor;
- sampling: a fixed number of positives and negatives per image (RPN 256 at ½ positive, box head 512 at ¼),
  so the many easy background boxes do not drown the few objects;
- losses: binary cross-entropy of objectness, cross-entropy of classes, smooth L1 (β = 1/9) of the box
  deltas of positives divided by the sampled count, binary cross-entropy of the 28×28 mask of the true
  class against the object's mask cut out by RoI Align (aligned, as Detectron2 does; torchvision's
  ``project_masks_on_boxes`` uses the unaligned variant).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from archs.detection.boxes import box_iou, encode
from archs.detection.roi import roi_align

BACKGROUND, IGNORE = 0, -1


def match(
    gt: torch.Tensor, boxes: torch.Tensor, fg: float, bg: float, low_quality: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """For (R, 4) ``boxes`` against (G, 4) ``gt``: the index of the matched ground truth (R,) and a label
    (R,) of 1 (positive), 0 (negative) or −1 (ignored)."""
    r = boxes.shape[0]
    if gt.shape[0] == 0:  # an empty scene: everything is background
        return torch.zeros(r, dtype=torch.long, device=boxes.device), torch.zeros(
            r, dtype=torch.long, device=boxes.device
        )
    iou = box_iou(gt, boxes)  # (G, R)
    best, idx = iou.max(0)  # (R,)
    label = torch.full((r,), IGNORE, dtype=torch.long, device=boxes.device)
    label[best >= fg] = 1
    label[best < bg] = BACKGROUND
    if low_quality:  # the anchors that overlap each ground truth most (ties included) are positive
        top = iou.max(1, keepdim=True).values  # (G, 1)
        label[((iou == top) & (top > 0)).any(0)] = 1
    return idx, label


def sample(label: torch.Tensor, total: int, positive_fraction: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices of sampled positives and negatives: at most ``total`` with at most ``positive_fraction``
    positives, negatives filling the rest (torchvision's BalancedPositiveNegativeSampler)."""
    pos = torch.nonzero(label >= 1).flatten()
    neg = torch.nonzero(label == BACKGROUND).flatten()
    n_pos = min(int(total * positive_fraction), len(pos))
    n_neg = min(total - n_pos, len(neg))
    pos = pos[torch.randperm(len(pos), device=pos.device)[:n_pos]]
    neg = neg[torch.randperm(len(neg), device=neg.device)[:n_neg]]
    return pos, neg


def smooth_l1(pred: torch.Tensor, target: torch.Tensor, beta: float = 1.0 / 9) -> torch.Tensor:
    return F.smooth_l1_loss(pred, target, beta=beta, reduction="sum")


def rpn_losses(obj, deltas, anchors, targets, cfg) -> dict[str, torch.Tensor]:
    """RPN objectness (B, R) and deltas (B, R, 4) against the anchors (R, 4) matched to each image's boxes:
    {"rpn_obj", "rpn_box"}."""
    sel_obj, sel_lab, pos_pred, pos_tgt, n = [], [], [], [], 0
    for b, t in enumerate(targets):
        idx, label = match(t["boxes"], anchors, 0.7, 0.3, low_quality=True)
        pos, neg = sample(label, cfg.rpn_batch_per_image, 0.5)
        keep = torch.cat([pos, neg])
        sel_obj.append(obj[b, keep])
        sel_lab.append((label[keep] >= 1).to(obj.dtype))
        if len(pos):
            pos_pred.append(deltas[b, pos])
            pos_tgt.append(encode(anchors[pos], t["boxes"][idx[pos]]))
        n += len(keep)
    obj_loss = F.binary_cross_entropy_with_logits(torch.cat(sel_obj), torch.cat(sel_lab))
    box_loss = (
        smooth_l1(torch.cat(pos_pred), torch.cat(pos_tgt)) / max(n, 1) if pos_pred else deltas.sum() * 0
    )
    return {"rpn_obj": obj_loss, "rpn_box": box_loss}


def roi_samples(proposals: list[torch.Tensor], targets: list[dict], cfg) -> list[dict]:
    """Per image: proposals plus the ground-truth boxes, matched (IoU ≥ ½ positive) and sampled. Each
    dict: "boxes" (S, 4), "labels" (S,) class + 1 (0 = background), "deltas" (S, 4) regression targets,
    "gt" (S,) index of the matched ground truth, "positive" (P,) the positions of the positives."""
    out = []
    for p, t in zip(proposals, targets, strict=True):
        p = torch.cat([p, t["boxes"]])  # the true boxes are proposals too (they anchor early training)
        idx, label = match(t["boxes"], p, 0.5, 0.5, low_quality=False)
        pos, neg = sample(label, cfg.roi_batch_per_image, 0.25)
        keep = torch.cat([pos, neg])
        labels = torch.zeros(len(keep), dtype=torch.long, device=p.device)
        if len(t["boxes"]):
            labels[: len(pos)] = t["labels"][idx[pos]] + 1
            deltas = encode(p[keep], t["boxes"][idx[keep]], (10.0, 10.0, 5.0, 5.0))
        else:
            deltas = torch.zeros(len(keep), 4, device=p.device)
        out.append(
            {
                "boxes": p[keep],
                "labels": labels,
                "deltas": deltas,
                "gt": idx[keep],
                "positive": torch.arange(len(pos), device=p.device),
            }
        )
    return out


def box_losses(logits, deltas, samples: list[dict]) -> dict[str, torch.Tensor]:
    """Class logits (S, classes) and deltas (S, classes, 4) of every image's samples, concatenated:
    {"cls", "box"} (the box loss reads only the deltas of each positive's true class)."""
    labels = torch.cat([s["labels"] for s in samples])
    target = torch.cat([s["deltas"] for s in samples])
    cls_loss = F.cross_entropy(logits, labels)
    pos = torch.nonzero(labels > 0).flatten()
    pred = deltas[pos, labels[pos]]  # (P, 4)
    return {"cls": cls_loss, "box": smooth_l1(pred, target[pos]) / max(len(labels), 1)}


def mask_targets(samples: list[dict], targets: list[dict], resolution: int) -> torch.Tensor:
    """(P, M, M) mask targets of every positive: the object's mask cut out along its proposal box."""
    out = []
    for s, t in zip(samples, targets, strict=True):
        pos = s["positive"]
        if len(pos) == 0:
            continue
        masks = t["masks"][:, None].float()  # (G, 1, H, W)
        rois = torch.cat([s["gt"][pos, None].float(), s["boxes"][pos]], 1)  # (P, 5): which mask, which box
        out.append(roi_align(masks, rois, resolution, 1.0, -1, True)[:, 0])
    if not out:
        return torch.zeros(0, resolution, resolution)
    return torch.cat(out)


def mask_loss(mask_logits: torch.Tensor, labels: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mask logits (P, classes, M, M) of the positives, their labels (P,) and targets (P, M, M): the binary
    cross-entropy of the true class's map only (classes do not compete for a pixel)."""
    if len(labels) == 0:
        return mask_logits.sum() * 0
    pred = mask_logits[torch.arange(len(labels), device=labels.device), labels]  # (P, M, M)
    return F.binary_cross_entropy_with_logits(pred, target.to(pred.dtype))
