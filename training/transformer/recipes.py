"""Recipes of the transformer family: a character GPT, a character BERT, a toy T5 and a digits ViT.

t = get_recipe("char_gpt").trainer(num_steps=600)
t.step(600); t.evaluate()["val_loss"]   # well below the unigram baseline, data.meta["unigram_ce"]
"""

from __future__ import annotations

from typing import Any

from data import digits
from data.base import Supervised
from data.text import char_text
from data.text2text import text2text
from training.recipes import Recipe, register_recipe
from training.transformer.tasks import CausalLM, MaskedLM, Seq2Seq


def _text_link(d: Supervised) -> dict[str, Any]:
    return {"vocab_size": d.num_classes, "max_len": d.meta["context"]}


def _t2t_link(d: Supervised) -> dict[str, Any]:
    return {"vocab_size": d.num_classes, "max_len": max(d.meta["src_len"], d.meta["tgt_len"])}


def _image_link(d: Supervised) -> dict[str, Any]:
    _, c, h, _ = d.x_train.shape
    return {"image_size": h, "in_channels": c, "num_classes": d.num_classes}


SMALL = dict(embed_dim=64, num_heads=4, hidden_dim=256, depth=2, dropout=0.0)

register_recipe(
    Recipe(
        name="char_gpt",
        title="Character GPT on Python's documentation",
        summary="A small decoder learns to write like the standard library's docstrings, "
        "one character at a time.",
        arch="gpt2_small",
        archs=("gpt", "gpt2_medium", "gpt3"),
        data=char_text,
        data_params=dict(context=64, objective="causal"),
        arch_overrides=SMALL,
        train_params=dict(
            optimizer="adamw", lr=3e-3, batch_size=32, num_steps=1000, eval_every=100, grad_clip=1.0
        ),
        link=_text_link,
        task=lambda data: CausalLM(),
    )
)

register_recipe(
    Recipe(
        name="bert_mlm",
        title="Character BERT: fill in the blanks",
        summary="A small bidirectional encoder recovers hidden characters of Python's documentation.",
        arch="bert_base",
        archs=("roberta_base", "distilbert_base", "bert_large"),
        data=char_text,
        data_params=dict(context=64, objective="masked"),
        # BERT itself uses learned positions; with them this small character model stayed at the unigram
        # level for 1,000 steps, while rotary positions (relative offsets inside q·k) learn locality in a
        # few hundred; pre-norm because the Trainer has no learning-rate warm-up, which post-norm needs.
        arch_overrides={
            **SMALL,
            "pooler": False,
            "mlm_head": True,
            "norm_first": True,
            "positions": "rotary",
        },
        train_params=dict(
            optimizer="adamw", lr=2e-3, batch_size=32, num_steps=1500, eval_every=100, grad_clip=1.0
        ),
        link=_text_link,
        task=lambda data, mask_prob=0.15: MaskedLM(data.num_classes, mask_prob),
        task_keys=("mask_prob",),
    )
)

register_recipe(
    Recipe(
        name="t5_toy",
        title="Text to text: reverse, sort, add",
        summary="A small encoder-decoder learns toy tasks named in its input, e.g. 'reverse: abc' → 'cba'.",
        arch="transformer",
        archs=("t5_small", "t5_base", "bart_base"),
        data=text2text,
        data_params=dict(tasks=("reverse", "sort", "add"), n_train=6000, min_len=3, max_len=8),
        arch_overrides=dict(
            embed_dim=64,
            num_heads=4,
            hidden_dim=256,
            encoder_depth=2,
            decoder_depth=2,
            dropout=0.0,
            positions="learned",
        ),
        train_params=dict(
            optimizer="adamw", lr=2e-3, batch_size=64, num_steps=1500, eval_every=250, grad_clip=1.0
        ),
        link=_t2t_link,
        task=lambda data: Seq2Seq(),
    )
)

register_recipe(
    Recipe(
        name="vit_digits",
        title="ViT on handwritten digits",
        summary="A small Vision Transformer classifies 16×16 digits cut into 4×4 patches.",
        arch="vit_b_16",
        archs=("vit_l_16",),
        data=digits,
        data_params=dict(size=16),
        arch_overrides=dict(patch_size=4, embed_dim=64, depth=4, num_heads=4, hidden_dim=128),
        train_params=dict(
            optimizer="adamw", lr=2e-3, batch_size=64, num_steps=1500, eval_every=100, grad_clip=1.0
        ),
        link=_image_link,
    )
)
