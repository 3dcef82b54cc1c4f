"""Issue 22 (transfer): recipes of the CNN family, registered on import from training/cnn/recipes.py.

- ``transfer_source``: the source model, the registered ``residual_cnn`` with one block per stage (``BASE``:
  a 3×3 stem, three two-conv blocks with BatchNorm and identity shortcuts, global average pooling, a
  linear head) pre-trained on 8×8 digits 0-4 or on shapes; the demos ``transfer_source_digits`` /
  ``transfer_source_shapes`` are this recipe's runs.
- ``transfer_digits``: the same network on a target task with few labels, started from the source model
  by one of the strategies of training.transfer (from scratch, feature extraction, fine-tune all, gradual
  unfreezing, adapters, LoRA); every strategy has the same steps, batch and base learning rate.
"""

from __future__ import annotations

from data.base import Supervised
from training.cnn.recipes import image_link
from training.recipes import Recipe, register_recipe
from training.transfer import TransferTask, TransferTrainer, source_data, target_data

BASE = dict(blocks_per_stage=1, widths=(16, 32, 64), residual=True)
# the source sees variety: each training image four times, each copy shifted by up to a quarter of the
# image's half-width, turned by up to 15° and zoomed by up to 10 %; and every image at four quarter turns,
# the class being (digit, turn): 20 classes
SOURCE_JITTER = dict(copies=4, shift=0.25, rotate=15.0, scale=0.1)
TARGET_SHIFT = 0.25  # the target's digits (train, validation and test alike) are placed at random
TRANSFER_KEYS = ("strategy", "rank", "alpha", "bottleneck", "unfreeze_every", "decay")

register_recipe(
    Recipe(
        name="transfer_source",
        title="Pre-training a source model",
        summary="A small residual CNN pre-trained on the digits 0-4 or on procedural shapes: the source "
        "model whose features the transfer-learning strategies reuse.",
        arch="residual_cnn",
        preset="tiny",
        data=source_data,
        data_params=dict(source="digits", size=8, **SOURCE_JITTER, quarter_turns=True),
        arch_overrides=BASE,
        train_params=dict(optimizer="adam", lr=2e-3, batch_size=64, num_steps=800, eval_every=200),
        link=image_link,
        max_steps=5_000,
    )
)


def _transfer_task(data: Supervised, **kw) -> TransferTask:
    return TransferTask(**kw)


register_recipe(
    Recipe(
        name="transfer_digits",
        title="Transfer learning on few digits",
        summary="A residual CNN pre-trained on digits 0-4 (or shapes) adapted to digits 5-9 (or all digits) "
        "with a few labels per class: from scratch, feature extraction, fine-tuning, gradual unfreezing, "
        "adapters or LoRA, with the same budget.",
        arch="residual_cnn",
        preset="tiny",
        data=target_data,
        data_params=dict(source="digits", per_class=5, size=8, shift=TARGET_SHIFT),
        arch_overrides=BASE,
        train_params=dict(optimizer="adam", lr=1e-2, batch_size=64, num_steps=150, eval_every=25),
        link=image_link,
        task=_transfer_task,
        task_keys=TRANSFER_KEYS,
        trainer_cls=TransferTrainer,
        max_steps=5_000,
    )
)
