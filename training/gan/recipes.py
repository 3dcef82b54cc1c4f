"""Recipes of the GAN family: the 2-D lab (8 Gaussians and other targets), digits, shapes, pix2pix, CycleGAN.

Data are scaled the way the papers feed them: points as they are, images to [-1, 1] (the generator's
tanh range). The GAN settings (loss, k_D, k_G, D's learning rate, β₁, clipping, λ) go to the task;
``lr`` is the generator's learning rate.
"""

from __future__ import annotations

import numpy as np

from data.base import Supervised
from data.digits import digits
from data.points2d import POINT_SETS, modes, points2d
from data.shapes import paired_shapes, shapes
from training.gan.trainer import GANTask, GANTrainer
from training.recipes import Recipe, register_recipe

GAN_TASK_KEYS = ("gan_loss", "k_d", "k_g", "lr_d", "beta1", "clip", "gp_weight", "aux_weight")


def gan_points(name: str = "ring8", n: int = 4000, seed: int = 0) -> Supervised:
    """Samples of a 2-D target; y holds the mode index (or 0). Mode coverage is measured for ring8/grid25."""
    if name not in POINT_SETS:
        raise ValueError(f"unknown 2-D target {name!r}; choose one of {', '.join(POINT_SETS)}")
    if n < 100:
        raise ValueError(f"the 2-D target needs at least 100 points, not {n}")
    x = points2d(name, n, seed=seed)
    y = np.zeros(n, np.int64)
    m = modes(name)
    if m is not None:
        y = np.linalg.norm(x[:, None] - m[0][None], axis=-1).argmin(1)
    k = n // 5
    return Supervised(
        x_train=x[k:],
        y_train=y[k:],
        x_test=x[:k],
        y_test=y[:k],
        kind="gan_points",
        num_classes=len(m[0]) if m is not None else 1,
        name=f"2-D target {name}",
        meta={"target": name if m is not None else None, "points": name},
    )


def gan_digits(size: int = 16) -> Supervised:
    """scikit-learn's digits (upsampled), pixels scaled to [-1, 1]."""
    d = digits(size=size)
    return Supervised(
        x_train=d.x_train * 2 - 1,
        y_train=d.y_train,
        x_test=d.x_test * 2 - 1,
        y_test=d.y_test,
        kind="gan_images",
        num_classes=10,
        class_names=d.class_names,
        name=d.name,
        meta={"size": size},
    )


def gan_shapes(size: int = 16, n: int = 2000, color: bool = False, seed: int = 0) -> Supervised:
    """Procedural shapes (one per image), scaled to [-1, 1]; the class is the kind of shape."""
    d = shapes(n=n, size=size, color=color, seed=seed, val_frac=0.0)
    return Supervised(
        x_train=d.x_train * 2 - 1,
        y_train=d.y_train,
        x_test=d.x_test * 2 - 1,
        y_test=d.y_test,
        kind="gan_images",
        num_classes=d.num_classes,
        class_names=d.class_names,
        name=d.name,
        meta={"size": size},
    )


def image_pairs(
    size: int = 16, n: int = 1200, mode: str = "outline_to_filled", paired: bool = True, seed: int = 0
) -> Supervised:
    """Image-to-image data: x from domain A, y from domain B, both in [-1, 1]. ``paired=False`` shuffles
    B so that no pair matches (CycleGAN's setting)."""
    p = paired_shapes(n=n, size=size, mode=mode, seed=seed)
    a, b = p["a"] * 2 - 1, p["b"] * 2 - 1
    if not paired:
        b = b[np.random.default_rng(seed + 1).permutation(n)]
    k = n // 6
    return Supervised(
        x_train=a[k:],
        y_train=b[k:],
        x_test=a[:k],
        y_test=p["b"][:k] * 2 - 1,
        kind="gan_pairs" if paired else "gan_unpaired",
        num_classes=0,
        name=f"shapes {mode}",
        meta={"size": size, "mode": mode, "paired": paired},
    )


def _task(data, **kw):
    if data.kind in ("gan_pairs", "gan_unpaired"):
        from training.gan.i2i import I2ITask

        return I2ITask(data, **kw)
    return GANTask(data, **kw)


def _images_link(d: Supervised) -> dict:
    return {"image_size": d.meta["size"], "channels": d.x_train.shape[1]}


def _recipe(**kw) -> Recipe:
    kw.setdefault("task_keys", GAN_TASK_KEYS)
    return register_recipe(Recipe(task=_task, trainer_cls=GANTrainer, **kw))


_recipe(
    name="gan_8gaussians",
    title="GAN on a 2-D target (GAN Lab)",
    summary="Two small MLPs play the GAN game on points in the plane; the ring of 8 Gaussians by default.",
    arch="gan",
    data=gan_points,
    data_params=dict(name="ring8", n=4000),
    train_params=dict(optimizer="adam", lr=1e-3, batch_size=256, num_steps=2000, eval_every=50),
    max_steps=50_000,
)

_IMAGE_ARCHS = ("wgan", "wgan_gp", "acgan", "infogan", "stylegan", "sagan")
_IMAGE_TRAIN = dict(optimizer="adam", lr=2e-4, batch_size=64, num_steps=1500, eval_every=100)


for _name, _title, _data, _params in (
    ("digits", "handwritten digits (16×16)", gan_digits, dict(size=16)),
    ("shapes", "procedural shapes (16×16)", gan_shapes, dict(size=16, n=2000)),
):
    _recipe(
        name=f"dcgan_{_name}",
        title=f"Convolutional GANs on {_title}",
        summary=f"DCGAN (or another convolutional GAN) learns to draw {_title}; images in [-1, 1].",
        arch="dcgan",
        archs=_IMAGE_ARCHS,
        data=_data,
        data_params=_params,
        train_params=_IMAGE_TRAIN,
        link=_images_link,
    )
    _recipe(
        name=f"cgan_{_name}",
        title=f"Conditional GAN on {_title}",
        summary=f"A conditional GAN draws {_title} of a requested class.",
        arch="cgan",
        data=_data,
        data_params=_params,
        archs=("acgan",),
        train_params=_IMAGE_TRAIN,
        link=_images_link,
    )

_recipe(
    name="pix2pix_shapes",
    title="pix2pix: outline → filled shape",
    summary="Paired translation of a shape's outline into the filled, coloured shape.",
    arch="pix2pix",
    data=image_pairs,
    data_params=dict(size=16, n=1200, mode="outline_to_filled", paired=True),
    train_params=dict(optimizer="adam", lr=2e-4, batch_size=32, num_steps=1000, eval_every=50),
    link=lambda d: {
        "image_size": d.meta["size"],
        "in_channels": d.x_train.shape[1],
        "out_channels": d.y_train.shape[1],
    },
    task_keys=GAN_TASK_KEYS + ("l1_weight",),
)

_recipe(
    name="cyclegan_shapes",
    title="CycleGAN: warm palette ↔ cool palette",
    summary="Unpaired translation between two colour palettes of the same shapes, held together by cycles.",
    arch="cyclegan",
    data=image_pairs,
    data_params=dict(size=16, n=1200, mode="palette", paired=False),
    train_params=dict(optimizer="adam", lr=2e-4, batch_size=16, num_steps=1000, eval_every=50),
    link=lambda d: {"image_size": d.meta["size"], "channels": d.x_train.shape[1]},
    task_keys=GAN_TASK_KEYS + ("cycle_weight",),
)
