"""Issue 22 (transfer): recipes of the CNN family, registered on import from training/cnn/recipes.py.

- ``transfer_source``: the source model, LeNet-5 (ReLU, max-pooling) pre-trained on digits 0-4 or on
  shapes; the demos ``transfer_source_digits`` / ``transfer_source_shapes`` are this recipe's runs.
- ``transfer_digits``: the same LeNet-5 on a target task with few labels, started from the source model
  by one of the strategies of training.transfer (from scratch, feature extraction, fine-tune all, gradual
  unfreezing, adapters, LoRA); every strategy has the same steps, batch and base learning rate.
"""

from __future__ import annotations

from data.base import Supervised
from training.cnn.recipes import image_link
from training.recipes import Recipe, register_recipe
from training.transfer import TransferTask, TransferTrainer, source_data, target_data

LENET = dict(activation="relu", pool="max", channels=(8, 16), hidden_dims=())
TRANSFER_KEYS = ("strategy", "rank", "alpha", "bottleneck", "unfreeze_every", "decay")

register_recipe(
    Recipe(
        name="transfer_source",
        title="Pre-training a source model",
        summary="LeNet-5 pre-trained on the digits 0-4 or on procedural shapes: the source model whose "
        "features the transfer-learning strategies reuse.",
        arch="lenet5",
        preset="tiny",
        data=source_data,
        data_params=dict(source="digits", size=28),
        arch_overrides=LENET,
        train_params=dict(optimizer="adam", lr=2e-3, batch_size=64, num_steps=400, eval_every=100),
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
        summary="LeNet-5 pre-trained on digits 0-4 (or shapes) adapted to digits 5-9 (or all digits) with a "
        "few labels per class: from scratch, feature extraction, fine-tuning, gradual unfreezing, adapters "
        "or LoRA, with the same budget.",
        arch="lenet5",
        preset="tiny",
        data=target_data,
        data_params=dict(source="digits", per_class=5, size=28),
        arch_overrides=LENET,
        train_params=dict(optimizer="adam", lr=2e-3, batch_size=64, num_steps=150, eval_every=25),
        link=image_link,
        task=_transfer_task,
        task_keys=TRANSFER_KEYS,
        trainer_cls=TransferTrainer,
        max_steps=5_000,
    )
)
