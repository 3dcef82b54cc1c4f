"""Probes of GANs for the page: numpy views of a generator and discriminator (no streamlit, no plotting).

- ``lab_probe``: the 2-D lab's state (GAN Lab): real and generated points, D's output over the plane,
  G's mapping of a grid of the noise plane, and the gradient that G's loss puts on each generated point.
- ``samples_for``: a sample grid for a fixed latent batch; per class rows for conditional models.
- ``code_sweep``: InfoGAN, one code varied while the rest of the input stays fixed.
- ``style_mixing`` and ``noise_effect``: StyleGAN's coarse/fine styles and its per-pixel noise.
- ``attention_map``: SAGAN, where one pixel of the attention resolution looks.

Probes run under ``torch.no_grad`` in eval mode (``Trainer.snapshot``); ``lab_probe`` re-enables
gradients for the arrows.
"""

from __future__ import annotations

import numpy as np
import torch

from training.gan.metrics import coverage
from training.gan.trainer import LOGISTIC, g_loss_fn


def _dev(model) -> torch.device:
    return next(model.parameters()).device


def lab_probe(
    target: str | None,
    real: np.ndarray,
    kind: str = "auto",
    n_fake: int = 400,
    res: int = 48,
    lim: float = 4.5,
):
    """A function of the model returning the 2-D lab's arrays (see the module docstring)."""
    xs = np.linspace(-lim, lim, res, dtype=np.float32)
    pts = np.stack(np.meshgrid(xs, xs), -1).reshape(-1, 2)  # (res², 2), row-major over y then x

    def probe(model) -> dict:
        dev = _dev(model)
        k = model.default_loss if kind == "auto" else kind
        g = torch.Generator().manual_seed(2024)
        z = model.latent(n_fake, generator=g, device="cpu").to(dev)
        fake = model.generate(z)  # (n, 2)
        score = model.discriminate(torch.from_numpy(pts).to(dev))["logit"]
        heat = torch.sigmoid(score) if k in LOGISTIC else score
        with torch.enable_grad():  # −∂L_G/∂x: where G's loss pushes each generated point
            f = fake.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(g_loss_fn(k, model.discriminate(f)["logit"]) * len(f), f)
        lines = _warped_grid(model, dev)
        big = model.generate(model.latent(2000, generator=g, device="cpu").to(dev)).cpu().numpy()
        return {
            "real": real,
            "fake": fake.cpu().numpy(),
            "arrows": -grad.cpu().numpy(),
            "xs": xs,
            "heat": heat.reshape(res, res).cpu().numpy(),
            "heat_is_prob": k in LOGISTIC,
            "lines": lines,
            "stats": coverage(big, target) if target else {},
        }

    return probe


def _warped_grid(model, dev, n_lines: int = 11, n_pts: int = 40) -> list[np.ndarray]:
    """Images under G of lines of constant z₁ and of constant z₂ (other noise dims 0, codes fixed)."""
    r = 1.0 if model.noise == "uniform" else 2.0
    t = torch.linspace(-r, r, n_pts)
    lines = []
    base = model.latent(1, generator=torch.Generator().manual_seed(0), device="cpu")
    base[:, : model.latent_dim - model.cat_dim - model.cont_dim] = 0  # noise at 0, codes kept
    for c in torch.linspace(-r, r, n_lines):
        for axis in (0, 1) if model.latent_dim > 1 else (0,):
            z = base.repeat(n_pts, 1)
            z[:, axis] = t
            if model.latent_dim > 1:
                z[:, 1 - axis] = c
            lines.append(model.generate(z.to(dev)).cpu().numpy())
        if model.latent_dim == 1:
            break
    return lines


def samples_for(model, n: int = 32, seed: int = 0, per_class: int = 0) -> dict:
    """Samples (N, C, H, W) in [-1, 1] and their labels: ``per_class`` > 0 gives one row per class."""
    dev = _dev(model)
    g = torch.Generator().manual_seed(seed)
    if per_class and model.num_classes:
        y = torch.arange(model.num_classes).repeat_interleave(per_class)
        z = model.latent(per_class, generator=g, device="cpu").repeat(model.num_classes, 1)
        return {"images": model.generate(z.to(dev), y.to(dev)).cpu().numpy(), "labels": y.numpy()}
    z = model.latent(n, generator=g, device="cpu").to(dev)
    return {"images": model.generate(z).cpu().numpy(), "labels": None}


def code_sweep(model, code: int, steps: int = 8, rows: int = 4, seed: int = 0) -> np.ndarray:
    """InfoGAN: (rows·steps, C, H, W). ``code`` 0 sweeps the categorical code over its categories
    (columns); code i ≥ 1 sweeps continuous code i from −2 to 2 while the rest of each row is fixed."""
    dev = _dev(model)
    zdim = model.latent_dim - model.cat_dim - model.cont_dim
    z = model.latent(rows, generator=torch.Generator().manual_seed(seed), device="cpu")
    if code == 0:
        steps = model.cat_dim
    z = z.repeat_interleave(steps, 0)  # (rows·steps, latent)
    for r in range(rows):
        for s in range(steps):
            i = r * steps + s
            if code == 0:
                z[i, zdim : zdim + model.cat_dim] = 0
                z[i, zdim + s] = 1
            else:
                z[i, zdim + model.cat_dim + code - 1] = -2 + 4 * s / max(1, steps - 1)
    return model.generate(z.to(dev)).cpu().numpy()


def style_mixing(model, n: int = 4, mix_at: int = 2, seed: int = 0) -> dict:
    """StyleGAN: sources A (rows) and B (columns) and the mixed grid, layers < ``mix_at`` from A."""
    dev = _dev(model)
    g = torch.Generator().manual_seed(seed)
    za, zb = (torch.randn(n, model.latent_dim, generator=g).to(dev) for _ in range(2))
    a, b = model.generate(za, noise="fixed"), model.generate(zb, noise="fixed")
    mixed = model.generate(za.repeat_interleave(n, 0), z2=zb.repeat(n, 1), mix_at=mix_at, noise="fixed")
    return {"a": a.cpu().numpy(), "b": b.cpu().numpy(), "mixed": mixed.cpu().numpy()}


def noise_effect(model, repeats: int = 6, seed: int = 0) -> dict:
    """StyleGAN: one z with fresh noise each time, and the per-pixel standard deviation across them."""
    dev = _dev(model)
    z = (
        torch.randn(1, model.latent_dim, generator=torch.Generator().manual_seed(seed))
        .to(dev)
        .repeat(repeats, 1)
    )
    torch.manual_seed(seed)
    x = model.generate(z, noise="random").cpu().numpy()
    return {
        "samples": x,
        "std": x.std(0).mean(0),
        "no_noise": model.generate(z[:1], noise="none").cpu().numpy(),
    }


def attention_map(model, pixel: tuple[int, int], seed: int = 0) -> dict:
    """SAGAN: a sample, and the attention of one pixel (row, col) of the attention grid over all pixels."""
    dev = _dev(model)
    z = torch.randn(1, model.latent_dim, generator=torch.Generator().manual_seed(seed)).to(dev)
    x, attn = model.attention(z)
    side = int(round(attn.shape[-1] ** 0.5))
    j = pixel[0] * side + pixel[1]
    return {
        "image": x[0].cpu().numpy(),
        "attention": attn[0, j].reshape(side, side).cpu().numpy(),
        "side": side,
    }
