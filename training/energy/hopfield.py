"""Hopfield networks at work: patterns to store (letters drawn on a 10×10 grid, or random ±1 patterns),
corruption, asynchronous recall step by step with its energy, the capacity experiment, and a trainer that
stores one pattern per step (the recipe ``hopfield_patterns``).

Recall: neurons are visited one at a time in a random order, sweep after sweep, each set to the sign of its
local field (ties keep +1), until a whole sweep changes nothing. With symmetric weights and a zero diagonal
each update changes the energy by −Δsᵢ · hᵢ ≤ 0, so the energy recorded at every visit never rises
(J. J. Hopfield 1982). A probe counts as recalled when its final overlap m = (1/N) Σᵢ ξᵢsᵢ with the stored
pattern is at least ``RECALLED`` (at most 2.5 % of the bits wrong).

Capacity: random patterns are recalled up to about α = P/N ≈ 0.138 (Amit, Gutfreund & Sompolinsky 1985,
"Storing infinite numbers of patterns in a spin-glass model of neural networks", PRL 55); above it the
retrieval states vanish and recall collapses. Starting from 20 % flipped bits the basins are smaller than the
states themselves, so on a finite network recall falls somewhat before 0.138 N.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from archs.energy.hopfield import Hopfield
from archs.spec import ConfigError
from data.base import Supervised
from training.tasks import Task
from training.trainer import Trainer

RECALLED = 0.95  # final overlap that counts as recall
CAPACITY = 0.138  # Amit, Gutfreund & Sompolinsky (1985)
SIDE = 10

# Letters on a 10×10 grid with strokes two pixels wide, ordered so that the first few overlap little.
LETTERS: dict[str, tuple[str, ...]] = {
    "A": ("...####...", "..######..", ".###..###.", ".##....##.", ".########.", ".########.", ".##....##.",
          ".##....##.", ".##....##.", ".##....##."),
    "T": ("##########", "##########", "....##....", "....##....", "....##....", "....##....", "....##....",
          "....##....", "....##....", "....##...."),
    "X": ("##......##", "###....###", ".###..###.", "..######..", "...####...", "...####...", "..######..",
          ".###..###.", "###....###", "##......##"),
    "E": ("#########.", "#########.", "##........", "##........", "#######...", "#######...", "##........",
          "##........", "#########.", "#########."),
    "H": ("##.....##.", "##.....##.", "##.....##.", "##.....##.", "#########.", "#########.", "##.....##.",
          "##.....##.", "##.....##.", "##.....##."),
    "Z": ("##########", "##########", "......###.", ".....###..", "....###...", "...###....", "..###.....",
          ".###......", "##########", "##########"),
    "C": ("..######..", ".########.", "###....##.", "##........", "##........", "##........", "##........",
          "###....##.", ".########.", "..######.."),
    "L": ("##........", "##........", "##........", "##........", "##........", "##........", "##........",
          "##........", "#########.", "#########."),
    "O": ("..######..", ".########.", "###....###", "##......##", "##......##", "##......##", "##......##",
          "###....###", ".########.", "..######.."),
    "U": ("##......##", "##......##", "##......##", "##......##", "##......##", "##......##", "##......##",
          "###....###", ".########.", "..######.."),
}  # fmt: skip


def letter_patterns(k: int | None = None) -> tuple[np.ndarray, list[str]]:
    """The first ``k`` letters as ±1 patterns (k, 100), and their names."""
    names = list(LETTERS)[: k or len(LETTERS)]
    pats = np.array([[[1 if c == "#" else -1 for c in row] for row in LETTERS[n]] for n in names], np.float32)
    return pats.reshape(len(names), -1), names


def random_patterns(k: int, n: int, seed: int = 0) -> np.ndarray:
    """``k`` random ±1 patterns of ``n`` neurons, each bit +1 with probability ½, (k, n)."""
    return np.where(np.random.default_rng(seed).random((k, n)) < 0.5, 1.0, -1.0).astype(np.float32)


def hebbian(patterns: np.ndarray) -> np.ndarray:
    """W = (1/N) Σ ξξᵀ with a zero diagonal, (N, N). More patterns than neurons is refused."""
    p, n = patterns.shape
    if p > n:
        raise ConfigError(
            f"{p} patterns cannot be stored in {n} neurons: a Hopfield network recalls at most about 0.14 N "
            f"({int(CAPACITY * n)} here). Store fewer patterns or use a larger grid."
        )
    W = patterns.T.astype(np.float64) @ patterns / n
    np.fill_diagonal(W, 0.0)
    return W


def corrupt(pattern: np.ndarray, frac: float, seed: int = 0) -> np.ndarray:
    """``pattern`` (N,) with round(frac · N) bits, chosen at random, flipped."""
    if not 0.0 <= frac <= 1.0:
        raise ConfigError(f"The fraction of flipped bits must lie between 0 and 1, got {frac}.")
    out = pattern.copy()
    idx = np.random.default_rng(seed).permutation(len(out))[: int(round(frac * len(out)))]
    out[idx] *= -1
    return out


def energy(W: np.ndarray, s: np.ndarray) -> float:
    """E(s) = −½ sᵀWs (no thresholds)."""
    return float(-0.5 * s @ W @ s)


def async_recall(W: np.ndarray, s0: np.ndarray, seed: int = 0, max_sweeps: int = 30) -> dict[str, np.ndarray]:
    """Asynchronous updates from s0 (N,) until a sweep changes nothing: every visit recorded.

    Returns ``states`` (T + 1, N) int8 (the state before any update, then after each visit), ``energy``
    (T + 1,), ``neuron`` (T,) the neuron visited, ``flipped`` (T,) whether it changed, ``sweeps`` and
    ``converged`` (a sweep without a change was reached)."""
    rng = np.random.default_rng(seed)
    s = s0.astype(np.float64).copy()
    n = len(s)
    states, energies, visited, flipped = [s.astype(np.int8)], [energy(W, s)], [], []
    e, converged, sweeps = energies[0], False, 0
    for sweeps in range(1, max_sweeps + 1):  # noqa: B007 - reported below
        changed = False
        for i in rng.permutation(n):
            h = W[i] @ s
            new = 1.0 if h >= 0 else -1.0
            if new != s[i]:
                e -= (new - s[i]) * h  # ΔE = −Δsᵢ hᵢ ≤ 0
                s[i], changed = new, True
            visited.append(i)
            flipped.append(new != states[-1][i])
            states.append(s.astype(np.int8))
            energies.append(e)
        if not changed:
            converged = True
            break
    return dict(
        states=np.array(states),
        energy=np.array(energies),
        neuron=np.array(visited),
        flipped=np.array(flipped),
        sweeps=np.array(sweeps),
        converged=np.array(converged),
    )


def recall_batch(W: np.ndarray, S0: np.ndarray, seed: int = 0, max_sweeps: int = 30) -> np.ndarray:
    """Asynchronous recall of many probes (B, N) at once (one random order per sweep, shared), (B, N)."""
    rng = np.random.default_rng(seed)
    S = S0.astype(np.float64).copy()
    for _ in range(max_sweeps):
        before = S.copy()
        for i in rng.permutation(S.shape[1]):
            S[:, i] = np.where(S @ W[:, i] >= 0, 1.0, -1.0)
        if np.array_equal(before, S):
            break
    return S


def recall_rate(patterns: np.ndarray, noise: float = 0.2, seed: int = 0) -> tuple[float, float]:
    """Store ``patterns`` (P, N), start from each with ``noise`` of its bits flipped, and recall: (fraction
    recalled, mean final overlap)."""
    W = hebbian(patterns)
    probes = np.stack([corrupt(p, noise, seed * 7919 + i) for i, p in enumerate(patterns)])
    final = recall_batch(W, probes, seed)
    m = (final * patterns).mean(1)
    return float((m >= RECALLED).mean()), float(m.mean())


def capacity_curve(
    n: int = 100, loads: tuple[float, ...] | None = None, trials: int = 5, noise: float = 0.2, seed: int = 0
) -> dict[str, np.ndarray]:
    """Recall rate against the load α = P/N for random patterns on ``n`` neurons: for each load,
    ``trials`` networks, each storing P patterns and recalling every one of them from ``noise``."""
    loads = loads or tuple(np.round(np.arange(0.02, 0.32, 0.02), 2))
    rates, overlaps, ps = [], [], []
    for a in loads:
        p = max(1, int(round(a * n)))
        got = [
            recall_rate(random_patterns(p, n, seed * 1000 + t), noise, seed * 1000 + t) for t in range(trials)
        ]
        rates.append(np.mean([g[0] for g in got]))
        overlaps.append(np.mean([g[1] for g in got]))
        ps.append(p)
    return dict(
        load=np.array([p / n for p in ps]),
        patterns=np.array(ps),
        recall=np.array(rates),
        overlap=np.array(overlaps),
        n=np.array(n),
    )


def pattern_data(kind: str = "random", num_patterns: int = 30, side: int = SIDE, seed: int = 0) -> Supervised:
    """Patterns to store, one per row of ``x_train`` (P, side²) ±1 (``y`` their index): ``random`` or the
    ``letters`` (10×10 only). The test split holds the same patterns: recall is measured on what is
    stored."""
    n = side * side
    if kind == "letters":
        if side != SIDE:
            raise ValueError(f"the letters are drawn on a {SIDE}×{SIDE} grid, not {side}×{side}")
        x, names = letter_patterns(min(num_patterns, len(LETTERS)))
    elif kind == "random":
        if num_patterns > n:
            raise ValueError(
                f"{num_patterns} patterns cannot be stored in {n} neurons (recall fails beyond about "
                "0.14 N); store fewer patterns or use a larger grid"
            )
        x, names = random_patterns(num_patterns, n, seed), [str(i) for i in range(num_patterns)]
    else:
        raise ValueError(f"patterns are 'random' or 'letters', not {kind!r}")
    y = np.arange(len(x))
    return Supervised(
        x_train=x,
        y_train=y,
        x_test=x,
        y_test=y,
        kind="patterns",
        num_classes=len(x),
        class_names=tuple(names),
        name=f"{kind} patterns on {side}×{side}",
        meta={"side": side},
    )


@dataclass(frozen=True)
class HopfieldTask(Task):
    """Recall is measured from ``noise`` flipped bits."""

    noise: float = 0.2

    name = "hopfield"
    higher_is_better = "recall"

    def __post_init__(self) -> None:
        if not 0.0 <= self.noise <= 0.5:
            raise ConfigError(f"The fraction of flipped bits must lie between 0 and 0.5, got {self.noise}.")

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return ("noise",)

    @classmethod
    def from_data(cls, data: Supervised, **kw) -> HopfieldTask:
        return cls(**kw)

    def loss(self, model, x, y):
        raise NotImplementedError("a Hopfield network stores patterns by the Hebbian rule, not by gradients")


class HopfieldTrainer(Trainer):
    """One step stores the next pattern (Hebbian, W += ξξᵀ/N off the diagonal). The step's ``loss`` is the
    fraction of the stored patterns' bits that are not stable (sign(Wξ) ≠ ξ: Amit et al.'s error rate, about
    1.6 % at 0.138 N); an evaluation adds ``test_recall`` (fraction of the stored patterns recalled from
    ``noise`` flipped bits), ``test_overlap`` (their mean final overlap) and ``load`` (P/N)."""

    eval_key = "test_recall"

    def __init__(self, model: Hopfield, task: HopfieldTask, data: Supervised, seed: int = 0, **kw):
        super().__init__(model, task, data, seed=seed, **kw)
        n, available = model.cfg.num_neurons, len(data.x_train)
        if self.num_steps > n:
            raise ConfigError(
                f"{self.num_steps} patterns cannot be stored in {n} neurons: recall fails beyond about "
                f"0.14 N ({int(CAPACITY * n)} here). Store fewer patterns or use a larger grid."
            )
        if self.num_steps > available:
            raise ConfigError(
                f"Only {available} patterns are available to store; use at most that many steps."
            )
        self.seed, self.noise = seed, task.noise
        self.patterns = data.x_train.astype(np.float32)
        with torch.no_grad():
            model.W.zero_()
            model.theta.zero_()

    @property
    def stored(self) -> np.ndarray:
        return self.patterns[: self.step_count]

    def _one_step(self) -> None:
        xi = torch.as_tensor(self.patterns[self.step_count], device=self.device)
        W = self.model.W
        with torch.no_grad():
            W += torch.outer(xi, xi) / len(xi)
            W.fill_diagonal_(0.0)
            P = torch.as_tensor(self.patterns[: self.step_count + 1], device=self.device)  # (P, N)
            unstable = (torch.where(P @ W >= 0, 1.0, -1.0) != P).float().mean()
        self.step_count += 1
        self.samples_seen += 1
        self._pending.append(unstable)

    @torch.no_grad()
    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        p = self.stored
        if not len(p):
            return {"test_recall": 0.0, "test_overlap": 0.0, "load": 0.0, "test_loss": 1.0}
        rate, overlap = recall_rate(p, self.noise, self.seed)
        n = p.shape[1]
        return {"test_recall": rate, "test_overlap": overlap, "load": len(p) / n, "test_loss": 1.0 - rate}

    def diagnose(self) -> str | None:
        return None  # storing more patterns is meant to make recall fail: not a failed run


def modern_retrieval(patterns: np.ndarray, query: np.ndarray, beta: float) -> dict[str, np.ndarray]:
    """One update of the modern Hopfield network (archs ``modern_hopfield``) storing ``patterns`` (P, N),
    from ``query`` (N,): both scaled to unit length, so that X ξ holds cosine similarities. Returns
    "weights" softmax(β X ξ) (P,) and "retrieved" Xᵀ softmax(β X ξ) rescaled to the patterns' size (N,)."""
    import archs

    p, n = patterns.shape
    model = archs.build_model("modern_hopfield", dim=n, num_patterns=p, beta=float(beta))
    scale = np.sqrt(n)
    model.store(torch.as_tensor(patterns / scale, dtype=torch.float32))
    q = torch.as_tensor(query / scale, dtype=torch.float32)[None]  # (1, N)
    with torch.no_grad():
        weights = model.attention(q)[0].numpy()
        retrieved = model(q)[0].numpy() * scale
    return {"weights": weights, "retrieved": retrieved}
