"""The mixture-of-experts recipe of the beyond-attention family (imported by ``training.beyond.recipes``).

    t = get_recipe("moe_char_lm").trainer()              # aux_coef=0.01: balanced experts
    t.step(t.num_steps); t.last_eval()["max_share"]      # <= 2: no expert gets over twice its fair share
    get_recipe("moe_char_lm").trainer(aux_coef=0.0)      # no balancing: the load drifts to a few experts

A small Mixtral-style decoder (2 layers, 8 SwiGLU experts, top-2) learns Python's documentation one
character at a time (data.text.char_text). Overrides: ``aux_coef`` (0 = no balancing), the model's
``num_experts``, ``top_k``, ``capacity_factor``, ``embed_dim``…, the trainer's ``lr``, ``num_steps``,
``batch_size``…, the data's ``context``. See training.beyond.moe_trainer for what it logs and shows.
"""

from __future__ import annotations

from typing import Any

from data.base import Supervised
from data.text import char_text
from training.beyond.moe_trainer import MoELM, MoETrainer
from training.recipes import Recipe, register_recipe


def _text_link(d: Supervised) -> dict[str, Any]:
    return {"vocab_size": d.num_classes, "max_len": d.meta["context"]}


register_recipe(
    Recipe(
        name="moe_char_lm",
        title="Mixture of experts on Python's documentation",
        summary="A small Mixtral-style decoder with 8 experts per layer, 2 chosen per character, learns to "
        "write docstrings; the load-balancing loss keeps every expert in use.",
        arch="mixtral",
        data=char_text,
        data_params=dict(context=64, objective="causal"),
        arch_overrides=dict(
            embed_dim=64, num_heads=4, num_kv_heads=2, hidden_dim=128, depth=2, num_experts=8, top_k=2
        ),
        train_params=dict(
            optimizer="adamw", lr=3e-3, batch_size=32, num_steps=600, eval_every=50, grad_clip=1.0
        ),
        link=_text_link,
        task=lambda data, aux_coef=0.01: MoELM(aux_coef),
        task_keys=("aux_coef",),
        trainer_cls=MoETrainer,
    )
)
