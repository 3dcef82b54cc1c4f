"""RL: environment steps per second and final evaluation return of the atlas's PPO and DQN beside
stable-baselines3's, with the same hyperparameters, budget and seeds, measured in the same run on one thread.
``python -m bench.rl_bench`` prints one row per (algorithm, library, seed) and a summary with the ratios
atlas / SB3 (speed: > 1 is faster; return: the mean final evaluation over seeds).

Same settings on both sides (our recipe defaults):

- PPO on CartPole-v1: 8 environments × 32 steps, 10 epochs of 2 minibatches (128), Adam lr 1e-3 annealed
  linearly to 0, γ 0.98, λ 0.8, clip 0.2, no entropy bonus, vf_coef 0.5, gradients clipped at 0.5, separate
  64-64 tanh actor and critic; 76,800 environment steps. (SB3 does not clip the value loss; ours does.)
- DQN on CartPole-v1: 128-128 ReLU Q-network, lr 5e-4 annealed to 0, batch 64, buffer 50,000, 1,000
  steps before learning, one gradient step every 4 environment steps, target copied every 500, ε 1 -> 0.05
  over the first 20 %, γ 0.99, gradients clipped at 10, Huber loss, plain (not Double) DQN as SB3 has it;
  16,996 environment steps.

Evaluation: 10 deterministic episodes on seeds 1,000,000 + i (as ``RLTrainer.evaluate``). stable-baselines3
is a bench-only requirement (requirements-bench.txt).

Measured on 2 shared cores, one thread, seeds 0-2 (SB3 2.9.2, torch 2.13 CPU):

    algo   atlas steps/s  sb3 steps/s  speed ratio  atlas return  sb3 return
    ppo             4997         4754         1.05         500.0       500.0
    dqn             2454         1937         1.27         151.2       175.7

(DQN per seed: atlas 153.9 / 159.6 / 140.1, SB3 166.7 / 160.9 / 199.6. Our recipe's own DQN, Double with
a squared loss, ends at 215 / 301 / 325 on the same seeds and budget.)
"""

from __future__ import annotations

import json
import time

import numpy as np
import torch

from data.envs import env_data
from training import get_recipe
from training.rl.base import EVAL_SEED

SEEDS = (0, 1, 2)
PPO_UPDATES = 300
DQN_STEPS = 4_000


def sb3_eval(model, episodes: int = 10) -> float:
    env = env_data("CartPole-v1").make()
    out = []
    for i in range(episodes):
        obs, _ = env.reset(seed=EVAL_SEED + i)
        total, done = 0.0, False
        while not done:
            a, _ = model.predict(obs, deterministic=True)
            obs, r, term, trunc, _ = env.step(int(a))
            total, done = total + float(r), term or trunc
        out.append(total)
    return float(np.mean(out))


def atlas_run(recipe: str, seed: int, **kw) -> dict:
    t = get_recipe(recipe).trainer(seed=seed, eval_every=10**9, **kw)
    t0 = time.perf_counter()
    t.step(t.num_steps)
    wall = time.perf_counter() - t0
    e0 = time.perf_counter()
    ret = t.evaluate()["eval_return"]
    wall -= time.perf_counter() - e0  # the final evaluation inside step() costs about what this one did
    assert t.status == "done", t.message
    return {"env_steps": t.samples_seen, "steps_s": t.samples_seen / wall, "eval_return": ret}


def sb3_ppo(seed: int) -> dict:
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    envs = make_vec_env("CartPole-v1", n_envs=8, seed=seed)
    model = PPO(
        "MlpPolicy", envs, n_steps=32, batch_size=128, n_epochs=10, learning_rate=lambda f: 1e-3 * f,
        gamma=0.98, gae_lambda=0.8, clip_range=0.2, ent_coef=0.0, vf_coef=0.5, max_grad_norm=0.5,
        policy_kwargs=dict(net_arch=dict(pi=[64, 64], vf=[64, 64]), activation_fn=torch.nn.Tanh),
        seed=seed, device="cpu",
    )  # fmt: skip
    steps = PPO_UPDATES * 8 * 32
    t0 = time.perf_counter()
    model.learn(total_timesteps=steps)
    wall = time.perf_counter() - t0
    return {"env_steps": steps, "steps_s": steps / wall, "eval_return": sb3_eval(model)}


def sb3_dqn(seed: int, steps: int) -> dict:
    from stable_baselines3 import DQN

    model = DQN(
        "MlpPolicy", env_data("CartPole-v1").make(), learning_rate=lambda f: 5e-4 * f, buffer_size=50_000,
        learning_starts=1_000, batch_size=64, gamma=0.99, train_freq=4, gradient_steps=1,
        target_update_interval=500, exploration_fraction=0.2, exploration_initial_eps=1.0,
        exploration_final_eps=0.05, max_grad_norm=10, policy_kwargs=dict(net_arch=[128, 128]),
        seed=seed, device="cpu",
    )  # fmt: skip
    t0 = time.perf_counter()
    model.learn(total_timesteps=steps)
    wall = time.perf_counter() - t0
    return {"env_steps": steps, "steps_s": steps / wall, "eval_return": sb3_eval(model)}


def main() -> list[dict]:
    torch.set_num_threads(1)
    rows = []
    for seed in SEEDS:
        ours = atlas_run("ppo_cartpole", seed, num_steps=PPO_UPDATES)
        rows.append({"algo": "ppo", "lib": "atlas", "seed": seed, **ours})
        rows.append({"algo": "ppo", "lib": "sb3", "seed": seed, **sb3_ppo(seed)})
        ours = atlas_run("dqn_cartpole", seed, num_steps=DQN_STEPS, double=False, huber=True)
        rows.append({"algo": "dqn", "lib": "atlas", "seed": seed, **ours})
        rows.append({"algo": "dqn", "lib": "sb3", "seed": seed, **sb3_dqn(seed, ours["env_steps"])})
        for r in rows[-4:]:
            print(
                json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in r.items()}), flush=True
            )
    print(f"\n{'algo':5} {'atlas steps/s':>14} {'sb3 steps/s':>12} {'speed ratio':>12} "
          f"{'atlas return':>13} {'sb3 return':>11}")  # fmt: skip
    for algo in ("ppo", "dqn"):
        a = [r for r in rows if r["algo"] == algo and r["lib"] == "atlas"]
        b = [r for r in rows if r["algo"] == algo and r["lib"] == "sb3"]
        sa, sb = np.mean([r["steps_s"] for r in a]), np.mean([r["steps_s"] for r in b])
        ra, rb = np.mean([r["eval_return"] for r in a]), np.mean([r["eval_return"] for r in b])
        print(f"{algo:5} {sa:14.0f} {sb:12.0f} {sa / sb:12.2f} {ra:13.1f} {rb:11.1f}")
    return rows


if __name__ == "__main__":
    main()
