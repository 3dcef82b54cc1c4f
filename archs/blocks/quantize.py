"""Vector quantisation (van den Oord, Vinyals & Kavukcuoglu 2017, "Neural discrete representation
learning", arXiv 1711.00937): a codebook of K vectors, nearest-neighbour lookup with a straight-through
gradient, the codebook learned by loss or by exponential moving averages; and the VQ-VAE's convolutional
encoder and decoder. Shared by the VQ-VAE (archs/autoencoder/vqvae.py) and DALL-E's image tokenizer
(archs/multimodal/dalle.py)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ResBlock(nn.Module):
    """x + conv1×1(ReLU(conv3×3(ReLU(x)))), the VQ-VAE paper's residual block."""

    def __init__(self, c: int):
        super().__init__()
        self.block = nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, 3, 1, 1), nn.ReLU(), nn.Conv2d(c, c, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


def vq_encoder(
    in_channels: int, hidden_dim: int, embedding_dim: int, num_downsamples: int, num_res_blocks: int
) -> nn.Sequential:
    """Stride-2 4×4 convolutions (each halves the grid), a 3×3 convolution, residual blocks, then a 1×1
    convolution to the codebook's dimension D: (B, C, H, W) -> (B, D, H/2^n, W/2^n)."""
    C, H = in_channels, hidden_dim
    down: list[nn.Module] = []
    for i in range(num_downsamples):
        down += [nn.Conv2d(C if i == 0 else H, H, 4, 2, 1), nn.ReLU()]
    return nn.Sequential(
        *down,
        nn.Conv2d(H, H, 3, 1, 1),
        *[ResBlock(H) for _ in range(num_res_blocks)],
        nn.ReLU(),
        nn.Conv2d(H, embedding_dim, 1),  # to the codebook's dimension D
    )


def vq_decoder(
    out_channels: int, hidden_dim: int, embedding_dim: int, num_downsamples: int, num_res_blocks: int
) -> nn.Sequential:
    """The encoder's mirror: (B, D, h, w) -> logits (B, C, h·2^n, w·2^n) through transposed convolutions."""
    C, H = out_channels, hidden_dim
    up: list[nn.Module] = []
    for i in range(num_downsamples):
        last = i == num_downsamples - 1
        up += [nn.ConvTranspose2d(H, C if last else H, 4, 2, 1)] + ([] if last else [nn.ReLU()])
    return nn.Sequential(
        nn.Conv2d(embedding_dim, H, 3, 1, 1),
        *[ResBlock(H) for _ in range(num_res_blocks)],
        nn.ReLU(),
        *up,
    )


class VectorQuantizer(nn.Module):
    """Nearest-neighbour lookup in a codebook of K vectors of size D, with a straight-through gradient.

    ``forward(z_e)`` takes (B, D, h, w) and returns a dict: ``z_q`` (straight-through, (B, D, h, w)),
    ``indices`` (B, h, w), ``codebook`` = ‖sg[zₑ] − e‖² and ``commitment`` = ‖z_e − sg[e]‖² (means).
    With EMA updates (``codebook_update="ema"``) the codebook is a buffer moved in training-mode forwards,
    like BatchNorm's statistics; with ``"loss"`` it is a parameter learned from the codebook loss."""

    def __init__(
        self, num_embeddings: int, embedding_dim: int, codebook_update: str = "ema", ema_decay: float = 0.99
    ):
        super().__init__()
        K, D = num_embeddings, embedding_dim
        self.ema, self.decay, self.eps = codebook_update == "ema", ema_decay, 1e-5
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

    @torch.no_grad()
    def restart_dead(self, z_e: torch.Tensor, min_share: float = 0.03, generator=None) -> int:
        """Move each EMA code used less than ``min_share`` of its fair share (1/K) to a random encoder
        vector of ``z_e`` (B, D, h, w), as Jukebox restarts dead codes; returns how many moved."""
        if not self.ema:
            return 0
        K, D = self.embedding.shape
        dead = self.cluster_size < min_share * self.cluster_size.sum() / K  # (K,)
        n = int(dead.sum())
        if n:
            flat = z_e.permute(0, 2, 3, 1).reshape(-1, D)  # (B·h·w, D)
            pick = flat[torch.randint(len(flat), (n,), generator=generator).to(flat.device)]
            self.embedding[dead], self.embed_sum[dead], self.cluster_size[dead] = pick, pick, 1.0
        return n

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
