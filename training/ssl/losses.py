"""Self-supervised objectives and the measures that read an embedding.

- ``nt_xent``: SimCLR's normalized-temperature cross entropy (Chen et al., 2020, arXiv:2002.05709).
  With 2N views z (two per image) on the unit sphere, s_ij = z_i·z_j, and for each view i with positive
  p(i) (the other view of its image):  l_i = −log( exp(s_{i,p(i)}/τ) / Σ_{k≠i} exp(s_ik/τ) ).
- ``byol_loss``: BYOL's regression of the online prediction p onto the target projection z
  (Grill et al., 2020, arXiv:2006.07733): ‖p̄ − z̄‖² = 2 − 2·cos(p, z) on normalised vectors.
- ``alignment`` and ``uniformity`` (Wang & Isola, 2020, arXiv:2005.10242): how close positive pairs lie,
  E‖f(x) − f(y)‖^α, and how evenly the embeddings cover the sphere, log E exp(−t‖f(x) − f(y)‖²).
- ``spread``: the mean standard deviation of the normalised embeddings over the batch, per dimension. It
  falls to 0 when every image maps to one point (collapse); for vectors spread uniformly on a sphere of
  dimension d it is about 1/√d.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, tau: float = 0.5) -> tuple[torch.Tensor, dict]:
    """The NT-Xent loss of N positive pairs (z1[i], z2[i]), each (N, D), and what it is made of.

    Returns (loss, info): info["sim"] (2N, 2N) cosine similarities of [z1; z2], info["logits"] sim/τ with
    the diagonal set to −inf (a view is not its own negative), info["positive"] (2N,) the column of each
    row's positive, info["row_loss"] (2N,) the loss per view; loss is its mean."""
    if not tau > 0:
        raise ValueError(f"the temperature τ must be positive, not {tau}: it divides the similarities")
    if z1.shape != z2.shape or z1.dim() != 2:
        raise ValueError(
            f"the two views' embeddings must have one shape (N, D), not {tuple(z1.shape)} "
            f"and {tuple(z2.shape)}"
        )
    n = z1.shape[0]
    if n < 2:
        raise ValueError("a batch of one has no negatives: NT-Xent needs at least two images per batch")
    z = F.normalize(torch.cat([z1, z2]), dim=1)  # (2N, D)
    sim = z @ z.T  # (2N, 2N)
    eye = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    logits = (sim / tau).masked_fill(eye, float("-inf"))
    positive = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)  # (2N,)
    row_loss = F.cross_entropy(logits, positive, reduction="none")
    info = {"sim": sim.detach(), "logits": logits.detach(), "positive": positive}
    info["row_loss"] = row_loss.detach()
    return row_loss.mean(), info


def byol_loss(p: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """2 − 2·cos(p, z), the mean over the batch; z is the target (the caller stops its gradient)."""
    return (2 - 2 * F.cosine_similarity(p, z, dim=-1)).mean()


def alignment(z1: torch.Tensor, z2: torch.Tensor, alpha: float = 2.0) -> torch.Tensor:
    """E ‖ẑ1 − ẑ2‖^α over positive pairs of L2-normalised embeddings (0 = perfectly aligned; at most 2^α)."""
    return (F.normalize(z1, dim=-1) - F.normalize(z2, dim=-1)).norm(dim=1).pow(alpha).mean()


def uniformity(z: torch.Tensor, t: float = 2.0) -> torch.Tensor:
    """log E exp(−t‖ẑ_i − ẑ_j‖²) over distinct pairs of normalised embeddings (lower = more uniform;
    0 when all coincide)."""
    if z.shape[0] < 2:
        raise ValueError("uniformity needs at least two embeddings")
    d2 = torch.pdist(F.normalize(z, dim=-1)).pow(2)
    return d2.mul(-t).exp().mean().log()


def spread(z: torch.Tensor) -> torch.Tensor:
    """Mean over dimensions of the batch standard deviation of the normalised embeddings (0 = collapse)."""
    return F.normalize(z, dim=-1).std(dim=0).mean()
