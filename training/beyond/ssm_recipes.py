"""Recipes of the state-space part of the beyond-attention family: selective copying (Gu & Dao 2023, section
3.1) learned by Mamba, and the same task for S4 at about the same number of parameters.

    t = get_recipe("mamba_selective_copy").trainer(seed=0)
    t.step(t.num_steps); t.last_eval()["accuracy"]      # held-out, answer positions only

Mamba's step Δ and its B, C depend on each token, so it can take in the data tokens and let the noise pass;
S4's kernel is the same for every input and position, so it cannot follow tokens whose spacing changes
from one example to the next (tests/beyond/test_ssm_training.py states the two accuracies).
"""

from __future__ import annotations

from typing import Any

from data.base import Supervised
from data.selective_copy import selective_copy_data
from training.beyond.ssm_trainer import SelectiveCopyTask, SelectiveCopyTrainer
from training.recipes import Recipe, register_recipe

DATA = dict(n_train=2048, n_test=256, seq_len=16, n_memorise=4, vocab=16)  # 14 data tokens, 4 of 16 places
TRAIN = dict(optimizer="adam", lr=5e-3, batch_size=32, num_steps=350, eval_every=50, grad_clip=1.0)


def vocab_link(d: Supervised) -> dict[str, Any]:
    return {"vocab_size": d.num_classes}


def s4_link(d: Supervised) -> dict[str, Any]:
    return {"vocab_size": d.num_classes, "num_outputs": d.num_classes, "pool": "none"}


register_recipe(
    Recipe(
        name="mamba_selective_copy",
        title="Mamba on selective copying",
        summary="Four tokens hidden among noise at random places, then four markers: at each marker the "
        "model outputs the next remembered token. Mamba's input-dependent Δ, B and C pick the tokens out.",
        arch="mamba",
        preset="tiny",
        data=selective_copy_data,
        data_params=dict(DATA),
        arch_overrides=dict(embed_dim=32, num_layers=2, state_dim=16),
        train_params=dict(TRAIN),
        link=vocab_link,
        task=SelectiveCopyTask.from_data,
        trainer_cls=SelectiveCopyTrainer,
        max_steps=20_000,
    )
)

register_recipe(
    Recipe(
        name="s4_selective_copy",
        title="S4 on selective copying",
        summary="The same task for S4 (S4D) at about Mamba's number of parameters: a time-invariant "
        "convolution cannot follow tokens whose places change, and stays far below Mamba.",
        arch="s4",
        preset="tiny",
        data=selective_copy_data,
        data_params=dict(DATA),
        arch_overrides=dict(
            embed_dim=32, num_layers=2, state_dim=128
        ),  # same width and depth; 21,904 vs 20,448
        train_params=dict(TRAIN),
        link=s4_link,
        task=SelectiveCopyTask.from_data,
        trainer_cls=SelectiveCopyTrainer,
        max_steps=20_000,
    )
)
