"""CapsNet's parts do what the paper says: the canonical MNIST model counted layer by layer (8,215,568),
the squash keeps a vector's direction and maps its length into [0, 1), the coupling coefficients sum to 1
over the parents, start uniform and change with each iteration exactly as a plain loop over Procedure 1
computes them, the decoder is masked by the label in training and by the longest capsule at test, and
impossible settings are refused with a sentence."""

from __future__ import annotations

import math

import pytest
import torch

import archs
from archs import ConfigError
from archs.capsules.capsnet import margin_loss, squash


def _tiny(**kw):
    torch.manual_seed(0)
    return archs.build_model("capsnet", "tiny", **kw)


def test_canonical_is_the_papers_mnist_model_counted_layer_by_layer():
    m = archs.build_model("capsnet", "canonical", device="meta")
    parts = {n: sum(p.numel() for p in c.parameters()) for n, c in m.named_children()}
    assert parts["conv1"] == 256 * 81 + 256 == 20_992
    assert parts["primary"] == 256 * 256 * 81 + 256 == 5_308_672
    assert parts["digits"] == 1152 * 10 * 8 * 16 == 1_474_560  # W_ij only: no routing logits
    assert parts["decoder"] == (160 * 512 + 512) + (512 * 1024 + 1024) + (1024 * 784 + 784) == 1_411_344
    assert archs.count_params(m) == 8_215_568 == archs.get_arch("capsnet").published_params
    assert not list(m.buffers())  # the routing logits live in one forward pass, not in the model
    assert m.cfg.grid == 6 and m.cfg.num_primary == 1152
    no_dec = archs.build_model("capsnet", "canonical", device="meta", decoder=False)
    assert archs.count_params(no_dec) == 6_804_224  # the paper's "6.8M without the reconstruction"
    tf = archs.build_model("capsnet", "canonical", device="meta", capsule_bias=True)
    assert archs.count_params(tf) == 8_215_568 + 160  # the authors' TF code's digit-capsule bias


def test_squash_keeps_the_direction_and_maps_the_length_into_0_1():
    torch.manual_seed(0)
    s = torch.nn.functional.normalize(torch.randn(500, 16), dim=-1) * torch.logspace(-3, 2, 500)[:, None]
    v = squash(s)
    n, m = s.norm(dim=-1), v.norm(dim=-1)
    assert torch.allclose(torch.cosine_similarity(s, v, dim=-1), torch.ones(500), atol=1e-5)
    assert torch.allclose(m, n**2 / (1 + n**2), rtol=1e-4, atol=1e-7)
    assert (m >= 0).all() and (m < 1).all() and (m[1:] >= m[:-1]).all()  # monotone in the length
    assert m[0] < 1e-5 and m[-1] > 0.999
    assert torch.equal(squash(torch.zeros(3, 8)), torch.zeros(3, 8))  # no NaN at the origin


def _reference_routing(u_hat: torch.Tensor, iters: int) -> list[torch.Tensor]:
    """Procedure 1 written as loops over children and parents, for one input: û (I, J, D)."""
    n, J, _ = u_hat.shape
    b = torch.zeros(n, J)
    cs = []
    for _ in range(iters):
        c = torch.stack([torch.exp(b[i]) / torch.exp(b[i]).sum() for i in range(n)])
        cs.append(c)
        v = []
        for j in range(J):
            s = sum(c[i, j] * u_hat[i, j] for i in range(n))
            v.append(s.norm() ** 2 / (1 + s.norm() ** 2) * s / s.norm())
        for i in range(n):
            for j in range(J):
                b[i, j] = b[i, j] + u_hat[i, j] @ v[j]
    return cs


def test_coupling_sums_to_one_starts_uniform_changes_and_matches_a_plain_loop():
    m = _tiny(routing_iters=3).eval()
    with torch.no_grad():
        m.digits.W.mul_(20)  # votes of length ~1, as after training (at 0.05 they barely move c)
    x = torch.rand(2, 1, 8, 8)
    with torch.no_grad():
        r = m.routing(x)
        u_hat = m.digits.votes(r["u"])  # (B, J, I, D)
    c = r["c"]  # (R, B, I, J)
    assert c.shape == (3, 2, m.cfg.num_primary, 10)
    assert torch.allclose(c.sum(-1), torch.ones(3, 2, m.cfg.num_primary), atol=1e-5)
    assert torch.allclose(c[0], torch.full_like(c[0], 0.1))  # iteration 1: b = 0, uniform
    assert (c[1] - c[0]).abs().max() > 0.02 and (c[2] - c[1]).abs().max() > 0.002
    ref = _reference_routing(u_hat[0].transpose(0, 1)[:24], 3)  # the first 24 children alone
    sub = _tiny(routing_iters=3)
    with torch.no_grad():
        v, cs, _ = sub.digits.route(u_hat[:1, :, :24], record=True)
    for ours, theirs in zip(cs, ref, strict=True):
        assert torch.allclose(ours[0], theirs, atol=1e-5)
    with torch.no_grad():
        assert torch.allclose(m.capsules(x), r["v"], atol=1e-6)
    one = _tiny(routing_iters=1).eval()
    with torch.no_grad():
        assert torch.allclose(one.routing(x)["c"], torch.full((1, 2, one.cfg.num_primary, 10), 0.1))


def test_the_decoder_sees_the_label_in_training_and_the_longest_capsule_at_test():
    m = _tiny()
    x = torch.rand(4, 1, 8, 8)
    with torch.no_grad():
        v = m.capsules(x)
    longest = v.norm(dim=-1).argmax(-1)
    y = (longest + 3) % 10  # never the longest
    m.train()
    masked = m.mask(v, y).view(4, 10, 16)
    kept = masked.abs().sum(-1) > 0
    assert torch.equal(kept.float().argmax(-1), y) and kept.sum(-1).eq(1).all()
    assert torch.allclose(masked[torch.arange(4), y], v[torch.arange(4), y])
    assert torch.equal(m.mask(v).view(4, 10, 16).abs().sum(-1).argmax(-1), longest)  # no label: longest
    m.eval()
    assert torch.equal(m.mask(v, y).view(4, 10, 16).abs().sum(-1).argmax(-1), longest)
    with torch.no_grad():
        lengths, recon = m(x, y)
    assert lengths.shape == (4, 10) and ((lengths >= 0) & (lengths < 1)).all()
    assert recon.shape == (4, 64) and ((recon >= 0) & (recon <= 1)).all()


def test_margin_loss_by_hand():
    cfg = archs.get_arch("capsnet").make_config("tiny")
    lengths = torch.tensor([[0.95, 0.05, 0.3], [0.5, 0.2, 0.0]])
    y = torch.tensor([0, 1])
    # row 1: present 0, absent 0 and 0.5·0.2²; row 2: present (0.9−0.2)², absent 0.5·0.4²
    want = (0.5 * 0.2**2 + 0.7**2 + 0.5 * 0.4**2) / 2
    assert math.isclose(float(margin_loss(lengths, y, cfg)), want, rel_tol=1e-5)


@pytest.mark.parametrize(
    "kw, words",
    [
        (dict(conv1_kernel=9), "conv1_kernel (9) is larger than the image (8 px)"),
        (dict(primary_kernel=7), "primary_kernel (7) is larger than Conv1's 6×6 output"),
        (dict(routing_iters=0), "routing_iters (0) must be at least 1"),
    ],
)
def test_impossible_settings_are_refused_with_a_sentence(kw, words):
    with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
        archs.get_arch("capsnet").make_config("tiny", **kw)


def test_a_wrong_image_shape_is_refused_with_its_expected_shape():
    with pytest.raises(ValueError, match=r"\(batch, 1, 8, 8\)"):
        _tiny()(torch.rand(2, 1, 28, 28))
