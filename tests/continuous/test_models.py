"""The continuous family's models: B-splines that sum to one, a KAN without splines that is its silu base
path, a neural ODE whose evaluations rise as the tolerance falls (and whose ResNet twin has its exact
parameters), NeRF's encodings of 63 and 27 numbers and its Fig. 7 count, and the bad settings refused
with sentences."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import archs
from archs import ConfigError
from archs.continuous.kan import bspline_basis, uniform_knots
from archs.continuous.nerf import PositionalEncoding, render_rays
from data.continuous import spiral_path
from training.continuous.kan import best_symbolic
from training.continuous.ode import ResidualSteps, nfe_sweep


@pytest.mark.parametrize("grid,order", [(5, 3), (3, 1), (7, 2), (1, 4)])
def test_the_b_spline_basis_is_a_partition_of_unity_on_the_grid(grid, order):
    knots = uniform_knots(grid, order, 1.0, 2)
    x = torch.rand(500, 2) * 1.998 - 0.999  # inside [−1, 1]
    b = bspline_basis(x, knots, order)
    assert b.shape == (500, 2, grid + order)
    assert torch.allclose(b.sum(-1), torch.ones(500, 2), atol=1e-5)
    assert (b >= -1e-7).all()
    outside = bspline_basis(torch.full((3, 2), 100.0), knots, order)  # beyond the extended grid: nothing
    assert outside.abs().max() == 0


def test_a_kan_whose_spline_weights_are_zero_is_its_silu_base_path():
    torch.manual_seed(0)
    model = archs.build_model("kan", "tiny", hidden_dims=(4,))
    x = torch.rand(64, 2) * 2 - 1
    full = model(x)
    with torch.no_grad():
        for layer in model.layers:
            layer.scale_spline.zero_()
    h = x
    for layer in model.layers:
        h = F.silu(h) @ layer.scale_base.t()
    assert torch.allclose(model(x), h, atol=1e-6)
    assert not torch.allclose(full, h, atol=1e-3)  # the splines did contribute before
    assert archs.count_params(archs.build_model("kan", "tiny")) == 150  # [2, 5, 1], G = 5, k = 3


def test_the_neural_odes_evaluations_rise_as_the_tolerance_falls():
    torch.manual_seed(0)
    model = archs.build_model("neural_ode", "canonical")
    t, path = spiral_path(200, 10.0)
    rows = nfe_sweep(model, torch.tensor(path[:1]), torch.tensor(t[::10]), tolerances=(1e-1, 1e-3, 1e-5))
    nfe = [r["nfe"] for r in rows]
    assert nfe[0] < nfe[1] < nfe[2], rows
    assert rows[0]["err"] > rows[2]["err"]  # and the solve gets more exact
    twin = ResidualSteps(model.func)
    assert archs.count_params(twin) == archs.count_params(model) == 252
    z = twin.trajectory(torch.tensor(path[:1]), torch.arange(5.0))
    assert z.shape == (5, 1, 2) and twin.func.nfe == 4


def test_the_neural_ode_solves_what_torchdiffeq_solves_and_draws_f_once_on_meta():
    torch.manual_seed(0)
    model = archs.build_model("neural_ode", "tiny", method="dopri5", t_end=2.0)
    z0 = torch.randn(3, 2)
    from torchdiffeq import odeint

    want = odeint(model.func, z0, torch.tensor([0.0, 2.0]), rtol=1e-3, atol=1e-4)[-1]
    assert torch.allclose(model(z0), want)
    g = archs.build_model("neural_ode", "canonical", device="meta")
    assert g(torch.randn(3, 2, device="meta")).shape == (3, 2)


def test_nerf_encodes_points_in_63_and_directions_in_27_numbers_and_fig7_counts_593924():
    pe, de = PositionalEncoding(3, 10), PositionalEncoding(3, 4)
    assert pe.out_dim == 3 + 3 * 2 * 10 == 63 and de.out_dim == 3 + 3 * 2 * 4 == 27
    p = torch.rand(5, 3)
    g = pe(p)
    assert g.shape == (5, 63) and torch.equal(g[:, :3], p)
    assert torch.allclose(g[:, 3:6], torch.sin(torch.pi * p)) and torch.allclose(
        g[:, 6:9], torch.cos(torch.pi * p)
    )
    assert PositionalEncoding(3, 10, include_input=False).out_dim == 60
    assert archs.count_params(archs.build_model("nerf", "canonical", device="meta")) == 593_924
    code = archs.build_model("nerf", "canonical", include_input=True, device="meta")
    assert archs.count_params(code) == 595_844  # the authors' code, with p itself in γ
    out = archs.build_model("nerf", "tiny")(torch.cat([torch.rand(4, 3), F.normalize(torch.randn(4, 3))], 1))
    assert (
        out.shape == (4, 4) and (out[:, :3] >= 0).all() and (out[:, :3] <= 1).all() and (out[:, 3] >= 0).all()
    )


def test_symbolic_read_back_names_sin_and_square():
    x = torch.linspace(-1, 1, 60).numpy()
    s = best_symbolic(x, 0.7 * np.sin(3.14159 * x) + 0.2)
    assert s["name"] == "sin" and s["r2"] > 0.99
    q = best_symbolic(x, 2.0 * x**2 - 1)
    assert q["name"] == "x²" and q["r2"] > 0.999
    e = best_symbolic(x, np.exp(1.5 * x))
    assert e["name"] == "exp" and e["r2"] > 0.999


@pytest.mark.parametrize(
    "arch,bad,words",
    [
        ("neural_ode", dict(rtol=0.0), "rtol"),
        ("neural_ode", dict(atol=-1e-3), "atol"),
        ("kan", dict(grid_size=0), "grid_size \\(0\\) must be at least 1"),
        ("kan", dict(spline_order=0), "spline_order \\(0\\) must be at least 1"),
        ("nerf", dict(skip_layer=8), "skip_layer \\(8\\) must be below depth"),
        ("nerf", dict(pos_freqs=0, include_input=False), "no input at all"),
    ],
)
def test_bad_settings_are_refused_with_a_sentence(arch, bad, words):
    with pytest.raises(ConfigError, match=words):
        archs.get_arch(arch).make_config("canonical" if arch != "kan" else "tiny", **bad)


def test_a_tolerance_of_zero_is_refused_by_the_solver_helper_with_advice():
    from archs.continuous.neural_ode import check_tolerances

    with pytest.raises(ConfigError, match="must be greater than 0.*Try 1e-3"):
        check_tolerances(0.0, 1e-4)


def test_volume_rendering_of_a_uniform_fog_lets_exp_of_minus_sigma_times_length_through():
    sigma, colour = 0.7, torch.tensor([0.2, 0.5, 0.9])

    def fog(x):  # (N, 6) -> (N, 4): the same colour and density everywhere
        return torch.cat([colour.expand(len(x), 3), torch.full((len(x), 1), sigma)], 1)

    o = torch.zeros(3, 3)
    d = F.normalize(torch.randn(3, 3), dim=-1)
    rgb, w = render_rays(fog, o, d, near=2.0, far=6.0, n_samples=32)
    opacity = 1 - np.exp(-sigma * 4.0)  # the light the fog stops over a length of 4
    assert torch.allclose(w.sum(1), torch.full((3,), opacity, dtype=torch.float32), atol=1e-5)
    assert torch.allclose(rgb, opacity * colour.expand(3, 3), atol=1e-5)
    assert (w[:, 1:] < w[:, :-1]).all()  # nearer samples hide the farther ones
    rgb, _ = render_rays(archs.build_model("nerf", "tiny"), o, d, 2.0, 6.0, 8)
    assert rgb.shape == (3, 3) and torch.isfinite(rgb).all()
