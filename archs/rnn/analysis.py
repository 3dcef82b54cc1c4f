"""Looking inside recurrent networks: hidden states and gates over a sequence, and backpropagation
through time measured step by step (how much gradient reaches each earlier input).

Clipping (Pascanu, Mikolov & Bengio 2013, "On the difficulty of training recurrent neural networks",
arXiv 1211.5063) rescales the whole gradient when its norm exceeds a threshold: g ← g · min(1, τ/‖g‖).
Every step's share of the gradient is scaled by the same factor, so clipping caps exploding gradients
but cannot revive vanishing ones; ``gradient_flow`` reports both curves.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

import archs
from archs.rnn.recurrent import RecurrentNet


@torch.no_grad()
def internals(model: RecurrentNet, x: torch.Tensor, example: int = 0) -> dict[str, np.ndarray]:
    """Hidden states and gate activations of ``model`` on ``x`` for one example: each entry is
    (L·D, T, H) — layer-direction, time, unit ("h", and "input"/"forget"/"output"/"candidate"/"cell"
    for the LSTM, "reset"/"update"/"candidate" for the GRU)."""
    was = model.training
    model.eval()
    try:
        _, rec = model(x, return_internals=True)
    finally:
        model.train(was)
    return {k: v[:, example].float().cpu().numpy() for k, v in rec.items()}


def fresh_recurrent(
    kind: str,
    *,
    hidden_dim: int = 32,
    input_dim: int = 4,
    nonlinearity: str = "tanh",
    weight_scale: float = 1.0,
    seed: int = 0,
) -> RecurrentNet:
    """A freshly initialised one-layer network with real-valued inputs; its recurrent weights W_hh are
    multiplied by ``weight_scale`` (above 1 pushes a plain RNN towards exploding gradients)."""
    torch.manual_seed(seed)
    extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
    model = archs.build_model(
        kind, "tiny", vocab_size=0, input_dim=input_dim, hidden_dim=hidden_dim, num_classes=1, **extra
    )
    with torch.no_grad():
        for cell in model.rnn.cells:
            cell.weight_hh.mul_(weight_scale)
    return model


def gradient_flow(
    model: RecurrentNet, x: torch.Tensor, y: torch.Tensor | None = None, clip: float | None = None
) -> dict[str, np.ndarray | float]:
    """Backpropagate one loss at the last step and measure ‖∂L/∂x_t‖ (mean over the batch) for every
    input step t. The loss is the cross-entropy (or squared error) against ``y`` if given, else
    ½‖y_T‖² of the last output. Returns ``steps_back`` (T−1 … 0), ``norm``, ``clipped`` (after clipping
    the parameter gradient to ``clip``), ``param_norm`` and ``clip_factor``."""
    was = model.training
    model.eval()
    try:
        model.zero_grad(set_to_none=True)
        e = model.embed(x).detach().requires_grad_(True)  # (B, T, C)
        out, _, _ = model.rnn(e)
        H = model.cfg.hidden_dim
        last = out[:, -1] if model.rnn.num_dirs == 1 else torch.cat([out[:, -1, :H], out[:, 0, H:]], -1)
        logits = model.head(last)  # (B, classes)
        if y is None:
            loss = 0.5 * logits.pow(2).sum(-1).mean()
        elif y.dtype == torch.long:
            loss = F.cross_entropy(logits, y.reshape(len(y), -1)[:, -1])
        else:
            loss = F.mse_loss(logits.squeeze(-1), y)
        loss.backward()
        norms = e.grad.norm(dim=-1).mean(0).cpu().numpy()  # (T,)
        pnorm = float(torch.sqrt(sum((p.grad**2).sum() for p in model.parameters() if p.grad is not None)))
    finally:
        model.zero_grad(set_to_none=True)
        model.train(was)
    factor = min(1.0, clip / (pnorm + 1e-12)) if clip else 1.0
    T = len(norms)
    return {
        "steps_back": np.arange(T)[::-1].copy(),
        "norm": norms,
        "clipped": norms * factor,
        "param_norm": pnorm,
        "clip_factor": factor,
    }


def compare_gradient_flow(
    kinds=("rnn", "lstm", "gru"),
    *,
    seq_len: int = 60,
    hidden_dim: int = 32,
    nonlinearity: str = "tanh",
    weight_scale: float = 1.0,
    clip: float | None = 1.0,
    seed: int = 0,
) -> dict[str, dict]:
    """``gradient_flow`` of freshly initialised networks of each kind on the same random sequences."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(16, seq_len, 4, generator=g)
    return {
        k: gradient_flow(
            fresh_recurrent(
                k, hidden_dim=hidden_dim, nonlinearity=nonlinearity, weight_scale=weight_scale, seed=seed
            ),
            x,
            clip=clip,
        )
        for k in kinds
    }
