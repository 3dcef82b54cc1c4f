"""YOLOv8 (n, s): CSP backbone of C2f blocks, SPPF, a PAN neck and an anchor-free decoupled head.

G. Jocher, A. Chaurasia, J. Qiu (2023), Ultralytics YOLOv8 (software, no paper; github.com/ultralytics).
- Conv = conv-BN-SiLU. C2f(c1, c2, n): a 1×1 conv to 2·(c2/2) channels split in two halves; n bottlenecks
  (two 3×3 convs, residual in the backbone) run on the second half one after the other, and every
  intermediate map is concatenated ((2 + n)·c2/2 channels) before a 1×1 conv to c2: many gradient paths.
- SPPF: 1×1 conv to half, three 5×5 max-pools in a row (receptive fields 5, 9, 13), concatenate the four
  maps, 1×1 conv: spatial pyramid pooling, fast.
- Backbone: Conv 64/2, Conv 128/2, C2f×3, Conv 256/2, C2f×6 (P3), Conv 512/2, C2f×6 (P4), Conv 1024/2, C2f×3,
  SPPF (P5); neck: upsample + concat + C2f down to P3, then stride-2 convs + concat + C2f back up (PAN).
  Scales n / s: depth ×0.33 (3 → 1, 6 → 2 blocks), width ×0.25 / ×0.5 (channels rounded to multiples of 8).
- Detect head (decoupled, anchor-free): per scale, a box branch (two 3×3 convs, 1×1 to 4·16) and a class
  branch (two 3×3 convs, 1×1 to classes). Each grid point predicts its distances to the box's left, top,
  right and bottom as a distribution over 16 bins (distribution focal loss, Li et al. 2020,
  arXiv:2006.04388): the distance is the expectation Σ i·softmax(p)_i, computed by a fixed 1×1 conv
  (the "DFL" layer, 16 weights 0..15, counted but not trained). Class scores are sigmoids: no objectness.
Training (yolov8_loss.py): the task-aligned assigner, BCE on classes, CIoU and DFL on boxes.

Parameters at 640 px, 80 classes: YOLOv8n 3,157,200 and YOLOv8s 11,166,560 (Ultralytics' model summaries
in yolov8.yaml; BatchNorm weight and bias and the DFL's 16 fixed weights counted).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.detection.yolo_common import ConvBNAct, YOLOConfig, YOLODetector
from archs.registry import register
from archs.spec import ArchSpec, Paper, hp

REG_MAX = 16
STRIDES = (8, 16, 32)


@dataclass(frozen=True)
class YOLOv8Config(YOLOConfig):
    depth_multiple: float = hp(
        0.33,
        lo=0.1,
        hi=1.0,
        step=0.01,
        help="Scales how many bottlenecks each C2f block stacks (0.33 in n and s).",
    )
    width_multiple: float = hp(
        0.25,
        lo=0.03125,
        hi=1.25,
        step=0.03125,
        help="Scales every layer's channels (0.25 in YOLOv8n, 0.5 in YOLOv8s).",
    )
    max_channels: int = hp(
        1024, lo=32, hi=1024, help="Cap on the channels before width scaling (1024 for n and s)."
    )


def _ch(c: int, cfg: YOLOv8Config) -> int:
    return max(8, math.ceil(min(c, cfg.max_channels) * cfg.width_multiple / 8) * 8)


def _n(n: int, cfg: YOLOv8Config) -> int:
    return max(round(n * cfg.depth_multiple), 1)


class Bottleneck(nn.Module):
    def __init__(self, c: int, shortcut: bool):
        super().__init__()
        self.cv1, self.cv2, self.add = ConvBNAct(c, c, 3), ConvBNAct(c, c, 3), shortcut

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C2f(nn.Module):
    def __init__(self, c1: int, c2: int, n: int, shortcut: bool):
        super().__init__()
        self.c = c2 // 2
        self.cv1 = ConvBNAct(c1, 2 * self.c, 1)
        self.cv2 = ConvBNAct((2 + n) * self.c, c2, 1)
        self.m = nn.ModuleList(Bottleneck(self.c, shortcut) for _ in range(n))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = list(self.cv1(x).chunk(2, 1))  # two (B, c, H, W) halves
        for m in self.m:
            y.append(m(y[-1]))
        return self.cv2(torch.cat(y, 1))  # (B, (2 + n)·c, H, W) → (B, c2, H, W)


class SPPF(nn.Module):
    def __init__(self, c1: int, c2: int, k: int = 5):
        super().__init__()
        self.cv1, self.cv2 = ConvBNAct(c1, c1 // 2, 1), ConvBNAct(c1 // 2 * 4, c2, 1)
        self.pool = nn.MaxPool2d(k, 1, k // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = [self.cv1(x)]
        for _ in range(3):
            y.append(self.pool(y[-1]))
        return self.cv2(torch.cat(y, 1))


class Detect(nn.Module):
    """Per scale: box branch → 4·16 distance bins, class branch → class logits."""

    def __init__(self, nc: int, ch: tuple[int, ...]):
        super().__init__()
        c2, c3 = max(16, ch[0] // 4, REG_MAX * 4), max(ch[0], min(nc, 100))
        self.box = nn.ModuleList(
            nn.Sequential(ConvBNAct(c, c2, 3), ConvBNAct(c2, c2, 3), nn.Conv2d(c2, 4 * REG_MAX, 1))
            for c in ch
        )
        self.cls = nn.ModuleList(
            nn.Sequential(ConvBNAct(c, c3, 3), ConvBNAct(c3, c3, 3), nn.Conv2d(c3, nc, 1)) for c in ch
        )
        self.dfl = nn.Conv2d(REG_MAX, 1, 1, bias=False).requires_grad_(False)
        self.dfl.weight.data[:] = torch.arange(REG_MAX, dtype=torch.float32).view(1, REG_MAX, 1, 1)
        for b, c, s in zip(self.box, self.cls, STRIDES, strict=True):  # Ultralytics' bias start (640 px)
            b[-1].bias.data[:] = 1.0
            c[-1].bias.data[:] = math.log(5 / nc / (640 / s) ** 2)

    def forward(self, feats: list[torch.Tensor]) -> tuple[torch.Tensor, ...]:
        return tuple(torch.cat([b(f), c(f)], 1) for b, c, f in zip(self.box, self.cls, feats, strict=True))


class YOLOv8(YOLODetector):
    """images (B, C, H, W) in [0, 1] → three maps (B, 64 + classes, H/s, W/s) for s = 8, 16, 32."""

    def __init__(self, cfg: YOLOv8Config):
        super().__init__()
        self.cfg, nc = cfg, cfg.num_classes
        c = {k: _ch(k, cfg) for k in (64, 128, 256, 512, 1024)}
        n3, n6 = _n(3, cfg), _n(6, cfg)
        self.stem = nn.Sequential(
            ConvBNAct(cfg.in_channels, c[64], 3, 2),
            ConvBNAct(c[64], c[128], 3, 2),
            C2f(c[128], c[128], n3, True),
        )
        self.down3 = nn.Sequential(ConvBNAct(c[128], c[256], 3, 2), C2f(c[256], c[256], n6, True))
        self.down4 = nn.Sequential(ConvBNAct(c[256], c[512], 3, 2), C2f(c[512], c[512], n6, True))
        self.down5 = nn.Sequential(
            ConvBNAct(c[512], c[1024], 3, 2), C2f(c[1024], c[1024], n3, True), SPPF(c[1024], c[1024])
        )
        self.top4 = C2f(c[1024] + c[512], c[512], n3, False)
        self.top3 = C2f(c[512] + c[256], c[256], n3, False)
        self.down_p3, self.bottom4 = ConvBNAct(c[256], c[256], 3, 2), C2f(c[256] + c[512], c[512], n3, False)
        self.down_p4, self.bottom5 = (
            ConvBNAct(c[512], c[512], 3, 2),
            C2f(c[512] + c[1024], c[1024], n3, False),
        )
        self.head = Detect(nc, (c[256], c[512], c[1024]))
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = 0.03

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        c3 = self.down3(self.stem(x))
        c4 = self.down4(c3)
        c5 = self.down5(c4)
        t4 = self.top4(torch.cat([F.interpolate(c5, scale_factor=2.0), c4], 1))
        p3 = self.top3(torch.cat([F.interpolate(t4, scale_factor=2.0), c3], 1))
        p4 = self.bottom4(torch.cat([self.down_p3(p3), t4], 1))
        p5 = self.bottom5(torch.cat([self.down_p4(p4), c5], 1))
        return self.head([p3, p4, p5])

    def points(self, maps) -> tuple[torch.Tensor, torch.Tensor]:
        """Grid points (N, 2) in each scale's cell units (cell centres, x then y) and their strides (N, 1)."""
        pts, strides = [], []
        for m, s in zip(maps, STRIDES, strict=True):
            h, w = m.shape[2:]
            ys, xs = torch.meshgrid(
                torch.arange(h, device=m.device), torch.arange(w, device=m.device), indexing="ij"
            )
            pts.append(torch.stack([xs, ys], -1).reshape(-1, 2).float() + 0.5)
            strides.append(torch.full((h * w, 1), float(s), device=m.device))
        return torch.cat(pts), torch.cat(strides)

    def split(self, maps) -> tuple[torch.Tensor, torch.Tensor]:
        """Raw maps → distance logits (B, N, 4, 16) and class logits (B, N, classes), N over scales."""
        flat = torch.cat([m.flatten(2) for m in maps], 2).transpose(1, 2)  # (B, N, 64 + classes)
        return flat[..., : 4 * REG_MAX].reshape(*flat.shape[:2], 4, REG_MAX), flat[..., 4 * REG_MAX :]

    def distances(self, dist_logits: torch.Tensor) -> torch.Tensor:
        """(B, N, 4, 16) → (B, N, 4) expected left, top, right, bottom distances, via the DFL conv."""
        b, n = dist_logits.shape[:2]
        p = dist_logits.softmax(-1).permute(0, 3, 2, 1)  # (B, 16, 4, N): the bins as channels
        return self.head.dfl(p).view(b, 4, n).transpose(1, 2)

    def decode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        maps = self(x)
        dist, cls = self.split(maps)
        pts, strides = self.points(maps)
        d = self.distances(dist)
        boxes = torch.cat([pts - d[..., :2], pts + d[..., 2:]], -1) * strides  # (B, N, 4) pixels
        return boxes, cls.sigmoid()

    def assign_boxes(self, boxes: torch.Tensor) -> list[tuple[int, int, int, int]]:
        """The centre's cell at stride 8 (anchor -1): a starting point; the task-aligned assigner picks, from
        the predictions, up to ten points inside the box at any scale."""
        g = self.cfg.image_size // STRIDES[0]
        cxy = ((boxes[:, :2] + boxes[:, 2:]) / 2).tolist()
        return [(0, min(int(cy // 8), g - 1), min(int(cx // 8), g - 1), -1) for cx, cy in cxy]

    def anchor_table(self) -> list[tuple[int, list[tuple[float, float]]]]:
        return [(s, []) for s in STRIDES]

    def losses(self, x: torch.Tensor, targets: list[dict]) -> dict[str, torch.Tensor]:
        from archs.detection.yolov8_loss import yolov8_losses

        return yolov8_losses(self, x, targets)


def example_input(cfg: YOLOv8Config) -> torch.Tensor:
    return torch.rand(
        2, cfg.in_channels, cfg.image_size, cfg.image_size, generator=torch.Generator().manual_seed(0)
    )


def _spec(name: str, title: str, width: float, params: int, size: str) -> ArchSpec:
    return ArchSpec(
        name=name,
        title=title,
        family="detection",
        year=2023,
        paper=Paper(
            "G. Jocher, A. Chaurasia, J. Qiu",
            2023,
            "Ultralytics YOLOv8",
            url="https://github.com/ultralytics/ultralytics",
        ),
        summary=f"The {size} YOLOv8: C2f blocks and SPPF, a PAN neck, and an anchor-free decoupled head that "
        "predicts each box's four side distances as distributions (DFL).",
        tasks=("object detection",),
        config=YOLOv8Config,
        build=YOLOv8,
        example_input=example_input,
        presets={
            "tiny": {
                "in_channels": 1,
                "num_classes": 6,
                "image_size": 64,
                "depth_multiple": 0.33,
                "width_multiple": 0.0625 if width < 0.5 else 0.125,
            },
            "canonical": {
                "in_channels": 3,
                "num_classes": 80,
                "image_size": 640,
                "depth_multiple": 0.33,
                "width_multiple": width,
                "max_channels": 1024,
            },
        },
        published_params=params,
        published_source=f"Ultralytics yolov8.yaml, scale '{name[-1]}' [0.33, {width}, 1024] at 80 classes: "
        f"'{title} summary: 225 layers, {params} parameters' (BatchNorm weight and bias and the DFL's 16 "
        "fixed weights counted).",
    )


register(_spec("yolov8n", "YOLOv8n", 0.25, 3_157_200, "nano"))
register(_spec("yolov8s", "YOLOv8s", 0.5, 11_166_560, "small"))
