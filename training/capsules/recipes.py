"""Recipes of the capsule-network family.

    t = get_recipe("capsnet_digits").trainer()
    t.step(t.num_steps); t.last_eval()["test_acc"]      # >= 0.97 on the 360 test digits

A small CapsNet (64 3×3 Conv1 maps, 8 types of 8-D primary capsules on a 4×4 grid: 128 children, 10
digit capsules of 16-D, 3 routing iterations, a 128-256-64 decoder) learns scikit-learn's 8×8 digits
with the margin loss plus the scaled reconstruction error (training.capsules.task).
"""

from __future__ import annotations

from data.digits import digits
from training.capsules.task import CapsuleTask, CapsuleTrainer
from training.recipes import Recipe, register_recipe

register_recipe(
    Recipe(
        name="capsnet_digits",
        title="CapsNet on 8×8 digits",
        summary="Capsules learn the digits: the longest digit capsule names the class, and the decoder "
        "redraws the digit from it.",
        arch="capsnet",
        data=digits,
        data_params=dict(size=8),
        link=lambda d: {"image_size": d.input_shape[-1], "in_channels": d.input_shape[0], "num_classes": 10},
        train_params=dict(optimizer="adam", lr=5e-3, batch_size=64, num_steps=300, eval_every=50),
        task=lambda data: CapsuleTask(),
        trainer_cls=CapsuleTrainer,
    )
)
