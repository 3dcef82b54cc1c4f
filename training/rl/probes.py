"""Probes for the RL page (see ``training.probes``): functions of an EnvData that return a callable(model) ->
dict of numpy arrays and floats, run by ``Trainer.snapshot`` in eval mode without gradients.

- ``episode_probe``: one greedy episode, step by step: states, actions, rewards, and what the network
  thought at each step (action probabilities, Q values, V, the Gaussian's mean and std);
- ``slice_probe``: the network over a 2-D slice of the observation space (two observation dimensions on a
  grid, the others held fixed): V, action probabilities, Q values and the greedy action at every point;
- ``gridworld_probe``: the network on every cell of a GridWorld (or FrozenLake): max_a Q or V, the greedy
  action, Q per action, with the walls, goal and pits to draw them on;
- ``value_iteration`` (from ``training.rl.tabular``): the exact optimum of a GridWorld, to compare with.

Observations are given to the network as the trainers give them (``obs_to_tensor``): a cell id one-hot, or
as an id to a Q-table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from data.envs import EnvData, GridWorld
from training.probes import _device
from training.rl.base import obs_to_tensor
from training.rl.tabular import value_iteration

__all__ = [
    "episode_probe",
    "slice_probe",
    "pendulum_slice_probe",
    "gridworld_probe",
    "value_iteration",
    "readout",
]


@torch.no_grad()
def readout(model: nn.Module, x: torch.Tensor, continuous: bool) -> dict[str, np.ndarray | None]:
    """What the network says about observations x (B, ...): "probs" (B, A) for a discrete policy, "q"
    (B, A) for a Q-network, "value" (B,) (V, or max_a Q), "mean" (B, A) and "std" (A,) for a Gaussian."""
    kind = getattr(model, "kind", "")
    out: dict[str, np.ndarray | None] = {"probs": None, "q": None, "value": None, "mean": None, "std": None}
    if kind == "q":
        q = model.q(x).float()
        out["q"], out["value"] = q.cpu().numpy(), q.amax(-1).cpu().numpy()
        return out
    logits = model.actor(x) if kind == "actor_critic" else model(x)
    if continuous:
        out["mean"] = logits.float().cpu().numpy()
        out["std"] = model.log_std.exp().float().cpu().numpy()
    else:
        out["probs"] = logits.float().softmax(-1).cpu().numpy()
    if kind == "actor_critic":
        out["value"] = model.value(x).float().cpu().numpy()
    return out


def episode_probe(d: EnvData, seed: int = 0, max_steps: int = 500) -> Callable[[nn.Module], dict]:
    """One episode of the deterministic policy from ``reset(seed=seed)``, at most ``max_steps`` steps:
    {"states": (T, obs_dim) float32 (cell ids (T,) for a grid), "actions": (T,) (or (T, A) continuous),
    "rewards": (T,), "return", "length", "probs" (T, A) | None, "q" (T, A) | None, "value" (T,) | None,
    "mean" (T, A) | None, "std" (A,) | None}."""

    @torch.no_grad()
    def probe(model: nn.Module) -> dict:
        env = d.make()
        obs, _ = env.reset(seed=seed)
        high = None if not d.continuous else np.asarray(env.action_space.high, dtype=np.float32)
        states, actions, rewards, reads = [], [], [], []
        for _ in range(max_steps):
            x = obs_to_tensor(d, model, np.asarray(obs)[None], _device(model))
            reads.append(readout(model, x, d.continuous))
            a = model.act(x, deterministic=True)[0].cpu().numpy()
            states.append(obs)
            actions.append(a)
            obs, r, term, trunc, _ = env.step(np.clip(a, -high, high) if high is not None else int(a))
            rewards.append(float(r))
            if term or trunc:
                break
        env.close()
        out: dict = {
            "states": np.asarray(states, dtype=np.int64 if d.discrete_obs else np.float32),
            "actions": np.asarray(actions),
            "rewards": np.asarray(rewards, dtype=np.float32),
            "return": float(sum(rewards)),
            "length": len(rewards),
        }
        for k in ("probs", "q", "value", "mean"):
            out[k] = None if reads[0][k] is None else np.concatenate([r[k] for r in reads])
        out["std"] = reads[0]["std"]
        return out

    return probe


def slice_probe(
    d: EnvData, dims: tuple[int, int] = (2, 3), grid: int = 41, fixed: np.ndarray | None = None
) -> Callable[[nn.Module], dict]:
    """The network on a grid over observation dimensions ``dims`` (x, y), between the EnvData's plausible
    ``obs_low`` and ``obs_high``; the other dimensions at 0 or at ``fixed`` (obs_dim,). With fewer than 4
    observation dimensions the default (2, 3) becomes (0, 1). Rows of the (G, G) maps follow ys, columns
    xs. {"xs", "ys", "xlabel", "ylabel", "value": (G, G) | None, "probs": (G, G, A) | None,
    "q": (G, G, A) | None, "action": (G, G) greedy action ids, or the mean's first dimension}."""
    if d.discrete_obs:
        raise ValueError(f"{d.env_id}'s observation is a cell id, not a vector to slice: use gridworld_probe")
    if tuple(dims) == (2, 3) and d.obs_dim < 4:
        dims = (0, 1)
    i, j = dims
    if not (0 <= i < d.obs_dim and 0 <= j < d.obs_dim and i != j):
        raise ValueError(f"dims {tuple(dims)} must be two different observation dimensions below {d.obs_dim}")
    xs = np.linspace(d.obs_low[i], d.obs_high[i], grid, dtype=np.float32)
    ys = np.linspace(d.obs_low[j], d.obs_high[j], grid, dtype=np.float32)
    base = np.zeros(d.obs_dim, dtype=np.float32) if fixed is None else np.asarray(fixed, dtype=np.float32)
    Y, X = np.meshgrid(ys, xs, indexing="ij")  # (G, G): row = y, column = x
    pts = np.tile(base, (grid * grid, 1))  # (G·G, obs_dim)
    pts[:, i], pts[:, j] = X.ravel(), Y.ravel()
    return _grid_probe(d, pts, xs, ys, d.obs_names[i], d.obs_names[j])


def pendulum_slice_probe(d: EnvData, grid: int = 41) -> Callable[[nn.Module], dict]:
    """Pendulum's observation is (cos θ, sin θ, θ̇): a slice over two of those would show impossible
    states (cos² + sin² ≠ 1). This one spans the angle θ ∈ [−π, π] (0 upright) and the angular velocity
    θ̇ ∈ [−8, 8], every point a state the pendulum can be in. Same keys as ``slice_probe``."""
    if d.env_id != "Pendulum-v1":
        raise ValueError(f"pendulum_slice_probe is for Pendulum-v1, not {d.env_id}")
    xs = np.linspace(-np.pi, np.pi, grid, dtype=np.float32)
    ys = np.linspace(-8.0, 8.0, grid, dtype=np.float32)
    Y, X = np.meshgrid(ys, xs, indexing="ij")  # (G, G): row = angular velocity, column = angle
    pts = np.stack([np.cos(X), np.sin(X), Y], -1).reshape(-1, 3).astype(np.float32)  # (G·G, 3)
    return _grid_probe(d, pts, xs, ys, "angle θ (0: upright)", "angular velocity θ̇")


def _grid_probe(
    d: EnvData, pts: np.ndarray, xs: np.ndarray, ys: np.ndarray, xlabel: str, ylabel: str
) -> Callable[[nn.Module], dict]:
    """The network read at ``pts`` (G·G, obs_dim), the states of a (G, G) grid over ys × xs."""
    grid = len(xs)

    @torch.no_grad()
    def probe(model: nn.Module) -> dict:
        x = torch.as_tensor(pts, device=_device(model))
        r = readout(model, x, d.continuous)
        act = model.act(x, deterministic=True).cpu().numpy()
        shape = lambda a, *rest: None if a is None else a.reshape(grid, grid, *rest)  # noqa: E731
        return {
            "xs": xs,
            "ys": ys,
            "xlabel": xlabel,
            "ylabel": ylabel,
            "value": shape(r["value"]),
            "probs": shape(r["probs"], -1),
            "q": shape(r["q"], -1),
            "action": act[:, 0].reshape(grid, grid) if d.continuous else act.reshape(grid, grid),
        }

    return probe


def grid_layout(d: EnvData) -> tuple[tuple[int, int], np.ndarray, tuple[int, int], list[tuple[int, int]]]:
    """(shape, walls (H, W) bool, goal, pits) of a GridWorld, or of FrozenLake (holes are its pits)."""
    if d.env_id == "GridWorld":
        g = GridWorld(**dict(d.env_kwargs))
        walls = np.zeros(g.shape, dtype=bool)
        for r, c in g.walls:
            walls[r, c] = True
        return g.shape, walls, g.goal, list(g.pits)
    if d.env_id == "FrozenLake-v1":
        desc = d.make().unwrapped.desc.astype(str)
        goal = tuple(int(v) for v in np.argwhere(desc == "G")[0])
        pits = [tuple(int(v) for v in p) for p in np.argwhere(desc == "H")]
        return desc.shape, np.zeros(desc.shape, dtype=bool), goal, pits
    raise ValueError(f"{d.env_id} is not a grid: gridworld_probe draws GridWorld and FrozenLake")


def gridworld_probe(d: EnvData) -> Callable[[nn.Module], dict]:
    """The network on every cell: {"value": (H, W) max_a Q or V (NaN on walls, and for a policy without
    a critic), "greedy": (H, W) action ids (−1 on walls and terminal cells), "q": (H, W, 4) | None,
    "probs": (H, W, 4) | None, "walls": (H, W) bool, "goal": (r, c), "pits": [(r, c), ...]}."""
    (H, W), walls, goal, pits = grid_layout(d)
    ids = np.arange(H * W)
    blocked = walls.copy()
    blocked[goal] = True
    for p in pits:
        blocked[p] = True

    @torch.no_grad()
    def probe(model: nn.Module) -> dict:
        x = obs_to_tensor(d, model, ids, _device(model))
        r = readout(model, x, False)
        value = r["value"].reshape(H, W).astype(float) if r["value"] is not None else np.full((H, W), np.nan)
        value[walls] = np.nan
        greedy = model.act(x, deterministic=True).cpu().numpy().reshape(H, W)
        greedy = np.where(blocked, -1, greedy)
        return {
            "value": value,
            "greedy": greedy,
            "q": None if r["q"] is None else r["q"].reshape(H, W, -1),
            "probs": None if r["probs"] is None else r["probs"].reshape(H, W, -1),
            "walls": walls,
            "goal": goal,
            "pits": pits,
        }

    return probe
