"""Environments: the GridWorld's dynamics and model, EnvData, frames, and names that do not exist."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.envs import ENVS, EnvData, GridWorld, env_data, frames_available, render_state
from training.rl.tabular import value_iteration

UP, RIGHT, DOWN, LEFT = range(4)


def test_gridworld_moves_bumps_and_ends():
    g = GridWorld()
    s, _ = g.reset(seed=0)
    assert g.cell(s) == g.start == (4, 0) and g.shape == (5, 5)
    s, r, term, trunc, _ = g.step(RIGHT)  # (4, 1) is a wall: stay
    assert g.cell(s) == (4, 0) and r == pytest.approx(-0.04) and not term
    s, *_ = g.step(LEFT)  # the edge: stay
    assert g.cell(s) == (4, 0)
    for a in (UP, UP, UP, UP, RIGHT, RIGHT, RIGHT):
        s, r, term, *_ = g.step(a)
    assert g.cell(s) == (0, 3) and not term
    s, r, term, trunc, _ = g.step(RIGHT)
    assert g.cell(s) == g.goal and r == 1.0 and term and not trunc


def test_gridworld_pit_and_time_limit():
    g = GridWorld(max_steps=3)
    g.reset()
    g.pos = (2, 4)
    s, r, term, *_ = g.step(UP)
    assert g.cell(s) in g.pits and r == -1.0 and term
    g.reset()
    out = [g.step(LEFT) for _ in range(3)]
    assert out[-1][3] and not out[-1][2]  # truncated, not terminated


@settings(max_examples=40, deadline=None, derandomize=True)
@given(state=st.integers(0, 24), action=st.integers(0, 3), slip=st.sampled_from([0.0, 0.2]))
def test_the_model_is_a_distribution_that_matches_step(state, action, slip):
    g = GridWorld(slip=slip)
    outcomes = g.transitions(state, action)
    cell = g.cell(state)
    if cell in g.walls or g.is_terminal(cell):
        assert outcomes == []
        return
    assert sum(p for p, *_ in outcomes) == pytest.approx(1.0)
    if slip == 0.0:
        g.reset()
        g.pos = cell
        s2, r, term, *_ = g.step(action)
        assert outcomes == [(1.0, s2, r, term)]


def test_value_iteration_solves_the_default_grid():
    g = GridWorld()
    V, greedy = value_iteration(g, gamma=1.0)
    assert V[0, 3] == pytest.approx(1.0) and V[0, 4] == 0.0 and np.isnan(V[1, 1])
    assert V[4, 0] == pytest.approx(1.0 - 7 * 0.04)  # 8 moves: 7 cost 0.04, the last earns 1
    assert greedy[0, 3] == RIGHT and greedy[2, 4] == LEFT and greedy[1, 1] == -1 and greedy[0, 4] == -1


def test_env_data_describes_each_environment():
    cp = env_data("CartPole-v1")
    assert (cp.obs_dim, cp.num_actions, cp.continuous, cp.num_states, cp.reward_threshold) == (
        4,
        2,
        False,
        None,
        475.0,
    )
    assert cp.obs_names[2] == "pole angle" and cp.action_names == ("push left", "push right")
    assert cp.obs_low[2] == -0.21 and cp.obs_high[3] == 2.0 and cp.kind == "rl"
    pend = env_data("Pendulum-v1")
    assert pend.continuous and pend.num_actions == 1 and pend.obs_dim == 3
    gw = env_data("GridWorld")
    assert gw.num_states == gw.obs_dim == 25 and gw.action_names == ("up", "right", "down", "left")
    assert isinstance(gw.make(seed=0), GridWorld)
    for e in ENVS:
        d = env_data(e)
        assert isinstance(d, EnvData) and len(d.obs_names) == d.obs_dim == len(d.obs_low) == len(d.obs_high)
        assert len(d.action_names) == (d.num_actions if not d.continuous else 1)
    assert hash(env_data("CartPole-v1")) == hash(cp)  # frozen: usable as a cache key


def test_vector_envs_reset_in_the_same_step_and_keep_the_final_observation():
    envs = env_data("CartPole-v1").make_vec(3, seed=0)
    obs, _ = envs.reset(seed=0)
    assert obs.shape == (3, 4)
    for _ in range(200):
        obs, r, term, trunc, info = envs.step(np.zeros(3, dtype=np.int64))  # always left: falls fast
        if term.any():
            i = int(np.flatnonzero(term)[0])
            assert info["_final_obs"][i] and abs(info["final_obs"][i][2]) > 0.2  # the pole had fallen
            assert abs(obs[i][2]) < 0.06  # and the returned observation starts the next episode
            return
    pytest.fail("no episode ended")


def test_unknown_environments_are_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="no environment called 'CartPole-v0'.*CartPole-v1.*GridWorld"):
        env_data("CartPole-v0")
    with pytest.raises(ValueError, match="GridWorld"):
        render_state("Breakout", np.zeros(4))


@pytest.mark.skipif(not frames_available(), reason="pygame is not installed")
def test_render_state_draws_the_state_it_is_given():
    a = render_state("CartPole-v1", np.array([0.0, 0.0, 0.0, 0.0]))
    b = render_state("CartPole-v1", np.array([0.0, 0.0, 0.2, 0.0]))
    assert a.shape == (400, 600, 3) and a.dtype == np.uint8 and not np.array_equal(a, b)
    for env, state in [("Acrobot-v1", np.zeros(6)), ("MountainCar-v0", np.array([-0.5, 0.0])),
                       ("Pendulum-v1", np.array([1.0, 0.0, 0.0])), ("FrozenLake-v1", 5)]:  # fmt: skip
        f = render_state(env, state)
        assert f.ndim == 3 and f.shape[2] == 3 and f.shape[0] <= 400 and f.shape[1] <= 600, env
    g = render_state("GridWorld", 12)
    assert g.shape == (400, 400, 3) and g.dtype == np.uint8
    assert not np.array_equal(g, render_state("GridWorld", 13))


@pytest.mark.skipif(not frames_available(), reason="pygame is not installed")
def test_render_state_is_safe_from_several_threads():
    want = render_state("CartPole-v1", np.array([0.5, 0.0, 0.1, 0.0]))
    got, errors = [], []

    def draw():
        try:
            for x in (0.5, -0.5):
                f = render_state("CartPole-v1", np.array([x, 0.0, 0.1, 0.0]))
                if x == 0.5:
                    got.append(f)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(np.array_equal(f, want) for f in got)


def test_optimal_actions_hold_value_iterations_choice_and_its_ties():
    from training.rl.tabular import optimal_actions

    g = GridWorld()
    best = optimal_actions(g, 0.95)
    _, greedy = value_iteration(g, 0.95)
    acts = greedy >= 0
    assert (best.any(-1) == acts).all()
    rows, cols = np.nonzero(acts)
    assert best[rows, cols, greedy[rows, cols]].all()
    assert best.sum() > acts.sum()  # somewhere two moves are equally short
