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
