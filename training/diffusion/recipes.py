"""Diffusion recipes: ddpm_2d (points in the plane), ddpm_digits (class-conditional digits), ldm_shapes
(text-to-image latent diffusion on captioned shapes). Data are scaled to about [-1, 1], where the
forward process ends at N(0, I)."""

from __future__ import annotations

import numpy as np

from data.base import Supervised
from data.digits import digits
from data.points2d import POINT_SETS, points2d
from data.shapes import captioned_shapes
from training.diffusion.latent import VOCAB, LDMTask, LDMTrainer
from training.diffusion.trainer import DiffusionTask, Schedule
from training.recipes import Recipe, register_recipe

POINT_SCALE = 2.0  # the 2-D targets span about [-4, 4]; divided by this they sit near unit scale


def diffusion_points(name: str = "swiss_roll", n: int = 2000, seed: int = 0) -> Supervised:
    """A 2-D point set divided by POINT_SCALE; labels are unused zeros."""
    if name not in POINT_SETS:
        raise ValueError(f"unknown 2-D set {name!r}; choose one of {', '.join(POINT_SETS)}")
    x = points2d(name, n + 500, seed=seed) / POINT_SCALE
    y = np.zeros(len(x), np.int64)
    return Supervised(
        x_train=x[:n],
        y_train=y[:n],
        x_test=x[n:],
        y_test=y[n:],
        kind="diffusion",
        num_classes=1,
        name=f"{name} (÷{POINT_SCALE:g})",
        meta={"scale": POINT_SCALE, "set": name},
    )


def diffusion_digits(size: int = 16) -> Supervised:
    """scikit-learn's digits at ``size`` pixels, scaled to [-1, 1], with their classes."""
    d = digits(size)
    for k in ("x_train", "x_val", "x_test"):
        setattr(d, k, getattr(d, k) * 2 - 1)
    d.kind, d.name = "diffusion", f"digits {size}×{size} in [-1, 1]"
    return d


def diffusion_captions(n: int = 3000, size: int = 16, seed: int = 0) -> Supervised:
    """Captioned coloured shapes in [-1, 1]; the targets are the captions' token ids (N, max_len)."""
    d = captioned_shapes(n=n, size=size, seed=seed)
    x = d["images"] * 2 - 1
    y = np.stack([VOCAB.encode(c) for c in d["captions"]])
    n_test = max(1, n // 10)
    return Supervised(
        x_train=x[n_test:],
        y_train=y[n_test:],
        x_test=x[:n_test],
        y_test=y[:n_test],
        kind="text_to_image",
        num_classes=len(d["colors"]),
        class_names=d["colors"],
        name=f"captioned shapes {size}×{size}",
        meta={"size": size, **{k: d[k][:n_test] for k in ("kind", "color", "position")}},
    )


def _ddpm_task(data: Supervised, schedule: str = "linear", timesteps: int = 1000, p_uncond: float = 0.1):
    return DiffusionTask(Schedule.make(schedule, timesteps), p_uncond=p_uncond)


TASK_KEYS = ("schedule", "timesteps", "p_uncond")

register_recipe(
    Recipe(
        name="ddpm_2d",
        title="DDPM on a 2-D point set",
        summary="An MLP learns to predict the noise added to points of a swiss roll, moons or 8 Gaussians.",
        arch="ddpm_mlp",
        preset="2d",
        data=diffusion_points,
        data_params=dict(name="swiss_roll", n=2000),
        train_params=dict(optimizer="adam", lr=2e-3, batch_size=256, num_steps=3000, eval_every=100),
        task=_ddpm_task,
        task_keys=TASK_KEYS,
        max_steps=50_000,
    )
)

register_recipe(
    Recipe(
        name="ddpm_digits",
        title="DDPM on handwritten digits",
        summary="A small class-conditional U-Net learns to denoise 16×16 digits; sample with DDPM or DDIM "
        "and classifier-free guidance.",
        arch="ddpm_unet",
        preset="digits",
        data=diffusion_digits,
        data_params=dict(size=16),
        link=lambda d: {"in_channels": 1, "image_size": d.input_shape[-1]},
        train_params=dict(optimizer="adam", lr=2e-3, batch_size=64, num_steps=2000, eval_every=200),
        task=_ddpm_task,
        task_keys=TASK_KEYS,
        max_steps=50_000,
    )
)

register_recipe(
    Recipe(
        name="ldm_shapes",
        title="Latent diffusion on captioned shapes",
        summary="An autoencoder, then a text-conditioned latent U-Net: type 'a red circle at the top left'.",
        arch="latent_diffusion",
        preset="shapes",
        data=diffusion_captions,
        data_params=dict(n=3000, size=16),
        link=lambda d: {"vocab_size": len(VOCAB), "max_len": VOCAB.max_len, "image_size": d.input_shape[-1]},
        train_params=dict(optimizer="adam", lr=1e-3, batch_size=64, num_steps=2500, eval_every=250),
        task=lambda data, p_uncond=0.1: LDMTask(p_uncond),
        task_keys=("p_uncond",),
        trainer_cls=LDMTrainer,
        max_steps=50_000,
    )
)
