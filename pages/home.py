"""Atlas: what ArchAtlas is, and a searchable table of every registered architecture."""

import pandas as pd
import streamlit as st

from archs.catalog import catalog_rows, table_columns
from ui.boot import ensure_app
from ui.considerations import key_considerations
from ui.nav import page_for_family, page_link

ensure_app()

st.title("ArchAtlas")
st.markdown(
    "An interactive atlas of deep learning architectures. Every family has a page that builds a live "
    "PyTorch model from the hyperparameters you choose, draws its layer graph, counts its parameters and "
    "operations, shows what happens inside it, and trains a small instance right here, on this server's "
    "GPU or CPU. Each architecture follows its paper; where a published size exists, the **canonical** "
    "preset is exactly that model, parameter for parameter."
)


@st.cache_data(show_spinner="Counting parameters…")
def rows() -> pd.DataFrame:
    df = pd.DataFrame(catalog_rows())
    df["page"] = [
        ("/" + p.path.rsplit("/", 1)[-1][:-3]) if (p := page_for_family(f)) else None for f in df["family"]
    ]
    return df.assign(**table_columns(df))


df = rows()
c1, c2, c3 = st.columns([2, 2, 1])
query = c1.text_input("Search", placeholder="name, paper, author, task…", key="home.q")
families = c2.multiselect("Families", sorted(df["family_title"].unique()), key="home.fam")
only_canon = c3.toggle(
    "Published size only",
    False,
    key="home.canon",
    help="Only architectures with a canonical preset of published size.",
)
view = df
if query:
    hay = (
        df["title"] + " " + df["name"] + " " + df["paper"] + " " + df["tasks"] + " " + df["summary"]
    ).str.lower()
    view = view[hay.str.contains(query.lower(), regex=False)]
if families:
    view = view[view["family_title"].isin(families)]
if only_canon:
    view = view[view["canonical_params"].notna()]
st.caption(f"{len(view)} of {len(df)} architectures")
st.dataframe(  # sized to fit a 1024-px window's main column without a horizontal scroll
    view[["title", "family_short", "year", "authors", "tiny_params", "canonical", "page", "paper_link"]],
    hide_index=True,
    width="stretch",
    column_config={
        "title": st.column_config.TextColumn("Architecture", width=210, help="Search also finds tasks."),
        "family_short": st.column_config.TextColumn("Family", width=120),
        "year": st.column_config.NumberColumn("Year", format="%d", width=50),
        "authors": st.column_config.TextColumn("Paper", width=160, help="First author; Source opens it."),
        "tiny_params": st.column_config.NumberColumn("Params (tiny)", format="localized", width=95),
        "canonical": st.column_config.TextColumn(
            "Published size", width=105, help="Parameters of the canonical preset; — where none is published."
        ),
        "page": st.column_config.LinkColumn("Page", display_text="open", width=50),
        "paper_link": st.column_config.LinkColumn("Source", display_text="paper", width=55),
    },
)

st.subheader("Families")
shown = " that match" if len(view) < len(df) else ""
for fam, title in df.groupby("family", sort=False)["family_title"].first().items():
    page = page_for_family(fam)
    if page:
        n, total = int((view["family"] == fam).sum()), int((df["family"] == fam).sum())
        count = f"{n} of {total} architectures{shown}" if shown else f"{total} architectures"
        page_link(page, f"{title} — {count}")

key_considerations(df)
