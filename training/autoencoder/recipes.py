"""Autoencoder recipes: each architecture of the family trained on scikit-learn's 8×8 digits.

    t = get_recipe("vae_digits").trainer(latent_dim=2, num_steps=1500)
    t.step(1500); t.evaluate()   # {"test_recon": ..., "test_kl": ..., "test_mse": ...}

The labels y are kept: a conditional VAE is trained on them, and the latent-space views colour the
codes by digit. The task follows the model (see training.autoencoder.tasks.DispatchTask), so every
recipe can train any architecture of the family; each recipe's default architecture is the one named.
"""

from __future__ import annotations

from data import digits
from data.base import Supervised
from training.autoencoder.tasks import autoencoder_task
from training.recipes import Recipe, register_recipe

FAMILY = (
    "autoencoder",
    "denoising_autoencoder",
    "sparse_autoencoder",
    "vae",
    "beta_vae",
    "conditional_vae",
    "vq_vae",
)


def image_link(d: Supervised) -> dict:
    c, h, _ = d.input_shape
    return {"in_channels": c, "image_size": h}


def labelled_link(d: Supervised) -> dict:
    return {**image_link(d), "num_classes": d.num_classes}


TRAIN = dict(optimizer="adam", lr=2e-3, batch_size=64, num_steps=2000, eval_every=100)

for name, arch, title, summary, train in (
    (
        "ae_digits",
        "autoencoder",
        "Autoencoder on digits",
        "Compress 8×8 digits into a small code and rebuild them (squared error).",
        {},
    ),
    (
        "dae_digits",
        "denoising_autoencoder",
        "Denoising autoencoder on digits",
        "Rebuild clean digits from corrupted ones.",
        {},
    ),
    (
        "sae_digits",
        "sparse_autoencoder",
        "Sparse autoencoder on digits",
        "A wide code with an L1 or KL sparsity penalty.",
        {},
    ),
    (
        "vae_digits",
        "vae",
        "VAE on digits",
        "Reconstruction + KL divergence; sample new digits from the prior.",
        {},
    ),
    (
        "beta_vae_digits",
        "beta_vae",
        "β-VAE on digits",
        "The KL term weighted by β: smoother latent space, blurrier digits.",
        {},
    ),
    (
        "cvae_digits",
        "conditional_vae",
        "Conditional VAE on digits",
        "A VAE told which digit to draw.",
        {},
    ),
    (
        "vq_digits",
        "vq_vae",
        "VQ-VAE on digits",
        "Snap each latent vector to its nearest codebook entry.",
        {},
    ),
):
    register_recipe(
        Recipe(
            name=name,
            title=title,
            summary=summary,
            arch=arch,
            archs=FAMILY if arch != "conditional_vae" else (),
            data=digits,
            data_params=dict(size=8),
            train_params={**TRAIN, **train},
            link=labelled_link if arch == "conditional_vae" else image_link,
            task=autoencoder_task,
            max_steps=20_000,
        )
    )
