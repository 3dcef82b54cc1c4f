"""The atlas table: one row per registered architecture, with parameter counts taken on ``meta``."""

from __future__ import annotations

from typing import Any

import torch

from archs.cost import mult_adds
from archs.registry import FAMILIES, build_from_config, build_model, count_params, get_arch, list_archs
from archs.spec import is_graph_input, to_device


def catalog_rows() -> list[dict]:
    rows = []
    for s in list_archs():
        tiny = count_params(build_model(s.name, "tiny", device="meta"))
        canon = (
            count_params(build_model(s.name, "canonical", device="meta"))
            if "canonical" in s.presets
            else None
        )
        rows.append(
            {
                "name": s.name,
                "title": s.title,
                "family": s.family,
                "family_title": FAMILIES[s.family][0],
                "year": s.year,
                "paper": s.paper.cite(),
                "paper_link": s.paper.link or "",
                "tiny_params": tiny,
                "canonical_params": canon,
                "published_params": s.published_params,
                "tasks": ", ".join(s.tasks),
                "summary": s.summary,
            }
        )
    return rows


def table_columns(df) -> dict:
    """The atlas table's display columns: the paper as its first author and year (the full reference
    stays searchable and in the link), and the published-size count as text, "—" where there is none."""
    first = [p.split(",")[0].split(" (")[0].strip() for p in df["paper"]]
    authors = [
        f"{a}{' et al.' if ',' in p.split(' (')[0] else ''} ({y})"
        for a, p, y in zip(first, df["paper"], df["year"], strict=True)
    ]
    canonical = [f"{int(v):,}" if v == v and v is not None else "—" for v in df["canonical_params"]]
    short = [title.removesuffix(" networks").removesuffix(" models") for title in df["family_title"]]
    return {"authors": authors, "canonical": canonical, "family_short": short}


def input_text(example: Any) -> str:
    """One example of a model's input in words: "3×224×224" for an image, "128 tokens" for a sequence of
    token ids; "graph: 2,708 nodes × 1,433 features, 10,556 edges" for a graph network's (node features,
    edge_index[, ptr]), whose per-example counts are per node; other inputs joined by " + "."""
    if is_graph_input(example):
        x, edge_index = example[0], example[1]
        many = f" in {len(example[2]) - 1} graphs" if len(example) > 2 else ""
        return f"graph: {x.shape[0]:,} nodes × {x.shape[1]:,} features, {edge_index.shape[1]:,} edges{many}"
    if isinstance(example, (tuple, list)):
        return " + ".join(input_text(t) for t in example)
    shape = [int(s) for s in example.shape[1:]]
    if not example.is_floating_point() and len(shape) == 1:
        return f"{shape[0]} tokens"
    return "×".join(map(str, shape)) if shape else "a scalar"


def cost_row(name: str, preset: str) -> dict:
    """Parameters and mult-adds per example of one preset, counted on ``meta`` (no memory, any size),
    with its input and the published score where the registry cites one."""
    spec = get_arch(name)
    cfg = spec.make_config(preset)
    model = build_from_config(spec, cfg, "meta")
    example = to_device(spec.example_input(cfg), "meta")
    result = spec.published_result if preset == "canonical" else None
    return {
        "name": name,
        "title": spec.title,
        "preset": preset,
        "family": spec.family,
        "family_title": FAMILIES[spec.family][0],
        "year": spec.year,
        "params": count_params(model),
        "mult_adds": mult_adds(model, example),  # per example
        "input": input_text(example),
        "score": result.value if result else None,
        "benchmark": result.benchmark if result else "",
        "score_source": result.source if result else "",
    }


def canonical_costs() -> list[dict]:
    """``cost_row`` of every canonical preset: the published models, from LeNet to GPT-3."""
    with torch.no_grad():
        return [cost_row(s.name, "canonical") for s in list_archs() if "canonical" in s.presets]
