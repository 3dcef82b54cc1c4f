"""The echo state network: the reservoir has the spectral radius asked for, the echo-state property holds
below 1 and breaks well above it, the Mackey–Glass recipe forecasts better than persistence, bad settings
are refused with a sentence, and the lab draws."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import archs
from archs import ConfigError
from data.timeseries import mackey_glass
from tests.apptest import app_test
from training import get_recipe
from training.energy.esn import divergence


def test_mackey_glass_is_seeded_bounded_and_chaotic_looking():
    a, b = mackey_glass(500, seed=0), mackey_glass(500, seed=0)
    assert a.shape == (500, 1) and np.array_equal(a, b)
    assert 0.2 < a.min() < a.max() < 1.5  # the τ = 17 attractor lives in about [0.4, 1.35]
    assert not np.allclose(a, mackey_glass(500, seed=1))
    with pytest.raises(ValueError, match="delay"):
        mackey_glass(100, tau=0.5)


def test_reservoir_is_scaled_to_the_spectral_radius_and_only_the_readout_learns():
    torch.manual_seed(0)
    m = archs.build_model("esn", reservoir_size=80, spectral_radius=1.3)
    assert abs(m.spectral_radius() - 1.3) < 1e-4
    assert [n for n, p in m.named_parameters() if p.requires_grad] == ["readout.weight", "readout.bias"]
    assert m(torch.randn(2, 7, 1)).shape == (2, 7, 1)


def test_echo_state_property_holds_below_one_and_breaks_far_above():
    u = torch.as_tensor(mackey_glass(300, seed=0), dtype=torch.float32) - 0.9
    gaps = {}
    for rho in (0.8, 2.5):
        torch.manual_seed(0)
        m = archs.build_model("esn", reservoir_size=100, spectral_radius=rho, input_scale=0.2)
        gaps[rho] = float(divergence(m, u)[-50:].mean())
    assert gaps[0.8] < 1e-6 and gaps[2.5] > 0.05, gaps


def test_esn_mackey_glass_beats_persistence():
    """Measured with seeds 0-3: one-step NRMSE 0.0008 against persistence 0.146; free-running over 100
    steps 0.02-0.17 against 1.0-1.6 for the held last value."""
    t = get_recipe("esn_mackey_glass").trainer(seed=0)
    t.step(t.num_steps)
    ev = t.last_eval()
    assert t.status == "done", t.message
    assert ev["test_nrmse"] < 0.1 * ev["persistence_nrmse"], ev
    assert ev["free_nrmse"] < 0.5 * ev["free_persistence_nrmse"], ev


def test_bad_settings_are_refused_with_a_sentence():
    with pytest.raises(ConfigError, match="spectral radius must be positive"):
        archs.build_model("esn", spectral_radius=0.0)
    with pytest.raises(ConfigError, match="reservoir_size"):
        archs.build_model("esn", reservoir_size=50_000)
    with pytest.raises(ConfigError, match="washout"):
        get_recipe("esn_mackey_glass").trainer(washout=5000)


def test_lab_forecasts_and_shows_the_echo_state_property():
    at = app_test("pages/energy.py", every_tab=False, timeout=300)
    at.query_params["energy.tab"] = "ESN"
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    ids = [c.proto.id for c in at.get("plotly_chart")]
    assert any("energy.esn.forecast" in i for i in ids) and any("energy.esn.divergence" in i for i in ids)
    assert any("converged" in m.value for m in at.markdown)
    at.slider(key="energy.esn.rho").set_value(2.2).run()
    assert not at.exception and any("**not** converged" in m.value for m in at.markdown)
