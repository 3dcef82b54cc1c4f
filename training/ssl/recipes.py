"""Recipes of the self-supervised family (the loader imports this module).

    t = get_recipe("simclr_shapes").trainer(seed=0)
    t.step(t.num_steps); t.last_eval()["probe_acc"]       # linear probe on the frozen encoder

- ``simclr_shapes`` and ``byol_shapes``: coloured shapes (data.ssl_images.ssl_shapes) whose kind a
  linear probe on raw pixels barely reads; crops, flips and colour jitter teach the encoder to ignore
  position, size and colour.
  BYOL trains 1,000 steps of 256 images with τ from 0.9 (``BYOL_TRAIN``, ``BYOL_EMA``: why, below).
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
# BYOL has no negatives; in a short run, batch norm across the batch's 2N views seems to be what spreads
# its embedding out (normalising each view's half on its own gave 0.25, an untrained encoder's level).
# Probe accuracy, seed 0 unless said: at batch 64 it stalls at 0.40-0.49 after 400 steps (0.70 after
# 2,000 on a GPU), reading colour more than shape; batch 128 gave 0.45 after 1,000 steps; batch 256
# passes 0.85 by step 1,000 (CPU, seeds 0-2: 0.885, 0.897, 0.930; 750-step runs: 0.83, 0.78). Bigger
# batches for fewer steps did not help (512 x 250: 0.36; 1,024 x 150: 0.54), nor did a larger learning
# rate, a faster predictor, weight decay, wider heads, stronger augmentations, per-view batch norm or a
# batch norm on the output.
BYOL_TRAIN = dict(optimizer="adam", lr=5e-3, batch_size=256, num_steps=1000, eval_every=100)
# τ's base: the paper's 0.996 suits hundreds of epochs; in 1,000 steps the target must keep up. At batch 256
# (GPU sweep, seed 0, 1,000 steps) τ from 0.99 gave 0.67 and from 0.9 0.95; in 600-step CPU runs, 0.8
# gave 0.60 against 0.73 at 0.9.
BYOL_EMA = 0.9


def byol_task(data: Supervised, **kw) -> SSLTask:
    return SSLTask.from_data(data, **{"ema": BYOL_EMA, **kw})


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
        "negatives, and still a representation that a linear probe reads the shape's kind from. Here it "
        "needs larger batches (256) and more steps (1,000) than SimCLR, and a target that follows faster "
        "(τ from 0.9).",
        arch="byol",
        data=ssl_shapes,
        data_params=SHAPES,
        train_params=BYOL_TRAIN,
        link=image_link,
        task=byol_task,
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
