"""The Regularization page and what it claims: the recipe regularize_digits (the unregularised run's
train-test gap is at least twice the regularised one's, and its test accuracy lower), early stopping that
puts the best weights back, Monte-Carlo dropout (no spread without dropout; more disagreement on the digits
it gets wrong), a deep tanh network's fading activations and gradients without batch norm and steady ones
with it, batch norm's dependence on the batch against layer norm's none, the figures, and the page."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import archs
from archs.spec import ConfigError
from data import digits
from tests.apptest import chart, on_tab, open_page
from training import regularization as reg
from training.recipes import get_recipe
from viz import regularization as vr

torch.set_num_threads(1)


def _run(**kw):
    t = get_recipe("regularize_digits").trainer(**kw)
    t.step(t.num_steps)
    return t


def test_regularisation_halves_the_train_test_gap_and_lifts_test_accuracy():
    plain, regd = _run(), _run(**reg.REGULARISED)
    g0, g1 = reg.gap(plain), reg.gap(regd)
    assert g0["train_acc"] >= 0.99  # memorised, the 20 % wrong labels too
    assert g0["acc_gap"] >= 2 * abs(g1["acc_gap"]), (g0, g1)  # measured 0.306 against -0.090
    assert g1["test_acc"] >= g0["test_acc"] + 0.1, (g0, g1)  # measured 0.694 against 0.850
    # early stopping ended the regularised run and put its best weights back
    assert regd.stopped_step is not None and regd.best_step < regd.stopped_step < 800
    assert regd.history[-1]["restored_from"] == regd.best_step and "Stopped early" in regd.message
    assert regd.status == "done" and regd.step_count == regd.stopped_step


def test_bad_settings_are_sentences():
    r = get_recipe("regularize_digits")
    with pytest.raises(ConfigError, match="per_class"):
        r.trainer(per_class=0)
    with pytest.raises(ConfigError, match="label_noise"):
        r.trainer(label_noise=0.95)
    with pytest.raises(ConfigError, match="patience"):
        r.trainer(patience=-1)


def test_few_digits_flips_the_stated_fraction_to_other_digits():
    d = reg.few_digits(per_class=30, label_noise=0.2, seed=1)
    clean = digits()
    assert len(d.y_train) == 300 and np.bincount(d.y_train, minlength=10).min() > 0
    assert 0.12 < d.meta["flipped"].mean() < 0.28
    assert len(d.y_test) == len(clean.y_test)  # the test split stays whole and clean


def test_mc_dropout_spread_is_zero_without_dropout_and_leaves_batch_norm_alone():
    x = torch.rand(20, 64)
    torch.manual_seed(0)
    m = archs.build_model("mlp", "tiny", dropout=0.0)
    out = reg.mc_dropout(m, x, samples=5)
    assert np.allclose(out["std"], 0) and np.allclose(out["mutual_info"], 0, atol=1e-6)
    torch.manual_seed(0)
    m = archs.build_model("mlp", "tiny", dropout=0.5, norm="batchnorm").train()
    before = m.layers[0].norm.running_mean.clone()
    out = reg.mc_dropout(m, x, samples=5)
    assert out["probs"].shape == (5, 20, 10) and out["std"].max() > 0.01
    assert torch.equal(before, m.layers[0].norm.running_mean)  # batch norm ran in evaluation mode
    assert m.training  # the model's mode is put back


def test_mc_dropout_disagrees_more_on_the_digits_it_gets_wrong():
    r = reg.mc_dropout_digits(dropout=0.5, samples=20, num_steps=300)
    ok = r["pred"] == r["labels"]
    assert r["acc_mc"] > 0.9 and (~ok).sum() >= 5
    assert r["mutual_info"][~ok].mean() > 1.5 * r["mutual_info"][ok].mean()  # measured 0.39 against 0.16


def test_deep_tanh_activations_fade_without_batch_norm_and_hold_with_it():
    none = reg.layer_stats(10, "tanh", "none", steps=0)
    bn = reg.layer_stats(10, "tanh", "batchnorm", steps=0)
    assert none["std"][-1] < 0.5 * none["std"][0]  # measured 0.26 -> 0.09
    assert none["grad"][0] < 0.2 * none["grad"][-1]  # measured 0.0013 against 0.0116
    assert 0.9 < bn["std"][-1] / bn["std"][0] < 1.1
    assert bn["grad"][0] > 100 * none["grad"][0]
    trained_none = reg.layer_stats(10, "tanh", "none", steps=200)
    trained_bn = reg.layer_stats(10, "tanh", "batchnorm", steps=200)
    assert trained_none["test_acc"] < 0.3 and trained_bn["test_acc"] > 0.85  # measured 0.10 and 0.92


def test_batch_norm_depends_on_the_batch_and_layer_norm_does_not():
    x = digits().x_train.reshape(-1, 64)
    dep = reg.batch_dependence(x, batch_sizes=(2, 8, 64), draws=10)
    assert np.all(dep["layernorm"] < 1e-5)
    assert dep["batchnorm"][0] > 3 * dep["batchnorm"][-1] > 0  # measured 0.53 against 0.12
    both = reg.normalise_both(torch.randn(6, 5) * 3 + 1)
    assert np.allclose(both["batchnorm"].mean(0), 0, atol=1e-5) and np.allclose(
        both["batchnorm"].std(0), 1, atol=1e-3
    )
    assert np.allclose(both["layernorm"].mean(1), 0, atol=1e-5) and np.allclose(
        both["layernorm"].std(1), 1, atol=1e-3
    )


def test_layer_norm_beats_batch_norm_at_batches_of_two():
    runs = reg.norm_race(batch_size=2, num_steps=300)
    acc = {k: [r for r in h if "test_acc" in r][-1]["test_acc"] for k, h in runs.items()}
    assert acc["layer norm"] > acc["batch norm"] + 0.15, acc  # measured 0.88 against 0.58


def test_figures():
    hist = [
        {"step": 50, "train_acc": 0.8, "test_acc": 0.7, "train_loss": 0.5, "test_loss": 0.8},
        {
            "step": 100,
            "train_acc": 0.9,
            "test_acc": 0.8,
            "train_loss": 0.3,
            "test_loss": 0.6,
            "restored_from": 50,
        },
    ]
    fig = vr.overfit_figure({"a": hist, "b": hist[:1]})
    names = {t.name for t in fig.data}
    assert {"a · train", "a · test", "b · test"} <= names and any("early stop" in n for n in names)
    assert len(vr.gap_figure({"a": 0.3, "b": -0.1}).data[0].x) == 2
    probs = np.random.default_rng(0).dirichlet(np.ones(10), size=(4, 3))  # (T, n, K)
    assert len(vr.mc_examples_figure(np.zeros((3, 8, 8)), probs, np.array([1, 2, 3])).data) == 6
    stats = {"a": reg.layer_stats(3, "relu", "none")}
    assert len(vr.activation_figure(stats).data) == 3 and len(vr.activation_hist_figure(stats).data) == 1
    assert len(vr.norm_axes_figure(reg.normalise_both(torch.randn(4, 6))).data) == 3


def test_page_draws_every_tab():
    at = open_page("pages/regularization.py", timeout=240)
    labels = {t.label for t in at.tabs}
    assert {
        "Idea",
        "Over-fitting",
        "Monte-Carlo dropout",
        "Activations",
        "Batch norm vs layer norm",
    } <= labels
    assert len(at.latex) >= 4 and not at.error
    for key in (
        "reg.mc.examples",
        "reg.mc.hist",
        "reg.act.stats",
        "reg.norm.axes",
        "reg.norm.dep",
        "reg.norm.race",
    ):
        assert chart(at, key) is not None, key


def test_overfitting_lab_keeps_every_run_on_the_chart():
    at = on_tab("pages/regularization.py", "reg.tab", "Over-fitting", reg__fit__n=10)
    at.selectbox(key="reg.fit.train.nstep").set_value(50).run()
    at.button(key="reg.fit.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.slider(key="reg.fit.wd").set_value(10.0).run()
    at.button(key="reg.fit.train.step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    fig = chart(at, "reg.fit.train.view.curves")
    names = {t.get("name") for t in fig["data"]}
    assert {"unregularised · train", "unregularised · test", "λ 10 · test"} <= names, names
    assert chart(at, "reg.fit.train.view.gap") is not None
