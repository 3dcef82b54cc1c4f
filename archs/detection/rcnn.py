"""Faster R-CNN and Mask R-CNN with a ResNet-FPN backbone: two-stage detectors.

Stage one, the region proposal network (Ren, He, Girshick & Sun 2015, "Faster R-CNN: towards real-time
object detection with region proposal networks", arXiv 1506.01497), scores three anchors (aspect ratios
½, 1, 2) at every cell of every pyramid level P2…P6 (Lin et al. 2017, arXiv 1612.03144; anchor sides 32 to
512) as object or not and regresses each towards a box; the best boxes, thinned by NMS at IoU 0.7, are the
proposals. Stage two pools each proposal's features from its pyramid level by RoI Align (7×7), classifies
it (background included) and refines its box per class. Mask R-CNN (He, Gkioxari, Dollár & Girshick 2017,
arXiv 1703.06870) adds a small convolutional head that predicts a 28×28 mask per class on 14×14 RoI
features of each detection.

The layout is torchvision's ``fasterrcnn_resnet50_fpn`` / ``maskrcnn_resnet50_fpn`` (the canonical
presets count exactly its parameters). Images go in as (B, C, H, W) in [0, 1]; the model normalises them
(ImageNet mean and standard deviation) and pads them to a multiple of 32, as torchvision's transform does
after resizing the shorter side to 800 (here the input is taken at its given size).

- ``forward(x)`` has no data-dependent shape (it runs on ``device="meta"``): it keeps the top
  ``rpn_post_nms_top_n`` proposals by objectness WITHOUT the RPN's NMS and runs the heads on them.
- ``detect`` / ``candidates`` / ``internals`` run the real pipeline, NMS included.
- ``losses(x, targets)`` are the training losses (archs/detection/rcnn_targets.py).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from archs.blocks.residual import FrozenBatchNorm2d, ResNetTrunk
from archs.detection import rcnn_targets as T
from archs.detection.boxes import anchor_grid, batched_nms, decode
from archs.detection.rcnn_parts import BoxHead, FeaturePyramid, MaskHead, RPNHead, flatten_level, paste_masks
from archs.detection.roi import fpn_levels, multiscale_roi_align

RATIOS = (0.5, 1.0, 2.0)
BOX_WEIGHTS = (10.0, 10.0, 5.0, 5.0)  # the box head's delta scaling (torchvision's BoxCoder)
ROI_STRIDES = (4, 8, 16, 32)  # P2…P5 feed the RoI heads; P6 only the RPN
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def _clip(boxes: torch.Tensor, h: int, w: int) -> torch.Tensor:
    x = boxes[..., 0::2].clamp(0, w)
    y = boxes[..., 1::2].clamp(0, h)
    return torch.stack([x[..., 0], y[..., 0], x[..., 1], y[..., 1]], -1)


def _big_enough(boxes: torch.Tensor, min_size: float) -> torch.Tensor:
    return ((boxes[:, 2] - boxes[:, 0]) >= min_size) & ((boxes[:, 3] - boxes[:, 1]) >= min_size)


class Stage(nn.Module):
    """A parameter-free step of the detector's forward (normalising, anchors and scores, proposal selection,
    RoI Align, detection selection): its tensor operations run inside this module, so the layer graph
    draws the step as one node that opens into them. It holds no weights and no state."""

    def __init__(self, fn):
        super().__init__()
        object.__setattr__(self, "fn", fn)  # a plain attribute, not a submodule (it is the detector's method)

    def forward(self, *args):
        return self.fn(*args)


class FasterRCNN(nn.Module):
    """Images (B, C, H, W) -> RPN objectness (B, R), RPN deltas (B, R, 4), proposals (B, N, 4), class
    logits (B, N, K + 1) and box deltas (B, N, K + 1, 4) (R anchors, N proposals, K classes; index 0 of
    the class axis is the background)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        norm = FrozenBatchNorm2d if cfg.norm == "frozen" else nn.BatchNorm2d
        self.body = ResNetTrunk(cfg.in_channels, cfg.block, cfg.layers, cfg.width, False, norm=norm)
        self.fpn = FeaturePyramid(self.body.channels, cfg.fpn_channels)
        self.rpn_head = RPNHead(cfg.fpn_channels, len(RATIOS))
        self.box_head = BoxHead(cfg.fpn_channels, 7, cfg.box_head_dim, cfg.num_classes + 1)
        mean, std = (IMAGENET_MEAN, IMAGENET_STD) if cfg.in_channels == 3 else ((0.449,), (0.226,))
        c = cfg.in_channels
        self.register_buffer("image_mean", torch.tensor((mean * c)[:c]).view(1, c, 1, 1), persistent=False)
        self.register_buffer("image_std", torch.tensor((std * c)[:c]).view(1, c, 1, 1), persistent=False)
        self.normalize = Stage(self._normalize)
        self.rpn_outputs = Stage(self._rpn)
        self.select_proposals = Stage(self._select_proposals)
        self.roi_align = Stage(self._roi_align)

    # ------------------------------------------------------------------ shared stages
    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Normalise, pad to a multiple of 32, and return P2…P6."""
        return self.fpn(self.body.stages(self.normalize(x)))

    def _normalize(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        x = (x - self.image_mean) / self.image_std
        return F.pad(x, (0, (-w) % 32, 0, (-h) % 32))  # (B, C, H', W')

    def rpn(self, feats: list[torch.Tensor]):
        """Objectness logits (B, R), deltas (B, R, 4), anchors (R, 4) and the anchor count per level."""
        return self.rpn_outputs(feats)

    def _rpn(self, feats: list[torch.Tensor]):
        ph, pw = feats[0].shape[-2] * 4, feats[0].shape[-1] * 4  # the padded image
        objs, dels, anchors, counts = [], [], [], []
        for i, p in enumerate(feats):
            o, d = flatten_level(*self.rpn_head(p))
            h, w = p.shape[-2:]
            size = self.cfg.anchor_size * 2**i
            # torchvision's stride: the padded image side // the map side (61 for P6 of an 800-pixel image)
            a = anchor_grid(h, w, (ph // h, pw // w), (size,), RATIOS).to(device=p.device, dtype=p.dtype)
            objs.append(o), dels.append(d), anchors.append(a), counts.append(o.shape[1])
        return torch.cat(objs, 1), torch.cat(dels, 1), torch.cat(anchors), counts

    def _top_per_level(self, obj: torch.Tensor, counts: list[int], k: int):
        """Indices (B, S) of the k best anchors of each level, and each one's level (S,) (2…6)."""
        idx, lev, start = [], [], 0
        for i, c in enumerate(counts):
            kk = min(k, c)
            idx.append(obj[:, start : start + c].topk(kk, dim=1).indices + start)
            lev.append(torch.full((kk,), i + 2, dtype=torch.long, device=obj.device))
            start += c
        return torch.cat(idx, 1), torch.cat(lev)

    def _decode_selected(self, obj, deltas, anchors, idx, hw):
        b, s = idx.shape
        d = deltas.gather(1, idx[..., None].expand(b, s, 4)).reshape(-1, 4)  # (B·S, 4)
        boxes = decode(anchors[idx.reshape(-1)], d).view(b, s, 4)
        return _clip(boxes, *hw).detach(), obj.gather(1, idx).detach()  # (B, S, 4), (B, S)

    def proposals(self, obj, deltas, anchors, counts, hw, pre_n: int, post_n: int) -> list[dict]:
        """The RPN's real proposals per image: the ``pre_n`` best anchors of each level, decoded, clipped,
        tiny boxes dropped, NMS at ``rpn_nms_threshold`` per level, the best ``post_n`` kept. Each dict:
        "pre_nms" (S, 4), "pre_scores" (S,), "boxes" (P, 4), "scores" (P,) (objectness probabilities)."""
        idx, lev = self._top_per_level(obj, counts, pre_n)
        boxes, logits = self._decode_selected(obj, deltas, anchors, idx, hw)
        out = []
        for b in range(obj.shape[0]):
            bx, sc = boxes[b], logits[b].sigmoid()
            ok = torch.nonzero(_big_enough(bx, 1e-3)).flatten()
            keep = ok[batched_nms(bx[ok], sc[ok], lev[ok], self.cfg.rpn_nms_threshold)][:post_n]
            out.append({"pre_nms": bx, "pre_scores": sc, "boxes": bx[keep], "scores": sc[keep]})
        return out

    def _rois(self, boxes: list[torch.Tensor]) -> torch.Tensor:
        return torch.cat([F.pad(b, (1, 0), value=float(i)) for i, b in enumerate(boxes)])  # (K, 5)

    def pool(self, feats, rois: torch.Tensor, size: int):
        """RoI Align of (K, 5) rois from P2…P5 by the FPN level rule: crops (K, C, size, size), levels."""
        return self.roi_align(feats, rois, size)

    def _roi_align(self, feats, rois: torch.Tensor, size: int):
        ratio, canonical = self.cfg.sampling_ratio, float(self.cfg.canonical_size)
        return multiscale_roi_align(feats[:4], rois, ROI_STRIDES, size, ratio, canonical)

    # ------------------------------------------------------------------ the meta-safe forward
    def _forward_proposals(self, x):
        feats = self.features(x)
        obj, deltas, anchors, counts = self.rpn(feats)
        props = self.select_proposals(obj, deltas, anchors, counts, x)  # (B, N, 4)
        n = props.shape[1]
        crops, _ = self.pool(feats, self._rois(list(props)), 7)
        logits, box_deltas = self.box_head(crops)
        b = x.shape[0]
        return feats, (obj, deltas, props, logits.view(b, n, -1), box_deltas.view(b, n, -1, 4))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return self._forward_proposals(x)[1]

    def _select_proposals(self, obj, deltas, anchors, counts, x) -> torch.Tensor:
        """The meta-safe forward's proposals (B, N, 4): the best anchors of each level decoded, then the top
        N by objectness; no NMS here (its output size depends on the data)."""
        idx, _ = self._top_per_level(obj, counts, self.cfg.rpn_pre_nms_top_n)
        boxes, scores = self._decode_selected(obj, deltas, anchors, idx, x.shape[-2:])
        n = min(self.cfg.rpn_post_nms_top_n, scores.shape[1])
        top = scores.topk(n, dim=1).indices  # (B, N)
        return boxes.gather(1, top[..., None].expand(-1, -1, 4))  # (B, N, 4)

    # ------------------------------------------------------------------ training
    def losses(self, x: torch.Tensor, targets: list[dict]) -> dict[str, torch.Tensor]:
        """{"rpn_obj", "rpn_box", "cls", "box"} (and "mask" for Mask R-CNN) on images and their targets
        (dicts of "boxes" (n, 4) xyxy pixels, "labels" (n,) 0-based, "masks" (n, H, W))."""
        feats = self.features(x)
        obj, deltas, anchors, counts = self.rpn(feats)
        out = T.rpn_losses(obj, deltas, anchors, targets, self.cfg)
        # torchvision trains on 2000 proposals after NMS where it tests on 1000
        props = self.proposals(
            obj,
            deltas,
            anchors,
            counts,
            x.shape[-2:],
            2 * self.cfg.rpn_pre_nms_top_n,
            2 * self.cfg.rpn_post_nms_top_n,
        )
        samples = T.roi_samples([p["boxes"] for p in props], targets, self.cfg)
        crops, _ = self.pool(feats, self._rois([s["boxes"] for s in samples]), 7)
        logits, box_deltas = self.box_head(crops)
        out.update(T.box_losses(logits, box_deltas, samples))
        out.update(self._mask_losses(feats, samples, targets))
        return out

    def _mask_losses(self, feats, samples, targets) -> dict[str, torch.Tensor]:
        return {}

    # ------------------------------------------------------------------ inference
    def _run(self, x, score_threshold: float, iou_threshold: float | None, max_detections: int):
        """The full pipeline, per image: (proposal dicts, detection dicts); no NMS when iou is None."""
        was = self.training
        self.eval()
        try:
            with torch.no_grad():
                feats = self.features(x)
                obj, deltas, anchors, counts = self.rpn(feats)
                hw = tuple(x.shape[-2:])
                props = self.proposals(
                    obj, deltas, anchors, counts, hw, self.cfg.rpn_pre_nms_top_n, self.cfg.rpn_post_nms_top_n
                )
                crops, _ = self.pool(feats, self._rois([p["boxes"] for p in props]), 7)
                logits, box_deltas = self.box_head(crops)
                dets, start = [], 0
                for p in props:
                    n = len(p["boxes"])
                    d = self._postprocess(
                        p["boxes"],
                        logits[start : start + n],
                        box_deltas[start : start + n],
                        hw,
                        score_threshold,
                        iou_threshold,
                        max_detections,
                    )
                    dets.append(d)
                    start += n
                self._add_masks(feats, dets, hw)
        finally:
            self.train(was)
        return props, dets

    def _postprocess(self, boxes, logits, deltas, hw, score_threshold, iou_threshold, max_detections):
        """Per-class boxes from one image's proposals: scores above the threshold, per-class NMS."""
        p, k = logits.shape[0], logits.shape[1] - 1
        probs = logits.softmax(-1)[:, 1:]  # (P, K): background dropped
        ref = boxes[:, None].expand(p, k, 4).reshape(-1, 4)
        cls_boxes = _clip(decode(ref, deltas[:, 1:].reshape(-1, 4), BOX_WEIGHTS), *hw)  # (P·K, 4)
        labels = torch.arange(k, device=boxes.device).repeat(p)
        index = torch.arange(p, device=boxes.device).repeat_interleave(k)
        scores = probs.reshape(-1)
        keep = torch.nonzero((scores > score_threshold) & _big_enough(cls_boxes, 1e-2)).flatten()
        if iou_threshold is None:
            keep = keep[torch.argsort(scores[keep], descending=True, stable=True)]
        else:
            keep = keep[batched_nms(cls_boxes[keep], scores[keep], labels[keep], iou_threshold)][
                :max_detections
            ]
        return {
            "boxes": cls_boxes[keep],
            "scores": scores[keep],
            "labels": labels[keep],
            "index": index[keep],
        }

    def _add_masks(self, feats, dets, hw) -> None:
        pass

    @staticmethod
    def _check(score_threshold: float, iou_threshold: float) -> None:
        for name, v in (("score_threshold", score_threshold), ("iou_threshold", iou_threshold)):
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must lie between 0 and 1, not {v}")

    def detect(self, x, score_threshold: float = 0.25, iou_threshold: float = 0.5, max_detections: int = 100):
        """Per image a dict of "boxes" (n, 4), "scores" (n,), "labels" (n,) 0-based, "index" (n,) (the
        proposal each came from), and "masks" (n, H, W) for Mask R-CNN, after per-class NMS."""
        self._check(score_threshold, iou_threshold)
        return self._run(x, score_threshold, iou_threshold, max_detections)[1]

    def candidates(self, x, score_threshold: float = 0.05) -> list[dict]:
        """detect()'s dicts before the per-class NMS, best score first."""
        self._check(score_threshold, 0.5)
        return self._run(x, score_threshold, None, 0)[1]

    def internals(self, x, score_threshold: float = 0.25, iou_threshold: float = 0.5) -> dict:
        """The two stages on ONE image (1, C, H, W): anchors per level, the proposals before and after the
        RPN's NMS, their objectness and FPN level, their 7×7 RoI Align crops, and the final detections."""
        if x.dim() != 4 or x.shape[0] != 1:
            raise ValueError(f"internals takes one image of shape (1, C, H, W), not {tuple(x.shape)}")
        self._check(score_threshold, iou_threshold)
        props, dets = self._run(x, score_threshold, iou_threshold, self.cfg.detections_per_image)
        with torch.no_grad():
            was = self.training
            self.eval()
            feats = self.features(x)
            _, _, _, counts = self.rpn(feats)
            crops, levels = self.pool(feats, self._rois([props[0]["boxes"]]), 7)
            self.train(was)
        return {
            "anchors": {f"P{i + 2}": c for i, c in enumerate(counts)},
            "pre_nms": props[0]["pre_nms"],
            "pre_nms_objectness": props[0]["pre_scores"],
            "proposals": props[0]["boxes"],
            "objectness": props[0]["scores"],
            "levels": levels,
            "crops": crops,
            "detections": dets[0],
        }


class MaskRCNN(FasterRCNN):
    """Faster R-CNN + the mask head. ``forward`` also returns, for the best ``detections_per_image``
    (proposal, class) pairs by score, their boxes (B, D, 4), scores (B, D), labels (B, D) (0-based) and
    mask logits (B, D, 28, 28) of that class."""

    def __init__(self, cfg):
        super().__init__(cfg)
        self.mask_head = MaskHead(cfg.fpn_channels, cfg.mask_channels, cfg.mask_convs, cfg.num_classes + 1)
        self.select_detections = Stage(self._select_detections)
        self.select_masks = Stage(self._select_masks)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        feats, (obj, deltas, props, logits, box_deltas) = self._forward_proposals(x)
        boxes, scores, labels = self.select_detections(props, logits, box_deltas, x)
        crops, _ = self.pool(feats, self._rois(list(boxes.detach())), 14)
        m = self.select_masks(self.mask_head(crops), labels)  # (B, D, 28, 28)
        return obj, deltas, props, logits, box_deltas, boxes, scores, labels, m

    def _select_detections(self, props, logits, box_deltas, x):
        """The best ``detections_per_image`` (proposal, class) pairs by score: boxes (B, D, 4), scores and
        0-based labels (B, D)."""
        b, n, k = logits.shape[0], logits.shape[1], logits.shape[2] - 1
        probs = logits.softmax(-1)[..., 1:].reshape(b, n * k)  # (B, N·K)
        scores, flat = probs.topk(min(self.cfg.detections_per_image, n * k), dim=1)  # (B, D)
        which, labels = torch.div(flat, k, rounding_mode="floor"), flat % k
        ref = props.gather(1, which[..., None].expand(-1, -1, 4))  # (B, D, 4)
        sel = box_deltas.gather(1, which[..., None, None].expand(-1, -1, k + 1, 4))  # (B, D, K+1, 4)
        d = sel.gather(2, (labels + 1)[..., None, None].expand(-1, -1, 1, 4))[:, :, 0]  # (B, D, 4)
        boxes = _clip(decode(ref.reshape(-1, 4), d.reshape(-1, 4), BOX_WEIGHTS), *x.shape[-2:]).view(b, -1, 4)
        return boxes, scores, labels

    def _select_masks(self, m: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Each detection's mask logits (B, D, 28, 28) for its own class, from (B·D, K+1, 28, 28)."""
        m = m[torch.arange(len(m), device=m.device), (labels + 1).reshape(-1)]
        return m.view(labels.shape[0], -1, *m.shape[-2:])

    def _mask_losses(self, feats, samples, targets) -> dict[str, torch.Tensor]:
        pos = [s["boxes"][s["positive"]] for s in samples]
        labels = torch.cat([s["labels"][s["positive"]] for s in samples])
        crops, _ = self.pool(feats, self._rois(pos), 14)
        logits = self.mask_head(crops)  # (P, K+1, 28, 28)
        target = T.mask_targets(samples, targets, logits.shape[-1]).to(logits.device)
        return {"mask": T.mask_loss(logits, labels, target)}

    def _add_masks(self, feats, dets, hw) -> None:
        if sum(len(d["boxes"]) for d in dets) == 0:
            for d in dets:
                d["masks"] = torch.zeros(0, *hw, device=feats[0].device)
            return
        crops, _ = self.pool(feats, self._rois([d["boxes"] for d in dets]), 14)
        logits = self.mask_head(crops)  # (D, K+1, 28, 28)
        start = 0
        for d in dets:
            n = len(d["boxes"])
            m = logits[start : start + n]
            m = m[torch.arange(n, device=m.device), d["labels"] + 1].sigmoid()  # (n, 28, 28)
            d["masks"] = paste_masks(m, d["boxes"], *hw)
            start += n


def levels_of(boxes: torch.Tensor, cfg) -> torch.Tensor:
    """The FPN level (2…5) each (n, 4) box is pooled from under ``cfg``'s canonical size."""
    return fpn_levels(boxes, 4, float(cfg.canonical_size), 2, 5)
