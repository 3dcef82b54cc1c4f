"""Variational and vector-quantised autoencoders: VAE, β-VAE, conditional VAE, VQ-VAE.

- VAE: Kingma & Welling (2014), "Auto-Encoding Variational Bayes", arXiv 1312.6114. The encoder gives
  a Gaussian q(z|x) = N(μ(x), diag σ²(x)); z = μ + σ ⊙ ε with ε ~ N(0, I) (the reparameterisation
  trick) keeps sampling differentiable; the loss is the negative ELBO: reconstruction + KL(q ‖ N(0, I)).
  Canonical preset: the paper's MNIST model, one hidden layer of 500 tanh units in the encoder and the
  decoder (Section 5), Bernoulli decoder, N_z = 20 (one of the sizes of its Figure 2): 815,824 parameters.
- β-VAE: Higgins et al. (2017), "β-VAE: Learning basic visual concepts with a constrained variational
  framework" (ICLR): the KL term weighted by β; β > 1 trades reconstruction for a smoother, more
  disentangled latent space.
- Conditional VAE: Sohn, Lee & Yan (2015), "Learning structured output representation using deep
  conditional generative models" (NeurIPS): encoder q(z|x, y) and decoder p(x|z, y) both see the label.
- VQ-VAE: van den Oord, Vinyals & Kavukcuoglu (2017), "Neural discrete representation learning",
  arXiv 1711.00937. Encoder: stride-2 4×4 convolutions then residual blocks (ReLU, 3×3 conv, ReLU, 1×1
  conv); each output vector z_e is replaced by its nearest codebook entry e_k; the decoder mirrors the
  encoder with transposed convolutions. Gradients pass the quantiser straight through; the codebook
  learns either by the loss ‖sg[z_e] − e‖² or by exponential moving averages (the paper's appendix
  A.1), and the commitment loss β‖z_e − sg[e]‖² keeps the encoder near its codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.autoencoder.basic import ImageAEConfig, image_input, make_decoder, make_encoder
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class VAEConfig(ImageAEConfig):
    """The shared image-autoencoder fields; the encoder's head gives 2·latent_dim numbers (μ, log σ²)."""


@dataclass(frozen=True)
class BetaVAEConfig(VAEConfig):
    beta: float = hp(
        4.0,
        lo=0.0,
        hi=50.0,
        step=0.1,
        help="β, the weight of the KL term. β = 1 is the plain VAE; β > 1 presses codes towards the "
        "prior (smoother, more disentangled, blurrier); β < 1 favours sharp reconstructions. Too large a β "
        "for the data (above about 2 for 8×8 digits) makes every code collapse onto the prior.",
    )


@dataclass(frozen=True)
class ConditionalVAEConfig(VAEConfig):
    num_classes: int = hp(
        10, lo=2, hi=1000, help="How many labels y the model is conditioned on (10 digits)."
    )


class VAE(nn.Module):
    """q(z|x) = N(μ, diag σ²) from the encoder, z = μ + σ ⊙ ε, p(x|z) Bernoulli with logits decoder(z).

    ``forward(x)`` returns (x̂, μ, log σ²): a sampled reconstruction while training, the decoded mean
    in eval mode (the deterministic reconstruction that the views show)."""

    kind = "vae"
    conditional = False

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        self.cfg = cfg
        k = cfg.num_classes if self.conditional else 0
        self.encoder = make_encoder(cfg, 2 * cfg.latent_dim, extra_in=k)  # μ and log σ², side by side
        self.decoder = make_decoder(cfg, extra_in=k)

    @property
    def beta(self) -> float:
        return float(getattr(self.cfg, "beta", 1.0))

    def _cond(self, y: torch.Tensor | None) -> torch.Tensor | None:
        if not self.conditional:
            return None
        if y is None:
            raise ValueError("a conditional VAE needs the labels y")
        return F.one_hot(y.long(), self.cfg.num_classes).to(torch.get_default_dtype())  # (B, K)

    def encode(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(x, self._cond(y))  # (B, 2Z)
        mu, logvar = h.chunk(2, dim=1)  # (B, Z) each
        return mu, logvar.clamp(-12.0, 12.0)  # keeps exp() finite at wild learning rates

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)  # z = μ + σ ⊙ ε

    def decode_logits(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(z, self._cond(y))  # (B, C, H, W)

    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return torch.sigmoid(self.decode_logits(z, y))

    def latent(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.encode(x, y)[0]  # μ: the centre of each posterior

    def decode_latent(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.decode(z, y)

    def sample(self, n: int, y: torch.Tensor | None = None, generator: torch.Generator | None = None):
        """n images decoded from the prior z ~ N(0, I)."""
        dev = next(self.parameters()).device
        z = torch.randn(n, self.cfg.latent_dim, generator=generator)  # a CPU generator: seeds agree anywhere
        return self.decode(z.to(dev), y)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None):
        mu, logvar = self.encode(x, y)
        z = self.reparameterize(mu, logvar) if self.training else mu
        return self.decode(z, y), mu, logvar


class ConditionalVAE(VAE):
    conditional = True


# ----------------------------------------------------------------------------------------- VQ-VAE


@dataclass(frozen=True)
class VQVAEConfig(Config):
    in_channels: int = hp(1, lo=1, hi=4, help="Colour channels of the input images.")
    image_size: int = hp(8, lo=4, hi=256, help="Height and width of the square input images, in pixels.")
    hidden_dim: int = hp(
        32, lo=4, hi=512, help="Channels of every convolution and residual block (256 in the paper)."
    )
    num_downsamples: int = hp(
        1,
        lo=1,
        hi=4,
        help="Stride-2 convolutions in the encoder: each halves the grid of latent vectors (the paper "
        "used 2: 128×128 images -> a 32×32 grid).",
    )
    num_res_blocks: int = hp(
        1, lo=0, hi=4, help="Residual blocks (ReLU, 3×3 conv, ReLU, 1×1 conv) after the convolutions."
    )
    embedding_dim: int = hp(8, lo=1, hi=512, help="D, the length of each latent vector and codebook entry.")
    num_embeddings: int = hp(
        32, lo=2, hi=8192, help="K, how many entries the codebook has (512 in the paper's ImageNet model)."
    )
    commitment: float = hp(
        0.25,
        lo=0.0,
        hi=2.0,
        step=0.05,
        help="β of the commitment loss β‖z_e − sg[e]‖²: keeps the encoder's outputs close to their codes "
        "(0.25 in the paper).",
    )
    codebook_update: Literal["ema", "loss"] = hp(
        "ema",
        help="ema: codebook entries move to the running mean of the vectors assigned to them (paper, "
        "appendix A.1; robust). loss: entries are learned by gradient descent on ‖sg[z_e] − e‖².",
    )
    ema_decay: float = hp(0.99, lo=0.5, hi=0.999, step=0.001, help="Decay γ of the moving averages (ema).")

    def validate(self) -> None:
        f = 2**self.num_downsamples
        if self.image_size % f:
            raise ConfigError(
                f"{self.num_downsamples} stride-2 convolutions need image_size ({self.image_size}) to be a "
                f"multiple of {f}; lower num_downsamples."
            )


class ResBlock(nn.Module):
    """x + conv1×1(ReLU(conv3×3(ReLU(x)))), the paper's residual block."""

    def __init__(self, c: int):
        super().__init__()
        self.block = nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, 3, 1, 1), nn.ReLU(), nn.Conv2d(c, c, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class VectorQuantizer(nn.Module):
    """Nearest-neighbour lookup in a codebook of K vectors of size D, with a straight-through gradient.

    ``forward(z_e)`` takes (B, D, h, w) and returns a dict: ``z_q`` (straight-through, (B, D, h, w)),
    ``indices`` (B, h, w), ``codebook`` = ‖sg[z_e] − e‖² and ``commitment`` = ‖z_e − sg[e]‖² (means).
    With EMA updates the codebook is a buffer moved in training-mode forwards, like BatchNorm's stats."""

    def __init__(self, cfg: VQVAEConfig):
        super().__init__()
        K, D = cfg.num_embeddings, cfg.embedding_dim
        self.ema, self.decay, self.eps = cfg.codebook_update == "ema", cfg.ema_decay, 1e-5
        if self.ema:
            self.register_buffer("embedding", torch.randn(K, D))
            self.register_buffer("cluster_size", torch.ones(K))
            self.register_buffer("embed_sum", self.embedding.clone())
        else:
            self.embedding = nn.Parameter(torch.empty(K, D).uniform_(-1 / K, 1 / K))
        # Data-dependent initialisation: the first training batch's encoder vectors become the codebook,
        # so that no entry starts far from every input and stays unused (a common practice, e.g. in
        # Jukebox and SoundStream; the paper does not specify one). A buffer: saved with the weights.
        self.register_buffer("initialised", torch.tensor(False))

    def codes(self, flat: torch.Tensor) -> torch.Tensor:
        """(N, D) -> (N,) index of the nearest entry: argmin_k ‖z − e_k‖²."""
        e = self.embedding
        d = flat.pow(2).sum(1, keepdim=True) - 2 * flat @ e.t() + e.pow(2).sum(1)  # (N, K)
        return d.argmin(1)

    def lookup(self, indices: torch.Tensor) -> torch.Tensor:
        """(B, h, w) indices -> (B, D, h, w) codebook vectors."""
        return F.embedding(indices, self.embedding).permute(0, 3, 1, 2)

    @torch.no_grad()
    def _init_from(self, flat: torch.Tensor) -> None:
        K = self.embedding.shape[0]
        pick = (
            torch.randint(len(flat), (K,), device=flat.device)
            if len(flat) < K
            else torch.randperm(len(flat), device=flat.device)[:K]
        )
        self.embedding.data.copy_(flat[pick])
        if self.ema:
            self.embed_sum.copy_(flat[pick])
            self.cluster_size.fill_(1.0)
        self.initialised.fill_(True)

    def _ema_update(self, flat: torch.Tensor, idx: torch.Tensor) -> None:
        onehot = F.one_hot(idx, self.embedding.shape[0]).to(flat.dtype)  # (N, K)
        self.cluster_size.mul_(self.decay).add_(onehot.sum(0), alpha=1 - self.decay)
        self.embed_sum.mul_(self.decay).add_(onehot.t() @ flat, alpha=1 - self.decay)
        n = self.cluster_size.sum()
        size = (self.cluster_size + self.eps) / (n + self.embedding.shape[0] * self.eps) * n  # Laplace
        self.embedding.copy_(self.embed_sum / size.unsqueeze(1))

    def forward(self, z_e: torch.Tensor) -> dict[str, torch.Tensor]:
        B, D, h, w = z_e.shape
        flat = z_e.permute(0, 2, 3, 1).reshape(-1, D)  # (B·h·w, D)
        if self.training and not flat.is_meta and not bool(self.initialised):
            self._init_from(flat.detach())
        idx = self.codes(flat.detach())
        if self.training and self.ema:
            with torch.no_grad():
                self._ema_update(flat.detach(), idx)
        e = self.lookup(idx.view(B, h, w))  # (B, D, h, w)
        return {
            "z_q": z_e + (e - z_e).detach(),  # value e, gradient copied straight to z_e
            "indices": idx.view(B, h, w),
            "codebook": F.mse_loss(e, z_e.detach()),
            "commitment": F.mse_loss(z_e, e.detach()),
        }


class VQVAE(nn.Module):
    kind = "vq"
    conditional = False

    def __init__(self, cfg: VQVAEConfig):
        super().__init__()
        self.cfg = cfg
        C, H = cfg.in_channels, cfg.hidden_dim
        down: list[nn.Module] = []
        for i in range(cfg.num_downsamples):
            down += [nn.Conv2d(C if i == 0 else H, H, 4, 2, 1), nn.ReLU()]
        self.encoder = nn.Sequential(
            *down,
            nn.Conv2d(H, H, 3, 1, 1),
            *[ResBlock(H) for _ in range(cfg.num_res_blocks)],
            nn.ReLU(),
            nn.Conv2d(H, cfg.embedding_dim, 1),  # to the codebook's dimension D
        )
        self.quantizer = VectorQuantizer(cfg)
        up: list[nn.Module] = []
        for i in range(cfg.num_downsamples):
            last = i == cfg.num_downsamples - 1
            up += [nn.ConvTranspose2d(H, C if last else H, 4, 2, 1)] + ([] if last else [nn.ReLU()])
        self.decoder = nn.Sequential(
            nn.Conv2d(cfg.embedding_dim, H, 3, 1, 1),
            *[ResBlock(H) for _ in range(cfg.num_res_blocks)],
            nn.ReLU(),
            *up,
        )
        side = cfg.image_size // 2**cfg.num_downsamples
        self.grid = (cfg.embedding_dim, side, side)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)  # z_e: (B, D, h, w)

    def quantize(self, z_e: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.quantizer(z_e)

    def decode_logits(self, z_q: torch.Tensor) -> torch.Tensor:
        return self.decoder(z_q)  # (B, C, H, W)

    def decode(self, z_q: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decode_logits(z_q))

    def latent(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.encode(x).flatten(1)  # (B, D·h·w): the grid of encoder vectors, flattened

    def decode_latent(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Flattened encoder vectors -> quantised to their nearest codes -> image."""
        z_e = z.view(-1, *self.grid)  # (B, D, h, w)
        return self.decode(self.quantize(z_e)["z_q"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.quantize(self.encode(x))["z_q"])


def _labelled_input(cfg) -> tuple[torch.Tensor, torch.Tensor]:
    return image_input(cfg), torch.arange(4) % cfg.num_classes


KINGMA = Paper("D. P. Kingma, M. Welling", 2014, "Auto-Encoding Variational Bayes", arxiv="1312.6114")
TINY = {"image_size": 8, "hidden_dims": (128, 64), "latent_dim": 2}
TINY_CONV = {"variant": "conv", "hidden_dims": (16, 32), "latent_dim": 2}

register(
    ArchSpec(
        name="vae",
        title="Variational autoencoder (VAE)",
        family="autoencoder",
        year=2014,
        paper=KINGMA,
        summary="The encoder outputs a Gaussian over codes; trained on reconstruction + KL divergence, "
        "its latent space can be sampled to generate new images.",
        tasks=("generation", "reconstruction", "anomaly detection"),
        config=VAEConfig,
        build=VAE,
        example_input=image_input,
        presets={
            "tiny": TINY,
            "tiny_conv": TINY_CONV,
            "canonical": {"image_size": 28, "hidden_dims": (500,), "latent_dim": 20, "activation": "tanh"},
        },
        published_params=815_824,
        published_source="Kingma & Welling (2014), Section 5 and Figure 2: MNIST, one hidden layer of 500 "
        "tanh units in encoder and decoder, N_z = 20: 392,500 + 20,040 (μ, log σ²) + 10,500 + 392,784",
    )
)

register(
    ArchSpec(
        name="beta_vae",
        title="β-VAE",
        family="autoencoder",
        year=2017,
        paper=Paper(
            "I. Higgins, L. Matthey, A. Pal, C. Burgess, X. Glorot, M. Botvinick, S. Mohamed, A. Lerchner",
            2017,
            "β-VAE: Learning basic visual concepts with a constrained variational framework",
            url="https://openreview.net/forum?id=Sy2fzU9gl",
        ),
        summary="A VAE whose KL term is weighted by β: larger β gives a smoother, more disentangled "
        "latent space at the cost of blurrier reconstructions.",
        tasks=("generation", "disentanglement"),
        config=BetaVAEConfig,
        build=VAE,
        example_input=image_input,
        # An 8×8 digit carries only ~25 nats of reconstruction: from β ≈ 2 the KL term wins and the code
        # collapses onto the prior (KL → 0), so the tiny presets use β = 1.5 (KL ≈ 0.9 nats vs 2 at β = 1).
        presets={"tiny": {**TINY, "beta": 1.5}, "tiny_conv": {**TINY_CONV, "beta": 1.5}},
    )
)

register(
    ArchSpec(
        name="conditional_vae",
        title="Conditional VAE",
        family="autoencoder",
        year=2015,
        paper=Paper(
            "K. Sohn, H. Lee, X. Yan",
            2015,
            "Learning structured output representation using deep conditional generative models",
            url="https://papers.nips.cc/paper/5775-learning-structured-output-representation-using-deep-conditional-generative-models",
        ),
        summary="A VAE whose encoder and decoder both see the label: ask it for a 7 and it draws a 7, "
        "the code holding only the style.",
        tasks=("conditional generation",),
        config=ConditionalVAEConfig,
        build=ConditionalVAE,
        example_input=_labelled_input,
        presets={"tiny": TINY, "tiny_conv": TINY_CONV},
    )
)

register(
    ArchSpec(
        name="vq_vae",
        title="VQ-VAE",
        family="autoencoder",
        year=2017,
        paper=Paper(
            "A. van den Oord, O. Vinyals, K. Kavukcuoglu",
            2017,
            "Neural discrete representation learning",
            arxiv="1711.00937",
        ),
        summary="A grid of encoder vectors, each snapped to its nearest entry of a learned codebook: a "
        "discrete latent code.",
        tasks=("reconstruction", "discrete representation"),
        config=VQVAEConfig,
        build=VQVAE,
        example_input=image_input,
        presets={"tiny": {}, "codebook_loss": {"codebook_update": "loss"}},
    )
)
