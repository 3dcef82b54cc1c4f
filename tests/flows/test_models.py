"""RealNVP and Glow: exact inverses, log-determinants equal to autograd's Jacobian, a fresh flow's
likelihood equal to the base Gaussian's, the paper-size Glow's parameter count by the reference code's
variables, and the impossible settings refused with a sentence."""

from __future__ import annotations

import math

import pytest
import torch

import archs
from archs import ConfigError
from archs.flows.layers import Split

POINTS = [
    ("realnvp", {}),
    ("glow", {}),
    ("glow", {"lu": True}),
    ("glow", {"coupling": "additive"}),
    ("glow", {"scale": "exp"}),
]
IMAGES = [("realnvp", "digits", {}), ("glow", "digits", {}), ("glow", "digits", {"lu": True})]


def _randomise(model: torch.nn.Module, scale: float = 0.2) -> None:
    """Move every parameter off its initial value, so that couplings are not the identity."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn(p.shape, generator=g))


def _logdet(model, x):
    """Σ log|det| of the steps, as the model computes it (points: no splits)."""
    total, h = torch.zeros(len(x), dtype=x.dtype), x
    for step in model.steps:
        h, ld = step(h)
        total = total + ld
    return h, total


@pytest.mark.parametrize(("name", "kw"), POINTS)
def test_points_flow_inverts_and_its_logdet_is_the_jacobians(name, kw):
    torch.manual_seed(0)
    model = archs.build_model(name, **kw).double()
    _randomise(model)
    x = torch.randn(16, 2, dtype=torch.float64)
    z, ld = _logdet(model, x)
    assert torch.allclose(model.inverse(z), x, atol=1e-5)
    assert not torch.allclose(z, x, atol=1e-2)  # the flow does something
    for i in range(4):
        jac = torch.autograd.functional.jacobian(lambda v: _logdet(model, v[None])[0][0], x[i])  # (2, 2)
        assert math.isclose(float(torch.linalg.slogdet(jac.detach())[1]), float(ld[i].detach()), abs_tol=1e-6)


@pytest.mark.parametrize(("name", "preset", "kw"), IMAGES)
def test_image_flow_inverts_through_squeezes_and_splits(name, preset, kw):
    torch.manual_seed(0)
    model = archs.build_model(name, preset, **kw).double()
    _randomise(model, 0.05)
    x = torch.rand(3, 1, 8, 8, dtype=torch.float64)
    h, parts = x, []
    for step in model.steps:
        if isinstance(step, Split):
            c = h.shape[1] // 2
            parts.append(h[:, c:])
        h = step(h)[0]
    for step in reversed(model.steps):  # back, putting each factored-out half where it was
        h = torch.cat([h, parts.pop()], 1) if isinstance(step, Split) else step.inverse(h)
    assert torch.allclose(h, x, atol=1e-5)
    assert torch.isfinite(model(x)).all()
    s = model.sample(2, generator=torch.Generator().manual_seed(1))
    assert s.shape == (2, 1, 8, 8) and torch.isfinite(s).all()


@pytest.mark.parametrize(("name", "kw"), POINTS[:3] + [("glow", {"scale": "exp", "lu": True})])
def test_a_fresh_flow_scores_like_the_standard_normal(name, kw):
    """Couplings start as the identity and the 1×1 convolution as a rotation: log p(x) = log N(x; 0, I).
    Glow's σ(h + 2) scale is not 1 at h = 0, so its fresh likelihood differs; exp(h) is."""
    kw = {**kw, "scale": "exp"} if name == "glow" else kw
    torch.manual_seed(0)
    model = archs.build_model(name, **kw).double()
    x = 3 * torch.randn(64, 2, dtype=torch.float64)
    normal = -0.5 * (x**2).sum(1) - math.log(2 * math.pi)
    assert torch.allclose(model(x), normal, atol=1e-9)
    if name == "glow":
        assert not torch.allclose(archs.build_model("glow").double()(x), normal, atol=1e-3)


def test_a_fresh_image_flow_scores_like_the_standard_normal():
    for name, kw in (("realnvp", {}), ("glow", {"scale": "exp"})):
        model = archs.build_model(name, "digits", **kw).double()
        x = torch.randn(4, 1, 8, 8, dtype=torch.float64)
        normal = -0.5 * (x**2).flatten(1).sum(1) - 32 * math.log(2 * math.pi)
        assert torch.allclose(model(x), normal, atol=1e-9), name


def test_glow_cifar10_has_the_reference_codes_variables():
    """Every trainable variable openai/glow's model.py creates for the README's CIFAR-10 command (L=3,
    K=32, width 512, affine coupling, 1×1 convolutions, learned top): per step actnorm 2C, W C², the
    coupling net's conv3×3 (C/2 -> 512, no bias) + actnorm, conv1×1 + actnorm, zero conv3×3 (512 -> C) with
    bias and logs; the splits' and the top prior's zero convolutions."""
    w = 512

    def step(c):
        return 2 * c + c * c + 9 * (c // 2) * w + 2 * w + w * w + 2 * w + 9 * w * c + 2 * c

    want = sum(32 * step(c) for c in (12, 24, 48))
    want += (9 * 6 * 12 + 24) + (9 * 12 * 24 + 48) + (9 * 96 * 96 + 192)
    assert archs.count_params(archs.build_model("glow", "cifar10", device="meta")) == want == 44_135_856


@pytest.mark.parametrize(
    ("name", "kw", "words"),
    [
        ("realnvp", {"num_layers": 0}, "at least one coupling layer"),
        ("glow", {"num_layers": 0}, "at least one coupling layer"),
        (
            "glow",
            {"data": "image", "image_size": 12, "levels": 3},
            "divisible by 8, 2 to the power of levels",
        ),
        (
            "realnvp",
            {"data": "image", "image_size": 6, "levels": 2},
            "divisible by 4, 2 to the power of levels",
        ),
        ("realnvp", {"data": "image", "mask": "channel", "in_channels": 3}, "3 channels do not split evenly"),
    ],
)
def test_impossible_settings_are_refused_with_a_sentence(name, kw, words):
    with pytest.raises(ConfigError, match=words):
        archs.build_model(name, **kw)


def test_wrong_input_shape_says_what_was_expected():
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, 2\)"):
        archs.build_model("glow")(torch.zeros(3, 3))
