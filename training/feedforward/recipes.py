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


def _early_stopping_task(data: Supervised, patience: int = 0):
    from training.regularization import EarlyStoppingClassification

    return EarlyStoppingClassification(patience)


def _regularize_recipe() -> Recipe:
    """regularize_digits: a wide MLP (512, 512) on 20 digits per class, a fifth of them mislabelled, long
    enough to memorise them. Toggles: ``dropout``, ``norm="batchnorm"`` (the MLP's own fields),
    ``weight_decay`` (AdamW's decoupled decay) and ``patience`` (early stopping, 0 = off); the data's
    ``per_class`` and ``label_noise``. training.regularization.REGULARISED is the regularised run."""
    from training.regularization import EarlyStoppingTrainer, few_digits

    return Recipe(
        name="regularize_digits",
        title="Over-fitting a few digits, and regularising",
        summary="A wide MLP memorises 200 digits, mislabelled ones included; dropout, weight decay, batch "
        "norm and early stopping each narrow the gap between its training and test accuracy.",
        arch="mlp",
        preset="tiny",
        data=few_digits,
        data_params=dict(per_class=20, label_noise=0.2),
        arch_overrides=dict(hidden_dims=(512, 512)),
        train_params=dict(optimizer="adamw", lr=1e-3, batch_size=32, num_steps=800, eval_every=50),
        link=_io_link,
        max_steps=20_000,
        task=_early_stopping_task,
        task_keys=("patience",),
        trainer_cls=EarlyStoppingTrainer,
    )


register_recipe(_regularize_recipe())
