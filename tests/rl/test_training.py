"""The RL recipes reach the issue's thresholds on fixed seeds within their default budgets; bad settings
are refused with sentences; a diverging learning rate ends the run failed, naming it; an RL job trains on
the process backend; checkpoints carry an RL network.

Budgets and margins, measured on 2 shared cores, 1 thread each (the numbers move on another machine):

- ppo_cartpole, default 300 updates (76,800 environment steps, about 15 s): deterministic evaluation
  return 500 at the end on seeds 0-5, and 500 at every evaluation from update 200 on; at 250 updates seed
  0 ended at 482, hence the 300.
- dqn_cartpole, default 4,000 steps (17k environment steps, about 9 s a seed): final evaluation 215, 301,
  325, 370, 290, 229 on seeds 0-5 (Double DQN, learning rate annealed). Without the annealing, seeds 3-5
  ended at 177, 167, 181 after 6,000 steps: DQN drifts off its peak; the threshold asks for 2 of 3.
- tabular_q_gridworld, 400 episodes: the greedy policy is optimal in every cell on seeds 0-2, well before.
- reinforce_cartpole, 40 updates of 8 episodes: evaluation 500 on seeds 0-2 from update 30 (random: 22).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from archs import ConfigError
from data.envs import GridWorld
from training import get_recipe
from training.checkpoints import load_checkpoint, save_checkpoint
from training.rl.base import random_return
from training.rl.probes import episode_probe, gridworld_probe
from training.rl.tabular import value_iteration


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _run(recipe: str, **kw):
    t = get_recipe(recipe).trainer(**kw)
    t.step(t.num_steps)
    assert t.status == "done", t.message
    return t


def test_ppo_balances_the_pole_for_the_whole_episode():
    t = _run("ppo_cartpole", seed=0)
    ev = t.last_eval()
    assert ev["eval_return"] >= 475 and t.samples_seen == 300 * 8 * 32
    rows = [r for r in t.history if "approx_kl" in r]
    assert all(
        k in rows[-1] for k in ("policy_loss", "value_loss", "entropy", "clip_frac", "explained_variance")
    )
    assert any("episode_return" in r for r in t.history) and t.warning is None


def test_dqn_reaches_195_on_two_of_three_seeds():
    finals = [_run("dqn_cartpole", seed=s).last_eval()["eval_return"] for s in (0, 1, 2)]
    assert sum(f >= 195 for f in finals) >= 2, finals


def _optimal_everywhere(t, gamma: float) -> list[tuple[int, int]]:
    """Cells where the table's greedy action is worse than the best by value iteration on the known model."""
    g = GridWorld()
    V, _ = value_iteration(g, gamma)
    greedy = gridworld_probe(t.env_data)(t.model)["greedy"]
    wrong = []
    for r in range(5):
        for c in range(5):
            if greedy[r, c] < 0:
                continue
            ((p, s2, rew, done),) = g.transitions(g.state_of((r, c)), int(greedy[r, c]))
            r2, c2 = g.cell(s2)
            if rew + gamma * (0.0 if done else V[r2, c2]) < V[r, c] - 1e-9:
                wrong.append((r, c))
    return wrong


def test_tabular_q_learning_finds_the_optimal_policy_in_every_cell():
    t = _run("tabular_q_gridworld", seed=0)
    assert _optimal_everywhere(t, t.task.gamma) == []
    assert t.last_eval()["eval_return"] == pytest.approx(1.0 - 7 * 0.04)  # the shortest way from the start


def test_sarsa_learns_a_way_to_the_goal():
    t = _run("tabular_q_gridworld", seed=0, sarsa=True)
    assert t.last_eval()["eval_return"] == pytest.approx(1.0 - 7 * 0.04)


def test_reinforce_at_least_triples_the_random_policy():
    t = get_recipe("reinforce_cartpole").trainer(seed=0)
    random_mean, _ = random_return(t.env_data)
    t.step(t.num_steps)
    assert t.status == "done", t.message
    assert t.last_eval()["eval_return"] >= 3 * random_mean, (t.last_eval(), random_mean)


def test_a2c_learns_within_its_budget():
    t = _run("a2c_cartpole", seed=0, num_steps=600)
    assert t.last_eval()["eval_return"] >= 3 * random_return(t.env_data)[0]


def test_ppo_on_pendulum_steers_continuous_torque():
    t = _run("ppo_pendulum", seed=0, num_steps=30)
    ev = t.last_eval()
    assert ev["eval_return"] > random_return(t.env_data)[0] + 300, ev
    ep = episode_probe(t.env_data, max_steps=20)(t.model)
    assert ep["mean"].shape == (20, 1) and ep["std"].shape == (1,) and ep["probs"] is None


@pytest.mark.parametrize("gamma", [0.0, -0.5, 1.5])
def test_a_discount_outside_0_1_is_refused_with_a_sentence(gamma):
    for recipe in ("ppo_cartpole", "dqn_cartpole", "tabular_q_gridworld", "reinforce_cartpole"):
        with pytest.raises(ConfigError, match=r"gamma must be above 0 and at most 1 .*Try 0.99"):
            get_recipe(recipe).trainer(gamma=gamma)


def test_a_replay_buffer_smaller_than_a_batch_is_refused():
    with pytest.raises(ConfigError, match=r"buffer_size 32\) is smaller than one batch \(batch_size 64\)"):
        get_recipe("dqn_cartpole").trainer(buffer_size=32)


def test_other_bad_settings_are_refused():
    with pytest.raises(ConfigError, match="clip_coef"):
        get_recipe("ppo_cartpole").trainer(clip_coef=1.5)
    with pytest.raises(ConfigError, match="update_epochs and num_minibatches must be 1"):
        get_recipe("a2c_cartpole").trainer(update_epochs=4)
    with pytest.raises(
        ConfigError, match="runs on CartPole-v1, Acrobot-v1, MountainCar-v0, not 'Pendulum-v1'"
    ):
        get_recipe("dqn_cartpole").trainer(env="Pendulum-v1")
    with pytest.raises(ConfigError, match="no environment called 'Pong'|not 'Pong'"):
        get_recipe("ppo_cartpole").trainer(env="Pong")
    with pytest.raises(ConfigError, match="trains actor_critic"):
        get_recipe("ppo_cartpole").trainer(arch="q_mlp")


@pytest.mark.parametrize("recipe", ["ppo_cartpole", "dqn_cartpole", "reinforce_cartpole", "a2c_cartpole"])
@pytest.mark.parametrize("lr", [10.0, 100.0])
def test_a_diverging_learning_rate_fails_the_run_naming_it(recipe, lr):
    t = get_recipe(recipe).trainer(lr=lr, num_steps=50)
    t.step(50)  # never raises
    assert t.status == "failed" and f"learning rate ({lr:g})" in t.message, t.message
    assert "diverged" in t.message and t.step_count < 50


def test_other_environments_fit_and_mountain_car_says_why_it_learned_nothing():
    for recipe, env in (("ppo_cartpole", "Acrobot-v1"), ("dqn_cartpole", "Acrobot-v1")):
        t = get_recipe(recipe).trainer(env=env, num_steps=2, eval_every=2)
        assert t.model.cfg.obs_dim == 6 and t.model.cfg.num_actions == 3
    t = get_recipe("a2c_cartpole").trainer(env="MountainCar-v0", num_steps=20, eval_every=20)
    t.step(20)
    assert t.status == "done" and "random" in t.warning and "MountainCar" in t.warning


def test_frozenlake_trains_a_table_and_a_network_on_one_hot_cells():
    t = _run("tabular_q_gridworld", env="FrozenLake-v1", num_steps=300)
    assert t.model.table.shape == (16, 4) and t.last_eval()["eval_return"] == 1.0  # not slippery: solved
    t = _run("dqn_cartpole", env="Acrobot-v1", num_steps=3)
    assert t.history[-1]["env_steps"] >= 1000


def test_an_rl_checkpoint_saves_and_loads_the_weights():
    t = _run("ppo_cartpole", seed=0, num_steps=3)
    model, arch, cfg = load_checkpoint(save_checkpoint(t.model, t.arch, t.config))
    assert arch == "actor_critic" and cfg == t.config
    obs = torch.randn(5, 4)
    torch.testing.assert_close(model(obs), t.model(obs))


def test_an_rl_job_trains_on_the_process_backend():
    from training.jobs import JobRunner, make_job
    from training.workers import WorkerPool

    pool = WorkerPool(warm=1)
    try:
        t = get_recipe("dqn_cartpole").trainer(seed=0, num_steps=300, eval_every=100)
        job = make_job(t, backend="process", runner=JobRunner(1), pool=pool)
        job.start()
        end = time.monotonic() + 90
        while job.state not in ("done", "failed") and time.monotonic() < end:
            time.sleep(0.05)
        assert job.state == "done", job.trainer.message
        snap = job.snapshot({"episode": episode_probe(t.env_data, max_steps=30)})
        assert snap["step"] == 300 and snap["samples_seen"] == t.samples_seen == 1000 + 299 * 4
        assert snap["last_eval"]["step"] == 300 and "eval_return" in snap["last_eval"]
        assert snap["episode"]["q"].shape[1] == 2
        assert t.target_syncs > 0  # a mirrored attribute came back with the evaluation
        # the mirror's weights are the worker's: the same greedy episode as a rebuilt trainer loaded with them
        twin = get_recipe("dqn_cartpole").trainer(seed=0, num_steps=300)
        with job.lock:
            twin.model.load_state_dict(t.model.state_dict())
        assert np.array_equal(
            episode_probe(t.env_data)(twin.model)["actions"], snap["episode"]["actions"][:30]
        )
        job.stop()
    finally:
        pool.close()


def test_the_comparison_gives_every_run_the_same_environment_budget():
    t = get_recipe("rl_compare_cartpole").trainer(
        algos=["ppo", "dqn", "reinforce"], seeds=[0, 1], env_budget=3_000
    )
    t.step(100_000)
    assert t.status == "done", t.message
    assert set(t.curves) == {"ppo", "dqn", "reinforce"} and all(len(runs) == 2 for runs in t.curves.values())
    for algo, runs in t.curves.items():
        for xs, ys in runs:
            assert xs[0] == 0 and 3_000 <= xs[-1] < 3_000 + 600 and len(xs) == len(ys) >= 3, (algo, xs)
            assert np.all(np.diff(xs) > 0)
    assert t.samples_seen == sum(m.samples_seen for _, _, m in t.members) and t.env_total == 18_000
    assert {"eval_return_ppo", "eval_return_dqn", "eval_return"} <= set(t.last_eval())
    with pytest.raises(ConfigError, match="algos must be some of ppo, a2c, dqn, reinforce"):
        get_recipe("rl_compare_cartpole").trainer(algos=["sac"])
