"""Recipes of the family's semantic segmenters (imported by training/detection/recipes.py): a tiny U-Net and
a tiny DeepLabv3+ on 64×64 shape scenes (six shape classes + background), each able to train the other.

    t = get_recipe("unet_shapes").trainer(seed=0)
    t.step(t.num_steps); t.last_eval()["test_miou"]       # mean IoU on the held-out scenes
"""

from __future__ import annotations

from training.detection.segmentation import SegmentationTask, SegmentationTrainer, link, segmentation_scenes
from training.recipes import Recipe, register_recipe

SCENES = dict(n=600, size=64, max_objects=3, test_frac=0.2)

register_recipe(
    Recipe(
        name="unet_shapes",
        title="U-Net on shape scenes",
        summary="A U-Net three poolings deep (16 base channels, batch norm, padded convolutions) learns, by "
        "cross-entropy + Dice, a class for every pixel of 64×64 scenes of up to three shapes; held-out mean "
        "IoU and Dice as it trains.",
        arch="unet",
        archs=("deeplabv3plus",),
        data=segmentation_scenes,
        data_params=dict(SCENES),
        arch_overrides=dict(dice_weight=1.0),
        train_params=dict(
            optimizer="adam", lr=3e-3, batch_size=16, num_steps=300, eval_every=50, grad_clip=1.0
        ),
        link=link,
        task=SegmentationTask.from_data,
        trainer_cls=SegmentationTrainer,
        max_steps=20_000,
    )
)

register_recipe(
    Recipe(
        name="deeplab_shapes",
        title="DeepLabv3+ on shape scenes",
        summary="A small DeepLabv3+ (a one-block-per-stage ResNet at output stride 8, ASPP, the stride-4 "
        "decoder) segments 64×64 shape scenes; held-out mean IoU and Dice as it trains.",
        arch="deeplabv3plus",
        archs=("unet",),
        data=segmentation_scenes,
        data_params=dict(SCENES),
        arch_overrides=dict(dice_weight=1.0),
        train_params=dict(
            optimizer="adam", lr=2e-3, batch_size=16, num_steps=300, eval_every=50, grad_clip=1.0
        ),
        link=link,
        task=SegmentationTask.from_data,
        trainer_cls=SegmentationTrainer,
        max_steps=20_000,
    )
)
