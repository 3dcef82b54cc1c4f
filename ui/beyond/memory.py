"""The memory lab: the copy task of the neural Turing machine paper. A network reads a sequence of random
bit vectors and a delimiter, then must write the sequence back from memory. The NTM, the DNC or an LSTM
of similar size trains live; the input, target and output bits of one longer test sequence, where the
heads wrote and read at every step, and the wrong bits against the length, with the lengths it never saw
shaded. Every model's curve stays on the chart, so the LSTM reads against the memory networks."""

from __future__ import annotations

import streamlit as st

from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.beyond import addressing_figure, bit_errors_figure, copy_figure

KEY = "beyond.mem"
TRAIN_KEY = child(KEY, "train")
MODELS = {
    "Neural Turing machine": "ntm_copy",
    "Differentiable neural computer": "dnc_copy",
    "LSTM (no external memory)": "lstm_copy",
}


def memory_lab() -> None:
    st.markdown(
        "Copying needs no cleverness, only storage: the LSTM must squeeze the whole sequence into its "
        "hidden state, while the memory networks can write each vector to a row and read the rows back in "
        "order. Train each model on the same lengths and see which one copies the longer sequences it was "
        "never shown."
    )
    c = st.columns([3, 1])
    model = c[0].radio("Model", list(MODELS), horizontal=True, key=child(KEY, "model"))
    if c[1].button("Clear the chart", key=child(KEY, "clear"), icon=":material/delete_sweep:"):
        st.session_state.pop(child(KEY, "runs"), None)
    recipe = get_recipe(MODELS[model])
    st.caption(recipe.summary)
    s = dict(seed=state.seed(), device=state.device())
    runs: dict[str, dict] = st.session_state.setdefault(child(KEY, "runs"), {})
    train_max = recipe.data_params.get("max_len") or recipe.data_params.get("train_max")

    def render(snap: dict, d) -> None:
        ev = snap.get("last_eval") or {}
        if ev.get("bit_errors_by_length"):
            runs[model] = ev["bit_errors_by_length"]
        ex = snap.get("example")
        left, right = st.columns([1, 1])
        with left:
            if ex is not None:
                st.markdown(f"**One test sequence of length {ex['length']}**")
                plotly_chart(copy_figure(ex), key=child(TRAIN_KEY, "view", "copy"))
        with right:
            if ex is not None and ex.get("read_w") is not None:
                st.markdown("**Where the heads wrote and read**")
                plotly_chart(
                    addressing_figure(ex["read_w"], ex["write_w"]), key=child(TRAIN_KEY, "view", "addr")
                )
            elif ex is not None:
                st.markdown("An LSTM has no memory rows to address: its only store is its hidden state.")
        shown = dict(runs) or {model: {}}
        if any(shown.values()):
            st.markdown("**Wrong bits per sequence against its length** (each model's last evaluation)")
            plotly_chart(bit_errors_figure(shown, train_max), key=child(TRAIN_KEY, "view", "errors"))

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(recipe.name, repr(sorted(s.items()))),
        render=render,
        untrained=True,
        step_sizes=(1, 10, 100),
    )
