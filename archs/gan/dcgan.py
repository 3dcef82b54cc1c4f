"""Generative adversarial networks on latent vectors: GAN, DCGAN, WGAN, WGAN-GP, cGAN, AC-GAN, InfoGAN.

A GAN is two networks, so every architecture here builds one ``nn.Module`` holding a ``generator`` and
a ``discriminator`` submodule (the graph and summary then show both). Its ``forward(z[, y])`` is
D(G(z)): the discriminator's score of generated samples, the path every generator update
backpropagates through. Training code uses the explicit methods instead:

- ``latent(n)``: a batch of generator inputs (noise, and for InfoGAN the codes, concatenated);
- ``generate(z, y=None)``: samples;
- ``discriminate(x, y=None)``: a dict with ``logit`` (B,) (a score, no sigmoid: the loss applies it)
  and the auxiliary heads (``cls`` for AC-GAN, ``q_cat``/``q_cont`` for InfoGAN).

Papers: Goodfellow et al. (2014) arXiv 1406.2661; Radford, Metz & Chintala (2015) arXiv 1511.06434;
Arjovsky, Chintala & Bottou (2017) arXiv 1701.07875; Gulrajani et al. (2017) arXiv 1704.00028;
Mirza & Osindero (2014) arXiv 1411.1784; Odena, Olah & Shlens (2017) arXiv 1610.09585;
Chen et al. (2016) arXiv 1606.03657. Images are in [-1, 1] (tanh output), as in DCGAN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.gan.base import GANModel
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp

Loss = Literal["minimax", "non_saturating", "least_squares", "wasserstein", "wgan_gp"]


# ------------------------------------------------------------------------------------------ configs


@dataclass(frozen=True)
class DCGANConfig(Config):
    image_size: int = hp(16, choices=(8, 16, 32, 64, 128), help="Side of the generated square images.")
    channels: int = hp(1, choices=(1, 3), help="Colour channels: 1 for digits, 3 for colour images.")
    latent_dim: int = hp(32, lo=1, hi=512, help="Noise dimension: the length of z (100 in the paper).")
    g_width: int = hp(
        32, lo=4, hi=512, help="Feature maps of G's last hidden layer; each earlier layer doubles it."
    )
    d_width: int = hp(32, lo=4, hi=512, help="Feature maps of D's first layer; each later layer doubles it.")
    kernel_size: int = hp(4, choices=(4, 5), help="Convolution kernel side (5 in the paper, 4 in most code).")
    d_norm: Literal["batchnorm", "layernorm", "none"] = hp(
        "batchnorm",
        help="Normalisation in D. WGAN-GP needs none or layer norm: its penalty is per sample, "
        "and batch norm mixes the samples of a batch.",
    )

    def validate(self) -> None:
        if self.image_size & (self.image_size - 1):
            raise ConfigError(f"image_size ({self.image_size}) must be a power of two.")

    @property
    def stages(self) -> int:
        return int(math.log2(self.image_size)) - 2  # stride-2 layers between 4×4 and the image


@dataclass(frozen=True)
class ClassGANConfig(DCGANConfig):
    """The class-conditional variants (cGAN, AC-GAN): DCGAN's fields and the number of classes."""

    num_classes: int = hp(10, lo=2, hi=100, help="Classes G can be asked for (and D must tell apart).")


@dataclass(frozen=True)
class InfoGANConfig(DCGANConfig):
    """InfoGAN: DCGAN's fields and the latent codes a Q head must recover."""

    cat_dim: int = hp(10, lo=0, hi=20, help="Categories of the categorical code c₁ (0: none).")
    cont_dim: int = hp(2, lo=0, hi=8, help="Continuous codes c₂… uniform on [-1, 1].")

    def validate(self) -> None:
        super().validate()
        if self.cat_dim + self.cont_dim == 0:
            raise ConfigError("InfoGAN needs at least one code: raise cat_dim or cont_dim above 0.")


# ------------------------------------------------------------------------------------------ networks


class ConvGenerator(nn.Module):
    """DCGAN's generator: project z to 4×4 maps, then fractionally-strided convolutions that double the
    side and halve the maps, batch norm and ReLU between, tanh at the output. No biases (batch norm
    carries the shift), as in the authors' code."""

    def __init__(self, cfg: DCGANConfig, in_dim: int):
        super().__init__()
        n, w, k = cfg.stages, cfg.g_width, cfg.kernel_size
        chans = [w * 2 ** (n - 1 - i) for i in range(n)] + [cfg.channels]  # e.g. 1024, 512, 256, 128, 3
        self.c0 = chans[0]
        self.project = nn.Linear(in_dim, chans[0] * 16, bias=False)
        self.bn0 = nn.BatchNorm2d(chans[0])
        pad, out_pad = (k - 2) // 2 + (k % 2), k % 2  # k=4: p1, op0; k=5: p2, op1 (each side ×2)
        ups: list[nn.Module] = []
        for i in range(n):
            ups.append(nn.ConvTranspose2d(chans[i], chans[i + 1], k, 2, pad, out_pad, bias=False))
            ups += [nn.BatchNorm2d(chans[i + 1]), nn.ReLU()] if i < n - 1 else [nn.Tanh()]
        self.ups = nn.Sequential(*ups)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.project(z).view(-1, self.c0, 4, 4)  # (B, C0, 4, 4)
        return self.ups(F.relu(self.bn0(h)))  # (B, channels, S, S)


class ConvFeatures(nn.Module):
    """DCGAN's discriminator body: strided convolutions halving the side down to 4×4, leaky ReLU (0.2),
    batch norm on every layer but the first; returns the flattened (B, 16·C) features."""

    def __init__(self, cfg: DCGANConfig, in_channels: int | None = None):
        super().__init__()
        n, w, k = cfg.stages, cfg.d_width, cfg.kernel_size
        chans = [in_channels or cfg.channels] + [w * 2**i for i in range(n)]
        layers: list[nn.Module] = []
        for i in range(n):
            layers.append(nn.Conv2d(chans[i], chans[i + 1], k, 2, (k - 1) // 2, bias=False))
            if i > 0 and cfg.d_norm == "batchnorm":
                layers.append(nn.BatchNorm2d(chans[i + 1]))
            elif i > 0 and cfg.d_norm == "layernorm":
                side = cfg.image_size // 2 ** (i + 1)
                layers.append(nn.LayerNorm([chans[i + 1], side, side]))
            layers.append(nn.LeakyReLU(0.2))
        self.convs = nn.Sequential(*layers)
        self.out_features = chans[-1] * 16

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.convs(x).flatten(1)  # (B, 16·C)


class ConvDiscriminator(nn.Module):
    """Features and one linear head per output: ``logit`` (real or fake), ``cls`` (AC-GAN's class
    scores), ``q_cat``/``q_cont`` (InfoGAN's guesses of the codes, through a small hidden layer Q)."""

    def __init__(
        self, cfg: DCGANConfig, cls: int = 0, q_cat: int = 0, q_cont: int = 0, extra_channels: int = 0
    ):
        super().__init__()
        self.features = ConvFeatures(cfg, cfg.channels + extra_channels)
        f = self.features.out_features
        self.logit = nn.Linear(f, 1, bias=False)
        self.cls = nn.Linear(f, cls) if cls else None
        self.q = nn.Sequential(nn.Linear(f, 128), nn.LeakyReLU(0.2)) if q_cat + q_cont else None
        self.q_cat = nn.Linear(128, q_cat) if q_cat else None
        self.q_cont = nn.Linear(128, q_cont) if q_cont else None

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        h = self.features(x)  # (B, F)
        out = {"logit": self.logit(h)[:, 0]}
        if self.cls is not None:
            out["cls"] = self.cls(h)
        if self.q is not None:
            hq = self.q(h)
            if self.q_cat is not None:
                out["q_cat"] = self.q_cat(hq)
            if self.q_cont is not None:
                out["q_cont"] = self.q_cont(hq)
        return out


# ------------------------------------------------------------------------------------------ wrappers


class DCGAN(GANModel):
    """DCGAN (and the WGAN / WGAN-GP / AC-GAN / InfoGAN variants on the same convolutional players)."""

    def __init__(self, cfg: DCGANConfig, variant: str = "dcgan"):
        super().__init__()
        self.cfg, self.variant = cfg, variant
        self.out_shape = (cfg.channels, cfg.image_size, cfg.image_size)
        self.default_loss = {"wgan": "wasserstein", "wgan_gp": "wgan_gp"}.get(variant, "non_saturating")
        if variant in ("acgan", "cgan"):
            self.num_classes = getattr(cfg, "num_classes", 0)
            if self.num_classes < 2:
                raise ConfigError(f"{variant} needs a ClassGANConfig with at least 2 classes (num_classes).")
        if variant == "acgan":
            self.embed = nn.Embedding(self.num_classes, cfg.latent_dim)  # G's input is z ⊙ embed(y)
        if variant == "infogan":
            self.cat_dim, self.cont_dim = getattr(cfg, "cat_dim", 0), getattr(cfg, "cont_dim", 0)
            if self.cat_dim + self.cont_dim == 0:
                raise ConfigError("InfoGAN needs at least one code: raise cat_dim or cont_dim above 0.")
        self.latent_dim = cfg.latent_dim + self.cat_dim + self.cont_dim
        extra = self.num_classes if variant == "cgan" else 0  # y joins G's input one-hot, D's as planes
        self.generator = ConvGenerator(cfg, self.latent_dim + extra)
        self.discriminator = ConvDiscriminator(
            cfg,
            cls=self.num_classes if variant == "acgan" else 0,
            q_cat=self.cat_dim,
            q_cont=self.cont_dim,
            extra_channels=extra,
        )

    def _labels(self, y, n, device):
        return torch.zeros(n, dtype=torch.long, device=device) if y is None else y

    def generate(self, z, y=None):
        if self.variant == "acgan":
            z = z * self.embed(self._labels(y, len(z), z.device))  # (B, Z)
        elif self.variant == "cgan":
            z = torch.cat([z, F.one_hot(self._labels(y, len(z), z.device), self.num_classes).float()], 1)
        return self.generator(z)

    def discriminate(self, x, y=None):
        if self.variant == "cgan":
            B, _, H, W = x.shape
            planes = F.one_hot(self._labels(y, B, x.device), self.num_classes).float()[:, :, None, None]
            x = torch.cat([x, planes.expand(B, -1, H, W)], 1)  # (B, C + K, H, W)
        return self.discriminator(x)


# ------------------------------------------------------------------------------------------ registry

RADFORD = Paper(
    "A. Radford, L. Metz, S. Chintala",
    2015,
    "Unsupervised representation learning with deep convolutional generative adversarial networks",
    arxiv="1511.06434",
)


def _dc_input(variant: str):
    def make(cfg: DCGANConfig):
        z = torch.randn(4, cfg.latent_dim)
        if variant == "infogan":
            cat = torch.eye(max(1, cfg.cat_dim))[torch.arange(4) % max(1, cfg.cat_dim)][:, : cfg.cat_dim]
            return torch.cat([z, cat, torch.rand(4, cfg.cont_dim) * 2 - 1], 1)  # (B, Z + codes)
        return (z, torch.arange(4) % cfg.num_classes) if variant in ("acgan", "cgan") else z

    return make


_DC_PRESETS = {
    "tiny": {},
    # Radford et al. Fig. 1: z (100) projected to 4×4×1024, then 512, 256, 128 maps and a 64×64×3 image,
    # 5×5 kernels; D mirrors it (128, 256, 512, 1024 maps, then one linear unit).
    "canonical": {
        "image_size": 64,
        "channels": 3,
        "latent_dim": 100,
        "g_width": 128,
        "d_width": 128,
        "kernel_size": 5,
    },
}
DCGAN_PARAMS = (
    # G: 100·16384 projection + BN(1024) + 5·5·(1024·512 + 512·256 + 256·128 + 128·3) + BN(512, 256, 128)
    1_638_400
    + 2_048
    + 25 * (1024 * 512 + 512 * 256 + 256 * 128 + 128 * 3)
    + 2 * (512 + 256 + 128)
    # D: 5·5·(3·128 + 128·256 + 256·512 + 512·1024) + BN(256, 512, 1024) + 16·1024 read-out
    + 25 * (3 * 128 + 128 * 256 + 256 * 512 + 512 * 1024)
    + 2 * (256 + 512 + 1024)
    + 16 * 1024
)

register(
    ArchSpec(
        name="dcgan",
        title="DCGAN",
        family="gan",
        year=2015,
        paper=RADFORD,
        summary="Convolutional G and D with batch norm and strided convolutions: GANs that train.",
        tasks=("generation",),
        config=DCGANConfig,
        build=lambda cfg: DCGAN(cfg, "dcgan"),
        example_input=_dc_input("dcgan"),
        presets=_DC_PRESETS,
        published_params=DCGAN_PARAMS,
        published_source="Radford et al. (2015), Fig. 1 (4×4×1024 → 64×64×3, 5×5 kernels) and the authors' "
        "code (bias-free convolutions with batch norm, D mirroring G): G 18,855,040 + D 17,232,768 "
        "= 36,087,808 parameters.",
    )
)

for name, title, year, paper, summary, extra in (
    (
        "wgan",
        "Wasserstein GAN (weight clipping)",
        2017,
        Paper("M. Arjovsky, S. Chintala, L. Bottou", 2017, "Wasserstein GAN", arxiv="1701.07875"),
        "A critic estimates the Wasserstein distance; its weights are clipped to keep it 1-Lipschitz.",
        {},
    ),
    (
        "wgan_gp",
        "WGAN-GP (gradient penalty)",
        2017,
        Paper(
            "I. Gulrajani, F. Ahmed, M. Arjovsky et al.",
            2017,
            "Improved training of Wasserstein GANs",
            arxiv="1704.00028",
        ),
        "The critic's gradient norm is pushed towards 1 between real and fake samples instead of clipping.",
        {"d_norm": "layernorm"},
    ),
    (
        "acgan",
        "AC-GAN (auxiliary classifier)",
        2016,
        Paper(
            "A. Odena, C. Olah, J. Shlens",
            2016,
            "Conditional image synthesis with auxiliary classifier GANs",
            arxiv="1610.09585",
        ),
        "G takes a class; D also predicts the class of every image, real or fake.",
        {},
    ),
    (
        "infogan",
        "InfoGAN",
        2016,
        Paper(
            "X. Chen, Y. Duan, R. Houthooft et al.",
            2016,
            "InfoGAN: interpretable representation learning by "
            "information maximizing generative adversarial nets",
            arxiv="1606.03657",
        ),
        "Latent codes whose meaning is learned: a Q head must recover them from the image.",
        {},
    ),
):
    register(
        ArchSpec(
            name=name,
            title=title,
            family="gan",
            year=year,
            paper=paper,
            summary=summary,
            tasks=("generation",),
            config={"acgan": ClassGANConfig, "infogan": InfoGANConfig}.get(name, DCGANConfig),
            build=(lambda v: lambda cfg: DCGAN(cfg, v))(name),
            example_input=_dc_input(name),
            presets={"tiny": extra},
        )
    )

register(
    ArchSpec(
        name="cgan",
        title="Conditional GAN (cGAN)",
        family="gan",
        year=2014,
        paper=Paper(
            "M. Mirza, S. Osindero", 2014, "Conditional generative adversarial nets", arxiv="1411.1784"
        ),
        summary="G and D both see the label y: ask for a class, get a sample of it.",
        tasks=("generation",),
        config=ClassGANConfig,
        build=lambda cfg: DCGAN(cfg, "cgan"),
        example_input=_dc_input("cgan"),
        presets={"tiny": {}},
    )
)
