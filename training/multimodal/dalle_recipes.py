"""The dalle_shapes recipe: DALL-E-style text-to-image on the captioned shape scenes (data/shapes.py) —
a VQ-VAE tokenizer stage, then a transformer over [caption words, image codes]."""

from __future__ import annotations

import numpy as np

from data.base import Supervised
from data.shapes import captioned_shapes
from training.multimodal.dalle_trainer import VOCAB, DalleTask, DalleTrainer
from training.recipes import Recipe, register_recipe


def dalle_captions(n: int = 3000, size: int = 32, seed: int = 0) -> Supervised:
    """Captioned coloured shapes in [0, 1]; the targets are the captions' token ids (N, VOCAB.max_len).
    The test split (the first tenth) keeps the shapes' kinds, colours and positions in ``meta``."""
    d = captioned_shapes(n=n, size=size, seed=seed)
    y = np.stack([VOCAB.encode(c) for c in d["captions"]])
    n_test = max(1, n // 10)
    return Supervised(
        x_train=d["images"][n_test:],
        y_train=y[n_test:],
        x_test=d["images"][:n_test],
        y_test=y[:n_test],
        kind="text_to_image",
        num_classes=len(d["kinds"]),
        class_names=d["kinds"],
        name=f"captioned shapes {size}×{size}",
        meta={
            "size": size,
            "captions": d["captions"][:n_test],
            **{k: d[k][:n_test] for k in ("kind", "color", "position")},
        },
    )


register_recipe(
    Recipe(
        name="dalle_shapes",
        title="DALL-E on captioned shapes",
        summary="A VQ-VAE turns each 32×32 scene into 8×8 codes; then a transformer learns to write the "
        "codes after the caption: type 'a red circle at the top left'.",
        arch="dalle_toy",
        data=dalle_captions,
        data_params=dict(n=3000, size=32),
        # 256 codes of 32 numbers: with 64 codes the shapes came back as coloured blobs (kind lost)
        arch_overrides=dict(vq_channels=48, codebook_dim=32, num_embeddings=256),
        link=lambda d: {
            "text_vocab": len(VOCAB),
            "text_len": VOCAB.max_len,
            "image_size": d.input_shape[-1],
            "in_channels": d.input_shape[0],
            "image_tokenizer": "vqvae",
        },
        train_params=dict(optimizer="adam", lr=2e-3, batch_size=64, num_steps=2000, eval_every=200),
        task=lambda data: DalleTask(),
        trainer_cls=DalleTrainer,
        max_steps=50_000,
    )
)
