"""The arithmetic of one attention layer on a short sentence, step by step, for the explainer.

Nothing here is registered: this module computes, with small seeded random weights, every
intermediate of scaled dot-product attention (Vaswani et al. 2017, §3.2) so a page can draw it:

    X = embed(words) + PE            (T, d)
    Q = X W_Q,  K = X W_K,  V = X W_V
    S = Q Kᵀ / √d_k   (+ mask: −∞ where a query may not look)
    A = softmax(S) row by row        each row sums to 1
    Y = A V
    MultiHead = Concat(head_1, …, head_h) W_O, head_i = attention on the i-th slice of d/h dims
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from archs.blocks.positions import rotary_angles, sinusoidal_table

MAX_TOKENS = 16


def words(text: str, max_tokens: int = MAX_TOKENS) -> list[str]:
    """Split a sentence into word tokens; ValueError with a sentence when empty or too long."""
    toks = text.split()
    if not toks:
        raise ValueError("The sentence is empty: type a few words, for example 'the cat sat on the mat'.")
    if len(toks) > max_tokens:
        raise ValueError(
            f"The sentence has {len(toks)} words; the explainer shows at most {max_tokens} so that every "
            "heatmap stays readable. Shorten it."
        )
    return toks


def _word_vector(word: str, d: int) -> np.ndarray:
    """A fixed random embedding per word (the same word always gets the same vector)."""
    return np.random.default_rng(zlib.crc32(word.lower().encode())).normal(0, 1, d)


def _softmax(s: np.ndarray) -> np.ndarray:
    s = s - s.max(-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(-1, keepdims=True)


def explain(
    tokens: list[str],
    d_model: int = 8,
    num_heads: int = 2,
    causal: bool = False,
    scaled: bool = True,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Every intermediate of one multi-head self-attention layer (the first head shown in full)."""
    if d_model % num_heads:
        raise ValueError(f"embed_dim ({d_model}) must be divisible by num_heads ({num_heads}).")
    T, hs = len(tokens), d_model // num_heads
    rng = np.random.default_rng(seed)
    X = np.stack([_word_vector(w, d_model) for w in tokens]) + sinusoidal_table(T, d_model).numpy()
    Wq, Wk, Wv, Wo = (rng.normal(0, 1 / math.sqrt(d_model), (d_model, d_model)) for _ in range(4))
    Q, K, V = X @ Wq, X @ Wk, X @ Wv  # (T, d)
    mask = np.tril(np.ones((T, T), bool)) if causal else np.ones((T, T), bool)
    heads, outs, scores_all = [], [], []
    for h in range(num_heads):
        sl = slice(h * hs, (h + 1) * hs)
        s = Q[:, sl] @ K[:, sl].T / (math.sqrt(hs) if scaled else 1.0)  # (T, T)
        a = _softmax(np.where(mask, s, -np.inf))
        scores_all.append(s)
        heads.append(a)
        outs.append(a @ V[:, sl])  # (T, hs)
    concat = np.concatenate(outs, 1)  # (T, d)
    return dict(
        X=X,
        Q=Q,
        K=K,
        V=V,
        Q1=Q[:, :hs],
        K1=K[:, :hs],
        V1=V[:, :hs],
        scores=scores_all[0],
        masked=np.where(mask, scores_all[0], np.nan),
        mask=mask,
        weights=heads[0],
        out=outs[0],
        heads=np.stack(heads),
        head_outs=np.stack(outs),
        concat=concat,
        W_O=Wo,
        Y=concat @ Wo,
    )


def saturation(dims=(2, 4, 8, 16, 32, 64, 128, 256, 512), n_keys: int = 16, trials: int = 400, seed: int = 0):
    """With q, k ~ N(0, I) the dot product has variance d_k: unscaled, softmax saturates to one-hot as
    d_k grows (tiny gradients); dividing by √d_k keeps the variance at 1. Returns mean max weight."""
    rng = np.random.default_rng(seed)
    scaled, unscaled = [], []
    for d in dims:
        q, k = rng.normal(size=(trials, 1, d)), rng.normal(size=(trials, n_keys, d))
        s = (q * k).sum(-1)  # (trials, n_keys)
        unscaled.append(_softmax(s).max(-1).mean())
        scaled.append(_softmax(s / math.sqrt(d)).max(-1).mean())
    return list(dims), np.array(scaled), np.array(unscaled)


def positional_tables(n: int = 64, d: int = 32, seed: int = 0) -> dict[str, np.ndarray]:
    """Sinusoidal table, a learned table at initialisation, rotary angles (as cos θ), and how the
    similarity of two positions falls off with their distance under sinusoidal and rotary encodings."""
    sin = sinusoidal_table(n, d).numpy()
    ang = rotary_angles(n, d).numpy()  # (n, d/2)
    rng = np.random.default_rng(seed)
    q = rng.normal(size=d)
    q1, q2 = q[0::2], q[1::2]
    # rotary: q·R(Δ)q = Σ_i (q1_i² + q2_i²) cos(Δ θ_i) — depends on the distance Δ only
    rot = ((q1**2 + q2**2)[None] * np.cos(ang)).sum(-1) / (q**2).sum()
    return dict(
        sinusoidal=sin,
        learned=rng.normal(0, 0.02, (n, d)),
        rotary=np.cos(ang),
        sin_similarity=sin @ sin[0] / (sin[0] @ sin[0]),
        rot_similarity=rot,
    )


def family_masks(T: int = 6) -> dict[str, np.ndarray]:
    """Who may attend to whom in each kind of model (rows: queries, columns: keys)."""
    full, causal = np.ones((T, T), bool), np.tril(np.ones((T, T), bool))
    return {"encoder (bidirectional)": full, "decoder (causal)": causal, "encoder-decoder: cross": full}
