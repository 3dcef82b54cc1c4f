"""A tabular action-value function Q[s, a], written as a module so that tabular Q-learning and SARSA train
something the registry can build, draw and save like any network.

C. J. C. H. Watkins (1989), "Learning from Delayed Rewards", PhD thesis, University of Cambridge. The
table has one entry per (state, action) pair and no generalisation: what is learned in one state says
nothing about another, which is exactly why it converges (Watkins & Dayan 1992) and exactly why it cannot
scale to CartPole's continuous states. The algorithms update entries directly (Q[s, a] += α · TD error);
the entries are still a Parameter, so a gradient step on (target − Q[s, a])² / 2 with SGD at rate α is the
same update.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, Paper, hp


@dataclass(frozen=True)
class QTableConfig(Config):
    num_states: int = hp(
        25,
        lo=1,
        hi=100_000,
        help="How many distinct states the environment has (the 5×5 grid world: 25 cells); one row each.",
    )
    num_actions: int = hp(4, lo=1, hi=256, help="How many actions (the grid world: up, right, down, left).")
    init_value: float = hp(
        0.0,
        lo=-10.0,
        hi=10.0,
        step=0.1,
        help="The value every entry starts at. Above the true values ('optimism in the face of uncertainty') "
        "the agent keeps trying actions it has not tried, because each disappoints it in turn.",
    )


class QTable(nn.Module):
    """state ids (B,) -> Q[s, ·] (B, A). A one-hot observation (B, S) is read as its argmax."""

    kind = "q"

    def __init__(self, cfg: QTableConfig):
        super().__init__()
        self.cfg = cfg
        self.table = nn.Parameter(torch.full((cfg.num_states, cfg.num_actions), float(cfg.init_value)))

    def forward(self, state: torch.Tensor) -> torch.Tensor:
        if state.dim() == 2:  # one-hot (B, S)
            state = state.argmax(-1)
        return self.table[state.long()]  # (B, A)

    def q(self, state: torch.Tensor) -> torch.Tensor:
        return self(state)

    def value(self, state: torch.Tensor) -> torch.Tensor:
        return self(state).amax(-1)  # (B,)

    def act(self, state: torch.Tensor, deterministic: bool = True) -> torch.Tensor:
        return self(state).argmax(-1)  # (B,)


def example_states(cfg: QTableConfig, batch: int = 4) -> torch.Tensor:
    """(B,) state ids."""
    return torch.arange(batch) % cfg.num_states


register(
    ArchSpec(
        name="q_table",
        title="Q-table (tabular)",
        family="rl",
        year=1989,
        paper=Paper(
            "C. J. C. H. Watkins",
            1989,
            "Learning from Delayed Rewards (PhD thesis, University of Cambridge)",
            url="https://www.cs.rhul.ac.uk/~chrisw/new_thesis.pdf",
        ),
        summary="A table with one number per state and action: the expected return of taking that action "
        "there. Q-learning fills it in from experience, one entry at a time.",
        tasks=("value-based control", "tabular"),
        config=QTableConfig,
        build=QTable,
        example_input=example_states,
        presets={"tiny": {}, "frozenlake": {"num_states": 16}},
    )
)
