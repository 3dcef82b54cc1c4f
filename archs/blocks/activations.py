"""The activation functions a student can pick for a fully connected layer, by name."""

from __future__ import annotations

from typing import Literal

from torch import nn

Activation = Literal["relu", "tanh", "sigmoid", "leaky_relu", "gelu", "linear"]


ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "leaky_relu": nn.LeakyReLU,
    "gelu": nn.GELU,
    "linear": nn.Identity,
}
