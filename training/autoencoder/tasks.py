"""Autoencoder tasks: reconstruction, denoising, sparse, VAE (β, conditional) and VQ-VAE losses.

Each ``loss`` returns ``(total, {"recon": ..., ...})`` so the Trainer logs every term beside the
total (a VAE's reconstruction and KL divergence as separate curves). Metrics at evaluation time:

- ``loss`` and its terms on the split (a VAE's with one seeded sample of z, the negative ELBO);
- ``mse``: the mean squared error per pixel of the deterministic reconstruction (a VAE decodes μ),
  the number compared with PCA and used as the anomaly score;
- denoising: ``noisy_mse`` (corrupted input vs clean) and ``denoise_mse`` (output vs clean);
- sparse: ``active`` (share of code units above 0.01); VQ-VAE: ``codes_used`` (distinct codes).

Scales: AE losses are means per pixel (the seeds' L = ‖x − x̂‖², averaged); a VAE's loss is per image
in nats — the Bernoulli reconstruction summed over pixels plus β·KL summed over latent units — so β
keeps the meaning it has in the papers.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from training.tasks import Task

EVAL_SEED = 1234  # corruption and z-samples at evaluation time are seeded: metrics are repeatable


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − log σ_j² − 1), per example: (B,)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - logvar - 1).sum(1)


def _gen(x: torch.Tensor) -> torch.Generator:
    return torch.Generator(device=x.device).manual_seed(EVAL_SEED)


def pixel_mse(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per-example mean squared error over pixels: (B,)."""
    return (a - b).pow(2).flatten(1).mean(1)


class AutoencoderTask(Task):
    """Reconstruction with squared error, plus the denoising corruption or the sparsity penalty when
    the model has them (``corrupt`` / ``penalty``)."""

    name = "reconstruction"
    higher_is_better = "mse"

    def _terms(self, model: nn.Module, x: torch.Tensor, gen=None) -> dict[str, torch.Tensor]:
        x_in = model.corrupt(x, generator=gen) if hasattr(model, "corrupt") else x
        z = model.encode(x_in)
        recon = F.mse_loss(model.decode(z), x)
        terms = {"recon": recon}
        if hasattr(model, "penalty"):
            terms["sparsity"] = model.cfg.sparsity_weight * model.penalty(z)
        return terms

    def loss(self, model, x, y):
        terms = self._terms(model, x)
        return sum(terms.values()), terms

    @torch.no_grad()
    def metrics(self, model, x, y):
        g = _gen(x)
        terms = self._terms(model, x, g)
        out = {"loss": float(sum(terms.values())), **{k: float(v) for k, v in terms.items()}}
        z = model.encode(x)
        out["mse"] = float(pixel_mse(model.decode(z), x).mean())
        if hasattr(model, "corrupt"):
            noisy = model.corrupt(x, generator=_gen(x))
            out["noisy_mse"] = float(pixel_mse(noisy, x).mean())
            out["denoise_mse"] = float(pixel_mse(model(noisy), x).mean())
        if hasattr(model, "penalty"):
            out["active"] = float((z.abs() > 0.01).float().mean())
        return out


class VAETask(Task):
    """Negative ELBO: −E_q[log p(x|z)] + β·KL(q(z|x) ‖ N(0, I)), one reparameterised sample of z per
    example; p(x|z) is Bernoulli, so the reconstruction is the binary cross-entropy summed over pixels.
    A conditional VAE gets the labels y in its encoder and decoder."""

    name = "vae"
    higher_is_better = "mse"

    def _terms(self, model, x, y, gen=None) -> dict[str, torch.Tensor]:
        yc = y if model.conditional else None
        mu, logvar = model.encode(x, yc)
        eps = torch.randn(mu.shape, generator=gen, device=mu.device, dtype=mu.dtype)
        z = mu + torch.exp(0.5 * logvar) * eps  # the reparameterisation trick
        logits = model.decode_logits(z, yc)
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1).mean()
        kl = kl_to_standard_normal(mu, logvar).mean()
        return {"recon": recon, "kl": kl}

    def loss(self, model, x, y):
        t = self._terms(model, x, y)
        return t["recon"] + model.beta * t["kl"], t

    @torch.no_grad()
    def metrics(self, model, x, y):
        t = self._terms(model, x, y, _gen(x))
        yc = y if model.conditional else None
        mse = pixel_mse(model.decode(model.encode(x, yc)[0], yc), x).mean()
        return {
            "loss": float(t["recon"] + model.beta * t["kl"]),
            "recon": float(t["recon"]),
            "kl": float(t["kl"]),
            "mse": float(mse),
        }


class VQVAETask(Task):
    """‖x − D(z_q)‖² + ‖sg[z_e] − e‖² (only when the codebook learns by its loss) + β‖z_e − sg[e]‖²."""

    name = "vq_vae"
    higher_is_better = "mse"

    def _terms(self, model, x) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        q = model.quantize(model.encode(x))
        terms = {"recon": F.mse_loss(model.decode(q["z_q"]), x)}
        if not model.quantizer.ema:
            terms["codebook"] = q["codebook"]
        terms["commitment"] = model.cfg.commitment * q["commitment"]
        return terms, q["indices"]

    def loss(self, model, x, y):
        terms, _ = self._terms(model, x)
        return sum(terms.values()), terms

    @torch.no_grad()
    def metrics(self, model, x, y):
        terms, idx = self._terms(model, x)
        out = {"loss": float(sum(terms.values())), **{k: float(v) for k, v in terms.items()}}
        out["mse"] = float(pixel_mse(model(x), x).mean())
        out["codes_used"] = float(idx.unique().numel())
        return out


def autoencoder_task(data=None, **_) -> Task:
    """A task factory for recipes: the task follows the model, so it is chosen at the first call."""
    return DispatchTask()


class DispatchTask(Task):
    """Delegates to the task that fits the model's ``kind`` (ae, vae, vq): one recipe may train any
    architecture of the family."""

    name = "autoencoder"
    higher_is_better = "mse"
    _TASKS = {"ae": AutoencoderTask(), "vae": VAETask(), "vq": VQVAETask()}

    def _for(self, model) -> Task:
        return self._TASKS[model.kind]

    def loss(self, model, x, y):
        return self._for(model).loss(model, x, y)

    @torch.no_grad()
    def metrics(self, model, x, y):
        return self._for(model).metrics(model, x, y)
