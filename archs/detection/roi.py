"""RoI Align and the FPN level mapper, in plain torch (torchvision.ops is not a dependency).

RoI Align (He, Gkioxari, Dollár & Girshick 2017, "Mask R-CNN", arXiv 1703.06870, §3) turns a box of any
size into a fixed ``output_size`` grid of features without rounding: each output bin averages
``sampling_ratio``² points placed evenly inside it, each point read from the feature map by bilinear
interpolation of its four neighbouring cells. The semantics are torchvision's ``roi_align``:

- rois (K, 5) rows ``[batch index, x0, y0, x1, y1]`` in image pixels; ``spatial_scale`` maps them onto the
  feature map (1 / stride);
- ``aligned=True`` shifts the box by −0.5 cell so that a pixel's centre lands on a feature cell's centre
  (the pixel-exact alignment of Detectron2); ``aligned=False`` is the paper's original, which also makes
  every box at least one cell wide;
- ``sampling_ratio`` points per bin side, or −1 for adaptive: ⌈box side / output side⌉ per box;
- a point more than one cell outside the map reads 0; a point in [−1, 0] is clamped to the border.

The FPN level mapper is eq. 1 of Lin, Dollár, Girshick, He, Hariharan & Belongie (2017), "Feature Pyramid
Networks for Object Detection", arXiv 1612.03144: a box of side √(wh) is pooled from level

    k = ⌊k0 + log2(√(wh) / 224)⌋,   clamped to [k_min, k_max]   (k0 = 4: a 224-pixel box reads P4)

so small boxes read the fine maps and large ones the coarse maps. ``multiscale_roi_align`` pools every box
from its own level in ONE gather over the maps laid end to end: no boolean selection, no shapes that
depend on the data, so it runs on ``device="meta"`` (with a fixed ``sampling_ratio``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F


def fpn_levels(
    boxes: torch.Tensor, k0: int = 4, canonical_size: float = 224.0, k_min: int = 2, k_max: int = 5
) -> torch.Tensor:
    """(K,) int64 FPN level of each (K, 4) xyxy box by eq. 1 of Lin et al. (torchvision's LevelMapper,
    with its ε = 1e-6 so that a box of exactly 2ʲ·224 pixels lands on level k0 + j)."""
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    side = area.clamp(min=0).sqrt()
    k = torch.floor(k0 + torch.log2(side / canonical_size + 1e-12) + 1e-6)
    return k.clamp(k_min, k_max).to(torch.int64)


def _sample_points(start, size, bins: int, grid: torch.Tensor, g_max: int):
    """Sample coordinates along one axis: (K, bins·g_max) positions and (K, bins·g_max) validity (a box with
    an adaptive grid smaller than ``g_max`` leaves the extra points out)."""
    i = torch.arange(bins * g_max, device=start.device, dtype=start.dtype)
    b, g = torch.div(i, g_max, rounding_mode="floor"), i % g_max  # bin and point within the bin
    bin_size = size / bins  # (K,)
    pos = start[:, None] + b[None] * bin_size[:, None] + (g[None] + 0.5) * bin_size[:, None] / grid[:, None]
    return pos, g[None] < grid[:, None]  # (K, bins·g_max) each


def _pool(canvas, row0, heights, widths, y0, x0, h, w, output_size, sampling_ratio):
    """The RoI Align of K boxes from ``canvas`` (1, C, rows, cols): the feature maps stacked one above the
    other (images and levels), padded on the right to one width. Box k reads the map whose first row is
    ``row0[k]``, of ``heights[k]`` × ``widths[k]`` cells; its region starts at (y0, x0) and spans h × w
    cells. Returns (K, C, oh, ow).

    torchvision's bilinear rule: a point more than one cell outside the map reads 0, a point within one
    cell of it is clamped to the border. Clamped points never reach a neighbouring map, so ``grid_sample``
    reads the stacked maps as one image, its fast bilinear kernel doing the interpolation and its gradient."""
    oh, ow = output_size
    k, c = len(row0), canvas.shape[1]
    if k == 0:
        return canvas.new_zeros(0, c, oh, ow)
    if sampling_ratio > 0:
        gy = gx = torch.full_like(h, float(sampling_ratio))
        gy_max = gx_max = sampling_ratio
    else:  # adaptive: ⌈side / bins⌉ points per bin (data-dependent: not for meta tensors)
        gy, gx = torch.ceil(h / oh), torch.ceil(w / ow)
        gy_max, gx_max = max(int(gy.max().item()), 1), max(int(gx.max().item()), 1)
    ys, y_ok = _sample_points(y0, h, oh, gy, gy_max)  # (K, Ny)
    xs, x_ok = _sample_points(x0, w, ow, gx, gx_max)  # (K, Nx)
    hh, ww = heights[:, None].to(ys.dtype), widths[:, None].to(xs.dtype)
    y_ok = y_ok & (ys >= -1.0) & (ys <= hh)
    x_ok = x_ok & (xs >= -1.0) & (xs <= ww)
    yc = torch.minimum(ys.clamp(min=0.0), hh - 1) + row0[:, None].to(ys.dtype)  # canvas row
    xc = torch.minimum(xs.clamp(min=0.0), ww - 1)
    ny, nx = ys.shape[1], xs.shape[1]
    gyn = (yc + 0.5) / canvas.shape[2] * 2 - 1  # grid_sample's [-1, 1] (align_corners=False)
    gxn = (xc + 0.5) / canvas.shape[3] * 2 - 1
    grid = torch.stack([gxn[:, None, :].expand(k, ny, nx), gyn[:, :, None].expand(k, ny, nx)], -1)
    v = F.grid_sample(canvas, grid.reshape(1, k * ny, nx, 2), "bilinear", "zeros", align_corners=False)
    v = v.view(c, k, ny, nx) * (y_ok[:, :, None] & x_ok[:, None, :]).to(v.dtype)  # (C, K, Ny, Nx)
    if sampling_ratio == 1:
        out = v  # one point per bin: nothing to average
    elif sampling_ratio > 1:
        out = F.avg_pool2d(v, (gy_max, gx_max))  # (C, K, oh, ow)
    else:
        count = (gy * gx).clamp(min=1.0)  # (K,)
        out = v.view(c, k, oh, gy_max, ow, gx_max).sum((3, 5)) / count[None, :, None, None]
    return out.permute(1, 0, 2, 3)  # (K, C, oh, ow)


def _box_region(rois: torch.Tensor, scale: torch.Tensor, aligned: bool):
    """Start (y0, x0) and size (h, w) of each box on its feature map, in cells."""
    offset = 0.5 if aligned else 0.0
    x0, y0 = rois[:, 1] * scale - offset, rois[:, 2] * scale - offset
    x1, y1 = rois[:, 3] * scale - offset, rois[:, 4] * scale - offset
    w, h = x1 - x0, y1 - y0
    if not aligned:  # the original RoI Align forces boxes to be at least one cell wide
        w, h = w.clamp(min=1.0), h.clamp(min=1.0)
    return y0, x0, h, w


def _as_pair(size: int | Sequence[int]) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


def roi_align(
    features: torch.Tensor,
    rois: torch.Tensor,
    output_size: int | Sequence[int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = True,
) -> torch.Tensor:
    """RoI Align of (K, 5) ``rois`` [batch index, x0, y0, x1, y1] (image pixels) on ``features``
    (B, C, H, W): (K, C, oh, ow), with torchvision's semantics (module docstring)."""
    if rois.dim() != 2 or rois.shape[1] != 5:
        raise ValueError(
            f"rois must be a (K, 5) tensor of [batch index, x0, y0, x1, y1]; got {tuple(rois.shape)}"
        )
    b, c, hh, ww = features.shape
    canvas = features.transpose(0, 1).reshape(1, c, b * hh, ww)  # the B maps one above the other
    rois = rois.to(features.dtype)
    k = rois.shape[0]
    scale = torch.full((k,), float(spatial_scale), dtype=rois.dtype, device=rois.device)
    y0, x0, h, w = _box_region(rois, scale, aligned)
    row0 = rois[:, 0].long() * hh
    heights = torch.full((k,), hh, dtype=torch.long, device=rois.device)
    widths = torch.full((k,), ww, dtype=torch.long, device=rois.device)
    return _pool(canvas, row0, heights, widths, y0, x0, h, w, _as_pair(output_size), sampling_ratio)


def multiscale_roi_align(
    features: Sequence[torch.Tensor],
    rois: torch.Tensor,
    strides: Sequence[int],
    output_size: int | Sequence[int],
    sampling_ratio: int = 2,
    canonical_size: float = 224.0,
    canonical_level: int = 4,
    aligned: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """torchvision's MultiScaleRoIAlign: each of the (K, 5) ``rois`` is pooled from the map of its FPN
    level (eq. 1). ``features`` are the maps P_kmin … P_kmax (each (B, C, H_l, W_l)) at ``strides``
    (powers of two). Returns the crops (K, C, oh, ow) and each box's level (K,) (k_min … k_max)."""
    levels_of_maps = [int(round(math.log2(s))) for s in strides]
    k_min, k_max = levels_of_maps[0], levels_of_maps[-1]
    level = fpn_levels(rois[:, 1:], canonical_level, canonical_size, k_min, k_max)  # (K,)
    li = level - k_min  # index into the maps
    b, c = features[0].shape[:2]
    wmax = max(f.shape[3] for f in features)
    # every level's B maps one above the other, padded on the right to the widest: (1, C, Σ B·H_l, W_max)
    canvas = torch.cat(
        [F.pad(f, (0, wmax - f.shape[3])).transpose(0, 1).reshape(c, -1, wmax) for f in features], 1
    )[None]
    rows = [b * f.shape[2] for f in features]
    offsets = torch.tensor([0] + rows[:-1], device=rois.device).cumsum(0)
    hs = torch.tensor([f.shape[2] for f in features], device=rois.device)
    ws = torch.tensor([f.shape[3] for f in features], device=rois.device)
    inv = torch.tensor([1.0 / s for s in strides], dtype=features[0].dtype, device=rois.device)
    heights, widths = hs[li], ws[li]
    row0 = offsets[li] + rois[:, 0].long() * heights
    y0, x0, h, w = _box_region(rois.to(features[0].dtype), inv[li], aligned)
    crops = _pool(canvas, row0, heights, widths, y0, x0, h, w, _as_pair(output_size), sampling_ratio)
    return crops, level
