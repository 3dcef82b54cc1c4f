"""SimCLR, BYOL and MAE: exact canonical sizes, the interfaces the trainers and the page use, the EMA target,
the switches of the collapse experiment, and MAE's masking, loss and reconstructions."""

import pytest
import torch

import archs
from archs import ConfigError


@pytest.mark.parametrize(
    "name, count, trainable",
    [
        ("simclr", 23_508_032 + 2048 * 2048 + 2 * 2048 + 2048 * 128 + 128, None),
        ("byol", 23_508_032 + 9_449_472 + 2_109_440, None),  # online network + predictor; target not counted
        ("mae", 111_907_840, 111_907_840 - 197 * (768 + 512)),  # fixed sin-cos tables are frozen parameters
    ],
)
def test_canonical_sizes_are_the_published_ones(name, count, trainable):
    model = archs.build_model(name, "canonical", device="meta")
    assert archs.count_params(model) == count == archs.get_arch(name).published_params
    assert archs.count_params(model, trainable_only=True) == (trainable or count)


def test_simclr_and_byol_interfaces():
    torch.manual_seed(0)
    x = torch.rand(4, 3, 16, 16)
    s = archs.build_model("simclr", proj_dim=8)
    h = s.encode(x)
    assert h.shape == (4, 64) and s.project(h).shape == (4, 8) and torch.equal(s(x), s.project(h))
    b = archs.build_model("byol", proj_dim=8)
    z = b.project(b.encode(x))
    assert b.predict(z).shape == (4, 8) and b.target(x).shape == (4, 8)
    nopred = archs.build_model("byol", proj_dim=8, predictor=False)
    assert nopred.predictor is None and torch.equal(nopred.predict(z), z)


def test_byol_target_is_an_ema_copy_held_as_buffers():
    torch.manual_seed(0)
    b = archs.build_model("byol")
    names = {n for n, _ in b.named_parameters()}
    assert not any(n.startswith("target_") for n in names)  # not optimised, not counted
    tw = dict(b.target_encoder.named_buffers())
    w = dict(b.encoder.named_parameters())
    assert all(torch.equal(tw[k], w[k]) for k in w)  # initialised to the online weights
    with torch.no_grad():
        for p in b.encoder.parameters():
            p.add_(1.0)
    k = "trunk.stem.0.weight"
    before = tw[k].clone()
    b.ema_update(1.0)
    assert torch.equal(tw[k], before)  # τ = 1 keeps the target
    b.ema_update(0.75)
    assert torch.allclose(tw[k], 0.75 * before + 0.25 * w[k])
    b.ema_update(0.0)
    assert torch.equal(tw[k], w[k])  # τ = 0 copies the online network
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match=r"EMA rate m must lie in \[0, 1\]"):
            b.ema_update(bad)


def test_byol_stop_gradient_switch_decides_whether_the_target_carries_gradient():
    torch.manual_seed(0)
    x = torch.rand(4, 3, 16, 16)
    b = archs.build_model("byol")
    assert not b.target(x).requires_grad
    free = archs.build_model("byol", stop_gradient=False)
    zt = free.target(x)
    assert zt.requires_grad
    zt.sum().backward()
    assert free.encoder.trunk.stem[0].weight.grad is not None  # both branches train the online network


def test_mae_masks_the_asked_share_and_scores_only_removed_patches():
    torch.manual_seed(0)
    m = archs.build_model("mae")  # 16×16 grey images, 4×4 patches: L = 16
    x = torch.rand(3, 1, 16, 16)
    g = torch.Generator().manual_seed(1)
    loss, pred, mask = m(x, 0.75, g)
    assert pred.shape == (3, 16, 16) and mask.shape == (3, 16)
    assert mask.sum(1).tolist() == [12.0, 12.0, 12.0]
    err = (pred - m.patchify(x)).pow(2).mean(-1)
    assert loss.item() == pytest.approx((err * mask).sum().item() / mask.sum().item(), rel=1e-5)
    assert torch.equal(m.unpatchify(m.patchify(x)), x)
    assert m(x, 0.0)[2].sum() == 0 and torch.isfinite(m(x, 0.0)[0])  # nothing removed: plain autoencoding
    with pytest.raises(ValueError, match="mask ratio must lie in"):
        m(x, 1.0)
    with pytest.raises(ValueError, match="MAE expects images shaped"):
        m(torch.rand(3, 3, 16, 16))


def test_mae_reconstruct_keeps_visible_patches_and_is_seeded():
    torch.manual_seed(0)
    m = archs.build_model("mae").eval()
    x = torch.rand(2, 1, 16, 16)
    r = m.reconstruct(x, 0.5, seed=3)
    assert {"masked", "reconstruction", "mask"} <= set(r)
    assert r["masked"].shape == r["reconstruction"].shape == x.shape and r["mask"].shape == (2, 16)
    keep = (r["mask"] == 0)[..., None]  # (B, L, 1)
    assert torch.equal(m.patchify(r["reconstruction"]) * keep, m.patchify(x) * keep)
    assert torch.equal(m.reconstruct(x, 0.5, seed=3)["mask"], r["mask"])
    assert not torch.equal(m.reconstruct(x, 0.5, seed=4)["mask"], r["mask"])
    assert m.encode(x).shape == (2, 64)


def test_config_errors_are_sentences():
    with pytest.raises(ConfigError, match="four stages"):
        archs.build_model("simclr", layers=(1, 1))
    with pytest.raises(ConfigError, match="at least 32×32"):
        archs.build_model("byol", small_stem=False, image_size=16)
    with pytest.raises(ConfigError, match="multiple of patch_size"):
        archs.build_model("mae", image_size=18)
    with pytest.raises(ConfigError, match="decoder_dim .* divisible by decoder_heads"):
        archs.build_model("mae", decoder_dim=36, decoder_heads=8)
