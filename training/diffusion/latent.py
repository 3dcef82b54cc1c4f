"""Latent diffusion training and text-to-image sampling: the caption vocabulary, the two-stage Trainer.

Stage 1 (``ae_steps`` steps) trains the autoencoder for reconstruction. Then, as in Rombach et al.
(2022), the autoencoder is frozen, its latents are rescaled to unit standard deviation (Stable
Diffusion's ``scale_factor``), and the text encoder and latent U-Net learn ε-prediction on the latents
of captioned images; the caption is replaced by the empty one with probability ``p_uncond`` so that
classifier-free guidance can be used when sampling.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from archs.diffusion.latent import BOS, PAD, LatentDiffusion
from archs.spec import ConfigError
from data.shapes import CAPTION_WORDS, COLORS
from training.captions import caption_words
from training.diffusion.trainer import Schedule, sample
from training.tasks import Task
from training.trainer import Trainer

SPECIALS = ("<pad>", "<start>")
WORDS = CAPTION_WORDS


class Vocab:
    """Word-level vocabulary of the shape captions; token 0 pads, token 1 starts every caption."""

    def __init__(self, words: tuple[str, ...] = WORDS, max_len: int = 10):
        self.itos = list(SPECIALS) + list(words)
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.max_len = max_len

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, caption: str) -> np.ndarray:
        """(max_len,) token ids; ConfigError for an empty caption or unknown / too many words."""
        words = caption_words(caption, WORDS, self.max_len - 1)
        ids = [BOS] + [self.stoi[w] for w in words]
        return np.array(ids + [PAD] * (self.max_len - len(ids)), np.int64)

    def empty(self) -> np.ndarray:
        return np.array([BOS] + [PAD] * (self.max_len - 1), np.int64)


VOCAB = Vocab()


class LDMTask(Task):
    """Reconstruction while the autoencoder trains, ε-prediction on frozen latents afterwards."""

    name = "latent_diffusion"
    higher_is_better = "loss"

    def __init__(self, p_uncond: float = 0.1, eval_size: int = 256):
        self.p_uncond, self.eval_size = p_uncond, eval_size
        self.stage = "autoencoder"

    def recon(self, model: LatentDiffusion, x):
        # a shape covers about 5 % of the pixels: weighting them 10× teaches colour and form early
        weight = 1 + 9 * (x.amax(1, keepdim=True) > -0.8).float()  # (B, 1, H, W)
        return (weight * (model.decoder(model.encoder(x)) - x) ** 2).mean()

    def denoise_loss(self, model: LatentDiffusion, x, tokens, t=None, noise=None, drop=None):
        with torch.no_grad():
            z0 = model.encode(x)
        T = model.alpha_bar.shape[0]
        t = torch.randint(0, T, (x.shape[0],), device=x.device) if t is None else t
        noise = torch.randn_like(z0) if noise is None else noise
        if drop is not None:  # the empty caption for classifier-free guidance
            empty = torch.full_like(tokens, PAD)
            empty[:, 0] = BOS
            tokens = torch.where(drop[:, None], empty, tokens)
        ab = model.alpha_bar[t][:, None, None, None]
        z_t = ab.sqrt() * z0 + (1 - ab).sqrt() * noise
        return F.mse_loss(model.denoise(z_t, t, model.text(tokens), tokens), noise)

    def loss(self, model, x, y):
        if self.stage == "autoencoder":
            r = self.recon(model, x)
            return r, {"recon": r.detach()}
        drop = torch.rand(x.shape[0], device=x.device) < self.p_uncond
        d = self.denoise_loss(model, x, y, drop=drop)
        return d, {"denoise": d.detach()}

    @torch.no_grad()
    def metrics(self, model, x, y):
        x, y = x[: self.eval_size], y[: self.eval_size]
        out = {"recon": float(self.recon(model, x))}
        if self.stage == "denoiser":
            g = torch.Generator().manual_seed(0)
            t = torch.randint(0, model.alpha_bar.shape[0], (x.shape[0],), generator=g).to(x.device)
            z_shape = (x.shape[0], model.cfg.latent_channels, model.cfg.latent_size, model.cfg.latent_size)
            noise = torch.randn(z_shape, generator=g).to(x.device)
            out["denoise"] = float(self.denoise_loss(model, x, y, t, noise))
        out["loss"] = out.get("denoise", out["recon"])
        return out


class LDMTrainer(Trainer):
    """A Trainer whose first ``ae_steps`` steps train the autoencoder; then it freezes it and trains
    the denoiser and text encoder."""

    ae_share = 0.25  # the share of the run spent on the autoencoder

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.ae_steps = max(1, round(self.ae_share * self.num_steps))
        if self.ae_steps >= self.num_steps:
            raise ConfigError(
                f"The autoencoder stage ({self.ae_steps} steps) must end before the run does "
                f"({self.num_steps} steps)."
            )

    def _one_step(self) -> None:
        if self.task.stage == "autoencoder" and self.step_count >= self.ae_steps:
            self.freeze_autoencoder()
        super()._one_step()

    @torch.no_grad()
    def freeze_autoencoder(self) -> None:
        m: LatentDiffusion = self.model
        x = self.splits["train"][0][:1024]
        m.latent_scale.fill_(float(m.encoder(x).std()))
        for p in [*m.encoder.parameters(), *m.decoder.parameters()]:
            p.requires_grad_(False)
        self.task.stage = "denoiser"


@torch.no_grad()
def text_to_image(
    model: LatentDiffusion,
    captions: list[str],
    steps: int = 50,
    method: str = "ddim",
    guidance: float = 3.0,
    seed: int = 0,
    vocab: Vocab = VOCAB,
) -> dict:
    """Images (B, C, H, W) in [0, 1] for ``captions``, the per-word cross-attention maps (B, L, H, W)
    averaged over layers and sampling steps, the decoded trajectory and each caption's words."""
    tokens = torch.from_numpy(np.stack([vocab.encode(c) for c in captions]))
    cfg = model.cfg
    sched = Schedule.make(cfg.schedule, cfg.timesteps)
    was = model.training
    model.eval()
    dev = next(model.parameters()).device
    tok = tokens.to(dev)
    empty = torch.from_numpy(np.stack([vocab.empty()] * len(captions))).to(dev)
    ctx, ctx_u = model.text(tok), model.text(empty)
    acc: list[torch.Tensor] = []

    def eps(z, t):
        maps: list[torch.Tensor] = []
        e_c = model.denoise(z, t, ctx, tok, maps)
        size = cfg.image_size
        acc.append(
            torch.stack([F.interpolate(m.permute(0, 3, 1, 2), size=(size, size)) for m in maps]).mean(0)
        )
        if guidance == 1.0:
            return e_c
        e_u = model.denoise(z, t, ctx_u, empty)
        return e_u + guidance * (e_c - e_u)

    shape = (len(captions), cfg.latent_channels, cfg.latent_size, cfg.latent_size)
    out = sample(eps, shape, sched, steps, method, seed=seed, device=dev)
    z = torch.from_numpy(out["x"]).to(dev)
    images = ((model.decode(z).clamp(-1, 1) + 1) / 2).cpu().numpy()
    idx = np.linspace(0, len(out["trajectory"]) - 1, min(8, len(out["trajectory"]))).round().astype(int)
    traj = torch.from_numpy(out["x0_pred"][np.clip(idx - 1, 0, None)]).to(dev)
    strip = ((model.decode(traj.flatten(0, 1)).clamp(-1, 1) + 1) / 2).cpu().numpy()
    model.train(was)
    return {
        "images": images,
        "attention": torch.stack(acc).mean(0).cpu().numpy(),  # (B, L, H, W)
        "words": [["<start>", *caption_words(c, WORDS, vocab.max_len - 1)] for c in captions],
        "strip": strip.reshape(len(idx), len(captions), *images.shape[1:]),
        "strip_steps": out["timesteps"][np.clip(idx - 1, 0, None)],
    }


def dominant_color(images: np.ndarray, names: tuple[str, ...] = tuple(COLORS)) -> np.ndarray:
    """Index into ``names`` of the palette colour nearest to each image's shape colour: the mean over
    pixels weighted by brightness, rescaled so its brightest channel is 1 (a blurred or dim red is still
    red), compared with the palette colours rescaled the same way."""
    palette = np.array([COLORS[n] for n in names], np.float32)  # (K, 3)
    palette = palette / palette.max(1, keepdims=True)
    px = np.clip(images, 0, 1).reshape(len(images), 3, -1)  # (B, 3, HW)
    w = px.max(1, keepdims=True) ** 2  # bright pixels belong to the shape
    mean = (px * w).sum(-1) / np.maximum(w.sum(-1), 1e-8)  # (B, 3)
    mean = mean / np.maximum(mean.max(1, keepdims=True), 1e-8)
    return np.linalg.norm(mean[:, None, :] - palette[None], axis=-1).argmin(1)
