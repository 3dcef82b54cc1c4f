"""VQ-VAE: van den Oord, Vinyals & Kavukcuoglu (2017), "Neural discrete representation learning",
arXiv 1711.00937. A convolutional encoder whose output vectors snap to the nearest entry of a learned
codebook, trained with the straight-through estimator (codebook by loss or by moving averages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from archs.autoencoder.basic import image_input
from archs.blocks.quantize import ResBlock, VectorQuantizer, vq_decoder, vq_encoder  # noqa: F401 (public)
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


class VQVAE(nn.Module):
    kind = "vq"
    conditional = False

    def __init__(self, cfg: VQVAEConfig):
        super().__init__()
        self.cfg = cfg
        args = (cfg.in_channels, cfg.hidden_dim, cfg.embedding_dim, cfg.num_downsamples, cfg.num_res_blocks)
        self.encoder = vq_encoder(*args)
        self.quantizer = VectorQuantizer(
            cfg.num_embeddings, cfg.embedding_dim, cfg.codebook_update, cfg.ema_decay
        )
        self.decoder = vq_decoder(*args)
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
