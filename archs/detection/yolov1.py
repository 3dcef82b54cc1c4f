"""YOLOv1: one network looks once at the whole image and regresses an S×S×(5B + C) tensor.

J. Redmon, S. Divvala, R. Girshick, A. Farhadi (2016), "You Only Look Once: Unified, Real-Time Object
Detection", CVPR, arXiv:1506.02640. The image (448²) is divided into S×S = 7×7 cells; each cell predicts
B = 2 boxes (x, y: centre offset in the cell; w, h: relative to the image; a confidence trained towards
Pr(object)·IoU) and C = 20 class probabilities Pr(class | object) shared by its boxes: 7·7·30 = 1470
outputs. At test time a box's class score is confidence × Pr(class | object).
Network (the paper's Figure 3), leaky ReLU (0.1) everywhere except the linear last layer:
  7×7 conv 64 /2, maxpool; 3×3 conv 192, maxpool; 1×1 128, 3×3 256, 1×1 256, 3×3 512, maxpool;
  4 × (1×1 256, 3×3 512), 1×1 512, 3×3 1024, maxpool; 2 × (1×1 512, 3×3 1024), 3×3 1024, 3×3 1024 /2;
  3×3 1024, 3×3 1024 (24 convs, with biases: the paper predates batch norm in YOLO);
  fully connected 7·7·1024 → 4096, dropout 0.5, fully connected 4096 → 1470.
Counted: 24 convs 60,155,968 + fc 205,524,992 + 6,022,590 = 271,703,550 parameters.
Loss (sum of squares): 5 × coordinates (x, y, √w, √h) of the predictor responsible for an object (the one
of its cell's B with the best IoU), (confidence − IoU)² for it, 0.5 × confidence² for all others, and the
class probabilities of cells that hold an object.

Small scenes: the paper's network shrinks 448 pixels 64 times to a 7×7 map; a 64-pixel scene would end as
one pixel, and the dense layers could not tell where anything is (the tiny model then learnt no class at
all). ``downsample=16`` skips the first two halvings, so the dense layers see a 4×4 map. ``squash`` (off
in both presets: the linear last layer learnt better here) puts x, y and the confidence through a sigmoid,
as many re-implementations do. Even so the dense head learns
slowly: every cell has its own weights, so what it learns in one cell does not carry over to the next,
unlike a convolutional head (YOLOv3, YOLOv8).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.detection.boxes import box_iou
from archs.detection.yolo_common import YOLOConfig, YOLODetector, pad_targets
from archs.registry import register
from archs.spec import ArchSpec, ConfigError, Paper, hp

# (kernel, channels, stride) per conv, "M" for a 2×2 max-pool: the paper's Figure 3
LAYOUT = [
    (7, 64, 2),
    "M",
    (3, 192, 1),
    "M",
    (1, 128, 1),
    (3, 256, 1),
    (1, 256, 1),
    (3, 512, 1),
    "M",
    *[(1, 256, 1), (3, 512, 1)] * 4,
    (1, 512, 1),
    (3, 1024, 1),
    "M",
    *[(1, 512, 1), (3, 1024, 1)] * 2,
    (3, 1024, 1),
    (3, 1024, 2),
    (3, 1024, 1),
    (3, 1024, 1),
]
L_COORD, L_NOOBJ = 5.0, 0.5


def _layout(downsample: int) -> list:
    """LAYOUT with the first halvings skipped: 32 gives the 7×7 conv stride 1, 16 also drops the first
    max-pool (small images keep their detail where the shapes are still a few pixels wide)."""
    out = list(LAYOUT)
    if downsample <= 32:
        out[0] = (7, 64, 1)
    if downsample <= 16:
        del out[1]
    return out


@dataclass(frozen=True)
class YOLOv1Config(YOLOConfig):
    image_size: int = hp(
        448,
        lo=64,
        hi=896,
        step=64,
        help="Side of the square input in pixels (448 in the paper); the convolutions shrink "
        "it `downsample` times (64 in the paper), so it must be a multiple of that.",
    )
    grid_size: int = hp(
        7,
        lo=1,
        hi=14,
        help="S: the image is cut into S×S cells, each responsible for the "
        "objects whose centre falls in it (7 in the paper).",
    )
    boxes_per_cell: int = hp(
        2,
        lo=1,
        hi=5,
        help="B: boxes each cell predicts (2 in the paper); the one that overlaps an object best learns it.",
    )
    width: float = hp(
        1.0, lo=0.03125, hi=1.0, step=0.03125, help="Scales every conv's channels (1 = the paper's network)."
    )
    hidden_dim: int = hp(4096, lo=16, hi=4096, help="Neurons of the first fully connected layer (4096).")
    dropout: float = hp(0.5, lo=0.0, hi=0.9, step=0.05, help="Dropout after the first fully connected layer.")
    num_classes: int = hp(20, lo=1, hi=1000, help="Object classes (20 in Pascal VOC).")
    downsample: int = hp(
        64,
        choices=(16, 32, 64),
        help="How many times the convolutions shrink the image: 64 in the paper (448 pixels → a 7×7 map "
        "for the dense layers). 32 or 16 skip the first halvings (the 7×7 conv's stride, then the first "
        "max-pool), so a 64-pixel scene keeps a 2×2 or 4×4 map instead of one pixel that has lost where "
        "things are.",
    )
    squash: bool = hp(
        False,
        help="Pass x, y and the confidence through a sigmoid so they stay in [0, 1] (a common stabilisation "
        "of re-implementations; the paper's last layer is linear and the loss alone pulls them there).",
    )
    batch_norm: bool = hp(
        False,
        help="Batch norm after every conv (off in the paper; YOLOv2 added it). A deep plain network trained "
        "from scratch, without the paper's week of ImageNet pre-training, barely learns without it.",
    )

    def stride(self) -> int:
        return self.downsample

    def validate(self) -> None:
        super().validate()
        if self.grid_size > self.image_size // 8:
            raise ConfigError(
                f"grid_size ({self.grid_size}) is too fine for {self.image_size}-pixel images: "
                f"keep cells at least 8 pixels wide (grid_size ≤ {self.image_size // 8})."
            )


class YOLOv1(YOLODetector):
    """images (B, C, H, W) in [0, 1] → (B, S, S, 5B + C): per cell B × (x, y, √w, √h, conf), then classes."""

    def __init__(self, cfg: YOLOv1Config):
        super().__init__()
        self.cfg = cfg
        layers, c = [], cfg.in_channels
        layout = _layout(cfg.downsample)
        for item in layout:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
                continue
            k, ch, s = item
            ch = max(1, round(ch * cfg.width))
            conv = nn.Conv2d(c, ch, k, s, k // 2, bias=not cfg.batch_norm)
            layers += [
                conv,
                *([nn.BatchNorm2d(ch)] if cfg.batch_norm else []),
                nn.LeakyReLU(0.1, inplace=True),
            ]
            c = ch
        self.features = nn.Sequential(*layers)
        side = cfg.image_size // cfg.stride()
        s, b, nc = cfg.grid_size, cfg.boxes_per_cell, cfg.num_classes
        self.out_dim = 5 * b + nc
        self.fc = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c * side * side, cfg.hidden_dim),
            nn.LeakyReLU(0.1, inplace=True),
            nn.Dropout(cfg.dropout),
            nn.Linear(cfg.hidden_dim, s * s * self.out_dim),
        )
        # He initialisation for leaky ReLU: 26 layers without batch norm keep their signal (the paper
        # instead pre-trained the first 20 convs on ImageNet for a week)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, a=0.1, nonlinearity="leaky_relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        self.fc[-1].weight.data.mul_(0.1)  # start near zero outputs: no box, no confidence

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.cfg.grid_size
        return self.fc(self.features(x)).view(-1, s, s, self.out_dim)  # (B, S, S, 5B + C)

    def _boxes(self, out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Raw (B, S, S, 5B + C) → boxes (B, S, S, B, 4) xyxy pixels and the (B, S, S, B, 5) raw box rows."""
        s, nb, size = self.cfg.grid_size, self.cfg.boxes_per_cell, self.cfg.image_size
        p = out[..., : 5 * nb].reshape(*out.shape[:3], nb, 5)
        if self.cfg.squash:  # sigmoid on x, y and the confidence; √w, √h stay linear
            p = torch.cat([p[..., :2].sigmoid(), p[..., 2:4], p[..., 4:].sigmoid()], -1)
        ys, xs = torch.meshgrid(
            torch.arange(s, device=out.device), torch.arange(s, device=out.device), indexing="ij"
        )
        cx = (p[..., 0] + xs[..., None]) / s * size
        cy = (p[..., 1] + ys[..., None]) / s * size
        w, h = p[..., 2].clamp(0, 1) ** 2 * size, p[..., 3].clamp(0, 1) ** 2 * size  # the net predicts √w, √h
        return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1), p

    def decode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self(x)
        boxes, p = self._boxes(out)
        probs = out[..., 5 * self.cfg.boxes_per_cell :].clamp(0, 1)  # (B, S, S, C)
        scores = p[..., 4:5].clamp(0, 1) * probs[..., None, :]  # (B, S, S, B, C): conf × Pr(class | object)
        return boxes.reshape(x.shape[0], -1, 4), scores.reshape(x.shape[0], -1, self.cfg.num_classes)

    def assign_boxes(self, boxes: torch.Tensor) -> list[tuple[int, int, int, int]]:
        """The cell holding each box's centre (anchor -1: no anchors; its best-IoU predictor learns it)."""
        s, size = self.cfg.grid_size, self.cfg.image_size
        cxy = ((boxes[:, :2] + boxes[:, 2:]) / 2 / size * s).long().clamp(0, s - 1).tolist()
        return [(0, r, c, -1) for c, r in cxy]

    def anchor_table(self) -> list[tuple[int, list[tuple[float, float]]]]:
        return [(self.cfg.image_size // self.cfg.grid_size, [])]

    def losses(self, x: torch.Tensor, targets: list[dict]) -> dict[str, torch.Tensor]:
        out = self(x)
        boxes, p = self._boxes(out)  # (B, S, S, nb, 4), (B, S, S, nb, 5)
        probs = out[..., 5 * self.cfg.boxes_per_cell :]
        s, size, nc = self.cfg.grid_size, self.cfg.image_size, self.cfg.num_classes
        resp = torch.zeros(p.shape[:-1], dtype=torch.bool, device=x.device)  # (B, S, S, nb)
        box = cls = conf = x.new_zeros(())
        gt_boxes, gt_labels, valid = pad_targets(targets, x.device)
        for b in range(x.shape[0]):
            for g, lab in zip(gt_boxes[b, valid[b]], gt_labels[b, valid[b]], strict=True):
                ((_, r, c, _),) = self.assign_boxes(g[None])
                iou = box_iou(boxes[b, r, c].detach(), g[None])[:, 0]  # (nb,)
                k = int(iou.argmax())
                resp[b, r, c, k] = True
                cx, cy = ((g[:2] + g[2:]) / 2 / size * s).unbind()
                t = torch.stack(
                    [cx - c, cy - r, ((g[2] - g[0]) / size).sqrt(), ((g[3] - g[1]) / size).sqrt()]
                )
                box = box + L_COORD * F.mse_loss(p[b, r, c, k, :4], t, reduction="sum")
                conf = conf + (p[b, r, c, k, 4] - iou[k]) ** 2
                cls = cls + F.mse_loss(probs[b, r, c], F.one_hot(lab, nc).float(), reduction="sum")
        noobj = L_NOOBJ * (p[..., 4][~resp] ** 2).sum()
        n = x.shape[0]
        return {"box": box / n, "obj": (conf + noobj) / n, "cls": cls / n}


def example_input(cfg: YOLOv1Config) -> torch.Tensor:
    return torch.rand(
        2, cfg.in_channels, cfg.image_size, cfg.image_size, generator=torch.Generator().manual_seed(0)
    )


register(
    ArchSpec(
        name="yolov1",
        title="YOLOv1",
        family="detection",
        year=2016,
        paper=Paper(
            "J. Redmon, S. Divvala, R. Girshick, A. Farhadi",
            2016,
            "You Only Look Once: Unified, Real-Time Object Detection",
            arxiv="1506.02640",
        ),
        summary="24 convolutions and two dense layers regress a 7×7×30 grid: two boxes with confidences and "
        "20 class probabilities per cell, detection as one regression.",
        tasks=("object detection",),
        config=YOLOv1Config,
        build=YOLOv1,
        example_input=example_input,
        presets={
            "tiny": {
                "in_channels": 1,
                "num_classes": 6,
                "image_size": 64,
                "grid_size": 7,
                "boxes_per_cell": 2,
                "width": 0.125,
                "downsample": 16,
                "squash": False,
                "batch_norm": True,
                "hidden_dim": 256,
                "dropout": 0.0,
            },
            "canonical": {
                "in_channels": 3,
                "num_classes": 20,
                "image_size": 448,
                "grid_size": 7,
                "boxes_per_cell": 2,
                "width": 1.0,
                "hidden_dim": 4096,
                "dropout": 0.5,
                "downsample": 64,
                "squash": False,
                "batch_norm": False,
            },
        },
        published_params=271_703_550,
        published_source="Redmon et al. (2016), Figure 3 (24 convs with biases, fc 4096, fc 7·7·30), "
        "counted: convs 60,155,968 + fc 50,176·4096 + 4096 = 205,524,992 + fc 4096·1470 + 1470 = 6,022,590; "
        "271,703,550 in all (independent re-implementations report the same).",
    )
)
