"""Recipes of the feedforward family: TensorFlow Playground's 2-D experiment and the digits MLP."""

from __future__ import annotations

from typing import Any

from data import digits, toy2d
from data.base import Supervised
from training.recipes import Recipe, register_recipe


def _io_link(d: Supervised) -> dict[str, Any]:
    return {"in_features": d.in_features, "num_classes": d.num_classes}


register_recipe(
    Recipe(
        name="mlp_toy2d",
        title="MLP on a 2-D toy set",
        summary="TensorFlow Playground's experiment: a small MLP separates (or fits) points in the plane.",
        arch="mlp",
        archs=("perceptron",),
        preset="toy2d",
        data=toy2d,
        data_params=dict(
            name="spiral", n=500, noise=0.0, train_frac=0.5, features=("x1", "x2"), num_classes=2
        ),
        train_params=dict(optimizer="adam", lr=0.03, batch_size=10, num_steps=2000, eval_every=25),
        link=_io_link,
        max_steps=50_000,
    )
)

register_recipe(
    Recipe(
        name="mlp_digits",
        title="MLP on handwritten digits",
        summary="An MLP classifies scikit-learn's 8×8 handwritten digits (10 classes).",
        arch="mlp",
        archs=("perceptron",),
        preset="tiny",
        data=digits,
        data_params=dict(size=8),
        arch_overrides=dict(hidden_dims=(128, 64)),
        train_params=dict(optimizer="adam", lr=1e-3, batch_size=64, num_steps=1500, eval_every=100),
        link=_io_link,
        max_steps=50_000,
    )
)
