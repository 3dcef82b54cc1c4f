"""Training a deep stacking network: one block per step, each block's upper weights solved in closed form.

Deng & Yu (2011), "Deep convex net"; Deng, Yu & Platt (2012), "Scalable stacking and learning for building
deep architectures". With H the hidden outputs of block k on the training set (one column per example,
plus a row of ones for the bias) and T the one-hot targets, the upper weights are

    U = (HHᵀ + λI)⁻¹ H Tᵀ

(written row-per-example here: U = (HᵀH/N + λI)⁻¹ HᵀT/N, training/energy/kernels.ridge_solve). The lower
weights W stay as initialised (random); the blocks below are frozen once solved, so adding a block never
changes what the lower ones output. Step k solves block k; ``num_steps`` is at most the number of blocks.

Logged per step: ``loss`` (block k's training mean squared error against the one-hot targets),
``train_acc``. Evaluation: ``train_acc``, ``test_acc``, ``test_loss`` of the top solved block, and
``block_acc`` (the list of every solved block's test accuracy) in ``block_metrics()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from archs.spec import ConfigError
from data.base import Supervised
from training.energy.kernels import SolveTask, SolveTrainer, one_hot, ridge_solve, set_linear, with_ones


@dataclass(frozen=True)
class DSNTask(SolveTask):
    ridge: float = 1e-3  # λ: larger keeps U small and smooth, smaller fits the training set harder

    def __post_init__(self) -> None:
        if not 0 <= self.ridge <= 100:
            raise ConfigError(f"The ridge λ must be between 0 and 100, got {self.ridge}.")


@torch.no_grad()
def solve_block(model: nn.Module, k: int, x: torch.Tensor, t: torch.Tensor, ridge: float) -> dict[str, Any]:
    """Solve block k (0-based) on inputs x (N, ...) and one-hot targets t (N, C), the blocks below solved
    already. Returns what a page shows of the solve: the shapes of H and U, and the training error."""
    below = model.block_outputs(x, k)
    block = model.blocks[k]
    h = with_ones(block.hidden(model.block_input(x, below)))  # (N, L + 1)
    u = ridge_solve(h, t, ridge)  # (L + 1, C)
    set_linear(block.upper, u)
    y = h @ u  # (N, C)
    return {
        "block": k + 1,
        "inputs": model.block_input(x, below).shape[1],
        "h_shape": tuple(h.T.shape),  # (L + 1, N): the paper's H, one column per example
        "u_shape": tuple(u.shape),
        "u_norm": float(u.norm()),
        "loss": float(F.mse_loss(y, t)),
    }


class DSNTrainer(SolveTrainer):
    """One block solved per step, bottom to top."""

    eval_key = "test_acc"

    def __init__(self, model: nn.Module, task: DSNTask, data: Supervised, **kw: Any):
        super().__init__(model, task, data, **kw)
        if self.num_steps > len(model.blocks):
            raise ConfigError(
                f"The network has {len(model.blocks)} blocks, so training takes at most {len(model.blocks)} "
                f"steps (one solve per block), not {self.num_steps}."
            )
        x, y = self.splits["train"]
        self.x, self.y, self.t = x.flatten(1), y, one_hot(y, model.cfg.num_classes)
        self.solves: list[dict[str, Any]] = []

    def update(self) -> dict[str, float]:
        info = solve_block(self.model, self.step_count, self.x, self.t, self.task.ridge)
        self.solves.append(info)
        self.samples_seen += len(self.x)
        top = self.model.block_outputs(self.x, self.step_count + 1)[-1]
        return {"loss": info["loss"], "train_acc": float((top.argmax(-1) == self.y).float().mean())}

    @torch.no_grad()
    def block_metrics(self, split: str = "test") -> list[dict[str, float]]:
        """Per solved block: its output's accuracy and mean squared error on ``split``."""
        x, y = self.splits[split]
        outs = self.model.block_outputs(x.flatten(1), max(self.step_count, 1))
        t = one_hot(y, self.model.cfg.num_classes)
        return [
            {
                "block": i + 1,
                "acc": float((o.argmax(-1) == y).float().mean()),
                "loss": float(F.mse_loss(o, t)),
            }
            for i, o in enumerate(outs)
        ]

    def metrics(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for split in self.splits:
            top = self.block_metrics(split)[-1]
            out[f"{split}_acc"], out[f"{split}_loss"] = top["acc"], top["loss"]
        return out


def dsn_experiment(
    num_blocks: int = 6, hidden_dim: int = 150, ridge: float = 1e-3, init_scale: float = 3.0, seed: int = 0
) -> dict[str, Any]:
    """The digits recipe with these settings, every block solved: per block its solve (``solves``: the
    shapes of H and U, the training error) and its accuracy (``rows``: block, train_acc, test_acc)."""
    from training.recipes import get_recipe

    t = get_recipe("dsn_digits").trainer(
        seed=seed,
        num_blocks=num_blocks,
        hidden_dim=hidden_dim,
        ridge=ridge,
        init_scale=init_scale,
        num_steps=num_blocks,
    )
    t.step(num_blocks)
    if t.status == "failed":
        raise ConfigError(t.message)
    train, test = t.block_metrics("train"), t.block_metrics("test")
    rows = [
        {"block": a["block"], "train_acc": a["acc"], "test_acc": b["acc"], "test_loss": b["loss"]}
        for a, b in zip(train, test, strict=True)
    ]
    return {"rows": rows, "solves": t.solves, "seconds": t.train_seconds}
