"""Diffusion arithmetic and models: schedules, the closed-form forward process, samplers, bad input."""

import numpy as np
import pytest
import torch
from scipy import stats

import archs
from archs import ConfigError
from training.diffusion.latent import VOCAB, dominant_color
from training.diffusion.trainer import Schedule, chamfer, check_steps, guided, mmd, sample, sampling_timesteps


@pytest.mark.parametrize("kind", ["linear", "cosine"])
@pytest.mark.parametrize("T", [10, 100, 1000])
def test_alpha_bar_is_monotone_in_the_open_unit_interval(kind, T):
    s = Schedule.make(kind, T)
    ab = s.alpha_bar.numpy()
    assert np.all(ab > 0) and np.all(ab < 1)
    assert np.all(np.diff(ab) < 0), "ᾱ_t must decrease strictly"
    assert np.all(s.betas.numpy() > 0) and np.all(s.betas.numpy() < 1)
    assert np.allclose(s.snr.numpy(), ab / (1 - ab))
    assert ab[-1] < 0.01, "by t = T almost no signal is left"


def test_linear_schedule_is_the_ddpm_one():
    b = Schedule.make("linear", 1000).betas.numpy()
    assert b[0] == pytest.approx(1e-4) and b[-1] == pytest.approx(0.02)


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_closed_form_matches_iterated_noising_in_distribution(kind):
    """8,000 draws of x_t by 150 single steps vs the one-jump closed form, for three data values: the
    two samples must agree (Kolmogorov–Smirnov p > 0.01) and both match N(√ᾱ x0, 1 − ᾱ) in mean and
    variance within 3 standard errors."""
    s = Schedule.make(kind, 1000)
    t, n = 149, 8_000
    g = torch.Generator().manual_seed(0)
    x0 = torch.tensor([-1.0, 0.3, 0.9], dtype=torch.float64).repeat(n, 1)  # (n, 3)
    iterated = s.iterate_noising(x0, t, generator=g)
    closed = s.q_sample(x0, torch.full((n,), t), torch.randn(x0.shape, generator=g, dtype=torch.float64))
    ab = float(s.alpha_bar[t])
    for j in range(3):
        a, b = iterated[:, j].numpy(), closed[:, j].numpy()
        assert stats.ks_2samp(a, b).pvalue > 0.01
        mean, sd = ab**0.5 * float(x0[0, j]), (1 - ab) ** 0.5
        for v in (a, b):
            assert abs(v.mean() - mean) < 3 * sd / n**0.5
            assert abs(v.var() - sd**2) < 3 * sd**2 * (2 / n) ** 0.5


def test_samplers_with_the_true_noise_of_a_point_mass_recover_it():
    """For data that is a single point c, the exact ε is (x_t − √ᾱ c)/√(1 − ᾱ): DDIM must land on c."""
    s = Schedule.make("linear", 200)
    c = torch.tensor([0.7, -0.4])

    def eps(x, t):
        ab = s.alpha_bar[t].float()[:, None]
        return (x - ab.sqrt() * c) / (1 - ab).sqrt()

    for method, steps in (("ddim", 20), ("ddim", 200), ("ddpm", 200), ("ddpm", 30)):
        out = sample(eps, (64, 2), s, steps, method, seed=0)
        assert np.allclose(out["x"], c.numpy(), atol=1e-3), method
        assert out["trajectory"].shape == (len(out["timesteps"]) + 1, 64, 2)
        assert out["timesteps"][0] == 200 and out["timesteps"][-1] == 1


def test_sampling_steps_must_be_between_one_and_T():
    assert sampling_timesteps(1000, 1000) == list(range(1000))
    assert len(sampling_timesteps(1000, 50)) == 50
    with pytest.raises(ConfigError, match="at least 1 step"):
        check_steps(0, 1000)
    with pytest.raises(ConfigError, match="more than the 1000 diffusion steps"):
        check_steps(1001, 1000)
    with pytest.raises(ConfigError, match="at most 50"):
        sample(lambda x, t: x, (2, 2), Schedule.make("linear", 50), 60)
    with pytest.raises(ConfigError, match="choose ddpm or ddim"):
        sample(lambda x, t: x, (2, 2), Schedule.make("linear", 50), 10, "euler")
    with pytest.raises(ConfigError, match="linear or cosine"):
        Schedule.make("sigmoid", 100)


def test_captions_bad_input_is_refused_with_a_sentence():
    assert VOCAB.encode("A red circle at the top left!")[0] == 1
    with pytest.raises(ConfigError, match="caption is empty"):
        VOCAB.encode("   ")
    with pytest.raises(ConfigError, match="Unknown words 'orange', 'hexagon'"):
        VOCAB.encode("a orange hexagon")
    with pytest.raises(ConfigError, match="at most"):
        VOCAB.encode("a red circle " * 5)


def test_guidance_combines_conditional_and_unconditional_predictions():
    def model(x, t, y):
        return y[:, None].float().expand_as(x)  # ε = the label: unconditional (null=9) gives 9

    y = torch.tensor([1, 2])
    x, t = torch.zeros(2, 3), torch.zeros(2, dtype=torch.long)
    assert torch.equal(guided(model, y, 1.0, 9)(x, t), model(x, t, y))
    out = guided(model, y, 3.0, 9)(x, t)  # 9 + 3 (y − 9)
    assert torch.allclose(out[:, 0], torch.tensor([-15.0, -12.0]))


def test_two_sample_distances_separate_sets():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(300, 2)), rng.normal(size=(300, 2))
    far = rng.normal(size=(300, 2)) + 3
    assert chamfer(a, b) < chamfer(a, far) / 3
    assert mmd(a, b) < mmd(a, far) / 10


def test_dominant_color_reads_the_shape_colour():
    from data.shapes import captioned_shapes

    d = captioned_shapes(n=60, size=16, seed=3)
    assert (dominant_color(d["images"]) == d["color"]).mean() > 0.95


def test_unet_canonical_is_the_ddpm_cifar10_model():
    m = archs.build_model("ddpm_unet", "canonical", device="meta")
    assert archs.count_params(m) == 35_746_307
    spec = archs.get_arch("ddpm_unet")
    cfg = spec.make_config("canonical")
    assert cfg.channel_mult == (1, 2, 2, 2) and cfg.attn_resolutions == (16,) and cfg.dropout == 0.1


def test_models_take_labels_and_text_and_expose_attention():
    m = archs.build_model("ddpm_unet", "tiny", num_classes=10)
    x, t = torch.randn(3, 1, 8, 8), torch.tensor([0, 500, 999])
    assert m(x, t, torch.tensor([1, 2, 10])).shape == x.shape  # 10: the null label
    assert not torch.allclose(m(x, t, torch.tensor([1, 1, 1])), m(x, t, torch.tensor([2, 2, 2])))
    spec = archs.get_arch("latent_diffusion")
    cfg = spec.make_config("tiny")
    ldm = archs.build_model("latent_diffusion", "tiny")
    x0_hat, eps, maps = ldm(*spec.example_input(cfg), return_attention=True)
    assert x0_hat.shape == (2, 3, 16, 16) and eps.shape == (2, 4, 8, 8)
    assert maps and all(a.shape[-1] == cfg.max_len for a in maps)
    for a in maps:  # attention over the tokens sums to one; padding gets none
        assert torch.allclose(a.sum(-1), torch.ones(()), atol=1e-5)
        assert float(a[1, ..., cfg.max_len // 2 :].detach().abs().max()) == 0


def test_impossible_configs_are_sentences():
    with pytest.raises(ConfigError, match="divisible by 2"):
        archs.build_model("ddpm_unet", image_size=9)
    with pytest.raises(ConfigError, match="not resolutions of this U-Net"):
        archs.build_model("ddpm_unet", attn_resolutions=(5,))
    with pytest.raises(ConfigError, match="num_groups"):
        archs.build_model("ddpm_unet", base_channels=24, num_groups=16)
    with pytest.raises(ConfigError, match="divisible by num_heads"):
        archs.build_model("latent_diffusion", context_dim=40, num_heads=3)
