"""Feedforward networks: the single-layer perceptron and the multilayer perceptron (MLP).

Perceptron: Rosenblatt (1958), "The perceptron: a probabilistic model for information storage and
organization in the brain". MLP trained by backpropagation: Rumelhart, Hinton & Williams (1986),
"Learning representations by back-propagating errors". The MLP's canonical preset is LeNet-300-100
(LeCun, Bottou, Bengio & Haffner, 1998): 784 -> 300 -> 100 -> 10, 266,610 parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.blocks.activations import ACTIVATIONS, Activation
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, Result, hp


def flat_input(x: torch.Tensor) -> torch.Tensor:
    """(B, ...) -> (B, F): images and feature vectors alike."""
    return x.flatten(1)


@dataclass(frozen=True)
class PerceptronConfig(Config):
    in_features: int = hp(
        64, lo=1, hi=4096, help="How many numbers describe one example (64 for 8×8 digits)."
    )
    num_classes: int = hp(
        10,
        lo=1,
        hi=1000,
        help="How many outputs: one score per class, or 1 for "
        "a single score (regression or a yes/no decision).",
    )
    bias: bool = hp(
        True,
        help="Add a learned offset b to each output: y = Wx + b. Without it every "
        "decision line must pass through the origin.",
    )


class Perceptron(nn.Module):
    """One layer of weights: the scores are Wx + b and the prediction is the highest score.

    Rosenblatt's perceptron thresholds the score with a step function and learns by the perceptron
    rule; here the same linear map is trained by gradient descent on a smooth loss (logistic /
    softmax cross-entropy), which is how the model is used today. The decision boundary is linear.
    """

    def __init__(self, cfg: PerceptronConfig):
        super().__init__()
        self.cfg = cfg
        self.linear = nn.Linear(cfg.in_features, cfg.num_classes, bias=cfg.bias)

    def forward(self, x: torch.Tensor, return_hidden: bool = False):
        out = self.linear(flat_input(x))  # (B, num_classes)
        return (out, []) if return_hidden else out


@dataclass(frozen=True)
class MLPConfig(Config):
    in_features: int = hp(
        64,
        lo=1,
        hi=4096,
        help="How many numbers describe one example (64 for 8×8 "
        "digits, 784 for 28×28 images, 2 for a point in the plane).",
    )
    hidden_dims: tuple[int, ...] = hp(
        (64, 32),
        lo=1,
        hi=4096,
        max_len=16,
        help="Neurons in each hidden layer, input side first. More layers "
        "compose more bends of the decision boundary; more neurons per "
        "layer give each layer more directions to cut along.",
    )
    num_classes: int = hp(10, lo=1, hi=1000, help="Outputs: one score per class, or 1 for regression.")
    activation: Activation = hp(
        "relu",
        help="The nonlinearity σ in h = σ(Wx + b). Without one (linear), "
        "any depth collapses to a single linear map.",
    )
    residual: bool = hp(
        False,
        help="Add a skip connection around each hidden layer after the first: "
        "h ← h + σ(Wh + b). Gradients then reach early layers directly, so deep nets "
        "train. Where widths differ the skip is a learned linear projection.",
    )
    norm: Literal["none", "batchnorm", "layernorm"] = hp(
        "none",
        help="Normalize each layer's "
        "pre-activations: batch norm (over the batch) or "
        "layer norm (over the neurons).",
    )
    dropout: float = hp(
        0.0,
        lo=0.0,
        hi=0.9,
        step=0.05,
        help="Chance of zeroing each hidden activation "
        "while training, a regulariser against memorising the training set.",
    )
    bias: bool = hp(True, help="Learned offsets b in every layer.")

    def validate(self) -> None:
        if len(self.hidden_dims) == 0:
            raise ConfigError(
                "hidden_dims is empty: an MLP needs at least one hidden layer (use the perceptron for none)."
            )
        if self.norm == "batchnorm" and not self.bias:
            pass  # batch norm carries its own shift; fine without bias


class DenseBlock(nn.Module):
    """One hidden layer: h = dropout(σ(norm(W x + b))), plus x (or a projection of x) if residual."""

    def __init__(self, d_in: int, d_out: int, cfg: MLPConfig, residual: bool):
        super().__init__()
        self.linear = nn.Linear(d_in, d_out, bias=cfg.bias)
        self.norm = {"none": nn.Identity, "batchnorm": nn.BatchNorm1d, "layernorm": nn.LayerNorm}[cfg.norm](
            *(() if cfg.norm == "none" else (d_out,))
        )
        self.act = ACTIVATIONS[cfg.activation]()
        self.drop = nn.Dropout(cfg.dropout) if cfg.dropout > 0 else nn.Identity()
        self.residual = residual
        self.skip = (
            (nn.Identity() if d_in == d_out else nn.Linear(d_in, d_out, bias=False)) if residual else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.drop(self.act(self.norm(self.linear(x))))  # (B, d_out)
        if self.skip is not None:
            h = h + self.skip(x)
        return h


class MLP(nn.Module):
    """A stack of DenseBlocks and a linear read-out: y = W_L σ(… σ(W_1 x + b_1) …) + b_L."""

    def __init__(self, cfg: MLPConfig):
        super().__init__()
        self.cfg = cfg
        dims = (cfg.in_features, *cfg.hidden_dims)
        self.layers = nn.ModuleList(
            DenseBlock(dims[i], dims[i + 1], cfg, residual=cfg.residual and i > 0)
            for i in range(len(dims) - 1)
        )
        self.head = nn.Linear(dims[-1], cfg.num_classes, bias=cfg.bias)

    def forward(self, x: torch.Tensor, return_hidden: bool = False):
        h = flat_input(x)  # (B, in_features)
        hidden = []
        for layer in self.layers:
            h = layer(h)  # (B, hidden_dims[i])
            hidden.append(h)
        out = self.head(h)  # (B, num_classes)
        return (out, hidden) if return_hidden else out


def _vector_input(cfg) -> torch.Tensor:
    return torch.randn(4, cfg.in_features)


register(
    ArchSpec(
        name="perceptron",
        title="Perceptron",
        family="feedforward",
        year=1958,
        paper=Paper(
            "F. Rosenblatt",
            1958,
            "The perceptron: a probabilistic model for information storage and organization in the brain",
            url="https://doi.org/10.1037/h0042519",
        ),
        summary="A single layer of weights: a linear decision boundary, the ancestor of every network here.",
        tasks=("classification", "regression"),
        config=PerceptronConfig,
        build=Perceptron,
        example_input=_vector_input,
        presets={"tiny": {}, "toy2d": {"in_features": 2, "num_classes": 2}},
    )
)

register(
    ArchSpec(
        name="mlp",
        title="Multilayer perceptron (MLP)",
        family="feedforward",
        year=1986,
        paper=Paper(
            "D. E. Rumelhart, G. E. Hinton, R. J. Williams",
            1986,
            "Learning representations by back-propagating errors",
            url="https://doi.org/10.1038/323533a0",
        ),
        summary="Hidden layers of neurons with nonlinear activations, trained end to end by backpropagation.",
        tasks=("classification", "regression"),
        config=MLPConfig,
        build=MLP,
        example_input=_vector_input,
        presets={
            "tiny": {},
            "toy2d": {"in_features": 2, "hidden_dims": (8, 8), "num_classes": 2, "activation": "tanh"},
            "deep_residual": {"hidden_dims": (64,) * 8, "residual": True, "norm": "layernorm"},
            # LeNet-300-100 (LeCun et al. 1998): 784-300-100-10 with tanh units.
            "canonical": {
                "in_features": 784,
                "hidden_dims": (300, 100),
                "num_classes": 10,
                "activation": "tanh",
            },
        },
        published_params=266_610,
        published_result=Result(
            96.95, "MNIST test accuracy", "LeCun et al. 1998, Fig. 9: 3-layer NN 300+100 HU, error 3.05 %"
        ),
        published_source="LeCun et al. (1998), 3-layer NN 300+100 HU on 28×28 MNIST; "
        "784·300+300 + 300·100+100 + 100·10+10 = 266,610 "
        "(quoted as 267K for LeNet-300-100 in Han et al. 2015, Table 1).",
    )
)
