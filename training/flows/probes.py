"""Probes of flows for the page: numpy views of a model (no streamlit, no plotting).

- ``lab_probe``: the 2-D lab's state: the learned density over a grid of the plane, samples, and the warp
  of the plane by every layer, a grid of the latent plane (and Gaussian samples on it) pushed through the
  inverse layers one at a time, from z to x, as the GAN lab draws its generator.
- ``image_samples``: samples of an image flow at a temperature, from fixed noise.

Probes run under ``torch.no_grad`` in eval mode (``Trainer.snapshot``).
"""

from __future__ import annotations

import numpy as np
import torch

MAX_PANELS = 13  # the warp view: the latent plane and at most 12 layers


def _dev(model) -> torch.device:
    return next(model.parameters()).device


@torch.no_grad()
def density_grid(model, lim: float = 3.0, res: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """(xs (res,), p(x) (res, res)) with rows over y and columns over x."""
    xs = np.linspace(-lim, lim, res, dtype=np.float32)
    pts = np.stack(np.meshgrid(xs, xs), -1).reshape(-1, 2)  # (res², 2), row-major over y then x
    logp = model(torch.from_numpy(pts).to(_dev(model))).float().cpu().numpy()
    return xs, np.exp(np.clip(logp, -50, 20)).reshape(res, res).astype(np.float32)


def latent_grid(n_lines: int = 7, n_pts: int = 30, r: float = 2.5) -> np.ndarray:
    """Lines of constant z₁ and of constant z₂: (2·n_lines, n_pts, 2)."""
    t = np.linspace(-r, r, n_pts, dtype=np.float32)
    lines = []
    for c in np.linspace(-r, r, n_lines, dtype=np.float32):
        lines.append(np.stack([np.full_like(t, c), t], 1))
        lines.append(np.stack([t, np.full_like(t, c)], 1))
    return np.stack(lines)


def _panels(n_steps: int) -> list[int]:
    """Which inverse steps to draw (all of them up to MAX_PANELS − 1, else evenly spaced, last kept)."""
    if n_steps + 1 <= MAX_PANELS:
        return list(range(n_steps + 1))
    return sorted({int(round(i)) for i in np.linspace(0, n_steps, MAX_PANELS)})


@torch.no_grad()
def warp(model, n_points: int = 200, seed: int = 3) -> dict:
    """The latent grid and Gaussian samples pushed through the inverse layers one by one.
    ``lines`` (P, L, n, 2), ``points`` (P, n_points, 2), ``titles`` (P,): P panels from z to x."""
    dev = _dev(model)
    grid = latent_grid()
    g = torch.Generator().manual_seed(seed)
    pts = torch.randn(n_points, 2, generator=g)
    both = torch.cat([torch.from_numpy(grid.reshape(-1, 2)), pts]).to(dev)
    traj = model.inverse_trajectory(both)  # z, then after each inverse step
    names = list(reversed(model.names))  # the k-th inverse step undoes the (L − k)-th layer
    keep = _panels(len(names))
    n = grid.shape[0] * grid.shape[1]
    titles = []
    for k in keep:
        if k == 0:
            titles.append("z ~ N(0, I)")
        elif k == len(names):
            titles.append(f"x: after {names[k - 1]}" if len(names) > 1 else "x")
        else:
            titles.append(f"after {names[k - 1]}")
    arr = torch.stack([traj[k] for k in keep]).float().cpu().numpy()  # (P, n + n_points, 2)
    return {
        "lines": arr[:, :n].reshape(len(keep), *grid.shape[:2], 2),
        "points": arr[:, n:],
        "titles": titles,
    }


def lab_probe(data_points: np.ndarray, lim: float = 3.0, res: int = 60, n_samples: int = 500):
    """A function of the model returning the 2-D lab's arrays: ``xs``, ``density``, ``data``, ``samples``,
    ``warp`` (see ``warp``)."""

    def probe(model) -> dict:
        xs, dens = density_grid(model, lim, res)
        g = torch.Generator().manual_seed(7)
        samples = model.sample(n_samples, generator=g).float().cpu().numpy()
        return {"xs": xs, "density": dens, "data": data_points, "samples": samples, "warp": warp(model)}

    return probe


def image_samples(n: int = 32, temperature: float = 0.7, seed: int = 5):
    """A function of the model returning n samples (n, H, W) in [0, 1], from the same noise every time."""

    def probe(model) -> np.ndarray:
        g = torch.Generator().manual_seed(seed)
        x = model.sample(n, temperature=temperature, generator=g)  # (n, 1, H, W), around [−½, ½)
        return (x + 0.5).clamp(0, 1)[:, 0].float().cpu().numpy()

    return probe
