"""The RL probes: shapes and meaning of what the page draws, for every kind of network."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import archs
from data.envs import env_data
from training import get_recipe
from training.rl.probes import episode_probe, gridworld_probe, slice_probe, value_iteration

CARTPOLE = env_data("CartPole-v1")


def _net(name: str, d=CARTPOLE, **kw):
    torch.manual_seed(0)
    return archs.build_model(name, obs_dim=d.obs_dim, num_actions=d.num_actions, **kw).eval()


@pytest.mark.parametrize("name", ["policy_mlp", "actor_critic", "q_mlp", "dueling_q"])
def test_episode_probe_records_what_the_network_thought_at_each_step(name):
    kw = {"continuous": False} if name in ("policy_mlp", "actor_critic") else {}
    out = episode_probe(CARTPOLE, seed=3, max_steps=500)(_net(name, **kw))
    T = out["length"]
    assert out["states"].shape == (T, 4) and out["states"].dtype == np.float32
    assert out["actions"].shape == (T,) and out["rewards"].shape == (T,) and out["return"] == float(T)
    if name in ("q_mlp", "dueling_q"):
        assert out["q"].shape == (T, 2) and out["probs"] is None
        assert np.array_equal(out["actions"], out["q"].argmax(-1)) and np.allclose(
            out["value"], out["q"].max(-1)
        )
    else:
        assert out["probs"].shape == (T, 2) and np.allclose(out["probs"].sum(-1), 1, atol=1e-5)
        assert np.array_equal(out["actions"], out["probs"].argmax(-1)) and out["q"] is None
        assert (out["value"] is None) == (name == "policy_mlp")
    assert out["mean"] is None and out["std"] is None


def test_episode_probe_is_deterministic_and_respects_max_steps():
    net = _net("actor_critic")
    a, b = episode_probe(CARTPOLE, seed=1)(net), episode_probe(CARTPOLE, seed=1)(net)
    assert np.array_equal(a["actions"], b["actions"]) and a["return"] == b["return"]
    assert episode_probe(CARTPOLE, max_steps=5)(net)["length"] <= 5


def test_episode_probe_on_continuous_and_grid_environments():
    pend = env_data("Pendulum-v1")
    out = episode_probe(pend, max_steps=200)(_net("actor_critic", pend, continuous=True))
    assert out["states"].shape == (200, 3) and out["actions"].shape == (200, 1)
    assert out["mean"].shape == (200, 1) and out["std"].shape == (1,) and out["value"].shape == (200,)
    gw = env_data("GridWorld")
    table = archs.build_model("q_table", num_states=25, num_actions=4)
    out = episode_probe(gw, max_steps=10)(table)
    assert out["states"].shape == (10,) and out["states"].dtype == np.int64 and out["q"].shape == (10, 4)
    out = episode_probe(gw, max_steps=10)(_net("q_mlp", gw))  # a network sees the cell one-hot
    assert out["q"].shape == (10, 4)


def test_slice_probe_maps_the_network_over_two_observation_dimensions():
    net = _net("actor_critic")
    out = slice_probe(CARTPOLE, dims=(2, 3), grid=9)(net)
    assert out["xs"].shape == out["ys"].shape == (9,) and out["xlabel"] == "pole angle"
    assert out["ylabel"] == "pole angular velocity" and out["xs"][0] == pytest.approx(-0.21)
    assert out["value"].shape == (9, 9) and out["probs"].shape == (9, 9, 2) and out["q"] is None
    assert out["action"].shape == (9, 9)
    # rows follow ys, columns xs: the cell (row 1, col 7) is the network at (x = xs[7], y = ys[1])
    x = torch.tensor([[0.0, 0.0, float(out["xs"][7]), float(out["ys"][1])]])
    assert out["value"][1, 7] == pytest.approx(float(net.value(x).detach()), abs=1e-5)
    fixed = slice_probe(CARTPOLE, grid=5, fixed=np.array([1.0, 0.5, 0.0, 0.0]))(net)
    assert not np.allclose(fixed["value"], slice_probe(CARTPOLE, grid=5)(net)["value"])
    q = slice_probe(CARTPOLE, grid=5)(_net("q_mlp"))
    assert q["q"].shape == (5, 5, 2) and np.array_equal(q["action"], q["q"].argmax(-1))
    car = env_data("MountainCar-v0")
    out = slice_probe(car, grid=4)(_net("q_mlp", car))  # 2 observation dims: (0, 1)
    assert out["xlabel"] == "position" and out["q"].shape == (4, 4, 3)
    pend = env_data("Pendulum-v1")
    out = slice_probe(pend, dims=(0, 2), grid=4)(_net("actor_critic", pend, continuous=True))
    assert out["action"].shape == (4, 4) and out["action"].dtype == np.float32
    with pytest.raises(ValueError, match="cell id"):
        slice_probe(env_data("GridWorld"))


def test_gridworld_probe_matches_value_iteration_after_q_learning():
    t = get_recipe("tabular_q_gridworld").trainer(seed=0)
    t.step(t.num_steps)
    out = gridworld_probe(t.env_data)(t.model)
    assert out["value"].shape == (5, 5) and out["greedy"].shape == (5, 5) and out["q"].shape == (5, 5, 4)
    assert out["walls"].sum() == 5 and out["goal"] == (0, 4) and out["pits"] == [(1, 4)]
    assert np.isnan(out["value"][out["walls"]]).all() and (out["greedy"][out["walls"]] == -1).all()
    assert out["greedy"][0, 4] == -1 and out["greedy"][1, 4] == -1  # terminal cells
    V, _ = value_iteration(t.env_data.make(), t.task.gamma)
    free = ~out["walls"]
    free[0, 4] = free[1, 4] = False
    # from 0 and deterministic moves Q-learning approaches Q* from below; the start's way has converged
    assert (out["value"][free] <= V[free] + 1e-6).all()
    for cell in [(4, 0), (3, 0), (2, 0), (1, 0), (0, 0), (0, 1), (0, 2), (0, 3)]:
        assert out["value"][cell] == pytest.approx(V[cell], abs=0.01), cell


def test_gridworld_probe_for_networks_and_frozenlake():
    gw = env_data("GridWorld")
    out = gridworld_probe(gw)(_net("policy_mlp", gw))
    assert np.isnan(out["value"]).all() and out["probs"].shape == (5, 5, 4) and out["q"] is None
    lake = env_data("FrozenLake-v1")
    out = gridworld_probe(lake)(archs.build_model("q_table", num_states=16, num_actions=4))
    assert out["goal"] == (3, 3) and len(out["pits"]) == 4 and not out["walls"].any()
    with pytest.raises(ValueError, match="not a grid"):
        gridworld_probe(CARTPOLE)


def test_the_pendulum_slice_spans_real_states_angle_by_angular_velocity():
    from training.rl.probes import pendulum_slice_probe

    pend = env_data("Pendulum-v1")
    net = _net("actor_critic", pend, continuous=True)
    out = pendulum_slice_probe(pend, grid=7)(net)
    assert out["xs"][0] == pytest.approx(-np.pi) and out["ys"][-1] == pytest.approx(8.0)
    assert out["value"].shape == (7, 7) and out["action"].shape == (7, 7)
    # the cell (row 2, col 5) is the network at θ = xs[5], θ̇ = ys[2], observed as (cos θ, sin θ, θ̇)
    th, w = float(out["xs"][5]), float(out["ys"][2])
    x = torch.tensor([[np.cos(th), np.sin(th), w]], dtype=torch.float32)
    assert out["value"][2, 5] == pytest.approx(float(net.value(x).detach()), abs=1e-5)
    with pytest.raises(ValueError, match="Pendulum"):
        pendulum_slice_probe(CARTPOLE)
