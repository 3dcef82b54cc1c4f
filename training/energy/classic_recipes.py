"""Recipes of the classic half of the energy family: the deep stacking network on digits, the
self-organising map on colours, the echo state network on Mackey–Glass, the RBF network and the extreme
learning machine on the 2-D toy sets.

    t = get_recipe("esn_mackey_glass").trainer(seed=0)
    t.step(t.num_steps); t.last_eval()   # {"test_nrmse": ..., "persistence_nrmse": ..., ...}

Every one trains without backpropagation: a step is a closed-form solve (DSN: one block; ESN: one chunk of
the series; RBF, ELM: the whole fit) or a batch of Kohonen's rule (SOM).
"""

from __future__ import annotations

from typing import Any

from data.digits import digits
from training.energy.dsn import DSNTask, DSNTrainer
from training.energy.esn import ESNTask, ESNTrainer, esn_series
from training.energy.som import SOMTask, SOMTrainer, som_data
from training.recipes import Recipe, register_recipe


def esn_link(d: Any) -> dict[str, Any]:
    return {"in_dim": 1, "out_dim": 1}


register_recipe(
    Recipe(
        name="esn_mackey_glass",
        title="Echo state network on Mackey–Glass",
        summary="A 400-neuron random reservoir driven by the chaotic Mackey–Glass series (τ = 17); only the "
        "linear readout is trained, by ridge regression on the harvested states, one chunk per step.",
        arch="esn",
        preset="mackey_glass",
        data=esn_series,
        data_params=dict(length=2000, train_frac=0.6),
        train_params=dict(num_steps=12, eval_every=3),
        link=esn_link,
        task=ESNTask.from_data,
        task_keys=ESNTask.keys(),
        trainer_cls=ESNTrainer,
        max_steps=1000,
    )
)


def digits_link(d: Any) -> dict[str, Any]:
    return {"in_features": d.in_features, "num_classes": d.num_classes}


register_recipe(
    Recipe(
        name="dsn_digits",
        title="Deep stacking network on digits",
        summary="Six blocks of 150 random sigmoid features, added one per step; each block reads the pixels "
        "and the class scores of the blocks below, and its upper weights are one ridge solve.",
        arch="dsn",
        preset="digits",
        data=digits,
        data_params=dict(size=8),
        arch_overrides=dict(num_blocks=6, hidden_dim=150, init_scale=3.0),
        train_params=dict(num_steps=6, eval_every=1),
        link=digits_link,
        task=DSNTask.from_data,
        task_keys=DSNTask.keys(),
        trainer_cls=DSNTrainer,
        max_steps=16,
    )
)


def som_link(d: Any) -> dict[str, Any]:
    return {"in_features": int(d.x_train.reshape(len(d.x_train), -1).shape[1])}


register_recipe(
    Recipe(
        name="som_colors",
        title="Self-organising map on random colours",
        summary="A 12×12 grid of units learns 1,000 random RGB colours with Kohonen's rule: the "
        "neighbourhood shrinks from half the grid to one unit, and the map settles into a smooth palette.",
        arch="som",
        data=som_data,
        data_params=dict(source="colors", n=1000),
        arch_overrides=dict(rows=12, cols=12),
        train_params=dict(lr=0.5, batch_size=16, num_steps=400, eval_every=50),
        link=som_link,
        task=SOMTask.from_data,
        task_keys=SOMTask.keys(),
        trainer_cls=SOMTrainer,
        max_steps=20_000,
    )
)
