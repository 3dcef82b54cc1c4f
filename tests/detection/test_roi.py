"""RoI Align against a direct computation (a loop over bins and sampling points, each point read by the
bilinear rule written out), on random boxes drawn by hypothesis; on a ramp map it returns each bin centre's
coordinate; the multi-scale version pools every box from the level of eq. 1 (Lin et al. 2017)."""

from __future__ import annotations

import math

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from archs.detection.roi import fpn_levels, multiscale_roi_align, roi_align


def _bilinear(fmap: torch.Tensor, y: float, x: float) -> torch.Tensor:
    """torchvision's bilinear_interpolate for one point of a (C, H, W) map, written out."""
    c, h, w = fmap.shape
    if y < -1.0 or y > h or x < -1.0 or x > w:
        return torch.zeros(c, dtype=fmap.dtype)
    y, x = max(y, 0.0), max(x, 0.0)
    y_low, x_low = int(y), int(x)
    if y_low >= h - 1:
        y_high = y_low = h - 1
        y = float(y_low)
    else:
        y_high = y_low + 1
    if x_low >= w - 1:
        x_high = x_low = w - 1
        x = float(x_low)
    else:
        x_high = x_low + 1
    ly, lx = y - y_low, x - x_low
    hy, hx = 1.0 - ly, 1.0 - lx
    return (
        hy * hx * fmap[:, y_low, x_low]
        + hy * lx * fmap[:, y_low, x_high]
        + ly * hx * fmap[:, y_high, x_low]
        + ly * lx * fmap[:, y_high, x_high]
    )


def _direct(features, rois, out, scale, ratio, aligned):
    """RoI Align by the definition: for every box, bin and sampling point, one bilinear read."""
    result = torch.zeros(len(rois), features.shape[1], out, out, dtype=features.dtype)
    off = 0.5 if aligned else 0.0
    for k, (b, x0, y0, x1, y1) in enumerate(rois.tolist()):
        sx, sy, ex, ey = x0 * scale - off, y0 * scale - off, x1 * scale - off, y1 * scale - off
        rw, rh = ex - sx, ey - sy
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bw, bh = rw / out, rh / out
        gh = ratio if ratio > 0 else math.ceil(rh / out)
        gw = ratio if ratio > 0 else math.ceil(rw / out)
        count = max(gh * gw, 1)
        for ph in range(out):
            for pw in range(out):
                acc = torch.zeros(features.shape[1], dtype=features.dtype)
                for iy in range(gh):
                    y = sy + ph * bh + (iy + 0.5) * bh / gh
                    for ix in range(gw):
                        x = sx + pw * bw + (ix + 0.5) * bw / gw
                        acc += _bilinear(features[int(b)], y, x)
                result[k, :, ph, pw] = acc / count
    return result


def _random_rois(seed: int, n: int, batch: int, extent: float) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g) * extent * 1.2 - 0.1 * extent  # some corners beyond the image
    wh = torch.rand(n, 2, generator=g) * extent * 0.6
    b = torch.randint(0, batch, (n, 1), generator=g).double()
    return torch.cat([b, xy, xy + wh], 1)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    out=st.integers(1, 4),
    ratio=st.sampled_from([-1, 1, 2, 3]),
    scale=st.sampled_from([1.0, 0.5, 0.25]),
    aligned=st.booleans(),
)
def test_roi_align_equals_the_direct_bilinear_computation(seed, out, ratio, scale, aligned):
    g = torch.Generator().manual_seed(seed)
    features = torch.randn(2, 3, 7, 9, generator=g, dtype=torch.float64)
    rois = _random_rois(seed, 5, 2, extent=9 / scale)
    got = roi_align(features, rois, out, scale, ratio, aligned)
    want = _direct(features, rois, out, scale, ratio, aligned)
    torch.testing.assert_close(got, want, atol=1e-10, rtol=1e-10)


def test_roi_align_on_a_ramp_reads_each_bin_centre():
    """f(y, x) = x: with aligned=True, bin j of a box [x0, x1] reads the bin centre x0 − ½ + (j + ½)·w/n."""
    ramp = torch.arange(16.0)[None, None, None, :].expand(1, 1, 16, 16)
    box = torch.tensor([[0.0, 2.0, 3.0, 10.0, 9.0]])  # x from 2 to 10 pixels
    got = roi_align(ramp, box, 4, 1.0, 2, True)[0, 0]  # (4, 4)
    want = torch.tensor([1.5 + (j + 0.5) * 2.0 for j in range(4)])
    torch.testing.assert_close(got, want.expand(4, 4))
    assert roi_align(ramp, torch.zeros(0, 5), 4).shape == (0, 1, 4, 4)


def test_level_mapper_is_eq_1_of_the_fpn_paper():
    sides = torch.tensor([16.0, 111.0, 112.0, 223.0, 224.0, 447.0, 448.0, 896.0, 5000.0])
    boxes = torch.stack([torch.zeros_like(sides), torch.zeros_like(sides), sides, sides], 1)
    assert fpn_levels(boxes).tolist() == [2, 2, 3, 3, 4, 4, 5, 5, 5]
    assert fpn_levels(boxes, canonical_size=56.0).tolist() == [2, 4, 5, 5, 5, 5, 5, 5, 5]


def test_multiscale_pools_each_box_from_its_level():
    g = torch.Generator().manual_seed(0)
    strides = (4, 8, 16, 32)
    feats = [torch.randn(2, 3, 128 // s, 128 // s, generator=g, dtype=torch.float64) for s in strides]
    rois = torch.tensor(
        [[0, 10.0, 10, 30, 30], [1, 0, 0, 100, 120], [1, 5, 5, 60, 70], [0, 20, 10, 128, 128]],
        dtype=torch.float64,
    )
    crops, levels = multiscale_roi_align(feats, rois, strides, 7, 2, canonical_size=56.0)
    want_levels = fpn_levels(rois[:, 1:], canonical_size=56.0)
    assert levels.tolist() == want_levels.tolist() and len(set(levels.tolist())) > 1
    for k in range(len(rois)):
        i = int(levels[k]) - 2
        single = roi_align(feats[i], rois[k : k + 1], 7, 1.0 / strides[i], 2, True)
        torch.testing.assert_close(crops[k : k + 1], single)


def test_multiscale_runs_on_meta_and_passes_gradients():
    feats = [torch.randn(1, 4, 64 // s, 64 // s, requires_grad=True) for s in (4, 8, 16, 32)]
    rois = torch.tensor([[0, 1.0, 2, 30, 40], [0, 0, 0, 64, 64]])
    crops, _ = multiscale_roi_align(feats, rois, (4, 8, 16, 32), 7)
    crops.sum().backward()
    assert all(f.grad is not None for f in feats) and feats[0].grad.abs().sum() > 0
    meta = [torch.empty(2, 256, 800 // s, 800 // s, device="meta") for s in (4, 8, 16, 32)]
    crops, levels = multiscale_roi_align(meta, torch.empty(1000, 5, device="meta"), (4, 8, 16, 32), 7)
    assert crops.shape == (1000, 256, 7, 7) and crops.device.type == "meta" and levels.shape == (1000,)
