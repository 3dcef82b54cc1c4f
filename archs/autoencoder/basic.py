"""Autoencoders: the plain (MLP or convolutional), denoising and sparse autoencoders.

An autoencoder compresses an image x into a code z = f(x) and reconstructs x̂ = g(z); trained to make
x̂ close to x, it must keep in z what matters about the data.

- Autoencoder: Hinton & Salakhutdinov (2006), "Reducing the dimensionality of data with neural
  networks", Science 313. Canonical preset: their MNIST autoencoder 784-1000-500-250-30 (logistic
  hidden units, a linear 30-unit code, a logistic output layer), decoder weights untied after
  fine-tuning: 2,837,314 parameters.
- Denoising autoencoder: Vincent, Larochelle, Bengio & Manzagol (2008), "Extracting and composing
  robust features with denoising autoencoders" (ICML): corrupt x, reconstruct the clean x.
- Sparse autoencoder: Ng (2011), "Sparse autoencoder" (CS294A lecture notes): an L1 penalty on the
  code, or a KL divergence between each unit's mean activation and a small target rate ρ.

Every model here shares one interface that the tasks and the latent-space tools use:
``encode(x) -> z``, ``decode_logits(z)`` (before the output activation), ``decode(z) -> x̂`` of the
input's shape, ``latent(x)`` (the code drawn in the latent-space views, (B, Z)), ``decode_latent(z)``
and ``forward(x) -> x̂``. The variational models live in ``vae.py``, the vector-quantised one in
``vqvae.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.blocks.activations import ACTIVATIONS, Activation
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp

CodeActivation = Literal["linear", "sigmoid", "tanh", "relu"]


@dataclass(frozen=True)
class ImageAEConfig(Config):
    """Fields every image autoencoder shares (the data fix in_channels and image_size)."""

    in_channels: int = hp(1, lo=1, hi=4, help="Colour channels of the input images (1 for grey digits).")
    image_size: int = hp(8, lo=4, hi=128, help="Height and width of the square input images, in pixels.")
    variant: Literal["mlp", "conv"] = hp(
        "mlp",
        help="mlp: fully connected layers on the flattened image. conv: stride-2 convolutions that halve "
        "the image at each layer (and transposed convolutions that double it back), so weights are "
        "shared across positions.",
    )
    hidden_dims: tuple[int, ...] = hp(
        (128,),
        lo=1,
        hi=4096,
        max_len=8,
        help="mlp: neurons of each encoder layer, input side first. conv: channels of each stride-2 "
        "convolution. The decoder mirrors the encoder in reverse.",
    )
    latent_dim: int = hp(
        2,
        lo=1,
        hi=1024,
        help="Size Z of the code z, the bottleneck. 2 lets you see and walk the latent space directly; "
        "larger codes reconstruct better.",
    )
    activation: Activation = hp("relu", help="The nonlinearity σ of the hidden layers.")

    def validate(self) -> None:
        if self.variant == "conv":
            if not self.hidden_dims:
                raise ConfigError("The convolutional variant needs at least one convolution in hidden_dims.")
            f = 2 ** len(self.hidden_dims)
            if self.image_size % f:
                raise ConfigError(
                    f"{len(self.hidden_dims)} stride-2 convolutions halve the image {len(self.hidden_dims)} "
                    f"times, so image_size ({self.image_size}) must be a multiple of {f}; use fewer "
                    "layers in hidden_dims."
                )

    @property
    def code_act(self) -> str:
        return "linear"


@dataclass(frozen=True)
class AutoencoderConfig(ImageAEConfig):
    code_activation: CodeActivation = hp(
        "linear",
        help="The activation on the code z. linear lets codes spread freely; sigmoid gives the textbook "
        "z = σ(Wx + b) with every unit in (0, 1).",
    )

    @property
    def code_act(self) -> str:
        return self.code_activation


@dataclass(frozen=True)
class DenoisingConfig(AutoencoderConfig):
    noise: Literal["gaussian", "masking", "salt_pepper"] = hp(
        "masking",
        help="How inputs are corrupted while training. masking: each pixel is set to 0 with probability "
        "noise_level (Vincent et al. 2008). gaussian: add noise of std noise_level. salt_pepper: a "
        "share noise_level of pixels is set to 0 or 1.",
    )
    noise_level: float = hp(
        0.3, lo=0.0, hi=1.0, step=0.05, help="How strong the corruption is (a probability, or a std)."
    )


@dataclass(frozen=True)
class SparseConfig(ImageAEConfig):
    latent_dim: int = hp(
        64, lo=1, hi=1024, help="Size Z of the code. A sparse code may be as large as the input or larger."
    )
    sparsity: Literal["l1", "kl"] = hp(
        "l1",
        help="l1: penalise λ·Σⱼ|zⱼ| (ReLU code, so most units are exactly 0). kl: penalise "
        "λ·Σ KL(ρ‖ρ̂ⱼ) between a target rate ρ and each unit's mean activation ρ̂ⱼ (sigmoid code).",
    )
    sparsity_weight: float = hp(
        1e-3, lo=1e-5, hi=10.0, log=True, help="λ, the weight of the sparsity penalty in the loss."
    )
    target_rate: float = hp(
        0.05,
        lo=0.01,
        hi=0.5,
        step=0.01,
        help="ρ (kl only): the average activation each code unit should have, e.g. 0.05 = active 5% of "
        "the time.",
    )

    @property
    def code_act(self) -> str:
        return "relu" if self.sparsity == "l1" else "sigmoid"


def act(name: str) -> nn.Module:
    return ACTIVATIONS[name]()


class MLPEncoder(nn.Module):
    """(B, C, H, W) [+ a one-hot (B, K)] -> (B, out_dim): flatten, hidden layers, a linear head."""

    def __init__(self, cfg: ImageAEConfig, out_dim: int, extra_in: int = 0):
        super().__init__()
        d_in = cfg.in_channels * cfg.image_size**2
        dims = (d_in + extra_in, *cfg.hidden_dims)
        self.layers = nn.Sequential(
            *[m for i in range(len(dims) - 1) for m in (nn.Linear(dims[i], dims[i + 1]), act(cfg.activation))]
        )
        self.head = nn.Linear(dims[-1], out_dim)

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        h = x.flatten(1)  # (B, C·H·W)
        if cond is not None:
            h = torch.cat([h, cond], 1)  # (B, C·H·W + K)
        return self.head(self.layers(h))


class MLPDecoder(nn.Module):
    """(B, Z) [+ one-hot] -> (B, C, H, W) logits: the encoder's layers in reverse."""

    def __init__(self, cfg: ImageAEConfig, extra_in: int = 0):
        super().__init__()
        self.shape = (cfg.in_channels, cfg.image_size, cfg.image_size)
        dims = (cfg.latent_dim + extra_in, *reversed(cfg.hidden_dims))
        self.layers = nn.Sequential(
            *[m for i in range(len(dims) - 1) for m in (nn.Linear(dims[i], dims[i + 1]), act(cfg.activation))]
        )
        self.out = nn.Linear(dims[-1], cfg.in_channels * cfg.image_size**2)

    def forward(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        if cond is not None:
            z = torch.cat([z, cond], 1)  # (B, Z + K)
        return self.out(self.layers(z)).view(-1, *self.shape)  # (B, C, H, W)


class ConvEncoder(nn.Module):
    """Stride-2 4×4 convolutions (each halves H and W), flatten, [+ one-hot], a linear head."""

    def __init__(self, cfg: ImageAEConfig, out_dim: int, extra_in: int = 0):
        super().__init__()
        chans = (cfg.in_channels, *cfg.hidden_dims)
        self.convs = nn.Sequential(
            *[
                m
                for i in range(len(chans) - 1)
                for m in (nn.Conv2d(chans[i], chans[i + 1], 4, 2, 1), act(cfg.activation))
            ]
        )
        side = cfg.image_size // 2 ** len(cfg.hidden_dims)
        self.head = nn.Linear(chans[-1] * side * side + extra_in, out_dim)

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        h = self.convs(x).flatten(1)  # (B, C_last·s·s)
        if cond is not None:
            h = torch.cat([h, cond], 1)
        return self.head(h)


class ConvDecoder(nn.Module):
    """(B, Z) [+ one-hot] -> linear -> (B, C_last, s, s) -> stride-2 transposed convolutions -> logits."""

    def __init__(self, cfg: ImageAEConfig, extra_in: int = 0):
        super().__init__()
        chans = (*reversed(cfg.hidden_dims), cfg.in_channels)
        self.side = cfg.image_size // 2 ** len(cfg.hidden_dims)
        self.c0 = chans[0]
        self.fc = nn.Linear(cfg.latent_dim + extra_in, chans[0] * self.side**2)
        layers: list[nn.Module] = [act(cfg.activation)]
        for i in range(len(chans) - 1):
            layers.append(nn.ConvTranspose2d(chans[i], chans[i + 1], 4, 2, 1))
            if i < len(chans) - 2:
                layers.append(act(cfg.activation))
        self.deconvs = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        if cond is not None:
            z = torch.cat([z, cond], 1)
        h = self.fc(z).view(-1, self.c0, self.side, self.side)  # (B, C_last, s, s)
        return self.deconvs(h)  # (B, C, H, W)


def make_encoder(cfg: ImageAEConfig, out_dim: int, extra_in: int = 0) -> nn.Module:
    return (ConvEncoder if cfg.variant == "conv" else MLPEncoder)(cfg, out_dim, extra_in)


def make_decoder(cfg: ImageAEConfig, extra_in: int = 0) -> nn.Module:
    return (ConvDecoder if cfg.variant == "conv" else MLPDecoder)(cfg, extra_in)


class Autoencoder(nn.Module):
    """z = f(x) = σ_z(W x + b) (through the encoder's layers), x̂ = g(z) = sigmoid(decoder(z)).

    Pixels lie in [0, 1], so the output is a sigmoid; the tasks compare x̂ with x by squared error."""

    kind = "ae"
    conditional = False

    def __init__(self, cfg: ImageAEConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = make_encoder(cfg, cfg.latent_dim)
        self.code_act = act(cfg.code_act)
        self.decoder = make_decoder(cfg)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.code_act(self.encoder(x))  # (B, Z)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (B, C, H, W), before the sigmoid

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decode_logits(z))

    def latent(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.encode(x)

    def decode_latent(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.decode(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class DenoisingAutoencoder(Autoencoder):
    """An autoencoder trained on corrupted inputs c(x) to reconstruct the clean x: g(f(c(x))) ≈ x.
    The corruption is applied by the training task (``corrupt``); ``forward`` cleans what it gets."""

    def corrupt(
        self, x: torch.Tensor, level: float | None = None, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        return corrupt(x, self.cfg.noise, self.cfg.noise_level if level is None else level, generator)


class SparseAutoencoder(Autoencoder):
    """An autoencoder whose code is pushed towards few active units by a penalty (see ``penalty``)."""

    def penalty(self, z: torch.Tensor) -> torch.Tensor:
        """L1: mean over the batch of Σ_j |z_j|. KL: Σ_j KL(ρ ‖ ρ̂ⱼ), ρ̂ⱼ the batch mean of unit j."""
        cfg = self.cfg
        if cfg.sparsity == "l1":
            return z.abs().sum(1).mean()
        rho = cfg.target_rate
        rho_hat = z.mean(0).clamp(1e-6, 1 - 1e-6)  # (Z,)
        return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()


def corrupt(
    x: torch.Tensor, noise: str, level: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """The corruption c(x) of a denoising autoencoder, kept in [0, 1]."""
    if level <= 0:
        return x
    u = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    if noise == "masking":
        return x * (u >= level)
    if noise == "salt_pepper":
        salt = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype) < 0.5
        return torch.where(u < level, salt.to(x.dtype), x)
    if noise == "gaussian":
        eps = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        return (x + level * eps).clamp(0, 1)
    raise ValueError(f"unknown noise {noise!r}")


def image_input(cfg) -> torch.Tensor:
    return torch.rand(4, cfg.in_channels, cfg.image_size, cfg.image_size)


TINY = {"image_size": 8, "hidden_dims": (128, 64), "latent_dim": 2}
TINY_CONV = {"variant": "conv", "hidden_dims": (16, 32), "latent_dim": 2}

register(
    ArchSpec(
        name="autoencoder",
        title="Autoencoder",
        family="autoencoder",
        year=2006,
        paper=Paper(
            "G. E. Hinton, R. R. Salakhutdinov",
            2006,
            "Reducing the dimensionality of data with neural networks",
            url="https://doi.org/10.1126/science.1127647",
        ),
        summary="An encoder squeezes the image into a small code, a decoder rebuilds it; trained to "
        "minimise the reconstruction error ‖x − x̂‖².",
        tasks=("reconstruction", "dimensionality reduction", "anomaly detection"),
        config=AutoencoderConfig,
        build=Autoencoder,
        example_input=image_input,
        presets={
            "tiny": TINY,
            "tiny_conv": TINY_CONV,
            "canonical": {
                "image_size": 28,
                "hidden_dims": (1000, 500, 250),
                "latent_dim": 30,
                "activation": "sigmoid",
                "code_activation": "linear",
            },
        },
        published_params=2_837_314,
        published_source="Hinton & Salakhutdinov (2006), the MNIST autoencoder 784-1000-500-250-30 with "
        "a linear code and untied decoder weights: encoder 785,000 + 500,500 + 125,250 + 7,530, "
        "decoder 7,750 + 125,500 + 501,000 + 784,784 = 2,837,314",
    )
)

register(
    ArchSpec(
        name="denoising_autoencoder",
        title="Denoising autoencoder",
        family="autoencoder",
        year=2008,
        paper=Paper(
            "P. Vincent, H. Larochelle, Y. Bengio, P.-A. Manzagol",
            2008,
            "Extracting and composing robust features with denoising autoencoders",
            url="https://doi.org/10.1145/1390156.1390294",
        ),
        summary="Trained to rebuild the clean image from a corrupted one, so it cannot just copy its "
        "input: it learns what digits look like.",
        tasks=("denoising", "reconstruction"),
        config=DenoisingConfig,
        build=DenoisingAutoencoder,
        example_input=image_input,
        presets={"tiny": {**TINY, "latent_dim": 16}, "tiny_conv": {**TINY_CONV, "latent_dim": 16}},
    )
)

register(
    ArchSpec(
        name="sparse_autoencoder",
        title="Sparse autoencoder",
        family="autoencoder",
        year=2011,
        paper=Paper(
            "A. Ng",
            2011,
            "Sparse autoencoder (CS294A lecture notes)",
            url="https://web.stanford.edu/class/cs294a/sparseAutoencoder.pdf",
        ),
        summary="A wide code kept mostly silent by an L1 or KL penalty: each unit learns to respond to "
        "a few specific strokes.",
        tasks=("representation learning", "reconstruction"),
        config=SparseConfig,
        build=SparseAutoencoder,
        example_input=image_input,
        presets={
            "tiny": {"image_size": 8, "hidden_dims": (), "latent_dim": 64},
            "kl": {"sparsity": "kl", "hidden_dims": (), "sparsity_weight": 0.1},
        },
    )
)
