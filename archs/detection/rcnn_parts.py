"""The parts of Faster and Mask R-CNN, in torchvision's layout (so the parameter counts are the reference's):

- the feature pyramid (Lin et al. 2017, arXiv 1612.03144): a 1×1 lateral convolution per backbone stage,
  a top-down path (nearest-neighbour ×2 and add), a 3×3 output convolution per level, and P6 as a
  stride-2 max-pool of P5 (used only by the RPN);
- the region proposal network's head (Ren, He, Girshick & Sun 2015, arXiv 1506.01497): ONE 3×3
  convolution shared by every level, then a 1×1 objectness logit and a 1×1 box regression per anchor;
- the box head (TwoMLPHead: two fully connected layers on the 7×7 RoI features) and its predictor (a class
  score per class, background included, and four box deltas per class);
- the mask head of He et al. 2017 (arXiv 1703.06870): four 3×3 convolutions on 14×14 RoI features, a 2×2
  transposed convolution to 28×28, and a 1×1 convolution giving one mask logit map per class.

``paste_masks`` draws the 28×28 mask of each box back into the image.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn


class FeaturePyramid(nn.Module):
    """C2…C5 (B, C_i, H_i, W_i) -> P2…P6, each (B, channels, H_i, W_i); P6 is max_pool(P5, 1, stride 2)."""

    def __init__(self, in_channels: list[int], channels: int):
        super().__init__()
        self.inner_blocks = nn.ModuleList(nn.Conv2d(c, channels, 1) for c in in_channels)
        self.layer_blocks = nn.ModuleList(nn.Conv2d(channels, channels, 3, padding=1) for _ in in_channels)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_uniform_(m.weight, a=1)
                nn.init.zeros_(m.bias)

    def forward(self, feats: list[torch.Tensor]) -> list[torch.Tensor]:
        last = self.inner_blocks[-1](feats[-1])
        out = [self.layer_blocks[-1](last)]
        for i in range(len(feats) - 2, -1, -1):
            lateral = self.inner_blocks[i](feats[i])
            last = lateral + F.interpolate(last, size=lateral.shape[-2:], mode="nearest")  # top-down
            out.insert(0, self.layer_blocks[i](last))
        out.append(F.max_pool2d(out[-1], 1, 2, 0))  # P6
        return out


class RPNHead(nn.Module):
    """Shared over levels: P (B, C, H, W) -> objectness logits (B, A, H, W) and deltas (B, 4A, H, W)."""

    def __init__(self, channels: int, num_anchors: int):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(inplace=True))
        self.cls_logits = nn.Conv2d(channels, num_anchors, 1)
        self.bbox_pred = nn.Conv2d(channels, num_anchors * 4, 1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)

    def forward(self, p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        t = self.conv(p)
        return self.cls_logits(t), self.bbox_pred(t)


def flatten_level(obj: torch.Tensor, deltas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One level's head outputs in anchor order (location-major, then anchor): (B, H·W·A), (B, H·W·A, 4)."""
    b, a, h, w = obj.shape
    obj = obj.permute(0, 2, 3, 1).reshape(b, h * w * a)  # (B, H·W·A)
    deltas = deltas.view(b, a, 4, h, w).permute(0, 3, 4, 1, 2).reshape(b, h * w * a, 4)  # (B, H·W·A, 4)
    return obj, deltas


class BoxHead(nn.Module):
    """TwoMLPHead + FastRCNNPredictor: RoI features (K, C, 7, 7) -> class logits (K, classes) and deltas
    (K, classes, 4); ``classes`` counts the background (index 0)."""

    def __init__(self, channels: int, resolution: int, dim: int, classes: int):
        super().__init__()
        self.fc6 = nn.Linear(channels * resolution * resolution, dim)
        self.fc7 = nn.Linear(dim, dim)
        self.cls_score = nn.Linear(dim, classes)
        self.bbox_pred = nn.Linear(dim, classes * 4)

    def forward(self, crops: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = F.relu(self.fc7(F.relu(self.fc6(crops.flatten(1)))))  # (K, dim)
        return self.cls_score(h), self.bbox_pred(h).view(len(h), -1, 4)  # (K, classes), (K, classes, 4)


class MaskHead(nn.Module):
    """RoI features (K, C, 14, 14) -> mask logits (K, classes, 28, 28): ``convs`` 3×3 convolutions + ReLU,
    a 2×2 stride-2 transposed convolution + ReLU, a 1×1 convolution per class."""

    def __init__(self, channels: int, width: int, convs: int, classes: int):
        super().__init__()
        layers, c = [], channels
        for _ in range(convs):
            layers += [nn.Conv2d(c, width, 3, padding=1), nn.ReLU(inplace=True)]
            c = width
        self.fcn = nn.Sequential(*layers)
        self.predictor = nn.Sequential(
            OrderedDict(
                conv5_mask=nn.ConvTranspose2d(c, width, 2, 2),
                relu=nn.ReLU(inplace=True),
                mask_fcn_logits=nn.Conv2d(width, classes, 1),
            )
        )
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        return self.predictor(self.fcn(crops))


def paste_masks(masks: torch.Tensor, boxes: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """(n, M, M) mask probabilities, one per (n, 4) box, drawn into (n, height, width) images: each pixel
    centre is read from the mask by bilinear interpolation at its position inside the box, 0 outside."""
    n = masks.shape[0]
    if n == 0:
        return masks.new_zeros(0, height, width)
    x0, y0, x1, y1 = (boxes[:, i, None] for i in range(4))  # (n, 1) each
    xs = torch.arange(width, device=masks.device, dtype=masks.dtype) + 0.5
    ys = torch.arange(height, device=masks.device, dtype=masks.dtype) + 0.5
    gx = (xs[None] - x0) / (x1 - x0).clamp(min=1e-3) * 2 - 1  # (n, W) in [-1, 1] inside the box
    gy = (ys[None] - y0) / (y1 - y0).clamp(min=1e-3) * 2 - 1  # (n, H)
    grid = torch.stack([gx[:, None, :].expand(n, height, width), gy[:, :, None].expand(n, height, width)], -1)
    out = F.grid_sample(masks[:, None], grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out[:, 0]  # (n, H, W)
