"""Token embeddings with absolute positions (learned or sinusoidal), segments, a norm and dropout: the
input layer of every transformer (Vaswani et al. 2017; BERT's segments, Devlin et al. 2018;
ALBERT/ELECTRA's factorised embedding)."""

from __future__ import annotations

import math

import torch
from torch import nn

from archs.blocks.positions import sinusoidal_table


class Embeddings(nn.Module):
    """Token embedding (× √d if ``scale``), plus absolute positions if learned or sinusoidal, plus
    segment embeddings (BERT), then LayerNorm (BERT, BART) and dropout. ``factor_dim`` embeds in a
    smaller width and projects up (ELECTRA, ALBERT)."""

    def __init__(
        self,
        vocab_size,
        dim,
        *,
        max_len=512,
        positions="learned",
        type_vocab=0,
        norm=False,
        scale=False,
        dropout=0.1,
        pos_offset=0,
        eps=1e-12,
        factor_dim=0,
        token=None,
    ):
        super().__init__()
        e = factor_dim or dim
        self.token = token if token is not None else nn.Embedding(vocab_size, e)
        self.kind, self.offset, self.scale = positions, pos_offset, math.sqrt(dim) if scale else 1.0
        self.pos = nn.Embedding(max_len + pos_offset, e) if positions == "learned" else None
        self.register_buffer(
            "table", sinusoidal_table(max_len, e) if positions == "sinusoidal" else None, False
        )
        self.segment = nn.Embedding(type_vocab, e) if type_vocab else None
        self.norm = nn.LayerNorm(e, eps=eps) if norm else None
        self.project = nn.Linear(e, dim) if factor_dim else None
        self.drop = nn.Dropout(dropout)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        T = ids.shape[1]
        x = self.token(ids)  # (B, T, e)
        x = x * self.scale if self.scale != 1.0 else x
        if self.pos is not None:
            x = x + self.pos(torch.arange(self.offset, T + self.offset, device=ids.device))
        elif self.table is not None:
            x = x + self.table[:T].to(x.dtype)
        if self.segment is not None:
            x = x + self.segment(torch.zeros_like(ids))
        x = self.norm(x) if self.norm is not None else x
        x = self.project(x) if self.project is not None else x
        return self.drop(x)
