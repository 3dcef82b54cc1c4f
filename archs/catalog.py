"""The atlas table: one row per registered architecture, with parameter counts taken on ``meta``."""

from __future__ import annotations

from archs.registry import FAMILIES, build_model, count_params, list_archs


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
