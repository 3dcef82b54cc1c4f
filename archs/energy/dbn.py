"""The deep belief net: a stack of restricted Boltzmann machines learned greedily, one layer at a time,
with the labels joining the top RBM (an undirected associative memory) beside the last hidden layer.

G. E. Hinton, S. Osindero, Y.-W. Teh (2006), "A fast learning algorithm for deep belief nets", Neural
Computation 18(7), 1527-1554. Their digit model (Fig. 1): 784 pixels -> 500 -> 500 units, then a top RBM
of 2,000 units whose visible layer is those 500 units and 10 label units. Counted as the stack of RBMs it
is after greedy pre-training, each RBM with its weights and both biases:

    RBM 1  784·500 + 784 + 500                    =   393,284
    RBM 2  500·500 + 500 + 500                    =   251,000
    top    (500 + 10)·2,000 + (500 + 10) + 2,000  = 1,022,510
    total                                           1,666,794

(the weights alone: 1,662,000; the paper's own total is not checked here).

``forward(x)`` is the recognition (up) pass and the label layer: hᵏ = p(hᵏ | hᵏ⁻¹) layer by layer (mean
field), then for each label y the top RBM's free energy with y clamped, logits_y = −F_top(h, y) (B, 10):
the model's p(y | h) exactly, the 2,000 top units summed out. It also returns the down pass's
reconstruction of x from the last hidden layer (B, V), through the generative biases of the lower RBMs.
Fine-tuning (training/energy/dbn.py) trains the logits by backpropagation, as Hinton & Salakhutdinov
(2006) fine-tune a pre-trained stack.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archs.energy.rbm import RBM, RBMConfig
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class DBNConfig(Config):
    num_visible: int = hp(
        64,
        lo=1,
        hi=100_000,
        help="Pixels of the input (the 8×8 digits: 64; MNIST in the paper: 784).",
    )
    hidden_dims: tuple[int, ...] = hp(
        (128, 128, 256),
        lo=1,
        hi=10_000,
        max_len=8,
        help="Units of each hidden layer, input side first. Each layer is an RBM trained on the layer "
        "below's codes; the last is the top RBM (the associative memory), whose visible layer is the "
        "layer before it together with the label units.",
    )
    num_classes: int = hp(
        10,
        lo=2,
        hi=1000,
        help="Label units joined to the top RBM, one per class (a digit: 10).",
    )
    init_std: float = hp(
        0.01,
        lo=1e-4,
        hi=1.0,
        log=True,
        help="Standard deviation of every RBM's initial weights (0.01: Hinton's practical guide).",
    )

    def validate(self) -> None:
        if not self.hidden_dims:
            raise ConfigError(
                "hidden_dims is empty: a deep belief net needs at least the top layer (the associative "
                "memory)."
            )


class DBN(nn.Module):
    """x (B, V) or images (B, 1, H, W) -> (label logits (B, C), reconstruction of x (B, V))."""

    def __init__(self, cfg: DBNConfig):
        super().__init__()
        self.cfg = cfg
        dims = (cfg.num_visible, *cfg.hidden_dims[:-1])
        self.layers = nn.ModuleList(
            RBM(RBMConfig(num_visible=dims[i], num_hidden=dims[i + 1], init_std=cfg.init_std))
            for i in range(len(dims) - 1)
        )
        # the associative memory: visible = [last lower code, one-hot label]
        self.top = RBM(
            RBMConfig(
                num_visible=dims[-1] + cfg.num_classes, num_hidden=cfg.hidden_dims[-1], init_std=cfg.init_std
            )
        )

    @property
    def rbms(self) -> list[RBM]:
        """Every RBM, input side first, the top one last: the order of greedy pre-training."""
        return [*self.layers, self.top]

    def up(self, x: torch.Tensor, depth: int | None = None) -> torch.Tensor:
        """The mean-field codes of the first ``depth`` lower layers (all by default), (B, H)."""
        h = x.reshape(x.shape[0], -1)  # (B, V)
        for rbm in self.layers[:depth]:
            h = rbm.p_h(h)
        return h

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """−F_top(h, y) for every label y, (B, C): log p(h, y) up to a constant shared by all y."""
        h = self.up(x)  # (B, D)
        top, c = self.top, self.cfg.num_classes
        d = h.shape[1]
        W_h, W_y = top.W[:d], top.W[d:]  # (D, K), (C, K)
        a_h, a_y = top.a[:d], top.a[d:]  # (D,), (C,)
        pre = (h @ W_h + top.b).unsqueeze(1) + W_y.unsqueeze(0)  # (B, C, K): each label clamped in turn
        return (h @ a_h).unsqueeze(1) + a_y.view(1, c) + F.softplus(pre).sum(-1)  # (B, C)

    def down(self, h: torch.Tensor) -> torch.Tensor:
        """The generative pass from the last lower code back to pixels, (B, V)."""
        for rbm in reversed(self.layers):
            h = rbm.p_v(h)
        return h

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.logits(x), self.down(self.up(x))  # (B, C), (B, V)


def example_images(cfg: DBNConfig, batch: int = 4) -> torch.Tensor:
    """(B, V) binary pixels."""
    g = torch.Generator().manual_seed(0)
    return torch.bernoulli(torch.full((batch, cfg.num_visible), 0.3), generator=g)


register(
    ArchSpec(
        name="dbn",
        title="Deep belief net (DBN)",
        family="energy",
        year=2006,
        paper=Paper(
            "G. E. Hinton, S. Osindero, Y.-W. Teh",
            2006,
            "A fast learning algorithm for deep belief nets (Neural Computation 18(7))",
            url="https://doi.org/10.1162/neco.2006.18.7.1527",
        ),
        summary="A stack of RBMs pre-trained greedily, one layer at a time, with the labels joining the top "
        "RBM; then fine-tuned. The model that started the deep-learning revival.",
        tasks=("classification", "generative modelling", "pre-training"),
        config=DBNConfig,
        build=DBN,
        example_input=example_images,
        presets={
            "tiny": {"num_visible": 16, "hidden_dims": (12, 8, 16), "num_classes": 3},
            "digits": {"num_visible": 64, "hidden_dims": (128, 128, 256)},
            "canonical": {"num_visible": 784, "hidden_dims": (500, 500, 2000), "num_classes": 10},
        },
        published_params=1_666_794,
        published_source="Hinton, Osindero & Teh (2006), Fig. 1: RBMs 784-500 and 500-500, then a top RBM of "
        "2,000 units over 500 + 10 label units, each with its weights and both biases: "
        "(784·500 + 784 + 500) + (500·500 + 500 + 500) + ((500 + 10)·2,000 + 510 + 2,000) = 393,284 + "
        "251,000 + 1,022,510 = 1,666,794 (the weights alone 1,662,000).",
    )
)
