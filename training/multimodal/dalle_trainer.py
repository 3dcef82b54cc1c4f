"""DALL-E-style training on captioned shapes: the caption vocabulary, the two-stage task and Trainer, and
text-to-image sampling.

Stage 1 (the first ``vq_share`` of the steps) trains the VQ-VAE tokenizer to reconstruct the images
(reconstruction + β · commitment, the codebook moved by moving averages). Then, as in Ramesh et al. (2021),
the tokenizer is frozen and the transformer learns to predict the stream [caption tokens, image tokens]
token by token: cross-entropy on the text tokens weighted 1/8 and on the image tokens 7/8, the paper's
weights. Sampling writes the 8×8 grid of image codes one token at a time and decodes it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from archs.multimodal.dalle import Dalle
from archs.spec import ConfigError
from data.shapes import CAPTION_WORDS, COLORS, KINDS, caption
from training.captions import caption_words
from training.tasks import Task
from training.trainer import Trainer

WORDS = CAPTION_WORDS
TEXT_WEIGHT = 1 / 8  # the paper's weights: 1/8 on the text loss, 7/8 on the image loss


class CaptionVocab:
    """Word-level caption tokens. A caption shorter than ``max_len`` is padded, as in DALL-E, with a
    separate padding token for each position: id ``len(words) + i`` at position i."""

    def __init__(self, words: tuple[str, ...] = WORDS, max_len: int = 8):
        self.itos = list(words)
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.max_len = max_len

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> np.ndarray:
        """(max_len,) token ids; ConfigError with a sentence for an empty caption or unknown words."""
        words = caption_words(text, self.itos, self.max_len)
        ids = [self.stoi[w] for w in words]
        return np.array(ids + [len(self) + i for i in range(len(ids), self.max_len)], np.int64)

    def decode(self, ids) -> str:
        return " ".join(self.itos[int(i)] for i in ids if int(i) < len(self))


VOCAB = CaptionVocab()
FIXED_CAPTIONS = tuple(caption(k, c, "center") for k, c in zip(KINDS, COLORS, strict=False))


def _frozen_tokens(model: Dalle, x: torch.Tensor) -> torch.Tensor:
    """(B, N) image codes of the frozen tokenizer (eval mode: its codebook does not move); codes already
    computed (integer ``x``: the training set once the tokenizer is frozen) pass through."""
    if not x.is_floating_point():
        return x
    was = model.tokenizer.training
    model.tokenizer.eval()
    with torch.no_grad():
        tokens = model.tokenizer(x)
    model.tokenizer.train(was)
    return tokens


class DalleTask(Task):
    """Reconstruction while the tokenizer trains; next-token prediction on [caption, image codes] after."""

    name = "dalle"
    higher_is_better = "loss"

    def __init__(self, eval_size: int = 256):
        self.eval_size, self.stage = eval_size, "tokenizer"

    def recon(self, model: Dalle, x: torch.Tensor) -> dict[str, torch.Tensor]:
        q = model.tokenizer.quantize(x)
        out = model.tokenizer.decoder(q["z_q"])  # (B, C, H, W) logits
        # a shape covers about 5 % of the pixels: weighting them 10× teaches colour and form early
        weight = 1 + 9 * (x.amax(1, keepdim=True) > 0.1).float()  # (B, 1, H, W)
        rec = (weight * F.binary_cross_entropy_with_logits(out, x, reduction="none")).mean()
        vq = model.cfg.commitment * q["commitment"]
        if not model.tokenizer.quantizer.ema:
            vq = vq + q["codebook"]
        return {"recon": rec, "vq": vq}

    def stream_loss(self, model: Dalle, x: torch.Tensor, text: torch.Tensor) -> dict[str, torch.Tensor]:
        image = _frozen_tokens(model, x)  # (B, N)
        Lt, V0 = text.shape[1], model.text_classes
        logits = model.logits(text, image[:, :-1])  # (B, Lt + N - 1, V)
        text_ce = F.cross_entropy(logits[:, : Lt - 1, :V0].flatten(0, 1), text[:, 1:].flatten())
        image_ce = F.cross_entropy(logits[:, Lt - 1 :, V0:].flatten(0, 1), image.flatten())
        return {"text_nll": text_ce, "image_nll": image_ce}

    def loss(self, model, x, y):
        if self.stage == "tokenizer":
            t = self.recon(model, x)
            return t["recon"] + t["vq"], {k: v.detach() for k, v in t.items()}
        t = self.stream_loss(model, x, y)
        total = TEXT_WEIGHT * t["text_nll"] + (1 - TEXT_WEIGHT) * t["image_nll"]
        return total, {k: v.detach() for k, v in t.items()}

    @torch.no_grad()
    def metrics(self, model, x, y):
        x, y = x[: self.eval_size], y[: self.eval_size]
        # (the training split holds codes, not images, once the tokenizer is frozen: no reconstruction)
        out = {"recon": float(self.recon(model, x)["recon"])} if x.is_floating_point() else {}
        if self.stage == "transformer":
            t = self.stream_loss(model, x, y)
            out.update({k: float(v) for k, v in t.items()})
            out["loss"] = TEXT_WEIGHT * out["text_nll"] + (1 - TEXT_WEIGHT) * out["image_nll"]
        else:
            out["loss"] = out["recon"]
        return out


@torch.no_grad()
def text_to_image(
    model: Dalle,
    captions: list[str],
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int = 0,
    fill_frames: int = 0,
    vocab: CaptionVocab = VOCAB,
) -> dict[str, Any]:
    """Images (B, C, H, W) in [0, 1] drawn token by token for ``captions``, their code grids (B, h, w)
    and, with ``fill_frames`` > 0, about that many partial grids (S, B, h, w; -1 = not drawn yet) with
    their decoded images (S, B, C, H, W) (unfilled places decoded as the commonest code of the grid)."""
    if model.tokenizer is None:
        raise ValueError("this model has no image tokenizer to decode its tokens")
    text = torch.from_numpy(np.stack([vocab.encode(c) for c in captions]))
    was = model.training
    model.eval()
    try:
        dev = next(model.parameters()).device
        N, side = model.num_image_tokens, model.cfg.grid
        g = torch.Generator().manual_seed(seed)
        every = max(1, N // fill_frames) if fill_frames else 0
        tokens, kept = model.sample_tokens(text.to(dev), temperature, top_k, g, every)
        grid = tokens.view(-1, side, side)  # (B, h, w)
        out: dict[str, Any] = {
            "images": model.tokenizer.decode(grid).cpu().numpy(),
            "tokens": grid.cpu().numpy(),
        }
        if fill_frames:
            partial = torch.stack(kept).view(len(kept), -1, side, side)  # (S, B, h, w)
            common = tokens.mode(1).values[None, :, None, None]  # (1, B, 1, 1)
            filled = torch.where(partial < 0, common, partial)
            imgs = model.tokenizer.decode(filled.flatten(0, 1))  # (S·B, C, H, W)
            out["fill_tokens"] = partial.cpu().numpy()
            out["fill_images"] = imgs.view(len(kept), len(captions), *imgs.shape[1:]).cpu().numpy()
            out["fill_counts"] = [min(N, (i + 1) * every) for i in range(len(kept))]
        return out
    finally:
        model.train(was)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """[0, 1] floats -> uint8 (a quarter of the bytes in a snapshot)."""
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8)


class DalleTrainer(Trainer):
    """A Trainer whose first ``vq_share`` of steps train the tokenizer; then it freezes it and trains the
    transformer on the token stream."""

    vq_share = 0.6  # the tokenizer must draw the shapes' form, not only their colour, before stage 2
    restart_every = 20  # steps between restarts of dead codes in stage 1

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.vq_steps = max(1, round(self.vq_share * self.num_steps))
        if self.vq_steps >= self.num_steps:
            raise ConfigError(
                f"The tokenizer stage ({self.vq_steps} steps) must end before the run does "
                f"({self.num_steps} steps): train for at least 2 steps."
            )
        self._samples: tuple[int, dict] | None = None
        self._cpu_gen = torch.Generator().manual_seed(kw.get("seed", 0))

    def _one_step(self) -> None:
        if self.task.stage == "tokenizer" and self.step_count >= self.vq_steps:
            self.freeze_tokenizer()
        super()._one_step()
        if self.task.stage == "tokenizer" and self.step_count % self.restart_every == 0:
            x, _ = self._batch()
            with torch.no_grad():
                self.model.tokenizer.quantizer.restart_dead(
                    self.model.tokenizer.encoder(x), generator=self._cpu_gen
                )

    def freeze_tokenizer(self) -> None:
        """Freeze the tokenizer and encode the training images once: the transformer then trains on the
        token stream (as DALL-E's transformer did), not on images encoded again at every step."""
        for p in self.model.tokenizer.parameters():
            p.requires_grad_(False)
        self.task.stage = "transformer"
        x, y = self.splits["train"]
        tokens = torch.cat([_frozen_tokens(self.model, b) for b in x.split(512)])  # (N_train, N)
        self.splits["train"] = (tokens, y)

    @torch.no_grad()
    def codebook_usage(self) -> np.ndarray:
        """(K,) how many test-image tokens use each code."""
        x = self.splits["test"][0][:256]
        tokens = _frozen_tokens(self.model, x)
        return torch.bincount(tokens.flatten(), minlength=self.model.cfg.num_embeddings).cpu().numpy()

    def _sample_views(self) -> dict:
        """Samples for the fixed captions and one token-by-token fill, recomputed once per evaluation."""
        key = self.step_count // self.eval_every
        if self._samples is None or self._samples[0] != key:
            res = text_to_image(self.model, list(FIXED_CAPTIONS), top_k=8, seed=0, fill_frames=8)
            fill = dict(
                caption=FIXED_CAPTIONS[0],
                tokens=res["fill_tokens"][:, 0],
                images=to_uint8(res["fill_images"][:, 0]),
                counts=res["fill_counts"],
            )
            self._samples = (key, dict(samples=to_uint8(res["images"]), fill=fill))
        return self._samples[1]

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        was = self.model.training
        self.model.eval()
        try:
            x = self.splits["test"][0][:8]
            with torch.no_grad():
                rec = self.model.tokenizer.decode(self.model.tokenizer.quantize(x)["indices"])
            snap.update(
                stage=self.task.stage,
                vq_steps=self.vq_steps,
                codebook_usage=self.codebook_usage(),
                originals=to_uint8(x.cpu().numpy()),
                reconstructions=to_uint8(rec.cpu().numpy()),
                captions=list(FIXED_CAPTIONS),
                samples=None,
                fill=None,
            )
            if self.task.stage == "transformer":
                snap.update(self._sample_views())
        finally:
            self.model.train(was)
        return snap
