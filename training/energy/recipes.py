"""Recipes of the energy-based family (the loader imports this module): the RBM on binarised digits, the
deep belief net on digits (pre-trained layer by layer, then fine-tuned) and the Hopfield network storing
patterns one at a time; the classic networks' (DSN, SOM, ESN) are in classic_recipes.py, imported here.

    t = get_recipe("rbm_digits").trainer(cd_k=1, persistent=False, seed=0)
    t.step(t.num_steps); t.last_eval()["test_pl"]          # pseudo-log-likelihood per digit

``rbm_digits`` uses scikit-learn's ``BernoulliRBM`` settings (plain SGD at 0.1, batches of 10, 64 hidden
units here) so that the two can be compared on one budget (tests/energy/test_rbm.py, bench/rbm_bench.py).
"""

from __future__ import annotations

from typing import Any

from data.base import Supervised
from data.digits import digits
from training.energy import classic_recipes  # noqa: F401  (registers dsn_digits, som_colors, esn_mackey_glass)
from training.energy.dbn import DBNTask, DBNTrainer
from training.energy.hopfield import HopfieldTask, HopfieldTrainer, pattern_data
from training.energy.rbm import RBMTask, RBMTrainer, binary_digits
from training.recipes import Recipe, register_recipe


def visible_link(d: Supervised) -> dict[str, Any]:
    return {"num_visible": d.in_features}


def hopfield_link(d: Supervised) -> dict[str, Any]:
    return {"num_neurons": d.in_features, "num_patterns": len(d.x_train)}


register_recipe(
    Recipe(
        name="rbm_digits",
        title="RBM on binarised digits",
        summary="A Bernoulli RBM with 64 hidden units learns the 8×8 digits (pixels on at 0.5) by "
        "contrastive divergence: its filters form, its reconstructions sharpen and its Gibbs chain "
        "dreams digits.",
        arch="rbm",
        preset="digits",
        data=binary_digits,
        train_params=dict(optimizer="sgd", lr=0.1, batch_size=10, num_steps=2340, eval_every=117),
        link=visible_link,
        task=RBMTask.from_data,
        task_keys=RBMTask.keys(),
        trainer_cls=RBMTrainer,
        max_steps=100_000,
    )
)

register_recipe(
    Recipe(
        name="dbn_digits",
        title="Deep belief net on digits",
        summary="Three RBMs (64 → 128 → 128, then 256 units over the last code and the label) pre-trained "
        "one after the other by CD-1, then every weight fine-tuned by backpropagation.",
        arch="dbn",
        preset="digits",
        data=digits,
        train_params=dict(optimizer="adam", lr=3e-3, batch_size=32, num_steps=3600, eval_every=200),
        link=visible_link,
        task=DBNTask.from_data,
        task_keys=DBNTask.keys(),
        trainer_cls=DBNTrainer,
        max_steps=50_000,
    )
)

register_recipe(
    Recipe(
        name="hopfield_patterns",
        title="Hopfield network storing patterns",
        summary="A 10×10 Hopfield network stores random ±1 patterns one at a time by the Hebbian rule; after "
        "each, every stored pattern is corrupted (20 % of its bits flipped) and recalled.",
        arch="hopfield",
        preset="grid",
        data=pattern_data,
        data_params=dict(kind="random", num_patterns=30, side=10),
        train_params=dict(num_steps=30, eval_every=1),
        link=hopfield_link,
        task=HopfieldTask.from_data,
        task_keys=HopfieldTask.keys(),
        trainer_cls=HopfieldTrainer,
        max_steps=10_000,
    )
)
