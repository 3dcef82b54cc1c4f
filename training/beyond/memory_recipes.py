"""Recipes of the memory networks on the copy task (Graves et al. 2014, section 4.1): the neural Turing
machine, the differentiable neural computer and the LSTM baseline, trained on lengths 1..max_len and scored
on those and on longer sequences (training.beyond.memory_trainer).

    t = get_recipe("ntm_copy").trainer(seed=0)
    t.step(t.num_steps)
    t.last_eval()["bit_errors_by_length"]      # {1: 0.0, 2: 0.0, 4: 0.0, 6: 0.7, 8: 3.3} at 500 steps

The paper trains with RMSProp at 1e-4 for tens of thousands of sequences; here Adam at a higher rate, small
batches, 4-bit vectors and short sequences make the tiny models learn in a minute on a laptop CPU.
"""

from __future__ import annotations

from typing import Any

from data.base import Supervised
from data.copy_task import copy_data
from training.beyond.memory_trainer import CopyTask, CopyTrainer
from training.recipes import Recipe, register_recipe


def copy_link(d: Supervised) -> dict[str, Any]:
    return {"in_dim": d.meta["width"] + 2, "out_dim": d.meta["width"]}


def _task(data: Supervised) -> CopyTask:
    return CopyTask()


DATA = dict(width=4, min_len=1, max_len=4, num_train=2048, num_test=256)
TRAIN = dict(optimizer="adam", lr=1e-2, batch_size=16, num_steps=800, eval_every=100, grad_clip=10.0)

for name, arch, title, what in (
    (
        "ntm_copy",
        "ntm",
        "Neural Turing machine copies sequences",
        "An NTM with one read and one write head learns to write the vectors to consecutive memory rows and "
        "read them back, so it copies sequences longer than any it was trained on.",
    ),
    (
        "dnc_copy",
        "dnc",
        "Differentiable neural computer copies sequences",
        "A DNC writes each vector to a freshly allocated row and replays them by following its temporal "
        "links forward.",
    ),
    (
        "lstm_copy",
        "copy_lstm",
        "LSTM baseline copies sequences",
        "A plain LSTM of similar size must hold the whole sequence in its state: it copies the lengths it "
        "was trained on, and fails on longer ones.",
    ),
):
    register_recipe(
        Recipe(
            name=name,
            title=title,
            summary=what,
            arch=arch,
            data=copy_data,
            data_params=dict(DATA),
            train_params=dict(TRAIN),
            link=copy_link,
            task=_task,
            trainer_cls=CopyTrainer,
            max_steps=50_000,
        )
    )
