"""Probes for the energy page's labs (see ``training.probes``): functions of a data set that return a
callable(model) -> dict of numpy arrays, run by ``Trainer.snapshot`` in eval mode without gradients.

- ``rbm_probe``: an RBM's filters (each hidden unit's weights as an image), one-step reconstructions of a
  few test digits, and Gibbs chains of fantasy samples recorded at chosen numbers of steps;
- ``dbn_probe``: a DBN's first-layer filters, reconstructions through the whole stack (up to the last code
  and back down) and the predicted labels of a few test digits.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from data.base import Supervised
from training.probes import _device

CHAIN_STEPS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500)


def _side(data: Supervised) -> int:
    return int(data.x_train.shape[-1])


def rbm_probe(
    data: Supervised, filters: int = 64, shown: int = 8, chains: int = 8, steps=CHAIN_STEPS, seed: int = 0
) -> Callable[[nn.Module], dict]:
    """ "filters" (F, s, s) the weights of the first ``filters`` hidden units; "recon" (2, n, s, s) test
    digits and their reconstructions p(v | p(h | v)); "chain" (len(steps), chains, s, s) the mean p(v | h)
    of Gibbs chains started from random pixels, after each number of steps in "steps"."""
    s = _side(data)
    x = torch.as_tensor(data.x_test[:shown]).reshape(shown, -1)  # (n, V)

    def probe(model: nn.Module) -> dict:
        dev = _device(model)
        v = x.to(dev)
        W = model.W[:, :filters].t().float().cpu().numpy()  # (F, V)
        g = torch.Generator(device=dev).manual_seed(seed)
        chain = torch.bernoulli(torch.full((chains, v.shape[1]), 0.5, device=dev), generator=g)
        frames, done = [], 0
        for k in steps:
            chain = model.gibbs(chain, k - done, g) if k > done else chain
            done = k
            frames.append((model.p_v(model.sample_h(chain, g)) if k else chain).float().cpu().numpy())
        return {
            "filters": W.reshape(-1, s, s),
            "recon": np.stack([v.cpu().numpy(), model.reconstruct(v).float().cpu().numpy()]).reshape(
                2, -1, s, s
            ),
            "chain": np.stack(frames).reshape(len(steps), chains, s, s),
            "steps": np.array(steps),
        }

    return probe


def dbn_probe(data: Supervised, filters: int = 32, shown: int = 10) -> Callable[[nn.Module], dict]:
    """ "filters" (F, s, s) of the first RBM, "recon" (2, n, s, s) test digits and their reconstructions by
    the up and down passes, "pred" (n,) the labels the model gives them and "true" (n,)."""
    s = _side(data)
    x = torch.as_tensor(data.x_test[:shown]).reshape(shown, -1)
    y = np.asarray(data.y_test[:shown])

    def probe(model: nn.Module) -> dict:
        v = x.to(_device(model))
        logits, recon = model(v)
        W = model.layers[0].W if len(model.layers) else model.top.W[: v.shape[1]]
        return {
            "filters": W[:, :filters].t().float().cpu().numpy().reshape(-1, s, s),
            "recon": np.stack([v.cpu().numpy(), recon.float().cpu().numpy()]).reshape(2, -1, s, s),
            "pred": logits.argmax(-1).cpu().numpy(),
            "true": y,
        }

    return probe
