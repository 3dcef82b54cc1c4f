"""Training CLIP on captioned shapes: the caption tokenizer, the symmetric contrastive loss, zero-shot
classification by prompts and retrieval in both directions.

Tokens: a **word-level** vocabulary of the shape captions (``<pad>`` = 0, ``<start>`` = 1, the words, and
``<end>`` last, so that, as in CLIP's BPE vocabulary, the end token has the largest id and the text tower
reads each caption at its argmax).

Loss (Radford et al. 2021, Fig. 3): for a batch of N pairs, logits = exp(t) · cos(image_i, text_j); the
cross-entropy of each row (image → which caption?) and of each column (caption → which image?), averaged.
A batch may hold the same caption twice (two red circles at the top): both count as right, the target of a
row is spread evenly over its identical captions. exp(t) is clipped at 100 as in CLIP.

Zero-shot: the test images show caption combinations that never appear in training (by default a
(kind, colour) pair never seen together, see clip_recipes.held_out_mask). The prompts are every caption
the scenes can have, "a {colour} {kind} at the {position}", kind × colour × position; an image is given
the kind (and the colour) of the prompt closest to it: ``zeroshot_acc``. CLIP's own prompt ensembling,
the mean unit embedding of all prompts naming a kind, gives ``zeroshot_mean_acc``.

History, per step: ``loss``, ``temperature`` (1/exp(t)). Each evaluation adds ``{split}_loss`` and
``{split}_acc`` (image → caption retrieval within a batch of 256) for train, val (new images of seen
pairs; on the test split this is easy, as few captions are candidates) and test (the unseen
combinations), and on the test images ``zeroshot_acc`` (kind of the closest prompt), ``zeroshot_color_acc``
(its colour) and ``zeroshot_mean_acc`` (kind by averaged prompt embeddings).

``snapshot()`` adds ``gallery`` (G, H, W, 3) uint8 and ``gallery_captions``: n = 8 test images of
distinct unseen captions, then validation images; ``sim`` (n, n) cosine similarities of the first n
gallery images (rows) with their captions ``sim_captions`` (columns); ``temperature`` [(step, τ)],
``logit_scale`` (1/τ now); ``confusion`` (K, K) counts of the zero-shot kinds (rows true) and ``kinds``;
``text_to_image`` [{query, top: [(gallery index, cos)]}] and ``image_to_text`` [{image (gallery index),
top: [(caption, cos)]}] for the first four gallery captions / images.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from data.shapes import COLORS, KINDS, POSITIONS, caption
from training.captions import caption_words
from training.tasks import Task
from training.trainer import Trainer

SIM_N, GALLERY, TOP, QUERIES = 8, 20, 5, 4


class CaptionTokenizer:
    """Word-level ids of the shape captions; ``encode`` refuses, with a sentence, what it cannot read."""

    def __init__(self, words: list[str], context_length: int = 12):
        self.words = ["<pad>", "<start>", *words, "<end>"]
        self.index = {w: i for i, w in enumerate(self.words)}
        self.context_length = context_length

    def __len__(self) -> int:
        return len(self.words)

    @property
    def end(self) -> int:
        return len(self.words) - 1

    def encode(self, text: str) -> np.ndarray:
        """(context_length,) int64: start, the words, end, padding."""
        words = caption_words(text, self.words[2:-1], self.context_length - 2, what="text")
        ids = np.zeros(self.context_length, np.int64)
        ids[: len(words) + 2] = [1, *(self.index[w] for w in words), self.end]
        return ids

    def encode_all(self, texts: list[str]) -> torch.Tensor:
        return torch.from_numpy(np.stack([self.encode(t) for t in texts]))  # (N, T)

    def decode(self, ids) -> str:
        return " ".join(self.words[i] for i in ids if 1 < i < self.end)


def _caption_words() -> list[str]:
    seen: dict[str, None] = {}
    for p in POSITIONS:
        for w in caption(KINDS[0], next(iter(COLORS)), p).split():
            seen.setdefault(w, None)
    for w in (*COLORS, *KINDS):
        seen.setdefault(w, None)
    return list(seen)


TOKENIZER = CaptionTokenizer(_caption_words())


def every_caption(kinds=KINDS, colors=tuple(COLORS)) -> list[str]:
    """Every caption the shape scenes can have (kind × colour × position)."""
    return [caption(k, c, p) for k in kinds for c in colors for p in POSITIONS]


def _targets(y: torch.Tensor) -> torch.Tensor:
    """(B, B) rows summing to 1 over the captions identical to each row's own."""
    same = (y[:, None, :] == y[None, :, :]).all(-1).float()
    return same / same.sum(1, keepdim=True)


def clip_loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE: (CE over the rows + CE over the columns) / 2, identical captions all right."""
    t = _targets(y)
    return 0.5 * (F.cross_entropy(logits, t) + F.cross_entropy(logits.t(), t))


class ClipTask(Task):
    name = "contrastive image-text"
    higher_is_better = "acc"

    def loss(self, model, x, y):
        logits = model(x, y)  # (B, B): image i against caption j
        temp = torch.exp(-model.logit_scale.detach())
        return clip_loss(logits, y), {"temperature": temp}

    @torch.no_grad()
    def metrics(self, model, x, y):
        x, y = x[:256], y[:256]
        logits = model(x, y)
        right = (y[logits.argmax(1)] == y).all(-1)  # the chosen caption reads the same as the true one
        return {"loss": float(clip_loss(logits, y)), "acc": float(right.float().mean())}


@torch.no_grad()
def prompt_embeddings(model, groups: list[list[str]], tokenizer=TOKENIZER) -> torch.Tensor:
    """(K, D): the mean unit embedding of each group of prompts, renormalised (CLIP's prompt ensemble)."""
    dev = model.logit_scale.device
    ids = tokenizer.encode_all([t for g in groups for t in g]).to(dev)
    emb = model.encode_text(ids)  # (sum of group sizes, D)
    out, i = [], 0
    for g in groups:
        out.append(F.normalize(emb[i : i + len(g)].mean(0), dim=-1))
        i += len(g)
    return torch.stack(out)


def kind_prompts(kinds=KINDS, colors=tuple(COLORS)) -> list[list[str]]:
    return [[caption(k, c, p) for c in colors for p in POSITIONS] for k in kinds]


def color_prompts(kinds=KINDS, colors=tuple(COLORS)) -> list[list[str]]:
    return [[caption(k, c, p) for k in kinds for p in POSITIONS] for c in colors]


@torch.no_grad()
def rank_images(
    model, prompt: str, images: torch.Tensor, tokenizer=TOKENIZER
) -> tuple[np.ndarray, np.ndarray]:
    """Text -> images: gallery indices best first and their cosine similarities to ``prompt``."""
    txt = model.encode_text(tokenizer.encode_all([prompt]).to(images.device))  # (1, D)
    cos = (model.encode_image(images) @ txt.t())[:, 0].cpu().numpy()  # (G,)
    order = np.argsort(-cos, kind="stable")
    return order, cos[order]


@torch.no_grad()
def rank_captions(
    model, image: torch.Tensor, captions: list[str], tokenizer=TOKENIZER
) -> list[tuple[str, float]]:
    """Image -> captions: every caption with its cosine similarity to ``image`` (C, H, W), best first."""
    img = model.encode_image(image[None])  # (1, D)
    cos = (model.encode_text(tokenizer.encode_all(captions).to(image.device)) @ img.t())[:, 0].cpu().numpy()
    order = np.argsort(-cos, kind="stable")
    return [(captions[i], float(cos[i])) for i in order]


def _uint8(images: torch.Tensor) -> np.ndarray:
    return (images.clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()  # (N, H, W, 3)


class ClipTrainer(Trainer):
    mirrored = ("confusion",)  # computed where the job trains, at each evaluation

    def __init__(self, model, task: ClipTask, data, **kw):
        super().__init__(model, task, data, **kw)
        self.tokenizer: CaptionTokenizer = data.meta["tokenizer"]
        self.kinds, self.colors = data.meta["kinds"], data.meta["colors"]
        self.test_kind = torch.as_tensor(data.meta["test_kind"])
        self.test_color = torch.as_tensor(data.meta["test_color"])
        x, y = self.splits["test"]
        caps = [self.tokenizer.decode(r) for r in y.tolist()]
        first = {c: i for i, c in reversed(list(enumerate(caps)))}  # each caption's first image
        sim_idx = torch.tensor(sorted(first.values())[:SIM_N], device=x.device)
        xv, yv = self.splits["val"]
        # the gallery: SIM_N held-out images of distinct captions (the similarity matrix's), then images
        # of captions seen in training
        self.gallery = torch.cat([x[sim_idx], xv[: GALLERY - len(sim_idx)]])  # (G, C, H, W)
        self.gallery_ids = torch.cat([y[sim_idx], yv[: GALLERY - len(sim_idx)]])  # (G, T)
        self.gallery_captions = [self.tokenizer.decode(r) for r in self.gallery_ids.tolist()]
        self.n_sim = len(sim_idx)
        self.captions = every_caption(self.kinds, self.colors)
        self.confusion = np.zeros((len(self.kinds), len(self.kinds)), np.int64)

    @torch.no_grad()
    def zero_shot(self) -> dict[str, Any]:
        """Kind and colour of the test images (unseen combinations) by prompts; the kinds' confusion."""
        was = self.model.training
        self.model.eval()
        try:
            img = torch.cat([self.model.encode_image(b) for b in self.splits["test"][0].split(512)])
            txt = self.model.encode_text(self.tokenizer.encode_all(self.captions).to(img.device))
            best = (img @ txt.t()).argmax(1).cpu().numpy()  # the best caption of every image
            mean = prompt_embeddings(self.model, kind_prompts(self.kinds, self.colors), self.tokenizer)
            mean_kind = (img @ mean.t()).argmax(1).cpu().numpy()
        finally:
            self.model.train(was)
        per_kind = len(self.colors) * len(POSITIONS)  # every_caption runs kind by kind
        kind, color = best // per_kind, (best % per_kind) // len(POSITIONS)
        truth = self.test_kind.numpy()
        cm = np.zeros((len(self.kinds), len(self.kinds)), np.int64)
        np.add.at(cm, (truth, kind), 1)
        return {
            "zeroshot_acc": float((kind == truth).mean()),
            "zeroshot_color_acc": float((color == self.test_color.numpy()).mean()),
            "zeroshot_mean_acc": float((mean_kind == truth).mean()),
            "confusion": cm,
        }

    def evaluate(self, max_examples: int = 4096) -> dict[str, float]:
        out = super().evaluate(max_examples)
        zs = self.zero_shot()
        self.confusion = zs.pop("confusion")
        return {**out, **zs}

    @torch.no_grad()
    def _views(self) -> dict[str, Any]:
        m, tok, n = self.model, self.tokenizer, self.n_sim
        sim = m.encode_image(self.gallery[:n]) @ m.encode_text(self.gallery_ids[:n]).t()  # (n, n) cosines
        t2i = []
        for q in self.gallery_captions[:QUERIES]:
            order, cos = rank_images(m, q, self.gallery, tok)
            t2i.append(
                {"query": q, "top": [(int(i), float(c)) for i, c in zip(order[:TOP], cos[:TOP], strict=True)]}
            )
        i2t = [
            {"image": i, "top": rank_captions(m, self.gallery[i], self.captions, tok)[:TOP]}
            for i in range(QUERIES)
        ]
        return {
            "sim": sim.cpu().numpy(),
            "sim_captions": self.gallery_captions[:n],
            "text_to_image": t2i,
            "image_to_text": i2t,
            "gallery": _uint8(self.gallery),
            "gallery_captions": list(self.gallery_captions),
        }

    def snapshot(self, probes=None) -> dict[str, Any]:
        snap = super().snapshot(probes)
        was = self.model.training
        self.model.eval()
        try:
            snap.update(self._views())
        finally:
            self.model.train(was)
        snap.update(
            temperature=[(r["step"], r["temperature"]) for r in self.history if "temperature" in r],
            confusion=self.confusion.copy(),
            kinds=tuple(self.kinds),
            logit_scale=float(self.model.logit_scale.detach().exp()),
        )
        return snap
