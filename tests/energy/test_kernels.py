"""The RBF network and the extreme learning machine: closed-form fits reach a stated accuracy on the 2-D
toy sets, ELM's readout is the least-squares solution, an RBF network with more centres than points is
refused with a sentence, and the lab draws both boundaries."""

from __future__ import annotations

import pytest
import torch

import archs
from archs import ConfigError
from tests.apptest import app_test
from training.energy.kernels import fit_elm, one_hot, toy_fit, with_ones

# test accuracy, 400 points, noise 0.1 (spiral 0), seeds 0-2: measured RBF (30 centres) ≥ 0.945, ELM (200
# sigmoid units) ≥ 0.97 on every set
FLOOR = {"moons": 0.95, "circle": 0.95, "xor": 0.9, "spiral": 0.85, "gauss": 0.95}


@pytest.mark.parametrize("dataset", list(FLOOR))
def test_closed_form_fits_reach_a_sensible_accuracy(dataset):
    noise = 0.0 if dataset == "spiral" else 0.1
    for seed in (0, 1):
        rbf = toy_fit("rbf_net", dataset, noise, 400, seed, num_centers=30)
        elm = toy_fit("elm", dataset, noise, 400, seed, hidden_dim=200)
        assert rbf["test_acc"] >= FLOOR[dataset] and elm["test_acc"] >= FLOOR[dataset], (seed, rbf, elm)
        assert rbf["probs"].shape == (80, 80, 2) and rbf["centers"].shape == (30, 2)


def test_elm_readout_is_the_least_squares_solution_and_the_hidden_layer_is_frozen():
    torch.manual_seed(0)
    m = archs.build_model("elm", hidden_dim=20)
    x, y = torch.randn(100, 2), torch.randint(0, 2, (100,))
    hidden_before = m.random.weight.clone()
    fit_elm(m, x, y, ridge=0.0)
    h = with_ones(m.hidden(x)).double()
    beta = torch.linalg.lstsq(h, one_hot(y, 2).double()).solution
    assert torch.allclose(m.readout.weight.detach().double(), beta[:-1].T, atol=1e-3)
    assert torch.equal(m.random.weight, hidden_before) and not m.random.weight.requires_grad


def test_rbf_with_more_centres_than_points_is_a_sentence():
    with pytest.raises(ConfigError, match="more centres than points"):
        toy_fit("rbf_net", "moons", 0.1, 40, 0, num_centers=100)


def test_lab_draws_both_boundaries_and_refuses_too_many_centres():
    at = app_test("pages/energy.py", every_tab=False, timeout=300)
    at.query_params["energy.tab"] = "RBF & ELM"
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    ids = [c.proto.id for c in at.get("plotly_chart")]
    assert any("energy.kern.rbf" in i for i in ids) and any("energy.kern.elm" in i for i in ids)
    at.select_slider(key="energy.kern.n").set_value(40).run()
    at.slider(key="energy.kern.centers").set_value(100).run()
    assert not at.exception and any("more centres than points" in e.value for e in at.error)
