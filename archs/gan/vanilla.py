"""The original GAN: an MLP generator against an MLP discriminator, on 2-D points or small images.

Goodfellow et al. (2014), "Generative adversarial nets", arXiv 1406.2661; with ``num_classes`` > 0,
Mirza & Osindero's (2014) conditional GAN (the one-hot label joins z and x).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.gan.base import ACTS, GANModel
from archs.registry import register
from archs.spec import ArchSpec, Config, Paper, hp


@dataclass(frozen=True)
class MLPGANConfig(Config):
    output: Literal["points2d", "image"] = hp(
        "points2d", help="What G makes: points in the plane (the 2-D lab), or flattened images."
    )
    image_size: int = hp(16, lo=8, hi=64, step=8, help="Side of the square images (image output only).")
    channels: int = hp(1, choices=(1, 3), help="Colour channels of the images (image output only).")
    latent_dim: int = hp(
        2, lo=1, hi=512, help="Noise dimension: how many random numbers z G turns into one sample."
    )
    noise: Literal["gaussian", "uniform"] = hp(
        "gaussian", help="The noise distribution p(z): standard normal, or uniform on [-1, 1]."
    )
    hidden_dim: int = hp(128, lo=1, hi=2048, help="Neurons in each hidden layer of G and of D.")
    num_layers: int = hp(3, lo=1, hi=8, help="Hidden layers in each of G and D.")
    activation: Literal["relu", "leaky_relu", "tanh", "elu"] = hp(
        "relu", help="Nonlinearity of G's hidden layers (D uses leaky ReLU, as most GANs do)."
    )
    num_classes: int = hp(
        0, lo=0, hi=100, help="Classes to condition on (cGAN): the one-hot label joins z and x. 0: none."
    )

    @property
    def data_dim(self) -> int:
        return 2 if self.output == "points2d" else self.channels * self.image_size**2


def mlp(d_in: int, width: int, depth: int, d_out: int, act) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(d_in if i == 0 else width, width), act()]
    layers.append(nn.Linear(width if depth else d_in, d_out))
    return nn.Sequential(*layers)


class MLPDiscriminator(nn.Module):
    def __init__(self, cfg: MLPGANConfig):
        super().__init__()
        self.net = mlp(cfg.data_dim + cfg.num_classes, cfg.hidden_dim, cfg.num_layers, 1, ACTS["leaky_relu"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class MLPGAN(GANModel):
    """The original GAN: both players are MLPs. With ``num_classes`` > 0 it is Mirza & Osindero's MLP
    cGAN (the one-hot label joins z and x); the registered ``cgan`` puts the same conditioning on
    DCGAN's convolutional players, which learn digits in far fewer steps."""

    def __init__(self, cfg: MLPGANConfig):
        super().__init__()
        self.cfg = cfg
        self.latent_dim, self.num_classes, self.noise = cfg.latent_dim, cfg.num_classes, cfg.noise
        self.kind = "points" if cfg.output == "points2d" else "image"
        self.out_shape = (2,) if self.kind == "points" else (cfg.channels, cfg.image_size, cfg.image_size)
        net = mlp(
            cfg.latent_dim + cfg.num_classes,
            cfg.hidden_dim,
            cfg.num_layers,
            cfg.data_dim,
            ACTS[cfg.activation],
        )
        self.generator = nn.Sequential(*net, nn.Tanh()) if self.kind == "image" else net
        self.discriminator = MLPDiscriminator(cfg)

    def _onehot(self, y: torch.Tensor | None, n: int, device) -> list[torch.Tensor]:
        if not self.num_classes:
            return []
        if y is None:
            y = torch.zeros(n, dtype=torch.long, device=device)
        return [F.one_hot(y, self.num_classes).float()]

    def generate(self, z, y=None):
        x = self.generator(torch.cat([z, *self._onehot(y, len(z), z.device)], 1))  # (B, data_dim)
        return x.view(len(z), *self.out_shape)

    def discriminate(self, x, y=None):
        h = torch.cat([x.flatten(1), *self._onehot(y, len(x), x.device)], 1)
        return {"logit": self.discriminator(h)[:, 0]}


GOODFELLOW = Paper(
    "I. Goodfellow, J. Pouget-Abadie, M. Mirza et al.", 2014, "Generative adversarial nets", arxiv="1406.2661"
)


def _mlp_input(cfg: MLPGANConfig):
    z = torch.randn(4, cfg.latent_dim)
    return (z, torch.arange(4) % cfg.num_classes) if cfg.num_classes else z


register(
    ArchSpec(
        name="gan",
        title="GAN (MLP generator and discriminator)",
        family="gan",
        year=2014,
        paper=GOODFELLOW,
        summary="Two MLPs in a game: G turns noise into samples, D tells them from real data.",
        tasks=("generation",),
        config=MLPGANConfig,
        build=MLPGAN,
        example_input=_mlp_input,
        presets={
            "tiny": {},
            "digits": {
                "output": "image",
                "image_size": 16,
                "latent_dim": 32,
                "hidden_dim": 256,
                "num_layers": 2,
            },
        },
    )
)
