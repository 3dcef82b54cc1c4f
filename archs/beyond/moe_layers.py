"""Sparse mixture-of-experts layers: a router picks k of E feed-forward experts for every token.

Shazeer et al. (2017), "Outrageously Large Neural Networks: The Sparsely-Gated Mixture-of-Experts Layer",
arXiv 1701.06538; Fedus, Zoph & Shazeer (2021), "Switch Transformers", arXiv 2101.03961 (top-1 routing,
expert capacity, the load-balancing loss of their eq. 4); Jiang et al. (2024), "Mixtral of Experts",
arXiv 2401.04088 (top-2 routing over SwiGLU experts, the two weights renormalised to sum to 1).

For N tokens x_n and router logits h(x) = W_r x:
    p_n = softmax(h(x_n))                               router probabilities over the E experts
    T_n = top-k indices of p_n                         the experts this token visits
    y_n = Σ_{e ∈ T_n} g_{n,e} · Expert_e(x_n)           g = p (Switch) or p renormalised over T_n (Mixtral)
    aux = E · Σ_i f_i · P_i                             f_i: share of the N·k assignments sent to expert i,
                                                        P_i: mean router probability of expert i
aux is 1 when both are uniform and grows as the router favours a few experts; the gradient reaches the
router through P. With a capacity factor c, expert e takes at most ceil(c · N · k / E) assignments
(first choices first, then in token order); the rest are dropped (the token passes by the residual).

Also here: Mixtral's grouped-query attention with rotary positions (the rotate-half convention Hugging
Face uses for Mistral/Mixtral checkpoints).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

EXPERT_KINDS = ("relu", "swiglu")


class TopKRouting(nn.Module):
    """Parameter-free routing step (one node in the graph): logits (N, E) -> probs, top-k indices, combine
    weights, the capacity mask and the load-balancing loss."""

    def __init__(self, num_experts: int, top_k: int, capacity_factor: float | None, renormalize: bool):
        super().__init__()
        self.E, self.k, self.capacity_factor, self.renormalize = (
            num_experts,
            top_k,
            capacity_factor,
            renormalize,
        )

    def capacity(self, n_tokens: int) -> int:
        return math.ceil(self.capacity_factor * n_tokens * self.k / self.E)

    def forward(self, logits: torch.Tensor):
        N = logits.shape[0]
        probs = logits.float().softmax(-1)  # (N, E); float32 as Switch's "selective precision"
        top_p, top_i = probs.topk(self.k, dim=-1)  # (N, k)
        weights = top_p / top_p.sum(-1, keepdim=True) if self.renormalize else top_p
        onehot = F.one_hot(top_i, self.E).to(probs.dtype)  # (N, k, E)
        load = onehot.sum((0, 1)) / (N * self.k)  # (E,) share of assignments
        aux = self.E * (load * probs.mean(0)).sum()
        keep = torch.ones_like(weights, dtype=torch.bool)  # (N, k)
        if self.capacity_factor is not None:
            # priority: every token's first choice before any second choice, then token order (GShard)
            order = onehot.transpose(0, 1).reshape(self.k * N, self.E)  # (k·N, E), choice-major
            position = order.cumsum(0) * order  # 1-based place in its expert's queue
            kept = (position <= self.capacity(N)).all(-1)  # (k·N,)
            keep = kept.view(self.k, N).t()  # (N, k)
        weights = weights * keep.to(weights.dtype)
        return probs, top_i, weights.to(logits.dtype), ~keep, load, aux


class Experts(nn.Module):
    """E feed-forward networks stored as stacked weights; each token is sent only to its chosen experts.

    relu (Switch, T5): Expert(x) = W_2 relu(W_1 x); swiglu (Mixtral): Expert(x) = W_2 (silu(W_1 x) ⊙ W_3 x).
    """

    def __init__(self, d_model: int, d_ff: int, num_experts: int, kind: str):
        super().__init__()
        self.kind = kind
        self.w1 = nn.Parameter(torch.empty(num_experts, d_ff, d_model))
        self.w2 = nn.Parameter(torch.empty(num_experts, d_model, d_ff))
        self.w3 = nn.Parameter(torch.empty(num_experts, d_ff, d_model)) if kind == "swiglu" else None
        for w in (self.w1, self.w2, self.w3):
            if w is not None and w.device.type != "meta":
                nn.init.normal_(w, 0.0, 0.02)

    def expert(self, e: int, x: torch.Tensor) -> torch.Tensor:
        h = F.linear(x, self.w1[e])  # (n, F)
        h = F.silu(h) * F.linear(x, self.w3[e]) if self.w3 is not None else F.relu(h)
        return F.linear(h, self.w2[e])  # (n, D)

    def expert_all(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        h = torch.einsum("nd,efd->enf", x, self.w1)  # (E, N, F)
        h = F.silu(h) * torch.einsum("nd,efd->enf", x, self.w3) if self.w3 is not None else F.relu(h)
        return torch.einsum("enf,edf->nd", h, self.w2) * weights.sum(-1, keepdim=True)  # (N, D)

    def forward(self, x: torch.Tensor, top_i: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        if x.device.type == "meta":  # shapes only (graph tracing): every expert on every token
            return self.expert_all(x, weights)
        out = torch.zeros_like(x)  # (N, D)
        for e in range(self.w1.shape[0]):
            gate = (weights * (top_i == e).to(weights.dtype)).sum(-1)  # (N,) 0 where e is not chosen
            idx = gate.nonzero().squeeze(-1)  # the tokens expert e processes
            y = self.expert(e, x.index_select(0, idx)) * gate.index_select(0, idx)[:, None]
            out = out.index_put((idx,), y, accumulate=True)
        return out


class MoELayer(nn.Module):
    """The sparse feed-forward layer: a linear router (no bias), top-k routing, E experts.

    forward(x (B, T, D)) -> (B, T, D). After each forward ``last_routing`` holds (detached): probs (N, E),
    topk (N, k), weights (N, k), dropped (N,) (True when any of the token's assignments was over
    capacity; for top-1 the token then skips the layer), load (E,), aux (scalar). ``aux_loss()`` returns the
    differentiable aux of the last forward.
    """

    def __init__(
        self,
        d_model: int,
        d_ff: int,
        num_experts: int,
        top_k: int,
        capacity_factor: float | None = None,
        expert: str = "swiglu",
        renormalize: bool | None = None,
    ):
        super().__init__()
        if not 1 <= top_k <= num_experts:
            raise ValueError(f"top_k ({top_k}) must be between 1 and the number of experts ({num_experts})")
        if expert not in EXPERT_KINDS:
            raise ValueError(f"expert must be one of {EXPERT_KINDS}, not {expert!r}")
        self.num_experts, self.top_k = num_experts, top_k
        self.router = nn.Linear(d_model, num_experts, bias=False)
        # Mixtral renormalises its two weights; Switch scales its single expert by p (gradient to the router)
        renorm = (expert == "swiglu" and top_k > 1) if renormalize is None else renormalize
        self.route = TopKRouting(num_experts, top_k, capacity_factor, renorm)
        self.experts = Experts(d_model, d_ff, num_experts, expert)
        self.last_routing: dict[str, torch.Tensor] = {}
        self._aux: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, D = x.shape
        flat = x.reshape(B * T, D)  # (N, D)
        probs, top_i, weights, dropped, load, aux = self.route(self.router(flat))
        out = self.experts(flat, top_i, weights)
        self._aux = aux
        self.last_routing = {
            "probs": probs.detach(),
            "topk": top_i.detach(),
            "weights": weights.detach(),
            "dropped": dropped.any(-1).detach(),
            "load": load.detach(),
            "aux": aux.detach(),
        }
        return out.view(B, T, D)

    def aux_loss(self) -> torch.Tensor:
        return self._aux if self._aux is not None else self.router.weight.new_zeros(())


# ---------------------------------------------------------------------- Mixtral's attention and block


class RMSNorm(nn.Module):
    """x / rms(x) · g (no mean, no bias); computed in float32 as Mistral does."""

    def __init__(self, dim: int, eps: float = 1e-5):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(dim)), eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.float()
        return (h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype) * self.weight


class Rotary(nn.Module):
    """Parameter-free rotary positions (RoFormer), rotate-half form: the first and second halves of each
    head's vector are the two coordinates of hs/2 planes rotated by pos · θ^(−2i/hs)."""

    def __init__(self, head_dim: int, theta: float):
        super().__init__()
        inv = theta ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
        self.register_buffer("inv_freq", inv, persistent=False)

    def forward(self, q: torch.Tensor, k: torch.Tensor):
        T = q.shape[2]
        ang = torch.arange(T, device=q.device, dtype=torch.float32)[:, None] * self.inv_freq  # (T, hs/2)
        ang = torch.cat([ang, ang], -1)  # (T, hs)
        cos, sin = ang.cos().to(q.dtype), ang.sin().to(q.dtype)

        def rot(t):
            a, b = t.chunk(2, -1)
            return t * cos + torch.cat([-b, a], -1) * sin

        return rot(q), rot(k)


class GQAttention(nn.Module):
    """Causal grouped-query attention: num_heads query heads share num_kv_heads key/value heads."""

    def __init__(self, dim: int, num_heads: int, num_kv_heads: int, theta: float):
        super().__init__()
        self.nh, self.nkv, self.hs = num_heads, num_kv_heads, dim // num_heads
        self.q_proj = nn.Linear(dim, num_heads * self.hs, bias=False)
        self.k_proj = nn.Linear(dim, num_kv_heads * self.hs, bias=False)
        self.v_proj = nn.Linear(dim, num_kv_heads * self.hs, bias=False)
        self.o_proj = nn.Linear(num_heads * self.hs, dim, bias=False)
        self.rotary = Rotary(self.hs, theta)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.nh, self.hs).transpose(1, 2)  # (B, nh, T, hs)
        k = self.k_proj(x).view(B, T, self.nkv, self.hs).transpose(1, 2)  # (B, nkv, T, hs)
        v = self.v_proj(x).view(B, T, self.nkv, self.hs).transpose(1, 2)
        q, k = self.rotary(q, k)
        rep = self.nh // self.nkv
        k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)  # (B, nh, T, hs)
        mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()  # (T, T)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.o_proj(y.transpose(1, 2).reshape(B, T, self.nh * self.hs))  # (B, T, D)


class MixtralBlock(nn.Module):
    """x = x + Attn(RMSNorm(x)); x = x + MoE(RMSNorm(x))."""

    def __init__(self, dim, num_heads, num_kv_heads, d_ff, num_experts, top_k, capacity_factor, theta, eps):
        super().__init__()
        self.input_layernorm = RMSNorm(dim, eps)
        self.self_attn = GQAttention(dim, num_heads, num_kv_heads, theta)
        self.post_attention_layernorm = RMSNorm(dim, eps)
        self.moe = MoELayer(dim, d_ff, num_experts, top_k, capacity_factor, "swiglu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.moe(self.post_attention_layernorm(x))
