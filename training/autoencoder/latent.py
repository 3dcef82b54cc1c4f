"""Latent-space tools for autoencoders: codes, 2-D projections, decoding, sampling, anomaly scores.

Everything takes a model of the autoencoder family (``latent``, ``decode_latent``; see
archs/autoencoder/) and numpy arrays, runs without gradients in eval mode, and returns numpy. No
streamlit here: the page's panels call these.

Projections: the latent itself when it is 2-D; otherwise PCA, t-SNE (scikit-learn) or UMAP (only if
the ``umap-learn`` package is importable). Clicking anywhere in a projection decodes a code there:
exactly for a 2-D latent, by PCA's inverse map for PCA, and for t-SNE / UMAP (which have no inverse)
by the inverse-distance-weighted mean of the codes of the 5 nearest projected points.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from archs.spec import ConfigError

MIN_POINTS = {"latent": 1, "pca": 3, "tsne": 10, "umap": 20}
METHOD_TITLES = {"latent": "the latent itself", "pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}


def _device(model: nn.Module) -> torch.device:
    return next((p.device for p in model.parameters()), torch.device("cpu"))


def _eval(fn: Callable) -> Callable:
    """Run ``fn(model, ...)`` in eval mode without gradients, restoring the model's mode after."""

    def wrapped(model: nn.Module, *args, **kwargs):
        was = model.training
        model.eval()
        try:
            with torch.no_grad():
                return fn(model, *args, **kwargs)
        finally:
            model.train(was)

    wrapped.__doc__, wrapped.__name__ = fn.__doc__, fn.__name__
    return wrapped


def _t(a: np.ndarray | torch.Tensor, model: nn.Module, dtype=torch.float32) -> torch.Tensor:
    t = a if isinstance(a, torch.Tensor) else torch.as_tensor(np.ascontiguousarray(a))
    return t.to(_device(model), dtype if t.is_floating_point() else t.dtype)


def _labels(model: nn.Module, y, n: int) -> torch.Tensor | None:
    if not getattr(model, "conditional", False):
        return None
    y = np.full(n, int(y)) if np.isscalar(y) else np.asarray(y)
    return _t(y.astype(np.int64), model)


@_eval
def codes(model: nn.Module, x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """(N, Z) codes of ``x``: z for an autoencoder, μ for a VAE, the flattened z_e grid for VQ-VAE."""
    return model.latent(_t(x, model), _labels(model, y, len(x)) if y is not None else None).cpu().numpy()


@_eval
def decode(model: nn.Module, z: np.ndarray, y: np.ndarray | int | None = None) -> np.ndarray:
    """(N, Z) codes -> (N, C, H, W) images in [0, 1]."""
    z = np.atleast_2d(np.asarray(z, np.float32))
    yc = _labels(model, 0 if y is None else y, len(z))
    return model.decode_latent(_t(z, model), yc).cpu().numpy()


@_eval
def reconstruct(model: nn.Module, x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    """The deterministic reconstruction x̂ = g(f(x)) (a VAE decodes μ)."""
    yc = _labels(model, y, len(x)) if y is not None else _labels(model, 0, len(x))
    return model.decode_latent(model.latent(_t(x, model), yc), yc).cpu().numpy()


def available_projections(latent_dim: int) -> list[str]:
    """The projections offered for a latent of this size: the latent itself if it is 1- or 2-D."""
    out = ["latent"] if latent_dim <= 2 else []
    out += ["pca", "tsne"]
    if importlib.util.find_spec("umap") is not None:
        out.append("umap")
    return out


@dataclass
class Projection:
    """Codes (N, Z) placed in the plane (N, 2) by ``method``, with a map back from the plane."""

    method: str
    codes: np.ndarray
    xy: np.ndarray
    _pca: Any = field(default=None, repr=False)

    def inverse(self, pts: np.ndarray) -> np.ndarray:
        """(M, 2) points of the plane -> (M, Z) codes to decode (see the module docstring)."""
        pts = np.atleast_2d(np.asarray(pts, np.float64))
        Z = self.codes.shape[1]
        if self.method == "latent":
            return (pts[:, :Z] if Z == 2 else pts[:, :1]).astype(np.float32)
        if self.method == "pca":
            return self._pca.inverse_transform(pts).astype(np.float32)
        d = np.linalg.norm(self.xy[None] - pts[:, None], axis=2)  # (M, N)
        nn_idx = np.argsort(d, axis=1)[:, :5]
        w = 1.0 / (np.take_along_axis(d, nn_idx, 1) + 1e-6)  # (M, 5)
        return (np.einsum("mk,mkz->mz", w, self.codes[nn_idx]) / w.sum(1, keepdims=True)).astype(np.float32)


def project(z: np.ndarray, method: str = "pca", seed: int = 0) -> Projection:
    """Place codes in the plane. Raises ConfigError (a sentence) if there are too few points or the
    method is not available."""
    z = np.asarray(z, np.float64)
    n, Z = z.shape
    if method not in MIN_POINTS:
        raise ConfigError(f"Unknown projection {method!r}; choose one of {', '.join(MIN_POINTS)}.")
    if method == "latent" and Z > 2:
        raise ConfigError(f"The latent has {Z} dimensions; choose PCA, t-SNE or UMAP to see it in 2-D.")
    if n < MIN_POINTS[method]:
        raise ConfigError(
            f"{METHOD_TITLES[method]} needs at least {MIN_POINTS[method]} points to place in the plane, "
            f"but only {n} were given; use more examples."
        )
    if method == "latent":
        xy = z if Z == 2 else np.column_stack([z[:, 0], np.zeros(n)])
        return Projection(method, z.astype(np.float32), xy)
    if method == "pca":
        from sklearn.decomposition import PCA

        k = min(2, Z, n)
        pca = PCA(k, random_state=seed).fit(z)
        xy = pca.transform(z)
        if k < 2:  # a 1-D code: the second axis is empty
            xy = np.column_stack([xy, np.zeros(n)])
        return Projection(method, z.astype(np.float32), xy, pca if k == 2 else None)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30.0, (n - 1) / 3))
        xy = TSNE(2, perplexity=perplexity, init="pca", random_state=seed, max_iter=500).fit_transform(z)
        return Projection(method, z.astype(np.float32), xy)
    if importlib.util.find_spec("umap") is None:
        raise ConfigError("UMAP is not installed here (pip install umap-learn); choose PCA or t-SNE.")
    import umap

    xy = umap.UMAP(n_neighbors=min(15, n - 1), random_state=seed).fit_transform(z)
    return Projection(method, z.astype(np.float32), np.asarray(xy))


def manifold_grid(
    model: nn.Module, n: int = 12, span: tuple[float, float, float, float] | None = None, y=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode an n×n grid over a 2-D latent (the learned manifold). ``span`` = (x0, x1, y0, y1); by
    default ±2 for a VAE (the prior's 95 % box). Returns (images (n·n, C, H, W), xs, ys); rows go from
    the top (largest z₂) down, as in the paper's figures."""
    if span is None:
        span = (-2.0, 2.0, -2.0, 2.0)
    xs, ys = np.linspace(span[0], span[1], n), np.linspace(span[3], span[2], n)
    zz = np.array([[a, b] for b in ys for a in xs], np.float32)
    return decode(model, zz, y), xs, ys


def interpolate(
    model: nn.Module, xa: np.ndarray, xb: np.ndarray, steps: int = 8, ya=None, yb=None
) -> np.ndarray:
    """Decode codes on the straight line from z(x_a) to z(x_b): (steps, C, H, W)."""
    if steps < 2:
        raise ConfigError("An interpolation needs at least 2 steps.")
    za = codes(model, xa[None], None if ya is None else np.array([ya]))[0]
    zb = codes(model, xb[None], None if yb is None else np.array([yb]))[0]
    t = np.linspace(0, 1, steps, dtype=np.float32)[:, None]
    y = None if ya is None else np.where(t[:, 0] < 0.5, ya, yb if yb is not None else ya)
    return decode(model, (1 - t) * za + t * zb, y)


@_eval
def prior_samples(model: nn.Module, n: int = 16, seed: int = 0, y=None) -> np.ndarray:
    """Images decoded from z ~ N(0, I) (VAE family only): (n, C, H, W)."""
    if getattr(model, "kind", None) != "vae":
        raise ConfigError("Only variational autoencoders have a prior to sample from; choose a VAE.")
    g = torch.Generator().manual_seed(seed)
    yc = _labels(model, 0 if y is None else y, n)
    return model.sample(n, yc, generator=g).cpu().numpy()


@_eval
def posteriors(model: nn.Module, x: np.ndarray, y=None) -> tuple[np.ndarray, np.ndarray]:
    """(μ, σ) of q(z|x) for each example (VAE family): two (N, Z) arrays."""
    yc = _labels(model, y, len(x)) if y is not None else None
    mu, logvar = model.encode(_t(x, model), yc)
    return mu.cpu().numpy(), torch.exp(0.5 * logvar).cpu().numpy()


def anomaly_scores(model: nn.Module, x: np.ndarray, y=None) -> np.ndarray:
    """Per-example reconstruction error (mean squared error per pixel). A conditional VAE, which
    needs a label, scores each input with the label that reconstructs it best."""
    x = np.asarray(x, np.float32)
    if getattr(model, "conditional", False):
        errs = [
            ((reconstruct(model, x, np.full(len(x), k)) - x) ** 2).reshape(len(x), -1).mean(1)
            for k in range(model.cfg.num_classes)
        ]
        return np.min(errs, axis=0)
    return ((reconstruct(model, x) - x) ** 2).reshape(len(x), -1).mean(1)


def out_of_distribution(shape: tuple[int, ...], n: int = 300, seed: int = 0) -> dict[str, np.ndarray]:
    """Inputs unlike digits, of the digits' shape (C, H, W): procedural shapes and uniform noise."""
    from data.shapes import shapes

    c, h, _ = shape
    s = shapes(n=2 * n, size=max(8, h), seed=seed, test_frac=0.5, val_frac=0.0).x_test[:n]
    if h < 8:
        s = s[:, :, :h, :h]
    s = np.repeat(s[:, :1], c, axis=1)
    noise = np.random.default_rng(seed).uniform(0, 1, (n, *shape)).astype(np.float32)
    return {"shapes": s.astype(np.float32), "noise": noise}


def detection_rates(in_scores: np.ndarray, out_scores: np.ndarray, threshold: float) -> dict[str, float]:
    """Flag an input as anomalous when its error exceeds ``threshold``: the share of out-of-
    distribution inputs caught (true positive rate), of in-distribution ones wrongly flagged (false
    positive rate), and the threshold-free area under the ROC curve."""
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.zeros(len(in_scores)), np.ones(len(out_scores))]
    return {
        "detected": float(np.mean(out_scores > threshold)),
        "false_alarms": float(np.mean(in_scores > threshold)),
        "auroc": float(roc_auc_score(y, np.r_[in_scores, out_scores])),
    }


def pca_baseline(x_train: np.ndarray, x_test: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """Test reconstruction error (MSE per pixel) of PCA with ``k`` components fitted on the training
    set, and the reconstructions (same shape as ``x_test``): the best *linear* code of size k."""
    from sklearn.decomposition import PCA

    a, b = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    k = int(min(k, a.shape[1], len(a)))
    if k < 1:
        raise ConfigError("PCA needs at least one component.")
    p = PCA(k, svd_solver="full").fit(a)
    rec = p.inverse_transform(p.transform(b)).reshape(x_test.shape)
    return float(((rec - x_test) ** 2).mean()), rec.astype(np.float32)


def pca_curve(x_train: np.ndarray, x_test: np.ndarray, ks: list[int]) -> np.ndarray:
    """Test MSE per pixel of PCA for each number of components in ``ks``."""
    from sklearn.decomposition import PCA

    a, b = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    p = PCA(min(max(ks), *a.shape), svd_solver="full").fit(a)
    c = b - p.mean_
    out = []
    for k in ks:
        W = p.components_[:k]  # (k, F)
        out.append(float(((c @ W.T @ W - c) ** 2).mean()))
    return np.array(out)


@_eval
def codebook_usage(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """VQ-VAE: how often each codebook entry is chosen over ``x`` (K,)."""
    idx = model.quantize(model.encode(_t(x, model)))["indices"]
    return np.bincount(idx.flatten().cpu().numpy(), minlength=model.cfg.num_embeddings)


@_eval
def code_activations(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """The code z = f(x) of each example (N, Z): for the sparse autoencoder's activation histogram."""
    return model.encode(_t(x, model)).cpu().numpy()


@_eval
def denoise(model: nn.Module, x: np.ndarray, level: float, noise: str | None = None, seed: int = 0):
    """Corrupt ``x`` at ``level`` with the model's noise (or ``noise``) and clean it: (noisy, output)."""
    from archs.autoencoder.basic import corrupt

    kind = noise or getattr(model.cfg, "noise", "gaussian")
    xt = _t(x, model)
    noisy = corrupt(xt, kind, level, torch.Generator(device=xt.device).manual_seed(seed))
    out = model.decode_latent(model.latent(noisy))
    return noisy.cpu().numpy(), out.cpu().numpy()
