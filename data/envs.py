"""Reinforcement-learning environments: gymnasium's classic control and FrozenLake, and our own GridWorld.

Nothing is downloaded: gymnasium ships the environments, and pygame-ce draws their frames headless
(``render_mode="rgb_array"``). An :class:`EnvData` is the RL family's data set: what a recipe's ``data``
callable returns, carrying what a network must know (``obs_dim``, ``num_actions``, ``continuous``,
``num_states``), what a page labels (``obs_names``, ``action_names``, plausible ``obs_low`` / ``obs_high``
for plotting slices of the state space) and how to make the environment, one or several at once.

    d = env_data("CartPole-v1")
    env = d.make(seed=0)                 # a gymnasium.Env
    envs = d.make_vec(8, seed=0)         # a SyncVectorEnv, autoreset in the same step (see make_vec)
    frame = render_state("CartPole-v1", np.array([0.0, 0.0, 0.1, 0.0]))   # (400, 600, 3) uint8

The GridWorld (R. S. Sutton & A. G. Barto, "Reinforcement Learning: An Introduction", 2nd ed. 2018,
chapters 3-4; S. Russell & P. Norvig's 4×3 world with a step cost) is small enough to solve exactly by
value iteration from its known model (:meth:`GridWorld.transitions`), so the tabular methods' answer can be
checked against the optimum.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

UP, RIGHT, DOWN, LEFT = range(4)
MOVES = {UP: (-1, 0), RIGHT: (0, 1), DOWN: (1, 0), LEFT: (0, -1)}

# S start, G goal (+1), P pit (−1), # wall, . floor. The pit guards the goal from below: the only way in is
# along the top row, and a slippery agent walking up the right-hand column risks falling in.
DEFAULT_LAYOUT = (
    "....G",
    ".#.#P",
    ".#...",
    "...#.",
    "S#...",
)

CELL = 80  # pixels per cell of a GridWorld frame


class GridWorld(gym.Env):
    """A grid of cells; the agent moves up, right, down or left (into a wall or the edge: it stays). Entering
    the goal gives +1 and ends the episode, a pit −1 and ends it; every other step costs ``step_cost``. With
    ``slip`` > 0 the move goes sideways (left or right of the intended direction, half each) with that
    probability. Observation: the cell id r · W + c. An episode is cut (truncated) after ``max_steps``."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(
        self,
        layout: tuple[str, ...] = DEFAULT_LAYOUT,
        step_cost: float = 0.04,
        slip: float = 0.0,
        max_steps: int = 100,
        render_mode: str | None = None,
    ):
        rows = [r.replace(" ", "") for r in layout]
        if not rows or len({len(r) for r in rows}) != 1:
            raise ValueError("a GridWorld layout needs rows of equal length")
        if not 0.0 <= slip < 1.0:
            raise ValueError(f"slip ({slip}) must be at least 0 and below 1")
        self.layout = tuple(rows)
        self.shape = (len(rows), len(rows[0]))
        cells = {(r, c): ch for r, row in enumerate(rows) for c, ch in enumerate(row)}
        self.walls: set[tuple[int, int]] = {p for p, ch in cells.items() if ch == "#"}
        self.pits: list[tuple[int, int]] = sorted(p for p, ch in cells.items() if ch == "P")
        goals = [p for p, ch in cells.items() if ch == "G"]
        starts = [p for p, ch in cells.items() if ch == "S"]
        if len(goals) != 1 or len(starts) != 1:
            raise ValueError("a GridWorld layout needs exactly one start S and one goal G")
        self.goal, self.start = goals[0], starts[0]
        self.step_cost, self.slip, self.max_steps = float(step_cost), float(slip), int(max_steps)
        self.observation_space = spaces.Discrete(self.shape[0] * self.shape[1])
        self.action_space = spaces.Discrete(4)
        self.render_mode = render_mode
        self.pos, self.t = self.start, 0

    # --------------------------------------------------------------------------------------- the model

    @property
    def num_states(self) -> int:
        return self.shape[0] * self.shape[1]

    def cell(self, state: int) -> tuple[int, int]:
        return divmod(int(state), self.shape[1])

    def state_of(self, cell: tuple[int, int]) -> int:
        return cell[0] * self.shape[1] + cell[1]

    def is_terminal(self, cell: tuple[int, int]) -> bool:
        return cell == self.goal or cell in self.pits

    def _move(self, cell: tuple[int, int], action: int) -> tuple[int, int]:
        dr, dc = MOVES[action]
        r, c = cell[0] + dr, cell[1] + dc
        inside = 0 <= r < self.shape[0] and 0 <= c < self.shape[1]
        return (r, c) if inside and (r, c) not in self.walls else cell

    def _reward(self, cell: tuple[int, int]) -> float:
        return 1.0 if cell == self.goal else -1.0 if cell in self.pits else -self.step_cost

    def transitions(self, state: int, action: int) -> list[tuple[float, int, float, bool]]:
        """The known model: [(probability, next state, reward, terminated), ...] for taking ``action`` in
        ``state`` (what value iteration sums over). A terminal cell or a wall has no transitions."""
        cell = self.cell(state)
        if self.is_terminal(cell) or cell in self.walls:
            return []
        outcomes = [(1.0 - self.slip, action)]
        if self.slip:
            outcomes += [(self.slip / 2, (action + 1) % 4), (self.slip / 2, (action + 3) % 4)]
        out: dict[int, list] = {}
        for p, a in outcomes:
            nxt = self._move(cell, a)
            s2 = self.state_of(nxt)
            if s2 in out:
                out[s2][0] += p
            else:
                out[s2] = [p, s2, self._reward(nxt), self.is_terminal(nxt)]
        return [tuple(v) for v in out.values()]

    # ----------------------------------------------------------------------------------- the gym API

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.pos, self.t = self.start, 0
        return self.state_of(self.pos), {}

    def step(self, action):
        a = int(action)
        if self.slip and self.np_random.random() < self.slip:
            a = (a + (1 if self.np_random.random() < 0.5 else 3)) % 4
        self.pos = self._move(self.pos, a)
        self.t += 1
        terminated = self.is_terminal(self.pos)
        truncated = not terminated and self.t >= self.max_steps
        return self.state_of(self.pos), self._reward(self.pos), terminated, truncated, {}

    def render(self) -> np.ndarray | None:
        if self.render_mode != "rgb_array":
            return None
        return self.draw(self.state_of(self.pos))

    def draw(self, state: int) -> np.ndarray:
        """(H·80, W·80, 3) uint8: floor, walls, goal (green), pits (red), the agent (blue) in ``state``."""
        H, W = self.shape
        img = np.full((H * CELL, W * CELL, 3), 235, dtype=np.uint8)
        colour = {self.start: (200, 215, 235), self.goal: (60, 170, 90)}
        colour.update({w: (60, 60, 70) for w in self.walls} | {p: (214, 69, 65) for p in self.pits})
        for (r, c), rgb in colour.items():
            img[r * CELL : (r + 1) * CELL, c * CELL : (c + 1) * CELL] = rgb
        img[::CELL, :], img[:, ::CELL] = 160, 160  # grid lines
        img[-1, :], img[:, -1] = 160, 160
        r, c = self.cell(state)
        yy, xx = np.mgrid[0:CELL, 0:CELL]
        disc = (yy - CELL / 2) ** 2 + (xx - CELL / 2) ** 2 <= (CELL * 0.3) ** 2
        img[r * CELL : (r + 1) * CELL, c * CELL : (c + 1) * CELL][disc] = (50, 100, 220)
        return img


# ---------------------------------------------------------------------------------------- EnvData


@dataclass(frozen=True)
class EnvData:
    """One environment as the RL family's data set. ``num_actions`` is the action dimension when
    ``continuous``; ``num_states`` is set for a discrete observation (a cell id), which a network sees
    one-hot (``obs_dim`` = ``num_states``) and a Q-table reads directly."""

    env_id: str
    title: str
    obs_dim: int
    num_actions: int
    continuous: bool
    num_states: int | None
    reward_threshold: float | None
    obs_names: tuple[str, ...]
    action_names: tuple[str, ...]
    obs_low: tuple[float, ...]
    obs_high: tuple[float, ...]
    env_kwargs: tuple[tuple[str, Any], ...] = ()  # constructor settings (FrozenLake's is_slippery, ...)
    max_episode_steps: int | None = None
    kind: str = "rl"
    name: str = field(default="")

    @property
    def discrete_obs(self) -> bool:
        return self.num_states is not None

    def make(self, seed: int | None = None, render_mode: str | None = None) -> gym.Env:
        """A fresh environment; with ``seed`` it is reset once with that seed (its own and its action
        space's random streams), so that later plain ``reset()`` calls are reproducible."""
        kw = dict(self.env_kwargs)
        if self.env_id == "GridWorld":
            env: gym.Env = GridWorld(render_mode=render_mode, **kw)
        else:
            env = gym.make(self.env_id, render_mode=render_mode, **kw)
        if seed is not None:
            env.reset(seed=seed)
            env.action_space.seed(seed)
        return env

    def make_vec(self, n: int, seed: int) -> gym.vector.SyncVectorEnv:
        """``n`` copies stepped together (gymnasium's vector API), seeded seed, seed + 1, ... .

        Autoreset happens in the SAME step: when an episode ends, ``step`` returns the next episode's
        first observation and puts the last one in ``info["final_obs"]`` (marked by ``info["_final_obs"]``),
        which is what a truncated episode's bootstrap V(s_T) needs. (gymnasium 1.x's default, NEXT_STEP,
        would instead spend one step resetting, whose transition must be thrown away.)"""
        envs = gym.vector.SyncVectorEnv(
            [lambda: self.make() for _ in range(n)], autoreset_mode=gym.vector.AutoresetMode.SAME_STEP
        )
        envs.reset(seed=seed)
        envs.action_space.seed(seed)
        return envs

    def splits(self) -> dict:
        """No supervised splits: an RL trainer collects its own data by acting."""
        return {}


def _grid_names(shape: tuple[int, int]) -> tuple[str, ...]:
    return tuple(f"cell ({r}, {c})" for r in range(shape[0]) for c in range(shape[1]))


def _gridworld(**kw: Any) -> EnvData:
    g = GridWorld(**kw)
    n = g.num_states
    return EnvData(
        "GridWorld", "GridWorld (5×5: reach the goal, avoid the pit)", n, 4, False, n, None,
        _grid_names(g.shape), ("up", "right", "down", "left"), (0.0,) * n, (1.0,) * n,
        tuple(sorted(kw.items())), g.max_steps,
    )  # fmt: skip


def _frozenlake(**kw: Any) -> EnvData:
    env = gym.make("FrozenLake-v1", **kw)
    n = int(env.observation_space.n)
    shape = env.unwrapped.desc.shape
    return EnvData(
        "FrozenLake-v1", "FrozenLake (cross the ice to the present, mind the holes)", n, 4, False, n, 0.7,
        _grid_names(shape), ("left", "down", "right", "up"), (0.0,) * n, (1.0,) * n,
        tuple(sorted(kw.items())), env.spec.max_episode_steps,
    )  # fmt: skip


# id -> (title, obs names, action names, plausible obs low, high, reward threshold)
CLASSIC: dict[str, tuple] = {
    "CartPole-v1": (
        "CartPole (balance a pole on a cart)",
        ("cart position", "cart velocity", "pole angle", "pole angular velocity"),
        ("push left", "push right"),
        (-2.4, -3.0, -0.21, -2.0),
        (2.4, 3.0, 0.21, 2.0),
        475.0,
    ),
    "Acrobot-v1": (
        "Acrobot (swing a two-link arm above the bar)",
        ("cos θ1", "sin θ1", "cos θ2", "sin θ2", "angular velocity 1", "angular velocity 2"),
        ("torque −1", "no torque", "torque +1"),
        (-1.0, -1.0, -1.0, -1.0, -6.0, -12.0),
        (1.0, 1.0, 1.0, 1.0, 6.0, 12.0),
        -100.0,
    ),
    "MountainCar-v0": (
        "MountainCar (rock a weak car up the hill)",
        ("position", "velocity"),
        ("push left", "no push", "push right"),
        (-1.2, -0.07),
        (0.6, 0.07),
        -110.0,
    ),
    "Pendulum-v1": (
        "Pendulum (swing up and hold, continuous torque)",
        ("cos θ", "sin θ", "angular velocity"),
        ("torque",),
        (-1.0, -1.0, -8.0),
        (1.0, 1.0, 8.0),
        None,
    ),
}

ENVS: tuple[str, ...] = (*CLASSIC, "FrozenLake-v1", "GridWorld")


def env_data(env: str = "CartPole-v1", **kw: Any) -> EnvData:
    """The EnvData of ``env`` (one of ENVS); ``kw`` go to the environment's constructor (GridWorld's
    ``slip``, ``step_cost``; FrozenLake's ``is_slippery``). A recipe's ``data`` callable."""
    if env == "GridWorld":
        return _gridworld(**kw)
    if env == "FrozenLake-v1":
        return _frozenlake(**kw)
    if env not in CLASSIC:
        raise ValueError(f"there is no environment called {env!r}; choose one of {', '.join(ENVS)}")
    title, obs_names, action_names, lo, hi, threshold = CLASSIC[env]
    probe = gym.make(env, **kw)
    space = probe.action_space
    continuous = isinstance(space, spaces.Box)
    return EnvData(
        env, title, int(np.prod(probe.observation_space.shape)),
        int(np.prod(space.shape)) if continuous else int(space.n), continuous, None, threshold,
        obs_names, action_names, lo, hi, tuple(sorted(kw.items())), probe.spec.max_episode_steps,
    )  # fmt: skip


# --------------------------------------------------------------------------------------- frames

MAX_FRAME = (400, 600)  # (H, W): frames are shrunk to fit
_render_envs: dict[str, gym.Env] = {}
_render_lock = threading.Lock()
_FRAMES: list[bool] = []


def frames_available() -> bool:
    """Whether pygame (pygame-ce) can be imported, which classic control needs to draw frames."""
    if not _FRAMES:
        _FRAMES.append(importlib.util.find_spec("pygame") is not None)
    return _FRAMES[0]


def _as_state(env_id: str, state: np.ndarray) -> np.ndarray:
    """The simulator's internal state from ``state``, which may also be the observation: Acrobot observes
    (cos θ1, sin θ1, cos θ2, sin θ2, ω1, ω2) for its state (θ1, θ2, ω1, ω2); Pendulum (cos θ, sin θ, ω)
    for (θ, ω)."""
    s = np.asarray(state, dtype=np.float64).ravel()
    if env_id == "Acrobot-v1" and s.size == 6:
        return np.array([np.arctan2(s[1], s[0]), np.arctan2(s[3], s[2]), s[4], s[5]])
    if env_id == "Pendulum-v1" and s.size == 3:
        return np.array([np.arctan2(s[1], s[0]), s[2]])
    return s


def _fit(frame: np.ndarray) -> np.ndarray:
    """Shrink (nearest pixel) a frame larger than MAX_FRAME, keeping its aspect."""
    h, w = frame.shape[:2]
    scale = min(1.0, MAX_FRAME[0] / h, MAX_FRAME[1] / w)
    if scale == 1.0:
        return frame
    rows = (np.arange(int(h * scale)) / scale).astype(int)
    cols = (np.arange(int(w * scale)) / scale).astype(int)
    return np.ascontiguousarray(frame[rows][:, cols])


def render_state(env_id: str, state: np.ndarray | int) -> np.ndarray | None:
    """(H, W, 3) uint8: the environment ``env_id`` drawn in ``state`` (a classic-control state or its
    observation; a cell id for GridWorld and FrozenLake), at most 600 × 400; None without pygame. One
    render environment per id is kept and shared, under a lock (pages render from several threads)."""
    if env_id not in ENVS:
        raise ValueError(f"there is no environment called {env_id!r}; choose one of {', '.join(ENVS)}")
    if env_id == "GridWorld":
        return GridWorld().draw(int(np.asarray(state).ravel()[0]))
    if not frames_available():
        return None
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    with _render_lock:
        env = _render_envs.get(env_id)
        if env is None:
            env = _render_envs[env_id] = gym.make(env_id, render_mode="rgb_array")
            env.reset(seed=0)
        u = env.unwrapped
        if env_id == "FrozenLake-v1":
            u.s = int(np.asarray(state).ravel()[0])
        else:
            u.state = _as_state(env_id, np.asarray(state))
            if env_id == "Pendulum-v1":
                u.last_u = None
        frame = env.render()
    return None if frame is None else _fit(np.asarray(frame, dtype=np.uint8))
