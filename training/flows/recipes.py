"""Recipes of the flows family.

    t = get_recipe("flow_2d").trainer(name="moons")
    t.step(t.num_steps); t.last_eval()["test_ll"] > t.data.meta["gaussian_ll"]

- ``flow_2d``: a RealNVP (or Glow) learns the density of a 2-D toy set of data.toy2d (moons, circle,
  spiral, …, with noise), on coordinates standardised with the training split's mean and deviation. The
  held-out log-likelihood is compared with a Gaussian's fitted to the same training points
  (``meta["gaussian_ll"]``).
- ``flow_digits``: a small multi-scale Glow (or RealNVP) on scikit-learn's 8×8 digits, in bits per pixel.
"""

from __future__ import annotations

import numpy as np

from data.base import Supervised
from data.digits import digits
from data.toy2d import TOY2D_SETS, toy2d
from training.flows.trainer import FlowTask, FlowTrainer, gaussian_ll
from training.recipes import Recipe, register_recipe

POINT_SETS = tuple(k for k, (kind, _, _) in TOY2D_SETS.items() if kind == "classification")


def flow_points(name: str = "moons", n: int = 2000, noise: float = 0.05, seed: int = 0) -> Supervised:
    """Unlabelled points of a toy set, standardised; x_val is absent, the test split is held out."""
    if name not in POINT_SETS:
        raise ValueError(f"unknown 2-D set {name!r}; choose one of {', '.join(POINT_SETS)}")
    d = toy2d(
        name,
        n=n,
        noise=noise,
        train_frac=0.75,
        num_classes=3 if name in ("spiral", "blobs") else 2,
        seed=seed,
    )
    xtr, xte = d.x_train.astype(np.float32), d.x_test.astype(np.float32)
    return Supervised(
        x_train=xtr,
        y_train=np.zeros(len(xtr), np.int64),
        x_test=xte,
        y_test=np.zeros(len(xte), np.int64),
        kind="flow_points",
        num_classes=0,
        name=f"2-D {name}",
        meta={"set": name, "gaussian_ll": gaussian_ll(xtr.astype(np.float64), xte.astype(np.float64))},
    )


def flow_images(size: int = 8) -> Supervised:
    """scikit-learn's digits, pixels in [0, 1] (17 levels)."""
    d = digits(size=size)
    return Supervised(
        x_train=d.x_train,
        y_train=d.y_train,
        x_test=d.x_test,
        y_test=d.y_test,
        kind="flow_images",
        num_classes=10,
        class_names=d.class_names,
        name=d.name,
        meta={"size": size},
    )


register_recipe(
    Recipe(
        name="flow_2d",
        title="A flow on a 2-D toy set",
        summary="RealNVP or Glow learns the density of points in the plane by maximum likelihood.",
        arch="realnvp",
        archs=("glow",),
        data=flow_points,
        data_params=dict(name="moons", n=2000, noise=0.05),
        train_params=dict(optimizer="adam", lr=3e-3, batch_size=256, num_steps=1000, eval_every=50),
        task=lambda data: FlowTask(data),
        trainer_cls=FlowTrainer,
    )
)

register_recipe(
    Recipe(
        name="flow_digits",
        title="A multi-scale flow on 8×8 digits",
        summary="A small Glow (or RealNVP) learns the digits' density; samples are drawn by inverting it.",
        arch="glow",
        archs=("realnvp",),
        preset="digits",
        data=flow_images,
        data_params=dict(size=8),
        link=lambda d: {"image_size": d.meta["size"], "in_channels": 1, "data": "image"},
        train_params=dict(optimizer="adam", lr=1e-3, batch_size=128, num_steps=1000, eval_every=100),
        task=lambda data: FlowTask(data),
        trainer_cls=FlowTrainer,
    )
)
