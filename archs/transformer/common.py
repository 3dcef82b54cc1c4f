"""What the family's language models share: their example input (a batch of token ids) and
``register_lm``, one registration helper for the encoder-only and decoder-only zoo."""

from __future__ import annotations

import torch

from archs.registry import register
from archs.spec import ArchSpec


def token_ids(cfg) -> torch.Tensor:
    return torch.randint(0, cfg.vocab_size, (2, min(16, cfg.max_len)))


def register_lm(
    name, title, year, paper, summary, tasks, config, build, presets, count=None, source=""
) -> None:
    register(
        ArchSpec(
            name=name,
            title=title,
            family="transformer",
            year=year,
            paper=paper,
            summary=summary,
            tasks=tasks,
            config=config,
            build=build,
            example_input=token_ids,
            presets=presets,
            published_params=count,
            published_source=source,
        )
    )
