"""The deep stacking network lab: blocks solved one by one on the digits, each block's closed-form solve
and the accuracy as blocks are added."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from archs.spec import ConfigError
from training.energy.dsn import dsn_experiment
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from viz.energy import dsn_blocks_figure

KEY = "energy.dsn"


@st.cache_data(show_spinner=False, max_entries=16)
def _run(blocks: int, hidden: int, ridge: float, scale: float, seed: int) -> dict:
    return dsn_experiment(blocks, hidden, ridge, scale, seed)


def dsn_lab() -> None:
    st.markdown(
        "Each block is a one-hidden-layer network: random sigmoid features h = σ(Wz) of its input z, then "
        "upper weights U that are **solved**, not trained by gradient descent. Block k reads the 64 pixels "
        "and the 10 class scores of every block below it; the blocks below stay frozen."
    )
    st.latex(r"U = (HH^\top + \lambda I)^{-1} H T^\top \qquad y_k = U^\top h_k")
    c = st.columns(4)
    blocks = c[0].slider("Blocks", 1, 12, 6, key=child(KEY, "blocks"))
    hidden = c[1].select_slider(
        "Hidden units per block", (25, 50, 100, 150, 300), value=150, key=child(KEY, "hidden")
    )
    ridge = c[2].select_slider(
        "Ridge λ",
        (1e-5, 1e-4, 1e-3, 1e-2, 1e-1),
        value=1e-3,
        format_func=lambda v: f"{v:.0e}",
        key=child(KEY, "ridge"),
    )
    scale = c[3].slider("Spread of W", 0.5, 8.0, 3.0, 0.5, key=child(KEY, "scale"))
    try:
        with st.spinner("Solving block by block…"):
            e = _run(int(blocks), int(hidden), float(ridge), float(scale), state.seed())
    except ConfigError as err:
        st.error(str(err))
        return
    rows = e["rows"]
    plotly_chart(dsn_blocks_figure(rows), key=child(KEY, "acc"))
    with st.expander("Each block's solve", expanded=True):
        table = pd.DataFrame(
            [
                {
                    "block": s["block"],
                    "inputs": s["inputs"],
                    "H: (units + 1) × examples": f"{s['h_shape'][0]} × {s['h_shape'][1]}",
                    "U": f"{s['u_shape'][0]} × {s['u_shape'][1]}",
                    "train MSE": round(s["loss"], 4),
                    "test acc.": f"{r['test_acc']:.1%}",
                }
                for s, r in zip(e["solves"], rows, strict=True)
            ]
        )
        st.dataframe(table, hide_index=True, width="stretch")
    first, last = rows[0], rows[-1]
    st.markdown(
        f"One block: {first['test_acc']:.1%} on the held-out digits; {len(rows)} blocks: "
        f"{last['test_acc']:.1%} (training accuracy {first['train_acc']:.1%} → {last['train_acc']:.1%}). "
        f"Every block was one linear solve: {len(rows)} solves in {e['seconds']:.2f} s, no gradient step."
    )
