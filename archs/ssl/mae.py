"""Masked autoencoder: He, Chen, Xie, Li, Dollár & Girshick (2022), "Masked Autoencoders Are Scalable
Vision Learners", arXiv 2111.06377.

The image is cut into P×P patches and a random 75 % of them are removed. A ViT encoder reads only the
visible patches (with fixed 2-D sin-cos positions and a [CLS] token); a light decoder gets the encoded
visible tokens back in place, a shared learned mask token in every gap, positions again, and predicts the
pixels of every patch. The loss is the mean squared error on the removed patches only. Because the
encoder never sees mask tokens and reads a quarter of the patches, pre-training is cheap; afterwards the
decoder is dropped and the encoder reads whole images.

Canonical: MAE-Base as ``mae_vit_base_patch16_dec512d8b`` of the official code (facebookresearch/mae
models_mae.py): a ViT-B/16 encoder (768 wide, 12 blocks, 12 heads) and a decoder 512 wide with 8 blocks of
16 heads, MLP ratio 4, LayerNorm ε = 1e-6. Its parameters sum to 111,907,840, of which the two sin-cos
position tables (197·768 + 197·512 = 252,160 numbers) are parameters frozen with requires_grad=False, as
the official code declares them; 111,655,680 are trained.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from archs.blocks.transformer import BlockSettings, Stack
from archs.registry import register
from archs.spec import ArchSpec, Config, ConfigError, Paper, hp


@dataclass(frozen=True)
class MAEConfig(Config):
    image_size: int = hp(
        16, lo=4, hi=512, help="Side of the square input image in pixels (224 in the paper)."
    )
    patch_size: int = hp(4, lo=1, hi=64, help="Side of each patch; the image becomes (size/patch)² tokens.")
    in_channels: int = hp(1, lo=1, hi=4, help="Colour channels of the image (1 grey, 3 RGB).")
    embed_dim: int = hp(64, lo=4, hi=4096, help="Width of the encoder's tokens (768 in ViT-Base).")
    depth: int = hp(2, lo=1, hi=48, help="Encoder blocks (12 in ViT-Base).")
    num_heads: int = hp(4, lo=1, hi=64, help="Attention heads in each encoder block.")
    hidden_dim: int = hp(128, lo=4, hi=16384, help="Width of the encoder blocks' MLP (4 × embed_dim).")
    decoder_dim: int = hp(32, lo=4, hi=4096, help="Width of the decoder's tokens (512 in MAE): lighter.")
    decoder_depth: int = hp(1, lo=1, hi=24, help="Decoder blocks (8 in MAE; even 1 works for pixels).")
    decoder_heads: int = hp(4, lo=1, hi=64, help="Attention heads in each decoder block (16 in MAE).")
    decoder_hidden_dim: int = hp(
        64, lo=4, hi=16384, help="Width of the decoder blocks' MLP (4 × decoder_dim)."
    )
    mask_ratio: float = hp(
        0.75,
        lo=0.0,
        hi=0.95,
        step=0.05,
        help="Share of the patches removed before the encoder (0.75 in MAE).",
    )
    norm_pix_loss: bool = hp(
        False,
        help="Predict each patch's pixels normalised by its own mean and spread (the paper's better "
        "variant) instead of raw pixels.",
    )

    def validate(self) -> None:
        if self.image_size % self.patch_size:
            raise ConfigError(
                f"image_size ({self.image_size}) must be a multiple of patch_size ({self.patch_size}) "
                "so the patches tile the image."
            )
        for dim, heads, names in (
            (self.embed_dim, self.num_heads, ("embed_dim", "num_heads")),
            (self.decoder_dim, self.decoder_heads, ("decoder_dim", "decoder_heads")),
        ):
            if dim % heads:
                raise ConfigError(
                    f"{names[0]} ({dim}) must be divisible by {names[1]} ({heads}): each head gets an equal "
                    "slice of the token."
                )
            if dim % 4:
                raise ConfigError(
                    f"{names[0]} ({dim}) must be a multiple of 4: the 2-D sin-cos positions give a sine and "
                    "a cosine to each of the two axes."
                )

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size


def sincos_2d(grid: int, dim: int) -> torch.Tensor:
    """(1 + grid², dim) fixed positions: a zero row for [CLS], then for the patch in row i, column j,
    [sin(j·ω), cos(j·ω), sin(i·ω), cos(i·ω)] with ω_k = 10000^(−k/(dim/4)) (MAE's get_2d_sincos_pos_embed)."""
    omega = 1.0 / 10000 ** (torch.arange(dim // 4, dtype=torch.float32) / (dim / 4))  # (dim/4,)
    i, j = torch.meshgrid(
        torch.arange(grid, dtype=torch.float32), torch.arange(grid, dtype=torch.float32), indexing="ij"
    )
    a, b = j.flatten()[:, None] * omega, i.flatten()[:, None] * omega  # (L, dim/4)
    table = torch.cat([a.sin(), a.cos(), b.sin(), b.cos()], 1)  # (L, dim)
    return torch.cat([torch.zeros(1, dim), table])


class MAE(nn.Module):
    """forward(x, mask_ratio) -> (loss, pred (B, L, P·P·C), mask (B, L), 1 = removed); encode(x) -> (B, D);
    reconstruct(x, mask_ratio, seed) -> dict of images."""

    def __init__(self, cfg: MAEConfig):
        super().__init__()
        self.cfg, n = cfg, cfg.grid**2
        fixed = torch.rand(n, generator=torch.Generator().manual_seed(0))  # the evaluation mask's noise
        self.register_buffer("eval_noise", fixed, persistent=False)
        self.patch_embed = nn.Conv2d(cfg.in_channels, cfg.embed_dim, cfg.patch_size, stride=cfg.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, cfg.embed_dim))
        # fixed sin-cos positions, frozen parameters as in the official code (counted, never trained)
        self.pos_embed = nn.Parameter(sincos_2d(cfg.grid, cfg.embed_dim)[None], requires_grad=False)
        enc = BlockSettings(cfg.embed_dim, cfg.num_heads, cfg.hidden_dim, "gelu", 0.0, True, "layer", 1e-6)
        self.encoder = Stack(enc, cfg.depth, final_norm=True)
        self.decoder_embed = nn.Linear(cfg.embed_dim, cfg.decoder_dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, cfg.decoder_dim))
        self.decoder_pos_embed = nn.Parameter(sincos_2d(cfg.grid, cfg.decoder_dim)[None], requires_grad=False)
        dec = BlockSettings(
            cfg.decoder_dim, cfg.decoder_heads, cfg.decoder_hidden_dim, "gelu", 0.0, True, "layer", 1e-6
        )
        self.decoder = Stack(dec, cfg.decoder_depth, final_norm=True)
        self.decoder_pred = nn.Linear(cfg.decoder_dim, cfg.patch_size**2 * cfg.in_channels)
        self.num_patches = n
        for t in (self.cls_token, self.mask_token):
            nn.init.normal_(t, std=0.02)

    def patchify(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) -> (B, L, P·P·C), patches row by row, pixels (row, column, channel) inside."""
        B, C, H, W = x.shape
        p, g = self.cfg.patch_size, H // self.cfg.patch_size
        x = x.reshape(B, C, g, p, g, p)  # (B, C, gh, p, gw, p)
        return x.permute(0, 2, 4, 3, 5, 1).reshape(B, g * g, p * p * C)

    def unpatchify(self, x: torch.Tensor) -> torch.Tensor:
        """(B, L, P·P·C) -> (B, C, H, W)."""
        B, C, p, g = x.shape[0], self.cfg.in_channels, self.cfg.patch_size, self.cfg.grid
        x = x.reshape(B, g, g, p, p, C).permute(0, 5, 1, 3, 2, 4)  # (B, C, gh, p, gw, p)
        return x.reshape(B, C, g * p, g * p)

    def _check(self, x: torch.Tensor, mask_ratio: float) -> None:
        c, s = self.cfg.in_channels, self.cfg.image_size
        if x.dim() != 4 or tuple(x.shape[1:]) != (c, s, s):
            raise ValueError(f"MAE expects images shaped (batch, {c}, {s}, {s}), got {tuple(x.shape)}")
        if not 0.0 <= mask_ratio < 1.0:
            raise ValueError(f"the mask ratio must lie in [0, 1): {mask_ratio} would leave no patch to see")

    def random_masking(self, n: int, mask_ratio: float, generator=None, device=None):
        """Per image, a random subset of patches to keep: (keep (B, L_keep) indices, mask (B, L) with 1 =
        removed). Shuffle by sorting uniform noise, as the official code does."""
        L = self.num_patches
        keep = max(1, int(L * (1 - mask_ratio)))
        if generator is None and not self.training:  # evaluation: one fixed mask, so outputs are repeatable
            noise = self.eval_noise.to(device).expand(n, L)  # (and exported models compute what PyTorch does)
        else:
            noise = torch.rand(n, L, generator=generator).to(device)  # (B, L)
        ids = noise.argsort(1)[:, :keep].sort(1).values  # (B, L_keep), in reading order
        mask = torch.ones(n, L, device=device).scatter_(1, ids, 0.0)
        return ids, mask

    def encode_visible(self, x: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        """Encoder on the kept patches: (B, 1 + L_keep, D), [CLS] first."""
        t = self.patch_embed(x).flatten(2).transpose(1, 2) + self.pos_embed[:, 1:]  # (B, L, D)
        t = t.gather(1, ids[..., None].expand(-1, -1, t.shape[-1]))  # (B, L_keep, D)
        cls = (self.cls_token + self.pos_embed[:, :1]).expand(len(x), -1, -1)
        return self.encoder(torch.cat([cls, t], 1))[0]

    def decode(self, latent: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        """Visible tokens back in their places, the mask token elsewhere: pixels (B, L, P·P·C)."""
        t = self.decoder_embed(latent)  # (B, 1 + L_keep, Dd)
        B, Dd = t.shape[0], t.shape[-1]
        full = self.mask_token.expand(B, self.num_patches, Dd).clone()  # (B, L, Dd)
        full = full.scatter(1, ids[..., None].expand(-1, -1, Dd), t[:, 1:])
        full = torch.cat([t[:, :1], full], 1) + self.decoder_pos_embed  # (B, 1 + L, Dd)
        return self.decoder_pred(self.decoder(full)[0])[:, 1:]  # drop [CLS]

    def target(self, x: torch.Tensor) -> torch.Tensor:
        t = self.patchify(x)  # (B, L, P·P·C)
        if self.cfg.norm_pix_loss:
            t = (t - t.mean(-1, keepdim=True)) / (t.var(-1, keepdim=True) + 1e-6).sqrt()
        return t

    def forward(self, x: torch.Tensor, mask_ratio: float | None = None, generator=None):
        r = self.cfg.mask_ratio if mask_ratio is None else mask_ratio
        self._check(x, r)
        ids, mask = self.random_masking(len(x), r, generator, x.device)
        pred = self.decode(self.encode_visible(x, ids), ids)
        err = (pred - self.target(x)).pow(2).mean(-1)  # (B, L): per patch
        # mean over the removed patches; with nothing removed, over all (plain autoencoding)
        removed = self.num_patches - ids.shape[1]  # known without reading the tensors (meta runs)
        loss = (err * mask).sum() / (len(x) * removed) if removed else err.mean()
        return loss, pred, mask

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The representation of whole images for probes: the encoder on every patch, the mean of the
        patch tokens (B, D) (global average pooling, as MAE's fine-tuning reads it)."""
        ids = torch.arange(self.num_patches, device=x.device).expand(len(x), -1)
        return self.encode_visible(x, ids)[:, 1:].mean(1)

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor, mask_ratio: float | None = None, seed: int = 0) -> dict:
        """masked: the input with removed patches grey; reconstruction: visible patches kept and removed
        ones predicted; prediction: every patch predicted; mask (B, L). Images (B, C, H, W) in [0, 1]."""
        r = self.cfg.mask_ratio if mask_ratio is None else mask_ratio
        _, pred, mask = self(x, r, torch.Generator().manual_seed(int(seed)))
        if self.cfg.norm_pix_loss:  # back to pixels with each patch's own statistics, as MAE's figures do
            t = self.patchify(x)
            pred = pred * (t.var(-1, keepdim=True) + 1e-6).sqrt() + t.mean(-1, keepdim=True)
        m = mask[..., None]  # (B, L, 1)
        patches = self.patchify(x)
        return {
            "masked": self.unpatchify(patches * (1 - m) + 0.5 * m),
            "reconstruction": self.unpatchify(patches * (1 - m) + pred * m).clamp(0, 1),
            "prediction": self.unpatchify(pred).clamp(0, 1),
            "mask": mask,
        }


register(
    ArchSpec(
        name="mae",
        title="Masked autoencoder (MAE)",
        family="ssl",
        year=2021,
        paper=Paper(
            "K. He, X. Chen, S. Xie, Y. Li, P. Dollár, R. Girshick",
            2021,
            "Masked Autoencoders Are Scalable Vision Learners",
            arxiv="2111.06377",
        ),
        summary="Masked modelling: hide 75 % of the patches, encode the rest with a ViT, and let a light "
        "decoder paint the missing pixels.",
        tasks=("self-supervised representation learning", "masked image modelling"),
        config=MAEConfig,
        build=MAE,
        example_input=lambda cfg: torch.rand(2, cfg.in_channels, cfg.image_size, cfg.image_size),
        presets={
            "tiny": {},
            "canonical": dict(
                image_size=224,
                patch_size=16,
                in_channels=3,
                embed_dim=768,
                depth=12,
                num_heads=12,
                hidden_dim=3072,
                decoder_dim=512,
                decoder_depth=8,
                decoder_heads=16,
                decoder_hidden_dim=2048,
            ),
        },
        published_params=111_907_840,
        published_source="facebookresearch/mae models_mae.mae_vit_base_patch16_dec512d8b: the sum of all its "
        "parameters, the encoder (85,798,656) and decoder (26,109,184), including the two sin-cos position "
        "tables (252,160) that the official code keeps as frozen parameters; 111,655,680 are trained.",
    )
)
