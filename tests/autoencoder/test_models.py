"""Autoencoders: every architecture trains, AE beats PCA, VAE terms and samples, denoising, VQ codes,
latent-space tools, and bad input as sentences. Fixed seeds; small step counts (margins noted)."""

import numpy as np
import pytest
import torch

import archs
from archs import ConfigError
from training import get_recipe
from training.autoencoder import latent
from training.autoencoder.tasks import kl_to_standard_normal

FAMILY = archs.list_archs("autoencoder")
RECIPE = {
    "autoencoder": "ae_digits",
    "denoising_autoencoder": "dae_digits",
    "sparse_autoencoder": "sae_digits",
    "vae": "vae_digits",
    "beta_vae": "beta_vae_digits",
    "conditional_vae": "cvae_digits",
    "vq_vae": "vq_digits",
}
CASES = [(s.name, p) for s in FAMILY for p in s.presets if p != "canonical"]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models train fastest on one intra-op thread (and do not fight other processes)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def test_every_architecture_has_a_recipe():
    assert {s.name for s in FAMILY} == set(RECIPE)


@pytest.mark.parametrize("name,preset", CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_every_architecture_trains_a_step(name, preset):
    t = get_recipe(RECIPE[name]).trainer(arch=name, preset=preset, num_steps=3, eval_every=3, seed=0)
    before = [p.detach().clone() for p in t.model.parameters()]
    t.step(3)
    assert t.status == "done", t.message
    assert "recon" in t.history[0] and np.isfinite(t.history[-1]["test_mse"])
    assert any(not torch.equal(a, b) for a, b in zip(before, t.model.parameters(), strict=True))
    x = t.data.x_test[:4]
    assert latent.reconstruct(t.model, x, t.data.y_test[:4]).shape == x.shape


def test_ae_with_2d_latent_beats_pca_with_2_components():
    t = get_recipe("ae_digits").trainer(latent_dim=2, lr=5e-3, num_steps=300, eval_every=300, seed=0)
    t.step(300)
    d = t.data
    pca_mse, _ = latent.pca_baseline(d.x_train, d.x_test, 2)
    ae_mse = t.evaluate()["test_mse"]
    # measured: AE 0.0376 after 300 steps, PCA-2 0.0532
    assert ae_mse < 0.9 * pca_mse, (ae_mse, pca_mse)
    ood = latent.out_of_distribution(d.input_shape, 100)
    r = latent.detection_rates(
        latent.anomaly_scores(t.model, d.x_test), latent.anomaly_scores(t.model, ood["noise"]), 0.1
    )
    assert r["auroc"] > 0.95  # noise is reconstructed far worse than digits


def test_vae_logs_recon_and_kl_and_samples_images_of_the_input_shape():
    t = get_recipe("vae_digits").trainer(num_steps=150, eval_every=150, seed=0)
    t.step(150)
    assert t.status == "done", t.message
    rows = [r for r in t.history if "kl" in r]
    assert len(rows) == 150 and all("recon" in r for r in rows)
    for r in rows:  # β = 1: the total is exactly the sum of the two logged terms
        assert r["loss"] == pytest.approx(r["recon"] + r["kl"], rel=1e-5)
    assert rows[-1]["recon"] < rows[0]["recon"] and rows[-1]["kl"] > 0
    ev = t.evaluate()
    assert {"test_recon", "test_kl", "test_mse"} <= set(ev)
    s = latent.prior_samples(t.model, 6, seed=0)
    assert s.shape == (6, *t.data.input_shape) and s.min() >= 0 and s.max() <= 1
    np.testing.assert_array_equal(s, latent.prior_samples(t.model, 6, seed=0))  # seeded
    mu, sd = latent.posteriors(t.model, t.data.x_test[:5])
    assert mu.shape == sd.shape == (5, 2) and (sd > 0).all()


def test_beta_weights_the_kl_term():
    t = get_recipe("beta_vae_digits").trainer(beta=3.0, num_steps=5, seed=0)
    t.step(5)
    for r in t.history:
        if "kl" in r:
            assert r["loss"] == pytest.approx(r["recon"] + 3.0 * r["kl"], rel=1e-5)


def test_conditional_vae_draws_the_digit_it_is_asked_for():
    t = get_recipe("cvae_digits").trainer(num_steps=5, seed=0)
    t.step(5)
    a = latent.prior_samples(t.model, 4, seed=1, y=3)
    b = latent.prior_samples(t.model, 4, seed=1, y=8)
    assert a.shape == (4, 1, 8, 8) and not np.allclose(a, b)  # the label changes the drawing


def test_denoising_output_is_closer_to_clean_than_the_noisy_input():
    t = get_recipe("dae_digits").trainer(lr=5e-3, num_steps=150, eval_every=150, seed=0)
    t.step(150)
    ev = t.evaluate()
    # measured: noisy input 0.0711, output 0.0463 after 150 steps
    assert ev["test_denoise_mse"] < 0.8 * ev["test_noisy_mse"], ev
    x = t.data.x_test
    noisy, out = latent.denoise(t.model, x, 0.3, "masking", seed=0)
    assert ((out - x) ** 2).mean() < ((noisy - x) ** 2).mean()


def test_vq_vae_uses_more_than_one_code_and_both_codebook_updates_learn():
    for preset in ("tiny", "codebook_loss"):
        t = get_recipe("vq_digits").trainer(preset=preset, num_steps=40, eval_every=40, seed=0)
        t.step(40)
        assert t.status == "done", t.message
        counts = latent.codebook_usage(t.model, t.data.x_test)
        assert (counts > 0).sum() > 1 and counts.sum() == len(t.data.x_test) * 16  # 4×4 grid per image
        assert ("codebook" in t.history[0]) == (preset == "codebook_loss")
        assert t.history[-1]["recon"] < t.history[0]["recon"]


def test_straight_through_gradient_reaches_the_encoder():
    m = archs.build_model("vq_vae", "codebook_loss")
    q = m.quantize(m.encode(torch.rand(2, 1, 8, 8)))
    m.decode(q["z_q"]).sum().backward()
    assert m.encoder[0].weight.grad.abs().sum() > 0 and m.quantizer.embedding.grad is None


def test_kl_formula_matches_torch_distributions():
    mu, logvar = torch.randn(5, 3), torch.randn(5, 3)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    p = torch.distributions.Normal(torch.zeros(3), torch.ones(3))
    ref = torch.distributions.kl_divergence(q, p).sum(1)
    torch.testing.assert_close(kl_to_standard_normal(mu, logvar), ref)


def test_sparse_penalties():
    m = archs.build_model("sparse_autoencoder", sparsity="kl", target_rate=0.1)
    assert float(m.penalty(torch.full((4, 64), 0.1))) == pytest.approx(0.0, abs=1e-5)
    assert float(m.penalty(torch.full((4, 64), 0.5))) > 1.0
    m1 = archs.build_model("sparse_autoencoder", sparsity="l1")
    assert float(m1.penalty(torch.ones(2, 64) * -2)) == pytest.approx(128.0)


def test_projections_and_their_inverses():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(40, 5)).astype(np.float32)
    p = latent.project(z, "pca")
    assert p.xy.shape == (40, 2)
    back = p.inverse(p.xy[:3])
    assert back.shape == (3, 5)
    np.testing.assert_allclose(p._pca.transform(back), p.xy[:3], atol=1e-4)  # a true inverse in the plane
    t = latent.project(z, "tsne")
    assert t.xy.shape == (40, 2) and t.inverse([[0.0, 0.0]]).shape == (1, 5)
    two = latent.project(z[:, :2], "latent")
    np.testing.assert_allclose(two.inverse(two.xy[:2]), z[:2, :2])
    assert "latent" not in latent.available_projections(5) and "latent" in latent.available_projections(2)


def test_manifold_grid_and_interpolation_shapes():
    m = archs.build_model("autoencoder")
    imgs, xs, ys = latent.manifold_grid(m, 5)
    assert imgs.shape == (25, 1, 8, 8) and len(xs) == len(ys) == 5 and ys[0] > ys[-1]
    x = np.random.default_rng(0).uniform(size=(2, 1, 8, 8)).astype(np.float32)
    path = latent.interpolate(m, x[0], x[1], 6)
    assert path.shape == (6, 1, 8, 8)
    np.testing.assert_allclose(path[0], latent.reconstruct(m, x[:1])[0], atol=1e-5)


def test_bad_input_gives_clear_sentences():
    with pytest.raises(ConfigError, match=r"latent_dim \(0\) must be at least 1"):
        archs.build_model("autoencoder", latent_dim=0)
    with pytest.raises(ConfigError, match=r"latent_dim \(0\) must be at least 1"):
        get_recipe("vae_digits").trainer(latent_dim=0)
    with pytest.raises(ConfigError, match=r"beta \(-0.5\) must be at least 0"):
        archs.build_model("beta_vae", beta=-0.5)
    with pytest.raises(ConfigError, match="needs at least 10 points"):
        latent.project(np.zeros((5, 3)), "tsne")
    with pytest.raises(ConfigError, match="needs at least 3 points"):
        latent.project(np.zeros((2, 3)), "pca")
    with pytest.raises(ConfigError, match="choose PCA, t-SNE or UMAP"):
        latent.project(np.zeros((50, 3)), "latent")
    with pytest.raises(ConfigError, match="multiple of 4"):
        archs.build_model("autoencoder", variant="conv", hidden_dims=(8, 8), image_size=10)
    with pytest.raises(ConfigError, match="prior to sample"):
        latent.prior_samples(archs.build_model("autoencoder"), 2)


@pytest.mark.parametrize("name", ["vae", "conditional_vae"])
def test_vae_graph_shows_two_heads_feeding_a_sampling_node_then_the_decoder(name):
    """μ and log σ² are two heads of the encoder, both inputs of the reparameterisation z = μ + σ·ε,
    which alone feeds the decoder; their edges to the output (forward returns them) are data flow,
    not skip connections."""
    from archs.collapse import collapse_depth
    from archs.introspect import trace_graph
    from archs.spec import to_device
    from viz.model_graph import graph_figure

    spec = archs.get_arch(name)
    cfg = spec.make_config("tiny")
    G = collapse_depth(
        trace_graph(archs.build_model(name, device="meta"), to_device(spec.example_input(cfg), "meta")), 1
    )
    by_path = {d.get("path"): n for n, d in G.nodes(data=True)}
    enc, mu, logvar, z, dec = (by_path[p] for p in ("encoder", "mu", "logvar", "sampler", "decoder"))
    assert G.nodes[z]["type"] == "Reparameterize" and "μ + σ·ε" in G.nodes[z]["label"]
    assert (G.nodes[mu]["label"], G.nodes[logvar]["label"]) == ("μ", "log σ²")
    assert set(G.predecessors(mu)) == set(G.predecessors(logvar)) == {enc}
    assert set(G.predecessors(z)) == {mu, logvar}
    assert list(G.successors(z)) == [dec] and z in set(G.predecessors(dec))
    assert G.nodes[z]["shape"] == G.nodes[mu]["shape"] == (4, cfg.latent_dim)
    assert "skip connection" not in {t.name for t in graph_figure(G).data}


def test_sampling_node_samples_while_training_and_gives_the_mean_in_eval():
    model = archs.build_model("vae")
    x = archs.get_arch("vae").example_input(model.cfg)
    model.eval()
    _, mu, logvar = model(x)
    assert torch.equal(model.sampler(mu, logvar), mu)
    model.train()
    torch.manual_seed(0)
    z = model.sampler(mu, logvar)
    torch.manual_seed(0)
    assert torch.allclose(z, mu + torch.exp(0.5 * logvar) * torch.randn_like(mu))
    assert not torch.equal(z, mu)


def test_vae_graph_counts_no_skip_connections():
    from archs.introspect import trace_graph
    from archs.spec import to_device
    from viz.model_graph import graph_stats

    spec = archs.get_arch("vae")
    cfg = spec.make_config("tiny")
    G = trace_graph(archs.build_model("vae", device="meta"), to_device(spec.example_input(cfg), "meta"))
    assert graph_stats(G)["skips"] == 0  # μ and log σ² reach the output as outputs, not as skips
