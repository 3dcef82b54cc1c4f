"""PixelCNN and WaveNet: causality measured from gradients (nothing after a value reaches its
distribution, and what is allowed is reached), the receptive field against the formula, the masks, μ-law,
sampling, and impossible hyperparameters refused with a sentence."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import archs
from archs.autoregressive.pixelcnn import dependency_map, pixel_mask, receptive_half_width
from archs.autoregressive.wavenet import dependency
from archs.spec import ConfigError
from data.autoregressive import mu_law_compress, mu_law_decode, mu_law_encode, mu_law_expand
from viz.autoregressive import BLIND, SEEN, dependency_classes


def _pixelcnn(**kw):
    torch.manual_seed(0)
    return archs.build_model("pixelcnn", "tiny", **{"hidden_dim": 6, "head_dim": 6, **kw})


@pytest.mark.parametrize("colours", [1, 3])
def test_pixelcnn_output_depends_only_on_earlier_pixels_and_colours(colours):
    S = 5
    m = _pixelcnn(in_channels=colours, image_size=S, num_layers=2, kernel_size=3, hidden_dim=12, head_dim=24)
    x = torch.rand(8, colours, S, S, generator=torch.Generator().manual_seed(0)).requires_grad_(True)
    out = m(x)  # (8, L, C, S, S)
    g = torch.zeros(colours, S, S, colours, S, S)  # (C out, S, S, C in, S, S): Σ |gradient| over images
    for ch in range(colours):
        for r in range(S):
            for c in range(S):
                # image i's gradient lands in x[i] alone: one backward pass per output position
                (grad,) = torch.autograd.grad(out[:, :, ch, r, c].sum(), x, retain_graph=True)
                g[ch, r, c] = grad.abs().sum(0)
    for r in range(S):
        for c in range(S):
            for ch in range(colours):
                for cc in range(colours):
                    allowed = np.zeros((S, S), bool)
                    allowed.flat[: r * S + c] = True  # earlier pixels, every colour
                    allowed[r, c] = cc < ch  # the pixel's own earlier colours (R before G before B)
                    dep = g[ch, r, c, cc]
                    assert (dep[~torch.from_numpy(allowed)] == 0).all(), (r, c, ch, cc)
                    if c > 0:  # and what is allowed is used: the left neighbour, every colour
                        assert dep[r, c - 1] > 0, (r, c, ch, cc)
                if ch > 0:
                    assert g[ch, r, c, ch - 1, r, c] > 0  # G sees the pixel's R, B its G


def test_masks_a_and_b_differ_only_at_the_centre():
    a, b = pixel_mask(5, 1, 1, 1, "A")[0, 0], pixel_mask(5, 1, 1, 1, "B")[0, 0]
    assert a[2, 2] == 0 and b[2, 2] == 1
    assert a.sum() == 12 and b.sum() == 13  # two rows above (10) and two to the left
    assert torch.equal(a[:2], torch.ones(2, 5)) and a[3:].sum() == 0 and a[2, 3:].sum() == 0


def test_pixelcnn_reach_matches_the_kernels_and_a_blind_spot_opens():
    m = _pixelcnn(image_size=16, num_layers=3, kernel_size=7)
    reach = receptive_half_width(m.cfg)
    assert reach == 3 + 3
    row, col = 12, 8
    dep = dependency_map(m, row, col)[0].numpy()
    rows, cols = np.nonzero(dep)
    assert row - rows.min() == reach and cols.min() == col - reach  # up and left: the full reach
    cls = dependency_classes(dep, row, col, reach)
    assert (cls == BLIND).sum() > 0 and (cls == SEEN).sum() == len(rows)
    # the blind spot lies up and to the right of the pixel
    assert (np.argwhere(cls == BLIND)[:, 1] > col).all()


@pytest.mark.parametrize("kw", [dict(), dict(kernel_size=3, num_layers=4, dilation_cycle=2)])
def test_wavenet_is_causal_and_its_receptive_field_equals_the_formula(kw):
    torch.manual_seed(0)
    m = archs.build_model("wavenet", "tiny", residual_channels=4, dilation_channels=4, skip_channels=4, **kw)
    rf = m.receptive_field
    assert rf == 1 + (m.cfg.kernel_size - 1) * (1 + sum(m.cfg.dilations))
    T, t = rf + 40, rf + 20
    g = dependency(m, T, t)
    assert (g[t + 1 :] == 0).all()  # nothing after t reaches output t
    seen = torch.nonzero(g).flatten()
    assert seen.max() == t and len(seen) == rf and seen.min() == t - rf + 1  # a contiguous field


def test_the_paper_presets_schedules():
    w = archs.get_arch("wavenet").make_config("paper")
    assert w.dilations == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] * 3 and w.receptive_field == 3071
    p = archs.get_arch("pixelcnn").make_config("paper")
    assert (p.kernel_size, p.block_kernel, p.num_levels, p.in_channels) == (7, 3, 256, 3)
    assert 1 + p.num_layers + 2 == 15  # the paper's fifteen layers


@pytest.mark.parametrize(
    "arch, kw, words",
    [
        ("pixelcnn", dict(kernel_size=6), "must be odd"),
        ("pixelcnn", dict(block_kernel=4), "must be odd"),
        ("pixelcnn", dict(kernel_size=1), "sees nothing"),
        ("pixelcnn", dict(num_layers=0), "at least 1"),
        ("wavenet", dict(num_layers=0), "at least 1"),
        ("wavenet", dict(num_layers=4, dilation_cycle=6), "exceeds num_layers"),
        ("wavenet", dict(num_layers=9, dilation_cycle=6), "multiple of dilation_cycle"),
        ("wavenet", dict(kernel_size=1), "at least 2"),
    ],
)
def test_impossible_hyperparameters_are_refused_with_a_sentence(arch, kw, words):
    with pytest.raises(ConfigError, match=words):
        archs.get_arch(arch).make_config("tiny", **kw)


def test_mu_law_round_trip_and_fine_steps_near_zero():
    x = np.linspace(-1, 1, 2001)
    assert np.allclose(mu_law_expand(mu_law_compress(x)), x, atol=1e-9)
    q = mu_law_encode(x, 256)
    assert q.min() == 0 and q.max() == 255 and (np.diff(q) >= 0).all()
    err = np.abs(mu_law_decode(q, 256) - x)
    assert err[np.abs(x) < 0.01].max() < 2e-4 < err[np.abs(x) > 0.9].max() < 0.03  # fine near 0


def test_sampling_draws_in_range_one_value_at_a_time():
    m = _pixelcnn(image_size=4, num_levels=3).eval()
    out = m.sample(2, torch.Generator().manual_seed(0), keep_probs=True)
    assert out["levels"].shape == (2, 1, 4, 4) and out["levels"].max() <= 2
    assert out["probs"].shape == (16, 2, 3) and torch.allclose(out["probs"].sum(-1), torch.ones(16, 2))
    w = archs.build_model("wavenet", "tiny", num_levels=8).eval()
    gen = w.generate(torch.zeros(3, 10, dtype=torch.long), 5, generator=torch.Generator().manual_seed(0))
    assert gen.shape == (3, 5) and 0 <= gen.min() and gen.max() < 8
