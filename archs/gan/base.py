"""The interface every GAN of the family shares: ``GANModel`` (a generator and a discriminator, sampling,
its loss by default) and the activations the generators choose from."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

ACTS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.2), "tanh": nn.Tanh, "elu": nn.ELU}


class GANModel(nn.Module):
    """Generator + discriminator. Subclasses set ``latent_dim`` (G's full input), ``num_classes``,
    ``default_loss`` and ``out_shape``; ``kind`` is "points" or "image"."""

    kind = "image"
    num_classes = 0
    cat_dim = 0
    cont_dim = 0
    noise = "gaussian"
    default_loss: str = "non_saturating"

    def latent(self, n: int, generator: torch.Generator | None = None, device=None) -> torch.Tensor:
        """(n, latent_dim) generator inputs: noise, then InfoGAN's one-hot category and continuous codes."""
        device = device or next(self.parameters()).device
        zdim = self.latent_dim - self.cat_dim - self.cont_dim
        if self.noise == "uniform":
            z = torch.rand(n, zdim, generator=generator, device=device) * 2 - 1
        else:
            z = torch.randn(n, zdim, generator=generator, device=device)
        parts = [z]
        if self.cat_dim:
            c = torch.randint(0, self.cat_dim, (n,), generator=generator, device=device)
            parts.append(F.one_hot(c, self.cat_dim).float())
        if self.cont_dim:
            parts.append(torch.rand(n, self.cont_dim, generator=generator, device=device) * 2 - 1)
        return torch.cat(parts, 1)

    def codes(self, z: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """InfoGAN: the categorical code (as indices) and the continuous codes inside ``z``."""
        zdim = self.latent_dim - self.cat_dim - self.cont_dim
        cat = z[:, zdim : zdim + self.cat_dim].argmax(1) if self.cat_dim else None
        cont = z[:, zdim + self.cat_dim :] if self.cont_dim else None
        return cat, cont

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """D(G(z)): the score (and auxiliary heads, concatenated) of generated samples, (B, 1 + …)."""
        d = self.discriminate(self.generate(z, y), y)
        return torch.cat([d["logit"][:, None]] + [d[k] for k in ("cls", "q_cat", "q_cont") if k in d], 1)
