"""Recipes of the continuous family (the loader imports this module).

get_recipe("neural_ode_spiral").trainer().step(300)   # the ODE demo's spiral, with a ResNet twin
get_recipe("kan_formula").trainer()                   # a [2, 5, 1] KAN on exp(sin(πx) + y²)
get_recipe("nerf_fit").trainer()                      # an image stored by coordinate MLPs, γ(p) or not
"""

from __future__ import annotations

from data.continuous import formula, image_pixels, spiral_segments
from training.continuous.kan import FormulaTask, KANTrainer
from training.continuous.nerf import ImageFitTask, ImageFitTrainer
from training.continuous.ode import OdeSpiralTrainer, TrajectoryTask
from training.recipes import Recipe, register_recipe

register_recipe(
    Recipe(
        name="neural_ode_spiral",
        title="Neural ODE on the spiral",
        summary="Learn the vector field of a spiral from segments of its trajectory (torchdiffeq's ODE "
        "demo), beside a ResNet with the same parameters.",
        arch="neural_ode",
        preset="canonical",
        data=spiral_segments,
        data_params=dict(n_points=1000, t_end=25.0, batch_time=20),
        train_params=dict(optimizer="adam", lr=0.005, batch_size=256, num_steps=200, eval_every=50),
        task=lambda data: TrajectoryTask(data.meta["dt"]),
        trainer_cls=OdeSpiralTrainer,
        max_steps=5000,
    )
)

register_recipe(
    Recipe(
        name="kan_formula",
        title="KAN on exp(sin(πx) + y²)",
        summary="A [2, 5, 1] Kolmogorov-Arnold network fits the paper's first formula; its edges are then "
        "read back as functions.",
        arch="kan",
        data=formula,
        data_params=dict(n_train=1000, n_test=1000),
        train_params=dict(optimizer="adam", lr=0.02, batch_size=1000, num_steps=600, eval_every=50),
        task=lambda data: FormulaTask(),
        trainer_cls=KANTrainer,
    )
)

register_recipe(
    Recipe(
        name="nerf_fit",
        title="An image in a coordinate MLP",
        summary="NeRF's network maps pixel coordinates to colours, with the positional encoding γ(p) and, "
        "side by side, without it.",
        arch="nerf",
        data=image_pixels,
        data_params=dict(size=64),
        arch_overrides=dict(pos_dim=2, use_viewdirs=False, pos_freqs=6, hidden_dim=64, depth=4, skip_layer=0),
        train_params=dict(optimizer="adam", lr=0.002, batch_size=1024, num_steps=600, eval_every=50),
        task=lambda data: ImageFitTask(),
        trainer_cls=ImageFitTrainer,
    )
)
