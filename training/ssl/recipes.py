"""Recipes of the self-supervised family (the loader imports this module).

    t = get_recipe("simclr_shapes").trainer(seed=0)
    t.step(t.num_steps); t.last_eval()["probe_acc"]       # linear probe on the frozen encoder

- ``simclr_shapes`` and ``byol_shapes``: coloured shapes (data.ssl_images.ssl_shapes) whose kind a
  linear probe on raw pixels barely reads; crops, flips and colour jitter teach the encoder to ignore
  position, size and colour.
- ``byol_collapse``: BYOL without the stop-gradient (``stop_gradient=True`` gives the normal run;
  ``predictor=False`` removes the predictor instead): the spread of the embeddings falls to zero.
- ``mae_digits``: a tiny MAE on moved, scaled and dimmed digits (data.ssl_images.ssl_digits), 75 % of
  the 4×4 patches removed.

Overrides: the encoder's fields (``width``, ``proj_dim``, ``predictor``, ``mask_ratio`` ...), the
trainer's (``lr``, ``batch_size``, ``num_steps`` ...), the data's (``n``, ``size``) and the method's
(``ops``, ``strength``, ``tau``, ``ema``: see training.ssl.trainers.SSLTask).
"""

from __future__ import annotations

from typing import Any

from data.base import Supervised
from data.ssl_images import ssl_digits, ssl_shapes
from training.recipes import Recipe, register_recipe
from training.ssl.trainers import BYOLTrainer, MAETrainer, SimCLRTrainer, SSLTask


def image_link(d: Supervised) -> dict[str, Any]:
    return {"in_channels": d.input_shape[0], "image_size": d.input_shape[-1]}


SHAPES = dict(n=2000, size=16)
SHAPE_TRAIN = dict(optimizer="adam", lr=5e-3, batch_size=64, num_steps=400, eval_every=50)

register_recipe(
    Recipe(
        name="simclr_shapes",
        title="SimCLR on coloured shapes",
        summary="A small ResNet learns, without labels, to give two crops of a shape in two colours the same "
        "embedding and all other images different ones (NT-Xent, τ = 0.2); a linear probe then reads the "
        "shape's kind.",
        arch="simclr",
        data=ssl_shapes,
        data_params=SHAPES,
        train_params=SHAPE_TRAIN,
        link=image_link,
        task=SSLTask.from_data,
        task_keys=SSLTask.keys(),
        trainer_cls=SimCLRTrainer,
        max_steps=20_000,
    )
)

register_recipe(
    Recipe(
        name="byol_shapes",
        title="BYOL on coloured shapes",
        summary="The online network predicts an averaged target network's projection of another view: no "
        "negatives, and still a representation that a linear probe reads the shape's kind from.",
        arch="byol",
        data=ssl_shapes,
        data_params=SHAPES,
        train_params=SHAPE_TRAIN,
        link=image_link,
        task=SSLTask.from_data,
        task_keys=SSLTask.keys(),
        trainer_cls=BYOLTrainer,
        max_steps=20_000,
    )
)

register_recipe(
    Recipe(
        name="byol_collapse",
        title="BYOL without the stop-gradient (collapse)",
        summary="The same BYOL with gradients flowing into the target branch: the two branches agree most "
        "cheaply by mapping every image to one point, and the spread of the embeddings falls to zero.",
        arch="byol",
        data=ssl_shapes,
        data_params=SHAPES,
        arch_overrides=dict(stop_gradient=False),
        train_params=SHAPE_TRAIN,
        link=image_link,
        task=SSLTask.from_data,
        task_keys=SSLTask.keys(),
        trainer_cls=BYOLTrainer,
        max_steps=20_000,
    )
)

register_recipe(
    Recipe(
        name="mae_digits",
        title="Masked autoencoder on digits",
        summary="A small ViT sees a quarter of the 4×4 patches of a digit; a one-block decoder paints the "
        "rest.",
        arch="mae",
        data=ssl_digits,
        data_params=dict(size=16),
        arch_overrides=dict(mask_ratio=0.5),
        link=image_link,
        train_params=dict(optimizer="adamw", lr=3e-3, batch_size=128, num_steps=600, eval_every=100),
        task=lambda data, **kw: SSLTask.from_data(data, **{"ops": (), **kw}),
        task_keys=SSLTask.keys(),
        trainer_cls=MAETrainer,
        max_steps=20_000,
    )
)
