"""The probes against cases with known answers; the baselines' keys."""

import numpy as np
import torch

from data.ssl_images import ssl_shapes
from training.ssl.probes import baselines, knn_accuracy, linear_probe_accuracy, pca_2d


def test_linear_probe_and_knn_read_separable_features_and_not_noise():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    centres = rng.normal(0, 5, (3, 8))
    x = centres[y] + rng.normal(0, 1, (300, 8))
    assert linear_probe_accuracy(x[:200], y[:200], x[200:], y[200:]) > 0.95
    assert knn_accuracy(x[:200], y[:200], x[200:], y[200:], k=5) > 0.95
    noise = rng.normal(0, 1, (300, 8))
    assert linear_probe_accuracy(noise[:200], y[:200], noise[200:], y[200:]) < 0.6


def test_pca_2d_keeps_the_reference_signs():
    f = torch.randn(50, 6) * torch.tensor([5.0, 3, 1, 1, 1, 1])
    p = pca_2d(f)
    assert p.shape == (50, 2) and p[:, 0].var() > p[:, 1].var()
    flipped = pca_2d(-f, reference=p)
    assert np.allclose(flipped, p, atol=1e-4)


def test_baselines_report_the_three_probes():
    d = ssl_shapes(n=200, size=16, seed=0)
    b = baselines(d, "simclr", num_steps=3, batch_size=16)
    assert set(b) == {"raw_pixels", "random_init", "supervised"} and all(0 <= v <= 1 for v in b.values())
