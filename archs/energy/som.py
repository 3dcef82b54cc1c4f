"""The self-organising map (SOM): a grid of units whose weight vectors spread over the data so that
neighbours on the grid answer to neighbouring inputs.

T. Kohonen (1982), "Self-organized formation of topologically correct feature maps", Biological
Cybernetics 43, 59-69; T. Kohonen (1990), "The self-organizing map", Proceedings of the IEEE 78, 1464-1480.

Each unit j sits at a fixed place on a ``rows`` × ``cols`` grid and holds a weight vector wⱼ in the input
space. For an input x, the best-matching unit c(x) is the one whose weights are nearest; learning moves it
and its grid neighbours towards x,

    wⱼ ← wⱼ + η hⱼ,c₍ₓ₎ (x − wⱼ),    hⱼ,c = exp(−‖gⱼ − g_c‖² / 2σ²)

with gⱼ the unit's grid position and a neighbourhood σ and rate η that shrink as training goes
(training/energy/som.py). There is no loss and no gradient: the rule is local. ``forward`` returns the
squared distance of every input to every unit's weights, (B, K); the smallest is the winner.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.registry import register
from archs.spec import ArchSpec, Config, Paper, hp


@dataclass(frozen=True)
class SOMConfig(Config):
    in_features: int = hp(
        3, lo=1, hi=4096, help="How many numbers describe one input (3 for an RGB colour, 64 for 8×8 digits)."
    )
    rows: int = hp(10, lo=1, hi=64, help="Height of the grid of units.")
    cols: int = hp(10, lo=1, hi=64, help="Width of the grid of units.")
    init_center: float = hp(
        0.5,
        lo=-10.0,
        hi=10.0,
        step=0.05,
        help="Every weight starts near this value (0.5: mid-grey for colours, whose channels run 0 to 1).",
    )
    init_range: float = hp(
        0.1,
        lo=0.0,
        hi=10.0,
        step=0.05,
        help="The width of the uniform noise around the starting value. Small, as in Kohonen's paper: the "
        "map starts as a tight random clump and has to unfold itself over the data.",
    )


class SelfOrganisingMap(nn.Module):
    """x (B, D) -> squared distances to every unit (B, K), K = rows · cols."""

    def __init__(self, cfg: SOMConfig):
        super().__init__()
        self.cfg = cfg
        k = cfg.rows * cfg.cols
        w0 = cfg.init_center + (torch.rand(k, cfg.in_features) - 0.5) * cfg.init_range
        self.weight = nn.Parameter(w0)  # (K, D)
        r, c = torch.meshgrid(torch.arange(cfg.rows), torch.arange(cfg.cols), indexing="ij")
        self.register_buffer("grid", torch.stack([r.flatten(), c.flatten()], 1).float(), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(1)
        return ((x[:, None, :] - self.weight[None]) ** 2).sum(-1)  # (B, K)

    def bmu(self, x: torch.Tensor) -> torch.Tensor:
        """The best-matching unit of every input: (B,) unit ids."""
        return self(x).argmin(-1)

    def neighbourhood(self, winners: torch.Tensor, sigma: float) -> torch.Tensor:
        """h (B, K): a Gaussian of the grid distance from each input's winner."""
        d2 = ((self.grid[winners][:, None, :] - self.grid[None]) ** 2).sum(-1)  # (B, K)
        return torch.exp(-d2 / (2 * sigma**2))

    def weight_grid(self) -> torch.Tensor:
        return self.weight.reshape(self.cfg.rows, self.cfg.cols, -1)  # (rows, cols, D)


def example_inputs(cfg: SOMConfig) -> torch.Tensor:
    return torch.rand(8, cfg.in_features)  # (B, D)


register(
    ArchSpec(
        name="som",
        title="Self-organising map",
        family="energy",
        year=1982,
        paper=Paper(
            "T. Kohonen",
            1982,
            "Self-organized formation of topologically correct feature maps (Biological Cybernetics 43)",
            url="https://doi.org/10.1007/BF00337288",
        ),
        summary="A grid of units that compete for each input; the winner and its grid neighbours move "
        "towards it, so the grid unfolds over the data and keeps neighbours alike.",
        tasks=("clustering", "visualisation"),
        config=SOMConfig,
        build=SelfOrganisingMap,
        example_input=example_inputs,
        presets={"tiny": {"rows": 4, "cols": 4}, "digits": {"in_features": 64, "rows": 12, "cols": 12}},
    )
)
