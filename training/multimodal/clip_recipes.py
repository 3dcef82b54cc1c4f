"""The CLIP recipe of the multimodal family (imported by ``training.multimodal.recipes``).

    t = get_recipe("clip_shapes").trainer()
    t.step(t.num_steps); t.last_eval()["zeroshot_acc"]   # >= 0.8: shapes of colours never seen with them

A small CLIP (ViT image tower on 32-px scenes, causal text tower over a word vocabulary) learns which
caption goes with which image of data.shapes.captioned_shapes. Six (kind, colour) pairs, one per kind and
one per colour, never appear in training: their images are the test split, classified zero-shot by
prompts. See training.multimodal.clip_trainer for the loss, the metrics and the snapshot.
"""

from __future__ import annotations

import numpy as np

from data.base import Supervised
from data.shapes import COLORS, KINDS, captioned_shapes
from training.multimodal.clip_trainer import TOKENIZER, ClipTask, ClipTrainer
from training.recipes import Recipe, register_recipe


def held_out_pairs(kinds=KINDS, colors=tuple(COLORS)) -> list[tuple[str, str]]:
    """The (kind, colour) pairs kept out of training: kind i with colour (−i mod C), a Latin-square cut
    that leaves every kind and every colour seen in training with the others."""
    return [(k, colors[(-i) % len(colors)]) for i, k in enumerate(kinds)]


def held_out_mask(kind: np.ndarray, color: np.ndarray, position: np.ndarray, held_out: str) -> np.ndarray:
    """True for the scenes whose caption combination is kept out of training. ``pairs``: the (kind,
    colour) pairs of held_out_pairs at every position; ``captions``: one caption in six, the (kind,
    colour, position) triples with (kind + colour + position) divisible by 6, so that every pair, and
    every kind at every position, is still seen in training, only never in that combination."""
    if held_out == "pairs":
        held = {(KINDS.index(k), tuple(COLORS).index(c)) for k, c in held_out_pairs()}
        return np.array([(int(k), int(c)) in held for k, c in zip(kind, color, strict=True)])
    if held_out == "captions":
        return (kind + color + position) % 6 == 0
    raise ValueError(f"unknown held_out {held_out!r}; choose captions or pairs")


def clip_captions(n: int = 3000, size: int = 48, held_out: str = "pairs", seed: int = 0) -> Supervised:
    """Captioned shapes: x images (N, 3, H, W) in [0, 1], y caption token ids (N, T). train and val:
    captions seen in training (val = other images); test: the held-out combinations (held_out_mask)."""
    if n < 200:
        raise ValueError(f"n ({n}) is too small: take at least 200 scenes")
    d = captioned_shapes(n=n, size=size, seed=seed)
    y = np.stack([TOKENIZER.encode(c) for c in d["captions"]])
    unseen = held_out_mask(d["kind"], d["color"], d["position"], held_out)
    seen_idx, test_idx = np.flatnonzero(~unseen), np.flatnonzero(unseen)
    n_val = max(1, len(seen_idx) // 10)
    val_idx, train_idx = seen_idx[:n_val], seen_idx[n_val:]
    x = d["images"]
    return Supervised(
        x_train=x[train_idx],
        y_train=y[train_idx],
        x_val=x[val_idx],
        y_val=y[val_idx],
        x_test=x[test_idx],
        y_test=y[test_idx],
        kind="image_text",
        num_classes=len(KINDS),
        class_names=KINDS,
        name=f"captioned shapes {size}×{size}",
        meta={
            "tokenizer": TOKENIZER,
            "kinds": KINDS,
            "colors": tuple(COLORS),
            "held_out": held_out_pairs(),
            "test_kind": d["kind"][test_idx],
            "test_color": d["color"][test_idx],
            "size": size,
        },
    )


register_recipe(
    Recipe(
        name="clip_shapes",
        title="CLIP on captioned shapes",
        summary="A small CLIP learns which caption goes with which image, then names shapes in colours it "
        "never saw them in, from prompts alone.",
        arch="clip_vit_b_32",
        data=clip_captions,
        data_params=dict(n=3000, size=48, held_out="pairs"),
        arch_overrides=dict(patch_size=16),
        link=lambda d: {
            "vocab_size": len(TOKENIZER),
            "context_length": TOKENIZER.context_length,
            "image_size": d.input_shape[-1],
            "in_channels": d.input_shape[0],
        },
        train_params=dict(optimizer="adamw", lr=1e-3, batch_size=128, num_steps=300, eval_every=50),
        task=lambda data: ClipTask(),
        trainer_cls=ClipTrainer,
    )
)
