"""The Idea tab's activation curves: each derivative agrees with autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz.feedforward import activation_values


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "gelu"])
def test_activation_derivatives_match_autograd(name):
    z = np.linspace(-3, 3, 13) + 0.01
    f, d = activation_values(name, z)
    t = torch.tensor(z, requires_grad=True)
    act = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": torch.nn.functional.leaky_relu,
        "gelu": torch.nn.functional.gelu,
    }[name]
    y = act(t)
    y.sum().backward()
    assert np.allclose(f, y.detach().numpy(), atol=1e-6) and np.allclose(d, t.grad.numpy(), atol=1e-6)
