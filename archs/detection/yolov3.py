"""YOLOv3: Darknet-53 and a three-scale head with nine anchor boxes.

J. Redmon and A. Farhadi (2018), "YOLOv3: An Incremental Improvement", arXiv:1804.02767.
Darknet-53: a 3×3 conv of 32 channels, then five stages, each a stride-2 3×3 conv doubling the channels
(64 … 1024) and 1, 2, 8, 8, 4 residual blocks (1×1 conv to half the channels, 3×3 conv back, added);
every conv is conv-BN-LeakyReLU(0.1). The head predicts at strides 32, 16 and 8 (13², 26², 52² cells at
416 px): five alternating 1×1/3×3 convs on C5, a 3×3 conv and a 1×1 conv to 3·(5 + classes) outputs;
the 1×1-reduced map is upsampled ×2 and concatenated with C4 (then with C3) for the finer scales. Each
cell predicts three boxes, one per anchor of its scale: centre (σ(tx) + col)·stride, size anchor·e^tw,
objectness σ(to) and independent class sigmoids (a box can be "woman" and "person").
Training assigns each ground-truth box to the one anchor (of nine) whose shape overlaps it best, in the
cell of its centre; predictions overlapping some box by IoU > 0.5 are not pushed towards "no object".
Loss: squared error of the coordinates, binary cross-entropy of objectness and classes.

Parameters at 416 px, 80 classes: 61,949,149, the reference count of Ultralytics' yolov3 model summary
(the Darknet cfg's layers; BatchNorm weight and bias counted, running statistics not).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.detection.boxes import box_iou
from archs.detection.yolo_common import ConvBNAct, YOLOConfig, YOLODetector, pad_targets
from archs.registry import register
from archs.spec import ArchSpec, ConfigError, Paper, hp

# the paper's anchors (w, h) in pixels at 416, found by k-means on COCO boxes; three per stride 8, 16, 32
ANCHORS = ((10, 13), (16, 30), (33, 23), (30, 61), (62, 45), (59, 119), (116, 90), (156, 198), (373, 326))
STRIDES = (8, 16, 32)


@dataclass(frozen=True)
class YOLOv3Config(YOLOConfig):
    image_size: int = hp(
        416,
        lo=32,
        hi=1280,
        step=32,
        help="Side of the square input in pixels (416 in the paper); a multiple of 32. The "
        "anchors stay the paper's sizes in pixels.",
    )
    width: int = hp(
        32, lo=4, hi=64, help="Channels of the first conv; every stage doubles it (32 → 1024 in Darknet-53)."
    )
    depths: tuple[int, ...] = hp(
        (1, 2, 8, 8, 4),
        lo=1,
        hi=16,
        max_len=5,
        help="Residual blocks in each of the five stages (1, 2, 8, 8, 4: 52 convs "
        "plus the classifier give Darknet-53 its name).",
    )

    def validate(self) -> None:
        super().validate()
        if len(self.depths) != 5:
            raise ConfigError(
                f"depths needs one count per stage of Darknet, five in all, not {len(self.depths)}."
            )


class Residual(nn.Module):
    def __init__(self, c: int, shortcut: bool = True):
        super().__init__()
        self.cv1 = ConvBNAct(c, c // 2, 1, act=nn.LeakyReLU)
        self.cv2 = ConvBNAct(c // 2, c, 3, act=nn.LeakyReLU)
        self.add = shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class Darknet53(nn.Module):
    """(B, C, H, W) → C3, C4, C5 at strides 8, 16, 32 with 8w, 16w, 32w channels."""

    def __init__(self, c_in: int, w: int, depths: tuple[int, ...]):
        super().__init__()
        self.stem = ConvBNAct(c_in, w, 3, act=nn.LeakyReLU)
        self.stages = nn.ModuleList(
            nn.Sequential(
                ConvBNAct(w * 2**i, w * 2 ** (i + 1), 3, 2, act=nn.LeakyReLU),
                *[Residual(w * 2 ** (i + 1)) for _ in range(d)],
            )
            for i, d in enumerate(depths)
        )

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.stem(x)
        feats = []
        for s in self.stages:
            x = s(x)
            feats.append(x)
        return feats[2:]


def _neck(c_in: int, c: int) -> nn.Sequential:
    """Five convs 1×1 c, 3×3 2c, 1×1 c, 3×3 2c, 1×1 c (the route point of the next scale)."""
    layers = [ConvBNAct(c_in, c, 1, act=nn.LeakyReLU)]
    for _ in range(2):
        layers += [ConvBNAct(c, 2 * c, 3, act=nn.LeakyReLU), ConvBNAct(2 * c, c, 1, act=nn.LeakyReLU)]
    return nn.Sequential(*layers)


class YOLOv3(YOLODetector):
    """images (B, C, H, W) in [0, 1] → three maps (B, 3·(5 + classes), H/s, W/s) for s = 8, 16, 32."""

    def __init__(self, cfg: YOLOv3Config):
        super().__init__()
        self.cfg, w, nc = cfg, cfg.width, cfg.num_classes
        self.no = 5 + nc
        self.backbone = Darknet53(cfg.in_channels, w, cfg.depths)
        c3, c4, c5 = 8 * w, 16 * w, 32 * w
        self.neck5 = _neck(c5, c5 // 2)
        self.lat4 = ConvBNAct(c5 // 2, c4 // 2, 1, act=nn.LeakyReLU)
        self.neck4 = _neck(c4 + c4 // 2, c4 // 2)
        self.lat3 = ConvBNAct(c4 // 2, c3 // 2, 1, act=nn.LeakyReLU)
        self.neck3 = _neck(c3 + c3 // 2, c3 // 2)
        self.heads = nn.ModuleList(
            nn.Sequential(ConvBNAct(c // 2, c, 3, act=nn.LeakyReLU), nn.Conv2d(c, 3 * self.no, 1))
            for c in (c3, c4, c5)
        )
        # anchors are in input pixels whatever the input size (as in Darknet): small scenes use the small ones
        self.register_buffer(
            "anchors", torch.tensor(ANCHORS, dtype=torch.float32).view(3, 3, 2), persistent=False
        )
        for h, s in zip(self.heads, STRIDES, strict=True):  # start objectness near 8 objects per 640² image
            b = h[-1].bias.data.view(3, self.no)
            b[:, 4] = torch.log(torch.tensor(8 / (640 / s) ** 2))
            b[:, 5:] = torch.log(torch.tensor(0.6 / max(nc - 0.99, 1)))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        c3, c4, c5 = self.backbone(x)
        p5 = self.neck5(c5)
        p4 = self.neck4(torch.cat([F.interpolate(self.lat4(p5), scale_factor=2.0), c4], 1))
        p3 = self.neck3(torch.cat([F.interpolate(self.lat3(p4), scale_factor=2.0), c3], 1))
        return tuple(h(p) for h, p in zip(self.heads, (p3, p4, p5), strict=True))

    def _flat(self, maps) -> list[torch.Tensor]:
        # (B, 3·no, H, W) → (B, H, W, 3, no): cell-major, then anchor (the N order of raw_scores)
        return [m.view(m.shape[0], 3, self.no, m.shape[2], m.shape[3]).permute(0, 3, 4, 1, 2) for m in maps]

    def _boxes(self, p: torch.Tensor, level: int) -> torch.Tensor:
        """(B, H, W, 3, 4) xyxy pixels of one scale's raw predictions p (B, H, W, 3, no)."""
        s, (h, w) = STRIDES[level], p.shape[1:3]
        ys, xs = torch.meshgrid(
            torch.arange(h, device=p.device), torch.arange(w, device=p.device), indexing="ij"
        )
        cx = (p[..., 0].sigmoid() + xs[..., None]) * s
        cy = (p[..., 1].sigmoid() + ys[..., None]) * s
        wh = self.anchors[level] * p[..., 2:4].clamp(max=10).exp()  # (B, H, W, 3, 2)
        return torch.stack(
            [cx - wh[..., 0] / 2, cy - wh[..., 1] / 2, cx + wh[..., 0] / 2, cy + wh[..., 1] / 2], -1
        )

    def decode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        ps = self._flat(self(x))
        boxes = torch.cat([self._boxes(p, i).reshape(p.shape[0], -1, 4) for i, p in enumerate(ps)], 1)
        scores = torch.cat(
            [(p[..., 4:5].sigmoid() * p[..., 5:].sigmoid()).reshape(p.shape[0], -1, self.no - 5) for p in ps],
            1,
        )
        return boxes, scores  # (B, N, 4), (B, N, classes)

    # ------------------------------------------------------------------------------------- training

    def assign_boxes(self, boxes: torch.Tensor) -> list[tuple[int, int, int, int]]:
        """(scale, row, col, anchor 0..2 of that scale) per box: the best of nine anchors by shape IoU."""
        if len(boxes) == 0:
            return []
        wh = (boxes[:, 2:] - boxes[:, :2]).detach().float().cpu()
        a = torch.tensor(ANCHORS, dtype=torch.float32)  # (9, 2): the constants, so this works on meta too
        inter = torch.minimum(wh[:, None], a[None]).prod(-1)  # (n, 9): both centred at the origin
        best = (inter / (wh.prod(-1)[:, None] + a.prod(-1)[None] - inter)).argmax(1)
        cxy = (boxes[:, :2] + boxes[:, 2:]).detach().cpu() / 2
        out = []
        for k, c in zip(best.tolist(), cxy.tolist(), strict=True):
            lvl, s = k // 3, STRIDES[k // 3]
            g = self.cfg.image_size // s
            out.append((lvl, min(int(c[1] // s), g - 1), min(int(c[0] // s), g - 1), k % 3))
        return out

    def anchor_table(self) -> list[tuple[int, list[tuple[float, float]]]]:
        return [
            (s, [(float(w), float(h)) for w, h in ANCHORS[3 * i : 3 * i + 3]]) for i, s in enumerate(STRIDES)
        ]

    def losses(self, x: torch.Tensor, targets: list[dict]) -> dict[str, torch.Tensor]:
        ps = self._flat(self(x))
        gt_boxes, _, valid = pad_targets(targets, x.device)
        zero = x.new_zeros(())
        box, obj, cls = zero, zero, zero
        for lvl, p in enumerate(ps):
            pred = self._boxes(p.detach(), lvl).reshape(p.shape[0], -1, 4)
            tobj = torch.zeros_like(p[..., 4])
            ignore = torch.zeros_like(tobj, dtype=torch.bool)
            for b, t in enumerate(targets):
                if len(t["labels"]):  # predictions already overlapping a box are not told "no object"
                    ignore[b] = (box_iou(pred[b], gt_boxes[b, valid[b]]).amax(1) > 0.5).view(ignore[b].shape)
            for b, t in enumerate(targets):
                for (lv, r, c, a), g, lab in zip(
                    self.assign_boxes(t["boxes"]), t["boxes"], t["labels"], strict=True
                ):
                    if lv != lvl:
                        continue
                    s, q = STRIDES[lvl], p[b, r, c, a]
                    cxy = (g[:2] + g[2:]) / 2 / s - torch.tensor([c, r], device=x.device)
                    twh = torch.log((g[2:] - g[:2]) / self.anchors[lvl, a] + 1e-9)
                    box = (
                        box
                        + F.mse_loss(q[:2].sigmoid(), cxy, reduction="sum")
                        + F.mse_loss(q[2:4], twh, reduction="sum")
                    )
                    cls = cls + F.binary_cross_entropy_with_logits(
                        q[5:], F.one_hot(lab, self.no - 5).float(), reduction="sum"
                    )
                    tobj[b, r, c, a], ignore[b, r, c, a] = 1.0, False
            bce = F.binary_cross_entropy_with_logits(p[..., 4], tobj, reduction="none")
            obj = obj + (bce * (~ignore)).sum()
        n = x.shape[0]
        return {"box": box / n, "obj": obj / n, "cls": cls / n}


def example_input(cfg: YOLOv3Config) -> torch.Tensor:
    return torch.rand(
        2, cfg.in_channels, cfg.image_size, cfg.image_size, generator=torch.Generator().manual_seed(0)
    )


register(
    ArchSpec(
        name="yolov3",
        title="YOLOv3 (Darknet-53)",
        family="detection",
        year=2018,
        paper=Paper("J. Redmon, A. Farhadi", 2018, "YOLOv3: An Incremental Improvement", arxiv="1804.02767"),
        summary="One pass of Darknet-53 and a three-scale head: every cell of three grids predicts three "
        "boxes around its anchors, with an objectness and a sigmoid per class.",
        tasks=("object detection",),
        config=YOLOv3Config,
        build=YOLOv3,
        example_input=example_input,
        presets={
            "tiny": {
                "in_channels": 1,
                "num_classes": 6,
                "image_size": 64,
                "width": 8,
                "depths": (1, 1, 1, 1, 1),
            },
            "canonical": {
                "in_channels": 3,
                "num_classes": 80,
                "image_size": 416,
                "width": 32,
                "depths": (1, 2, 8, 8, 4),
            },
        },
        published_params=61_949_149,
        published_source="Ultralytics yolov3 (models/yolov3.yaml, the Darknet cfg's layers) model summary at "
        "80 classes: '333 layers, 61949149 parameters' (BatchNorm weight and bias counted).",
    )
)
