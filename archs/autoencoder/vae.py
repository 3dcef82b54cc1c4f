"""Variational and vector-quantised autoencoders: VAE, β-VAE, conditional VAE, VQ-VAE.

- VAE: Kingma & Welling (2014), "Auto-Encoding Variational Bayes", arXiv 1312.6114. The encoder gives
  a Gaussian q(z|x) = N(μ(x), diag σ²(x)); z = μ + σ ⊙ ε with ε ~ N(0, I) (the reparameterisation
  trick) keeps sampling differentiable; the loss is the negative ELBO: reconstruction + KL(q ‖ N(0, I)).
  Canonical preset: the paper's MNIST model, one hidden layer of 500 tanh units in the encoder and the
  decoder (Section 5), Bernoulli decoder, latent size 20 (one of the sizes of its Figure 2): 815,824
  parameters.
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

import torch
import torch.nn.functional as F
from torch import nn

from archs.autoencoder.basic import ImageAEConfig, image_input, make_decoder, make_encoder
from archs.registry import register
from archs.spec import ArchSpec, Paper, hp


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


class Mean(nn.Module):
    """μ, the centre of q(z|x): the first Z of the encoder's 2Z outputs. A module of its own (without
    weights: the state dict is unchanged) so that the layer graph shows the VAE's two heads."""

    graph_label = "μ"

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h[:, : h.shape[1] // 2]  # (B, Z)


class LogVariance(nn.Module):
    """log σ², the log-variance of q(z|x): the last Z outputs, clamped to [−12, 12] so that exp() stays
    finite at wild learning rates."""

    graph_label = "log σ²"

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h[:, h.shape[1] // 2 :].clamp(-12.0, 12.0)  # (B, Z)


class Reparameterize(nn.Module):
    """The reparameterisation trick as a node of the graph: z = μ + σ ⊙ ε with ε ~ N(0, I) while
    training (the noise is an input, so gradients reach μ and σ), z = μ in eval mode."""

    graph_label = "sample z = μ + σ·ε"

    def forward(self, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        return VAE.reparameterize(mu, logvar) if self.training else mu


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
        self.mu, self.logvar = Mean(), LogVariance()  # the two heads (no weights: halves of the above)
        self.sampler = Reparameterize()
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
        return self.mu(h), self.logvar(h)  # (B, Z) each

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
        z = self.sampler(mu, logvar)  # a sample while training, μ in eval mode
        return self.decode(z, y), mu, logvar


class ConditionalVAE(VAE):
    conditional = True


# ----------------------------------------------------------------------------------------- VQ-VAE


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
        "tanh units in encoder and decoder, latent size 20: 392,500 + 20,040 (μ, log σ²) + 10,500 + 392,784",
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
