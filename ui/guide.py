"""The Selection guide's panels: pick a task and constraints, get the architectures worth trying, with the
registry's parameters and mult-adds, the reason, and a link to the page that shows each.

The rows are data (``data/selection_guide.py``); the costs are counted on ``meta``
(``archs.catalog.cost_row``, cached for everyone). ``arch_link`` opens an architecture on its family's
page, already picked: the pages' architecture pickers are bound to the URL (ui/links.py), under the keys of
``PICKERS``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import archs
from archs.catalog import cost_row
from archs.spec import ArchSpec
from data.selection_guide import DATA_SIZES, DEVICES, LATENCIES, TASKS, Pick, fits, row_for
from ui.nav import page_for_family, page_link
from viz.summary import human

# family -> (the key of its page's arch_picker, the key of the page tab that holds the picker or None)
PICKERS: dict[str, tuple[str, str | None]] = {
    "feedforward": ("ff", "ff.tab"),
    "energy": ("energy", "energy.tab"),
    "cnn": ("cnn", "cnn.tab"),
    "detection": ("det", "det.tab"),
    "rnn": ("rnn", None),
    "forecasting": ("fc", "fc.tab"),
    "transformer": ("tx", "tx.tab"),
    "beyond": ("beyond", "beyond.tab"),
    "autoencoder": ("ae", None),
    "gan": ("gan", "gan.tab"),
    "diffusion": ("dif", "dif.tab"),
    "graph": ("gnn", "gnn.tab"),
    "rl": ("rl", "rl.tab"),
    "ssl": ("ssl", "ssl.tab"),
    "audio": ("audio", "audio.tab"),
    "multimodal": ("multimodal", "multimodal.tab"),
    "continuous": ("continuous", "continuous.tab"),
    "capsules": ("capsules", "capsules.tab"),
    "autoregressive": ("autoregressive", "autoregressive.tab"),
    "flows": ("flows", "flows.tab"),
    "modern_vision": ("modern_vision", "modern_vision.tab"),
}
ARCH_TAB = "Architectures"  # the tab of a family page that holds its architecture picker


def arch_query(spec: ArchSpec) -> dict[str, str]:
    """The link parameters that open ``spec``'s family page on this architecture ({} if unknown)."""
    if spec.family not in PICKERS:
        return {}
    key, tab = PICKERS[spec.family]
    query = {f"{key}.arch": f"{spec.title} ({spec.year})"}  # as arch_picker labels it
    if tab:
        query[tab] = ARCH_TAB
    return query


def arch_link(spec: ArchSpec, label: str | None = None, help: str | None = None) -> bool:
    """A link to the page that shows ``spec``, with it picked; False (and nothing drawn) if no page does."""
    page = page_for_family(spec.family)
    if page is None:
        return False
    page_link(page, label or f"{spec.title} on {page.title}", arch_query(spec), help=help)
    return True


def page_url(spec: ArchSpec) -> str | None:
    """The page's address with the architecture picked, for a table's link column."""
    from urllib.parse import urlencode

    page = page_for_family(spec.family)
    if page is None:
        return None
    return "/" + page.path.rsplit("/", 1)[-1][:-3] + "?" + urlencode(arch_query(spec))


@st.cache_data(show_spinner="Counting parameters and mult-adds…", max_entries=64)
def cost_of(name: str) -> dict:
    """The registry's count of the published model (``canonical``), else of the ``tiny`` preset."""
    spec = archs.get_arch(name)
    return cost_row(name, "canonical" if "canonical" in spec.presets else "tiny")


def constraints(key: str) -> tuple[str, str, str, str]:
    """The task and the three constraints: labelled data, latency, device."""
    task = st.selectbox("Task", TASKS, key=f"{key}.task", help="What the model has to do.")
    c1, c2, c3 = st.columns(3)
    data = c1.selectbox(
        "Labelled data",
        list(DATA_SIZES),
        index=1,
        format_func=DATA_SIZES.get,
        key=f"{key}.data",
        help="How many labelled examples you have for your task (pretraining data not counted): hundreds "
        "to a few thousand, tens of thousands, or millions.",
    )
    latency = c2.selectbox(
        "Latency",
        list(LATENCIES),
        format_func=LATENCIES.get,
        key=f"{key}.latency",
        help="How fast one answer must come: no hard limit (batch, offline), or real time (every video "
        "frame, an interactive reply).",
    )
    device = c3.selectbox(
        "Device",
        list(DEVICES),
        index=1,
        format_func=lambda d: DEVICES[d].title.capitalize(),
        key=f"{key}.device",
        help="Where the model runs. Laptop CPU or phone: up to 100 M parameters and 10 G mult-adds per "
        "example; single GPU: up to 1 B parameters; cluster: no limit.",
    )
    return task, data, latency, device


def _row(pick: Pick, data: str, latency: str, device: str) -> dict:
    spec = archs.get_arch(pick.arch) if pick.arch else None
    cost = cost_of(pick.arch) if spec else None
    published = cost if cost and cost["preset"] == "canonical" else None
    ok, note = fits(pick, data, latency, device, published)
    if spec is None:
        closest = archs.get_arch(pick.closest).title if pick.closest else "none"
        note = f"not in the atlas yet (closest here: {closest})" + (f"; {note}" if note else "")
    elif cost and cost["preset"] == "tiny":
        note = "numbers of the tiny preset: " + note
    return {
        "pick": pick.label,
        "atlas": spec.title if spec else "— not in the atlas yet",
        "params": cost["params"] if cost else None,
        "mult_adds": cost["mult_adds"] if cost else None,
        "input": cost["input"] if cost else "",
        "reason": pick.reason,
        "note": note,
        "page": page_url(spec) if spec else None,
        "fits": ok,
    }


def guide_table(task: str, data: str, latency: str, device: str) -> pd.DataFrame:
    """One row per pick of the task, with its costs, reason, page link and whether it fits."""
    return pd.DataFrame([_row(p, data, latency, device) for p in row_for(task).picks])


def guide_view(key: str = "guide") -> None:
    task, data, latency, device = constraints(key)
    row = row_for(task)
    st.markdown(f"**{task}** ({row.modality.lower()}): {row.note}")
    df = guide_table(task, data, latency, device)
    shown, left = df[df["fits"]], df[~df["fits"]]
    if shown.empty:
        st.warning("No pick of this task fits all three constraints: relax one (the reasons are below).")
    else:
        _table(shown)
    if not left.empty:
        st.markdown("**Left out by your constraints**")
        for r in left.itertuples():
            st.markdown(f"- {r.pick}: {r.note}.")
    st.markdown("**Open on its page**")
    for p in row.picks:
        spec = archs.get_arch(p.arch) if p.arch else None
        if spec is not None:
            arch_link(spec, f"{p.label}: {spec.title} on {page_for_family(spec.family).title}")
        elif p.closest:
            near = archs.get_arch(p.closest)
            st.caption(f"{p.label} is not in the atlas yet; the nearest design here is {near.title}.")
            arch_link(near, f"{near.title} (nearest to {p.label})")


def _table(df: pd.DataFrame) -> None:
    view = df.assign(
        params=[human(v) if v == v and v is not None else "—" for v in df["params"]],
        mult_adds=[human(v) if v == v and v is not None else "—" for v in df["mult_adds"]],
    )
    st.dataframe(
        view[["pick", "atlas", "params", "mult_adds", "input", "page"]],
        hide_index=True,
        width="stretch",
        column_config={
            "pick": st.column_config.TextColumn("Pick", width=110),
            "atlas": st.column_config.TextColumn("In the atlas", width=200),
            "params": st.column_config.TextColumn("Parameters", width=90, help="Of the published model."),
            "mult_adds": st.column_config.TextColumn(
                "Mult-adds", width=90, help="Per example, at the input size of the next column."
            ),
            "input": st.column_config.TextColumn("Input", width=110),
            "page": st.column_config.LinkColumn("Page", display_text="open", width=60),
        },
    )
    # the reasons in full, under the table (a table cell would cut them off)
    st.markdown(
        "\n".join(
            f"- **{r.pick}**: {r.reason}" + (f" *{r.note}*" if isinstance(r.note, str) and r.note else "")
            for r in view.itertuples()
        )
    )
