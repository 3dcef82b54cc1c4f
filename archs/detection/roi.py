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


def _bilinear_axis(pos: torch.Tensor, length: torch.Tensor):
    """torchvision's bilinear rule on one axis: low and high cell indices (int64) and their weights, zero
    weight for points beyond one cell outside the map. ``length`` (K,) is the axis length per box."""
    n = length[:, None].to(pos.dtype)
    outside = (pos < -1.0) | (pos > n)
    p = pos.clamp(min=0.0)
    low = p.floor().clamp(max=n - 1)
    at_edge = p >= n - 1
    p = torch.where(at_edge, n - 1, p)
    high = torch.where(at_edge, low, low + 1)
    w_high = p - low
    w_low = 1.0 - w_high
    keep = (~outside).to(pos.dtype)
    return low.long(), high.long(), w_low * keep, w_high * keep


def _pool(table, base, heights, widths, y0, x0, h, w, output_size, sampling_ratio):
    """The RoI Align of K boxes from ``table`` (N, C): the feature maps flattened to rows (one row per cell,
    maps laid end to end). Box k reads the map starting at row ``base[k]`` with ``heights[k]`` ×
    ``widths[k]`` cells; its region starts at (y0, x0) and spans h × w cells. Returns (K, C, oh, ow)."""
    oh, ow = output_size
    if sampling_ratio > 0:
        gy = gx = torch.full_like(h, float(sampling_ratio))
        gy_max = gx_max = sampling_ratio
    else:  # adaptive: ⌈side / bins⌉ points per bin (data-dependent: not for meta tensors)
        gy, gx = torch.ceil(h / oh), torch.ceil(w / ow)
        gy_max = max(int(gy.max().item()) if len(gy) else 1, 1)
        gx_max = max(int(gx.max().item()) if len(gx) else 1, 1)
    ys, y_ok = _sample_points(y0, h, oh, gy, gy_max)  # (K, Ny)
    xs, x_ok = _sample_points(x0, w, ow, gx, gx_max)  # (K, Nx)
    yl, yh, wyl, wyh = _bilinear_axis(ys, heights)
    xl, xh, wxl, wxh = _bilinear_axis(xs, widths)
    count = (gy * gx).clamp(min=1.0)  # (K,)
    wy_ok, wx_ok = y_ok.to(ys.dtype), x_ok.to(xs.dtype)
    row = base[:, None, None] + 0 * yl[:, :, None]  # (K, 1, 1) broadcast helper
    out = None
    for yi, wy in ((yl, wyl * wy_ok), (yh, wyh * wy_ok)):
        for xi, wx in ((xl, wxl * wx_ok), (xh, wxh * wx_ok)):
            idx = row + yi[:, :, None] * widths[:, None, None] + xi[:, None, :]  # (K, Ny, Nx)
            weight = wy[:, :, None] * wx[:, None, :]  # (K, Ny, Nx)
            term = table[idx] * weight[..., None]  # (K, Ny, Nx, C)
            out = term if out is None else out + term
    k, c = out.shape[0], table.shape[1]
    out = out.reshape(k, oh, gy_max, ow, gx_max, c).sum((2, 4)) / count[:, None, None, None]  # (K, oh, ow, C)
    return out.permute(0, 3, 1, 2)  # (K, C, oh, ow)


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
    table = features.permute(0, 2, 3, 1).reshape(b * hh * ww, c)  # (B·H·W, C)
    rois = rois.to(features.dtype)
    k = rois.shape[0]
    scale = torch.full((k,), float(spatial_scale), dtype=rois.dtype, device=rois.device)
    y0, x0, h, w = _box_region(rois, scale, aligned)
    base = rois[:, 0].long() * (hh * ww)
    heights = torch.full((k,), hh, dtype=torch.long, device=rois.device)
    widths = torch.full((k,), ww, dtype=torch.long, device=rois.device)
    return _pool(table, base, heights, widths, y0, x0, h, w, _as_pair(output_size), sampling_ratio)


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
    sizes = [f.shape[2] * f.shape[3] for f in features]
    offsets = torch.tensor([0] + [b * s for s in sizes[:-1]], device=rois.device).cumsum(0)
    table = torch.cat([f.permute(0, 2, 3, 1).reshape(-1, c) for f in features])  # (Σ B·H_l·W_l, C)
    hs = torch.tensor([f.shape[2] for f in features], device=rois.device)
    ws = torch.tensor([f.shape[3] for f in features], device=rois.device)
    inv = torch.tensor([1.0 / s for s in strides], dtype=rois.dtype, device=rois.device)
    heights, widths = hs[li], ws[li]
    base = offsets[li] + rois[:, 0].long() * heights * widths
    y0, x0, h, w = _box_region(rois.to(features[0].dtype), inv[li], aligned)
    crops = _pool(table, base, heights, widths, y0, x0, h, w, _as_pair(output_size), sampling_ratio)
    return crops, level
