"""Differentiable memory addressing shared by the neural Turing machine and the differentiable neural
computer.

A. Graves, G. Wayne, I. Danihelka (2014), "Neural Turing Machines", arXiv:1410.5401, section 3 (reading,
writing, and the four addressing steps: content, interpolation, circular shift, sharpening); A. Graves et
al. (2016), "Hybrid computing using a neural network with dynamic external memory", Nature 538, 471-476,
Methods (usage, allocation, the temporal link matrix and its forward/backward weightings).

Memory M is (B, N, W): N rows ("locations") of W numbers. A weighting w (B, N) is a soft address:
non-negative, summing to at most 1. Every step is a small parameter-free ``nn.Module``, so a traced graph
shows each as one node (the learned parts, the controllers and the head projections, live in ntm.py and
dnc.py).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

EPS = 1e-6


def cosine_similarity(memory: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    """K[k, M(i)] = k·M(i) / (|k| |M(i)|): memory (B, N, W), keys (B, H, W) -> (B, H, N)."""
    dot = keys @ memory.transpose(1, 2)  # (B, H, N)
    norms = keys.norm(dim=-1, keepdim=True) * memory.norm(dim=-1).unsqueeze(1)  # (B, H, N)
    return dot / (norms + EPS)


class ContentAddressing(nn.Module):
    """Content weighting w_c(i) ∝ exp(β K[k, M(i)]): memory (B, N, W), keys (B, H, W), strengths β (B, H) > 0
    -> (B, H, N). A large β focuses on the single most similar row; β near 0 spreads evenly."""

    def forward(self, memory: torch.Tensor, keys: torch.Tensor, strengths: torch.Tensor) -> torch.Tensor:
        return torch.softmax(strengths.unsqueeze(-1) * cosine_similarity(memory, keys), dim=-1)


def circular_shift(w: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """w̃(i) = Σ_j w(j) s(i − j) mod N (NTM eq. 8): w (B, N), s (B, 2R+1) a distribution over shifts −R..R."""
    r = (s.shape[-1] - 1) // 2
    rolled = torch.stack([torch.roll(w, shifts=k, dims=-1) for k in range(-r, r + 1)], dim=-1)  # (B, N, 2R+1)
    return (rolled * s.unsqueeze(1)).sum(-1)


class NTMAddressing(nn.Module):
    """One NTM head's weighting (Graves et al. 2014, eqs. 5-9): content (key k, strength β), interpolation
    with the previous weighting (gate g), circular shift (s over −R..R), sharpening (γ >= 1).

    memory (B, N, W), k (B, W), β (B,), g (B,), s (B, 2R+1), γ (B,), w_prev (B, N) -> w (B, N)."""

    def __init__(self):
        super().__init__()
        self.content = ContentAddressing()

    def forward(self, memory, k, beta, g, s, gamma, w_prev):
        wc = self.content(memory, k.unsqueeze(1), beta.unsqueeze(1)).squeeze(1)  # (B, N)
        wg = g.unsqueeze(-1) * wc + (1 - g.unsqueeze(-1)) * w_prev  # interpolation
        ws = circular_shift(wg, s)  # location-based rotation
        wp = (ws + EPS) ** gamma.unsqueeze(-1)  # sharpening undoes the blur of the shift
        return wp / wp.sum(-1, keepdim=True)


class MemoryRead(nn.Module):
    """r = Σ_i w(i) M(i): memory (B, N, W), weightings (B, H, N) -> read vectors (B, H, W)."""

    def forward(self, memory: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return w @ memory


class EraseAndAdd(nn.Module):
    """M(i) <- M(i) ∘ (1 − w(i) e) + w(i) a (NTM eqs. 3-4, DNC's write): memory (B, N, W), w (B, N), erase e
    (B, W) in (0, 1), add a (B, W) -> memory (B, N, W)."""

    def forward(self, memory, w, erase, add):
        w = w.unsqueeze(-1)  # (B, N, 1)
        return memory * (1 - w * erase.unsqueeze(1)) + w * add.unsqueeze(1)


class UsageUpdate(nn.Module):
    """DNC usage u_t = (u + w^w − u ∘ w^w) ∘ ψ with retention ψ = Π_i (1 − f_i w^r_i): a row written is used,
    a row read by a head whose free gate f_i is open is released. usage (B, N), prev_write (B, N),
    free (B, R), prev_read (B, R, N) -> (B, N)."""

    def forward(self, usage, prev_write, free, prev_read):
        psi = torch.prod(1 - free.unsqueeze(-1) * prev_read, dim=1)  # (B, N)
        return (usage + prev_write - usage * prev_write) * psi


class AllocationWeighting(nn.Module):
    """DNC allocation a[φ_j] = (1 − u[φ_j]) Π_{i<j} u[φ_i], φ the rows sorted by usage, least used first: the
    write goes to the freest row. usage (B, N) -> (B, N). The exclusive product is exp of a cumulative sum of
    logs (usage is kept off 0, as in DeepMind's implementation), so the step exports to ONNX."""

    def forward(self, usage: torch.Tensor) -> torch.Tensor:
        u = EPS + (1 - EPS) * usage
        sorted_u, order = torch.sort(u, dim=-1)  # (B, N) ascending
        logs = torch.log(sorted_u)
        exclusive = torch.exp(torch.cumsum(logs, dim=-1) - logs)  # Π_{i<j} u[φ_i]
        return torch.zeros_like(u).scatter(-1, order, (1 - sorted_u) * exclusive)


class TemporalLinkUpdate(nn.Module):
    """DNC link matrix L[i, j] ≈ "row i was written right after row j": L_t = (1 − w_i − w_j) L + w_i p_j with
    a zero diagonal, then precedence p_t = (1 − Σ w) p + w. link (B, N, N), precedence (B, N), write w (B, N)
    -> (link, precedence)."""

    def forward(self, link, precedence, w):
        wi, wj = w.unsqueeze(-1), w.unsqueeze(-2)  # (B, N, 1), (B, 1, N)
        link = (1 - wi - wj) * link + wi * precedence.unsqueeze(-2)
        eye = torch.eye(w.shape[-1], dtype=w.dtype, device=w.device)
        link = link * (1 - eye)
        precedence = (1 - w.sum(-1, keepdim=True)) * precedence + w
        return link, precedence


class LinkFollow(nn.Module):
    """Forward f = L w^r and backward b = Lᵀ w^r weightings: where each read head goes if it follows the order
    of writing onwards or back. link (B, N, N), prev_read (B, R, N) -> (forward, backward), each (B, R, N)."""

    def forward(self, link, prev_read):
        forward = prev_read @ link.transpose(1, 2)  # (B, R, N): Σ_j L[i, j] w(j)
        backward = prev_read @ link  # (B, R, N): Σ_j L[j, i] w(j)
        return forward, backward


def oneplus(x: torch.Tensor) -> torch.Tensor:
    """1 + softplus(x): a strength >= 1 (the DNC's β and the NTM's γ)."""
    return 1 + F.softplus(x)
