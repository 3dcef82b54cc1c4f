"""The reinforcement-learning figures, on hand-made histories and probe outputs."""

from __future__ import annotations

import numpy as np

from viz.rl import ARROWS, band, compare_figure, episode_figure, gridworld_figure, rl_curves, slice_figure


def _history(n: int = 40) -> list[dict]:
    rows = []
    for i in range(1, n + 1):
        row = {
            "step": i,
            "env_steps": 512 * i,
            "loss": 1.0 / i,
            "policy_loss": -0.01 * i,
            "value_loss": 10.0 * i,
            "entropy": 0.69 - 0.01 * i,
        }
        if i % 2 == 0:
            row["episode_return"] = 10.0 * i
        if i % 10 == 0:
            row["eval_return"] = 12.0 * i
        rows.append(row)
    return rows


def test_curves_show_returns_on_environment_steps_with_the_solved_line_and_the_losses_apart():
    fig = rl_curves(_history(), threshold=475)
    names = [t.name for t in fig.data]
    assert "return (smoothed)" in names and "evaluation (greedy)" in names
    ev = next(t for t in fig.data if t.name == "evaluation (greedy)")
    assert list(ev.x) == [5120, 10240, 15360, 20480] and list(ev.y) == [120, 240, 360, 480]
    assert any(s.y0 == 475 and s.y1 == 475 for s in fig.layout.shapes)
    assert any("solved: 475" in a.text for a in fig.layout.annotations)
    value = next(t for t in fig.data if (t.name or "").startswith("value loss"))
    policy = next(t for t in fig.data if t.name == "policy loss")
    assert value.yaxis != policy.yaxis  # the value loss on its own axis: its scale is the returns' squared
    assert "policy entropy" in [a.text for a in fig.layout.annotations]
    assert fig.layout.xaxis.title.text == "environment steps"


def test_curves_of_dqn_show_epsilon_and_no_threshold_when_none():
    rows = [
        {"step": i, "env_steps": i * 4, "loss": 1.0, "q_loss": 0.5, "epsilon": max(0.05, 1 - i / 50)}
        for i in range(1, 80)
    ]
    fig = rl_curves(rows)
    assert not fig.layout.shapes
    assert any(t.name == "TD loss" for t in fig.data)
    assert "ε (random-action rate)" in [a.text for a in fig.layout.annotations]


def test_band_is_mean_and_spread_over_seeds_and_empty_where_no_seed_has_reached():
    grid = np.array([0.0, 5.0, 10.0, 20.0])
    flat = [(np.array([0.0, 10.0]), np.array([1.0, 1.0])), (np.array([0.0, 10.0]), np.array([3.0, 3.0]))]
    mean, lo, hi = band(flat, grid)
    np.testing.assert_allclose(mean[:3], 2.0)
    np.testing.assert_allclose(hi[:3] - lo[:3], 2.0)
    assert np.isnan(mean[3])
    fig = compare_figure({"PPO": flat, "DQN": [(np.array([]), np.array([]))]}, threshold=475)
    assert any("PPO (mean of 2 seeds)" == t.name for t in fig.data)
    assert not any(t.name and t.name.startswith("DQN") for t in fig.data)


def test_gridworld_draws_walls_grey_and_one_arrow_per_free_cell():
    value = np.arange(12, dtype=float).reshape(3, 4) / 12
    walls = np.zeros((3, 4), bool)
    walls[1, 1] = True
    greedy = np.full((3, 4), 1)
    greedy[1, 1] = -1
    greedy[0, 3] = greedy[1, 3] = -1  # the goal and the pit: no action there
    gp = {"value": value, "walls": walls, "greedy": greedy, "goal": (0, 3), "pits": [(1, 3)]}
    fig = gridworld_figure(gp, "learned")
    texts = [a.text for a in fig.layout.annotations]
    assert sum(t.startswith(ARROWS[1]) for t in texts) == 12 - 3
    assert "GOAL" in texts and "PIT" in texts
    fills = sorted(sh.fillcolor for sh in fig.layout.shapes)
    assert fills == ["#2f9e44", "#868e96", "#c92a2a"]  # the goal green, the wall grey, the pit red
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]  # row 0 on top


def test_slice_shows_what_the_network_does_and_what_it_expects():
    g = np.linspace(-1, 1, 5)
    probs = np.stack([np.full((5, 5), 0.3), np.full((5, 5), 0.7)], -1)
    sl = {
        "xs": g,
        "ys": g,
        "xlabel": "pole angle",
        "ylabel": "pole angular velocity",
        "probs": probs,
        "value": np.ones((5, 5)),
        "q": None,
        "action": np.ones((5, 5), int),
    }
    fig = slice_figure(sl, ("push left", "push right"))
    assert [a.text for a in fig.layout.annotations][:2] == [
        "P(push right)",
        "V(s), the value the network expects",
    ]
    np.testing.assert_allclose(np.asarray(fig.data[0].z), 0.7)
    q = {**sl, "probs": None, "value": None, "q": np.stack([np.zeros((5, 5)), np.ones((5, 5))], -1)}
    fig = slice_figure(q, ("push left", "push right"))
    assert len(fig.data) == 1 and fig.layout.annotations[0].text.startswith("Q(push right) − Q(push left)")


def test_episode_marks_the_frame_on_both_panels():
    T = 30
    ep = {
        "length": T,
        "states": np.zeros((T, 4)),
        "actions": np.zeros(T, int),
        "probs": np.full((T, 2), 0.5),
        "q": None,
        "value": np.arange(T, dtype=float),
        "mean": None,
        "return": 30.0,
    }
    fig = episode_figure(ep, 7, ("push left", "push right"), ("x", "v", "θ", "ω"))
    assert [s.x0 for s in fig.layout.shapes] == [7, 7]
    assert {t.name for t in fig.data} >= {"P(push left)", "P(push right)", "θ", "V(s) (right axis)"}


def test_the_shared_training_curves_show_an_agents_evaluation_return():
    """Compare's "Train on one recipe" draws any recipe's history with viz.curves: an agent has no test
    loss, its evaluations are returns."""
    from viz.curves import training_curves

    rows = [{"step": i, "loss": 1.0} for i in range(1, 20)]
    rows[9]["eval_return"], rows[18]["eval_return"] = 50.0, 100.0
    fig = training_curves({"run": rows})
    ev = next(t for t in fig.data if t.name == "evaluation return")
    assert list(ev.x) == [10, 19] and list(ev.y) == [50.0, 100.0]
