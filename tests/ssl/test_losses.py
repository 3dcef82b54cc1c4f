"""NT-Xent, BYOL's loss, alignment, uniformity and spread against their definitions."""

import math

import pytest
import torch
import torch.nn.functional as F

from training.ssl.losses import alignment, byol_loss, nt_xent, spread, uniformity


def test_nt_xent_matches_its_formula_row_by_row():
    torch.manual_seed(0)
    z1, z2, tau = torch.randn(4, 5), torch.randn(4, 5), 0.3
    loss, info = nt_xent(z1, z2, tau)
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    assert info["sim"].shape == (8, 8) and torch.allclose(info["sim"], z @ z.T, atol=1e-6)
    assert info["positive"].tolist() == [4, 5, 6, 7, 0, 1, 2, 3]
    assert torch.isinf(info["logits"].diagonal()).all()
    for i in range(8):
        p = info["positive"][i]
        others = [k for k in range(8) if k != i]
        num = math.exp(float(z[i] @ z[p]) / tau)
        den = sum(math.exp(float(z[i] @ z[k]) / tau) for k in others)
        assert info["row_loss"][i].item() == pytest.approx(-math.log(num / den), rel=1e-5)
    assert loss.item() == pytest.approx(info["row_loss"].mean().item())


def test_nt_xent_rewards_aligned_pairs_and_lower_tau_sharpens():
    torch.manual_seed(1)
    z = torch.randn(16, 8)
    good, _ = nt_xent(z, z + 0.01 * torch.randn(16, 8), 0.5)
    bad, _ = nt_xent(z, torch.randn(16, 8), 0.5)
    assert good < bad
    sharp, _ = nt_xent(z, z + 0.01 * torch.randn(16, 8), 0.05)
    assert sharp < good  # with the positive the nearest, a colder softmax puts more mass on it


def test_nt_xent_refuses_bad_settings_with_sentences():
    z = torch.randn(4, 3)
    for tau in (0.0, -1.0):
        with pytest.raises(ValueError, match="temperature τ must be positive"):
            nt_xent(z, z, tau)
    with pytest.raises(ValueError, match="a batch of one has no negatives"):
        nt_xent(z[:1], z[:1], 0.5)


def test_byol_loss_is_two_minus_two_cosine():
    p, z = torch.tensor([[1.0, 0.0], [0.0, 2.0]]), torch.tensor([[3.0, 0.0], [2.0, 0.0]])
    assert byol_loss(p, z).item() == pytest.approx((0 + 2) / 2)  # cos 1 and cos 0
    assert byol_loss(p, -p).item() == pytest.approx(4.0)


def test_alignment_uniformity_and_spread_read_collapse():
    torch.manual_seed(2)
    z = torch.randn(256, 16)
    assert alignment(z, 3 * z).item() == pytest.approx(0.0, abs=1e-6)  # scale does not matter
    assert alignment(z, -z).item() == pytest.approx(4.0, rel=1e-5)  # ‖2ẑ‖² = 4
    same = torch.ones(256, 16) + 1e-4 * torch.randn(256, 16)
    assert uniformity(same).item() == pytest.approx(0.0, abs=1e-3)
    assert uniformity(z).item() < -3.0  # spread over the sphere: far below 0
    assert spread(same).item() < 1e-3
    assert spread(z).item() == pytest.approx(1 / math.sqrt(16), rel=0.1)  # uniform on the sphere: ~1/√d
