"""How good is a representation learned without labels? Read it with labels, cheaply.

- ``linear_probe_accuracy``: a softmax classifier trained on frozen features (standardised on the training
  split, L2-regularised, full-batch L-BFGS): the standard evaluation of SimCLR, BYOL and MAE.
- ``knn_accuracy``: the majority label of the k nearest training features by cosine similarity (no
  training at all, the monitor of InstDisc and DINO).
- ``baselines``: what a representation has to beat — the same probe on raw pixels, on the same encoder
  with random weights, and on the same encoder trained with the labels (supervised) on the same budget.
- ``pca_2d``: a 2-D view of embeddings with stable signs from one call to the next.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

import archs
from data.augment import augment
from data.base import Supervised


def _t(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a) if not isinstance(a, torch.Tensor) else a).detach().cpu()


def linear_probe_accuracy(
    features_train, y_train, features_test, y_test, l2: float = 1e-3, max_iter: int = 100
) -> float:
    """Test accuracy of a linear softmax classifier fitted on frozen training features (N, D)."""
    xtr, xte = _t(features_train).float().flatten(1), _t(features_test).float().flatten(1)
    ytr, yte = _t(y_train).long(), _t(y_test).long()
    mu, sd = xtr.mean(0), xtr.std(0) + 1e-6
    xtr, xte = (xtr - mu) / sd, (xte - mu) / sd
    c = int(max(ytr.max(), yte.max())) + 1
    w = torch.zeros(xtr.shape[1], c, requires_grad=True)
    b = torch.zeros(c, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(xtr @ w + b, ytr) + l2 * w.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    with torch.no_grad():
        return float(((xte @ w + b).argmax(1) == yte).float().mean())


def knn_accuracy(features_train, y_train, features_test, y_test, k: int = 10) -> float:
    """Test accuracy of a k-nearest-neighbour vote (cosine similarity) over the training features."""
    ftr, fte = (
        F.normalize(_t(features_train).float().flatten(1), dim=1),
        F.normalize(_t(features_test).float().flatten(1), dim=1),
    )
    ytr, yte = _t(y_train).long(), _t(y_test).long()
    k = min(k, len(ftr))
    idx = (fte @ ftr.T).topk(k, dim=1).indices  # (N_test, k)
    votes = F.one_hot(ytr[idx], int(ytr.max()) + 1).sum(1)  # (N_test, C)
    return float((votes.argmax(1) == yte).float().mean())


@torch.no_grad()
def encode_all(model, x: torch.Tensor, batch: int = 512) -> torch.Tensor:
    """model.encode over ``x`` in eval mode, in batches: (N, D) on the CPU."""
    was = model.training
    model.eval()
    try:
        return torch.cat([model.encode(x[i : i + batch]).float().cpu() for i in range(0, len(x), batch)])
    finally:
        model.train(was)


def pca_2d(features, reference: np.ndarray | None = None) -> np.ndarray:
    """(M, 2) projection on the two principal components. Each axis's sign is chosen to agree with
    ``reference`` (the previous view, so that a live plot does not flip), or else so that the point
    farthest along it is positive."""
    f = _t(features).double()
    f = f - f.mean(0)
    _, _, v = torch.linalg.svd(f, full_matrices=False)
    p = (f @ v[:2].T).numpy()  # (M, 2)
    if p.shape[1] < 2:
        p = np.pad(p, ((0, 0), (0, 2 - p.shape[1])))
    for j in range(2):
        if reference is not None and reference.shape == p.shape:
            flip = float((p[:, j] * reference[:, j]).sum()) < 0
        else:
            flip = p[np.abs(p[:, j]).argmax(), j] < 0
        if flip:
            p[:, j] = -p[:, j]
    return p.astype(np.float32)


def _supervised_probe(model, data: Supervised, budget: dict[str, Any]) -> float:
    """Train ``model``'s encoder and a linear head with labels (cross-entropy, Adam, the same steps,
    batch size and augmentations as the self-supervised run), then probe its frozen encoder."""
    x = torch.as_tensor(data.x_train)
    y = torch.as_tensor(data.y_train).long()
    head = torch.nn.Linear(encode_all(model, x[:2]).shape[1], data.num_classes)
    params = list(model.parameters()) + list(head.parameters())
    opt = torch.optim.Adam([p for p in params if p.requires_grad], lr=budget["lr"])
    g = torch.Generator().manual_seed(budget["seed"])
    model.train()
    for _ in range(budget["num_steps"]):
        idx = torch.randint(0, len(x), (min(budget["batch_size"], len(x)),), generator=g)
        v = augment(x[idx], budget["ops"], budget["strength"], g) if budget["ops"] else x[idx]
        loss = F.cross_entropy(head(model.encode(v)), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return probe_model(model, data)


def probe_model(model, data: Supervised, max_train: int = 2000) -> float:
    ftr = encode_all(model, torch.as_tensor(data.x_train[:max_train]))
    fte = encode_all(model, torch.as_tensor(data.x_test))
    return linear_probe_accuracy(ftr, data.y_train[:max_train], fte, data.y_test)


def baselines(
    data: Supervised,
    arch: str = "simclr",
    config: Any = None,
    num_steps: int = 300,
    batch_size: int = 128,
    lr: float = 1e-3,
    ops: tuple[str, ...] = ("crop", "flip", "jitter"),
    strength: float = 0.5,
    seed: int = 0,
    max_train: int = 2000,
) -> dict[str, float]:
    """{"raw_pixels", "random_init", "supervised"}: linear-probe test accuracies of the raw pixels, of
    ``arch``'s encoder (``config``, default its tiny preset) with its random initial weights (seed
    ``seed``), and of that encoder trained with the labels for ``num_steps`` steps of ``batch_size``."""
    spec = archs.get_arch(arch)
    cfg = config if config is not None else spec.make_config("tiny")
    raw = linear_probe_accuracy(
        data.x_train[:max_train].reshape(min(max_train, len(data.x_train)), -1),
        data.y_train[:max_train],
        data.x_test.reshape(len(data.x_test), -1),
        data.y_test,
    )
    torch.manual_seed(seed)
    model = archs.build_from_config(spec, cfg)
    random_init = probe_model(model, data, max_train)
    budget = dict(num_steps=num_steps, batch_size=batch_size, lr=lr, ops=ops, strength=strength, seed=seed)
    supervised = _supervised_probe(model, data, budget)
    return {"raw_pixels": raw, "random_init": random_init, "supervised": supervised}
