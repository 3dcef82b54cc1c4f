"""The Timeline's panels: every registered architecture by year and family, from the registry; a click on
a point (or the picker below the chart) shows its paper and opens it on its page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import archs
from ui.charts import plotly_chart
from ui.guide import arch_link, page_url
from viz.timeline import timeline_figure


def timeline_rows(families: list[str] | None = None) -> list[dict]:
    """One row per registered architecture (of ``families`` if given), oldest first."""
    rows = [
        {
            "name": s.name,
            "title": s.title,
            "family": s.family,
            "family_title": archs.FAMILIES[s.family][0],
            "year": s.year,
            "paper": s.paper.cite(),
            "link": s.paper.link or "",
        }
        for s in archs.list_archs()
        if not families or s.family in families
    ]
    return sorted(rows, key=lambda r: (r["year"], r["title"]))


def _clicked(event, key: str) -> None:
    """A newly clicked point becomes the picked architecture (a selection that stays is applied once)."""
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    name = points[0].get("customdata") if points else None
    if isinstance(name, list):
        name = name[0]
    if name and name != st.session_state.get(f"{key}._seen"):
        st.session_state[f"{key}._seen"] = name
        st.session_state[f"{key}.arch"] = name


def timeline_view(key: str = "tl") -> None:
    chosen = st.multiselect(
        "Families",
        list(archs.FAMILIES),
        format_func=lambda f: archs.FAMILIES[f][0],
        key=f"{key}.fam",
        help="Show only these families (all when empty).",
    )
    rows = timeline_rows(chosen)
    families = [f for f in archs.FAMILIES if f in {r["family"] for r in rows}]
    names = [r["name"] for r in rows]
    _clicked(st.session_state.get(f"{key}.chart"), key)  # the click that caused this run, before drawing
    if st.session_state.get(f"{key}.arch") not in names:
        st.session_state.pop(f"{key}.arch", None)
    fig = timeline_figure(rows, families, st.session_state.get(f"{key}.arch"))
    plotly_chart(fig, key=f"{key}.chart", on_select="rerun", selection_mode="points")
    years = [r["year"] for r in rows]
    st.caption(
        f"{len(rows)} architectures from {min(years)} to {max(years)}, each at the year of the paper that "
        "introduced it. Hover a point for its paper; click it to open it below."
    )
    name = st.selectbox(
        "Architecture",
        names,
        index=None,
        format_func=lambda n: f"{archs.get_arch(n).title} ({archs.get_arch(n).year})",
        key=f"{key}.arch",
        placeholder="Click a point, or choose here",
    )
    if name:
        arch_card(name)
    with st.expander("All of them, as a table"):
        _table(rows)


def arch_card(name: str) -> None:
    """The paper of one architecture, and a link to the page that shows it."""
    spec = archs.get_arch(name)
    paper = spec.paper
    link = f" [{'arXiv ' + paper.arxiv if paper.arxiv else 'paper'}]({paper.link})" if paper.link else ""
    st.markdown(f"**{spec.title}** ({spec.year}), {archs.FAMILIES[spec.family][0].lower()}: {spec.summary}")
    st.caption(paper.cite() + link)
    if not arch_link(spec, f"Open {spec.title} on its page"):
        st.caption("No page shows this family yet.")


def _table(rows: list[dict]) -> None:
    df = pd.DataFrame(rows)
    df["page"] = [page_url(archs.get_arch(n)) for n in df["name"]]
    st.dataframe(
        df[["year", "title", "family_title", "paper", "page", "link"]],
        hide_index=True,
        width="stretch",
        column_config={
            "year": st.column_config.NumberColumn("Year", format="%d", width=50),
            "title": st.column_config.TextColumn("Architecture", width=200),
            "family_title": st.column_config.TextColumn("Family", width=150),
            "paper": st.column_config.TextColumn("Paper", width=300),
            "page": st.column_config.LinkColumn("Page", display_text="open", width=50),
            "link": st.column_config.LinkColumn("Source", display_text="paper", width=55),
        },
    )
