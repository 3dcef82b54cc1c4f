"""GAN family: architectures train a step, canonical sizes, losses and the gradient penalty by hand,
bad input, probes, and the learning thresholds (8 Gaussians, DCGAN digits, cGAN classes) on fixed seeds."""

import math

import numpy as np
import pytest
import torch

import archs
from archs import ConfigError
from training import get_recipe
from training.gan.metrics import classifier_verdict, to_unit
from training.gan.trainer import d_loss_fn, g_loss_fn, gradient_penalty

GAN_SPECS = archs.list_archs("gan")
RECIPE_FOR = {
    "gan": "gan_8gaussians",
    "cgan": "cgan_digits",
    "pix2pix": "pix2pix_shapes",
    "cyclegan": "cyclegan_shapes",
}


def test_every_registry_name_of_the_issue_is_there():
    names = {s.name for s in GAN_SPECS}
    assert names >= {
        "gan",
        "dcgan",
        "wgan",
        "wgan_gp",
        "cgan",
        "acgan",
        "infogan",
        "pix2pix",
        "cyclegan",
        "stylegan",
        "sagan",
    }
    for s in GAN_SPECS:
        m = archs.build_model(s.name, device="meta")
        assert hasattr(m, "generator") and hasattr(m, "discriminator"), s.name


def test_each_dcgan_variant_offers_only_the_fields_it_uses():
    """The form lists a config's fields: classes only for cGAN / AC-GAN, codes only for InfoGAN."""
    own = {"num_classes", "cat_dim", "cont_dim"}
    expect = {"cgan": {"num_classes"}, "acgan": {"num_classes"}, "infogan": {"cat_dim", "cont_dim"}}
    for name in ("dcgan", "wgan", "wgan_gp", "cgan", "acgan", "infogan"):
        fields = {f.name for f in archs.get_arch(name).fields}
        assert fields & own == expect.get(name, set()), name
    with pytest.raises(ConfigError, match="num_classes"):
        archs.build_model("dcgan", num_classes=10)
    with pytest.raises(ConfigError, match="at least 2"):
        archs.build_model("acgan", num_classes=1)


@pytest.mark.parametrize("spec", GAN_SPECS, ids=lambda s: s.name)
def test_every_architecture_trains_a_step(spec):
    t = get_recipe(RECIPE_FOR.get(spec.name, "dcgan_digits")).trainer(
        arch=spec.name, num_steps=2, eval_every=2
    )
    before = [p.detach().clone() for p in t.model.parameters()]
    t.step(2)
    assert t.status == "done", t.message
    row = next(h for h in t.history if "d_loss" in h)
    assert math.isfinite(row["d_loss"]) and math.isfinite(row["g_loss"])
    moved_g = any(
        not torch.equal(a, p)
        for a, p in zip(before, t.model.parameters(), strict=True)
        if id(p) in {id(q) for q in t.g_params}
    )
    moved_d = any(
        not torch.equal(a, p)
        for a, p in zip(before, t.model.parameters(), strict=True)
        if id(p) in {id(q) for q in t.d_params}
    )
    assert moved_g and moved_d
    assert len(t.sample_snapshots) == 2  # at step 0 and at the evaluation


def test_dcgan_canonical_is_the_papers_64x64_model():
    """Radford et al.: z(100) → 4×4×1024 → 8×8×512 → 16×16×256 → 32×32×128 → 64×64×3, 5×5 kernels."""
    m = archs.build_model("dcgan", "canonical", device="meta")
    assert archs.count_params(m.generator) == 18_855_040
    assert archs.count_params(m.discriminator) == 17_232_768
    assert archs.count_params(m) == 36_087_808 == archs.get_arch("dcgan").published_params
    convs = [x for x in m.generator.ups if isinstance(x, torch.nn.ConvTranspose2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [
        (1024, 512, (5, 5)),
        (512, 256, (5, 5)),
        (256, 128, (5, 5)),
        (128, 3, (5, 5)),
    ]
    assert m.generator.project.in_features == 100
    m = archs.build_model("dcgan", "canonical")
    assert m.generate(torch.randn(2, 100)).shape == (2, 3, 64, 64)


def test_image_to_image_canonical_counts():
    assert archs.count_params(archs.build_model("cyclegan", "canonical", device="meta")) == 28_285_832
    m = archs.build_model("pix2pix", "canonical", device="meta")
    assert archs.count_params(m.discriminator) == 2_768_705


def test_gradient_penalty_against_hand_computed_cases():
    # a linear critic D(x) = w·x has gradient w everywhere: penalty (‖w‖ − 1)² = (5 − 1)² = 16
    w = torch.tensor([3.0, 4.0])
    real, fake = torch.randn(5, 2), torch.randn(5, 2)
    gp = gradient_penalty(lambda x: x @ w, real, fake, torch.rand(5))
    assert gp.item() == pytest.approx(16.0)
    # D(x) = ‖x‖²: gradient 2x̂. x̂ = ½(2,0) + ½(0,0) = (1,0) → ‖∇‖ = 2 → 1; x̂ = ¼(0,4) + ¾(0,0) → ‖∇‖ = 2 → 1;
    # x̂ = 1·(0.25, 0) → ‖∇‖ = 0.5 → 0.25. Mean: (1 + 1 + 0.25) / 3 = 0.75
    real = torch.tensor([[2.0, 0.0], [0.0, 4.0], [0.25, 0.0]])
    fake = torch.zeros(3, 2)
    gp = gradient_penalty(lambda x: (x**2).sum(1), real, fake, torch.tensor([0.5, 0.25, 1.0]))
    assert gp.item() == pytest.approx(0.75)
    assert gp.requires_grad is False or gp.grad_fn is not None  # differentiable for the critic's update


def test_losses_follow_their_formulas():
    r, f = torch.tensor([0.0]), torch.tensor([0.0])
    assert d_loss_fn("minimax", r, f).item() == pytest.approx(2 * math.log(2))
    assert g_loss_fn("minimax", f).item() == pytest.approx(math.log(0.5))  # log(1 − σ(0))
    assert g_loss_fn("non_saturating", f).item() == pytest.approx(math.log(2))  # −log σ(0)
    assert d_loss_fn("least_squares", torch.tensor([1.0]), torch.tensor([0.0])).item() == 0
    assert d_loss_fn("wasserstein", torch.tensor([3.0]), torch.tensor([1.0])).item() == -2
    assert d_loss_fn("hinge", torch.tensor([2.0]), torch.tensor([-2.0])).item() == 0


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(lr=0.0), "learning rate must be a positive"),
        (dict(lr=-1e-3), "learning rate must be a positive"),
        (dict(lr_d=0.0), "discriminator's learning rate"),
        (dict(latent_dim=0), "latent_dim \\(0\\) must be at least 1"),
        (dict(k_d=0, k_g=0), "neither network is ever updated"),
        (dict(gan_loss="magic"), "Unknown GAN loss"),
    ],
)
def test_bad_settings_give_a_sentence(kw, match):
    with pytest.raises(ConfigError, match=match):
        get_recipe("gan_8gaussians").trainer(**kw)


def test_lab_explains_bad_controls():
    from ui.gan.lab import lab_problems

    msgs = lab_problems(lr=0.0, lr_d=-1.0, k_d=0, k_g=0, noise_dim=0)
    assert len(msgs) == 4 and all(m.endswith(".") for m in msgs)
    assert lab_problems(1e-3, 1e-3, 1, 1, 2) == []


def test_wgan_clips_the_critic_and_k_steps_count():
    t = get_recipe("gan_8gaussians").trainer(gan_loss="wasserstein", clip=0.05, k_d=3, k_g=1, batch_size=32)
    t.step(2)
    assert all(p.abs().max() <= 0.05 + 1e-7 for p in t.d_params)
    assert t.samples_seen == 2 * (3 + 1) * 32


def test_lab_probe_and_internals_probes():
    from data.points2d import points2d
    from training.gan.probes import attention_map, code_sweep, lab_probe, style_mixing

    t = get_recipe("gan_8gaussians").trainer()
    snap = t.snapshot({"lab": lab_probe("ring8", points2d("ring8", 100), "non_saturating", res=20)})
    lab = snap["lab"]
    assert lab["fake"].shape == lab["arrows"].shape == (400, 2) and lab["heat"].shape == (20, 20)
    assert 0 <= lab["heat"].min() and lab["heat"].max() <= 1 and len(lab["lines"]) == 22
    assert set(lab["stats"]) == {"modes_covered", "high_quality"}
    torch.manual_seed(0)
    info = archs.build_model("infogan").eval()
    with torch.no_grad():
        sweep = code_sweep(info, 0, rows=2)
    assert sweep.shape == (2 * 10, 1, 16, 16)
    style = archs.build_model("stylegan").eval()
    with torch.no_grad():
        style.generator.synthesis.layers[-1].affine.weight.normal_()  # make the last style matter
        n = style.generator.num_styles
        full_a = style_mixing(style, n=2, mix_at=n)  # every layer from A: the mix is A itself
        part = style_mixing(style, n=2, mix_at=1)
    assert np.allclose(full_a["mixed"][::2], full_a["a"], atol=1e-5)
    assert not np.allclose(part["mixed"][::2], part["a"], atol=1e-3)
    sagan = archs.build_model("sagan").eval()
    with torch.no_grad():
        a = attention_map(sagan, (3, 4))
    assert a["attention"].shape == (8, 8) and a["attention"].sum() == pytest.approx(1.0, abs=1e-5)


def test_fixed_batch_snapshots_and_i2i_views():
    t = get_recipe("cyclegan_shapes").trainer(num_steps=4, eval_every=2, batch_size=4)
    t.step(4)
    assert [s for s, _ in t.sample_snapshots] == [0, 2, 4]
    assert t.sample_snapshots[-1][1].shape == (3, 8, 3, 16, 16)  # G(a), F(G(a)), F(b)
    assert "test_cycle_l1" in t.last_eval()


# ------------------------------------------------------------------------------- learning thresholds


def test_gan_8gaussians_covers_the_ring():
    """Seed 0, 800 steps (the recipe's MLPs, batch 256, Adam 1e-3): all 8 modes, ~80 % high quality."""
    t = get_recipe("gan_8gaussians").trainer(seed=0, num_steps=800, eval_every=800)
    t.step(800)
    ev = t.last_eval()
    assert ev["test_modes_covered"] >= 7 and ev["test_high_quality"] >= 0.7, ev


@pytest.fixture(scope="module")
def digit_classifier():
    """A held-out judge: an MLP trained on the real 16×16 digits (the GAN never sees it)."""
    clf = get_recipe("mlp_digits").trainer(size=16, seed=0, num_steps=1500)
    clf.step(1500)
    assert clf.evaluate()["test_acc"] > 0.9
    return clf.model


def _generate(model, n=200, seed=7, labels=None):
    model.eval()
    with torch.no_grad():
        z = model.latent(n, generator=torch.Generator().manual_seed(seed), device="cpu")
        return to_unit(model.generate(z, labels).numpy())


def test_dcgan_digits_are_recognised(digit_classifier):
    """Seed 0: 0.57 of 200 samples above 0.9 confidence after 500 steps (0.54–0.60 from step 300 on)."""
    t = get_recipe("dcgan_digits").trainer(seed=0, num_steps=500, eval_every=500)
    t.step(500)
    v = classifier_verdict(digit_classifier, _generate(t.model))
    assert (v["confidence"] > 0.9).mean() >= 0.5, (v["confidence"] > 0.9).mean()


def test_cgan_draws_the_requested_class(digit_classifier):
    t = get_recipe("cgan_digits").trainer(seed=0, num_steps=600, eval_every=600)
    t.step(600)
    y = torch.arange(200) % 10
    v = classifier_verdict(digit_classifier, _generate(t.model, labels=y))
    acc = (v["pred"] == y.numpy()).mean()
    assert acc >= 0.3, acc  # chance is 0.1; measured 0.42 after 500 steps and rising


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_diverging_discriminator_is_blamed_on_its_own_learning_rate(optimizer):
    t = get_recipe("gan_8gaussians").trainer(lr_d=10.0, lr=1e-3, optimizer=optimizer, num_steps=200)
    t.step(200)
    assert t.status == "failed"
    assert "discriminator's learning rate (10)" in t.message and "0.001" not in t.message, t.message


def test_a_finished_gan_is_not_called_untrained_because_d_loss_rose():
    """D's loss rises as G improves (or as D overfits its real images): the generic "training loss did
    not go down" warning would tell a student a working GAN "did not learn" (the DCGAN demo did)."""
    from training.trainer import Trainer

    t = get_recipe("dcgan_digits").trainer(num_steps=1500)
    t.history = [{"step": 100, "train_loss": 0.354}, {"step": 1500, "train_loss": 7.25}]
    assert "did not learn" in Trainer.diagnose(t)  # what the generic rule says of these numbers
    assert t.diagnose() is None
