"""The feedforward recipes learn: the digits MLP, the spiral, and the perceptron's XOR limit."""

from __future__ import annotations

from training import get_recipe


def test_mlp_digits_reaches_95_percent_test_accuracy():
    t = get_recipe("mlp_digits").trainer(seed=0)
    t.step(t.num_steps)
    assert t.status == "done"
    ev = t.evaluate()
    assert ev["test_acc"] >= 0.95, ev


def test_mlp_toy2d_learns_the_spiral():
    t = get_recipe("mlp_toy2d").trainer(
        name="spiral", hidden_dims=(16, 16, 16), activation="tanh", lr=0.01, num_steps=3000, seed=0
    )
    t.step(3000)
    assert t.evaluate()["train_acc"] >= 0.95


def test_perceptron_cannot_learn_xor_but_features_fix_it():
    plain = get_recipe("mlp_toy2d").trainer(arch="perceptron", name="xor", num_steps=600, seed=0)
    plain.step(600)
    crossed = get_recipe("mlp_toy2d").trainer(
        arch="perceptron", name="xor", features=("x1", "x2", "x1*x2"), num_steps=600, seed=0
    )
    crossed.step(600)
    assert plain.evaluate()["train_acc"] < 0.75 < 0.95 <= crossed.evaluate()["train_acc"]
