"""Recipes of the autoregressive family (the loader imports this module).

t = get_recipe("pixelcnn_digits").trainer(); t.step(t.num_steps)
t.last_eval()["test_bits"] < t.data.meta["baseline_bits"]   # beats the per-pixel independent model

t = get_recipe("wavenet_tones").trainer(); t.step(t.num_steps)
t.continuation(...)                                           # continues a tone it never heard
"""

from __future__ import annotations

from data.autoregressive import quantised_digits, tones
from training.autoregressive.trainers import DensityTask, PixelCNNTrainer, WaveNetTrainer
from training.recipes import Recipe, register_recipe

register_recipe(
    Recipe(
        name="pixelcnn_digits",
        title="PixelCNN on 4-level digits",
        summary="A small PixelCNN learns the 8×8 digits quantised to a few grey levels, pixel by pixel; its "
        "test likelihood is compared with a model that draws every pixel independently.",
        arch="pixelcnn",
        data=quantised_digits,
        data_params=dict(levels=4),
        link=lambda d: {"num_levels": d.meta["levels"], "image_size": 8, "in_channels": 1},
        train_params=dict(optimizer="adam", lr=3e-3, batch_size=64, num_steps=600, eval_every=100),
        task=lambda data: DensityTask(),
        trainer_cls=PixelCNNTrainer,
    )
)

register_recipe(
    Recipe(
        name="wavenet_tones",
        title="WaveNet on tones",
        summary="A small WaveNet learns μ-law quantised notes (pure tones, or with harmonics), sample by "
        "sample, then continues a note it never heard.",
        arch="wavenet",
        data=tones,
        data_params=dict(n=1200, length=128, levels=64, harmonics=0),
        link=lambda d: {"num_levels": d.meta["levels"]},
        train_params=dict(optimizer="adam", lr=2e-2, batch_size=32, num_steps=600, eval_every=100),
        task=lambda data: DensityTask(),
        trainer_cls=WaveNetTrainer,
    )
)
