"""Sampling from a language model: temperature, top-k and top-p (nucleus) filtering.

p_i ∝ exp(z_i / T)              temperature T: < 1 sharpens, > 1 flattens, → 0 is greedy
top-k: keep the k most likely tokens, renormalise
top-p: keep the smallest set of most likely tokens whose probability reaches p, renormalise
"""

from __future__ import annotations

import torch
from torch import nn


def check_settings(temperature: float, top_k: int, top_p: float) -> None:
    if not temperature >= 0:
        raise ValueError(f"the temperature must be 0 or more, got {temperature}")
    if top_k < 0:
        raise ValueError(f"top-k must be 0 (off) or a positive number of tokens, got {top_k}")
    if not 0 < top_p <= 1:
        raise ValueError(f"top-p must be in (0, 1], got {top_p}")


def next_token_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0):
    """Probabilities (…, V) after temperature, top-k and top-p; temperature 0 puts all mass on the argmax."""
    check_settings(temperature, top_k, top_p)
    logits = logits.float()
    if temperature == 0:
        return torch.nn.functional.one_hot(logits.argmax(-1), logits.shape[-1]).float()
    z = logits / temperature
    if 0 < top_k < z.shape[-1]:
        kth = z.topk(top_k, -1).values[..., -1:]
        z = z.masked_fill(z < kth, float("-inf"))
    probs = z.softmax(-1)
    if top_p < 1.0:
        sorted_p, idx = probs.sort(-1, descending=True)
        before = sorted_p.cumsum(-1) - sorted_p  # mass strictly before each token
        keep_sorted = before < top_p  # the first token is always kept
        keep = torch.zeros_like(keep_sorted).scatter(-1, idx, keep_sorted)
        probs = probs * keep
        probs = probs / probs.sum(-1, keepdim=True)
    return probs


@torch.no_grad()
def generate(
    model: nn.Module,
    ids: list[int],
    n: int,
    context: int,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int = 0,
) -> list[int]:
    """Continue ``ids`` by ``n`` tokens, feeding at most the last ``context`` tokens each time."""
    check_settings(temperature, top_k, top_p)
    if not ids:
        raise ValueError("the prompt is empty: type at least one character")
    device = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    out = list(ids)
    for _ in range(n):
        x = torch.tensor([out[-context:]], device=device)
        probs = next_token_probs(model(x)[0, -1], temperature, top_k, top_p).cpu()
        out.append(int(torch.multinomial(probs, 1, generator=gen)))
    return out[len(ids) :]
