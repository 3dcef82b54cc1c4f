"""VQ-VAE: van den Oord, Vinyals & Kavukcuoglu (2017), "Neural discrete representation learning",
arXiv 1711.00937. A convolutional encoder whose output vectors snap to the nearest entry of a learned
codebook, trained with the straight-through estimator (codebook by loss or by moving averages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from archs.autoencoder.basic import image_input
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


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
        help="β of the commitment loss β‖zₑ − sg[e]‖²: keeps the encoder's outputs close to their codes "
        "(0.25 in the paper).",
    )
    codebook_update: Literal["ema", "loss"] = hp(
        "ema",
        help="ema: codebook entries move to the running mean of the vectors assigned to them (paper, "
        "appendix A.1; robust). loss: entries are learned by gradient descent on ‖sg[zₑ] − e‖².",
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
    ``indices`` (B, h, w), ``codebook`` = ‖sg[zₑ] − e‖² and ``commitment`` = ‖z_e − sg[e]‖² (means).
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
