"""The experiments of the recurrent networks page: long-lag memory side by side, and dates translated
with attention (the alignment drawn for any date the user types)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
import torch

from archs.spec import ArchSpec
from data.sequences import DATE_FORMATS, SRC_VOCAB, date_remark, decode_target, encode_source
from training.demos import DEMOS
from training.recipes import get_recipe, list_recipes
from ui import state
from ui.charts import plotly_chart
from ui.train_panel import PanelDemo, train_panel
from viz.rnn import attention_figure, compare_curves


def memory_experiment() -> None:
    st.markdown(
        "**Long-lag memory.** A symbol is shown, then *lag* steps of distractors, then a cue: the network "
        "must output the symbol it saw at the start. The RNN, LSTM and GRU train side by side on the same "
        "batches (same hidden size, same optimizer, gradients clipped at 1). The adding problem instead "
        "asks for the sum of two marked numbers in a long real-valued sequence."
    )
    r = get_recipe("memory_rnn_vs_lstm")
    c = st.columns(6)
    problem = c[0].selectbox("Task", ("copy", "adding"), key="rnn.m.problem")
    lag = c[1].select_slider("Lag (steps)", (5, 10, 20, 30, 40, 60, 80, 100), value=40, key="rnn.m.lag")
    hidden = c[2].select_slider("Hidden units", (8, 16, 32, 64), value=32, key="rnn.m.h")
    steps = c[3].select_slider("Steps", (100, 300, 600, 1000, 2000), value=300, key="rnn.m.steps")
    who = c[4].multiselect("Cells", ("rnn", "lstm", "gru"), default=["rnn", "lstm", "gru"], key="rnn.m.who")
    fb = c[5].select_slider(
        "LSTM forget bias",
        (0.0, 1.0, 2.0, 4.0),
        value=4.0,
        key="rnn.m.fb",
        help="Initial bias of the LSTM's forget gate. 4 starts the cell remembering (σ(4) ≈ 0.98); with "
        "the common default 1 the memory fades as 0.73 per step and long lags take far longer to learn.",
    )
    if not who:
        st.error("Choose at least one cell to train.")
        return
    settings = dict(
        problem=problem,
        lag=lag,
        hidden_dim=hidden,
        num_steps=steps,
        contenders=tuple(who),
        forget_bias=float(fb),
        arch=who[0],
        seed=state.seed(),
        device=state.device(),
    )

    def render(snap, data):
        hist = snap["history"]
        if any(f"{who[0]}_loss" in row for row in hist):
            plotly_chart(compare_curves(hist, who), key="rnn.m.cmp")
        ev = snap["last_eval"]
        if ev:
            chance = data.meta.get("chance")
            rows = [
                {
                    "cell": n.upper(),
                    "test accuracy": ev.get(f"test_{n}_acc"),
                    "test loss": ev.get(f"test_{n}_loss"),
                }
                for n in who
            ]
            st.dataframe(pd.DataFrame(rows), hide_index=True)
            st.caption(
                (f"Chance is {chance:.1%}. " if chance else "Accuracy: |prediction − sum| < 0.04. ")
                + "A cell that stays near chance cannot carry the information across the lag."
            )

    train_panel(
        "rnn.m.train",
        lambda: r.trainer(**settings),
        signature=repr(sorted(settings.items())),
        render=render,
        step_sizes=(10, 50, 100),
    )


def _translate_probe(ids: np.ndarray):
    def probe(model) -> dict:
        dev = next(model.parameters()).device
        toks, attn = model.greedy(torch.from_numpy(ids[None]).to(dev), 10)
        return {"out": toks[0].cpu().numpy(), "attn": attn[0].cpu().numpy()}

    return probe


def dates_demo() -> PanelDemo:
    """The dates demo and the experiment's widgets that reproduce its settings."""
    d = DEMOS["seq2seq_dates"]
    o = d.overrides
    return PanelDemo(
        d.name, widgets={"rnn.d.steps": o["num_steps"], "rnn.d.lr": o["lr"], "rnn.d.h": o["hidden_dim"]}
    )


def _date_pairs(data, n: int = 6) -> pd.DataFrame:
    """A few training pairs, as text: what the network learns to do."""
    src = ["".join(SRC_VOCAB[i] for i in row if i > 0) for row in data.x_train[:n]]
    return pd.DataFrame(
        {"source (input)": src, "ISO date (target)": [decode_target(r) for r in data.y_train[:n]]}
    )


def dates_experiment() -> None:
    st.markdown(
        "**Dates to ISO with attention.** The encoder reads a date as characters; the decoder writes "
        "YYYY-MM-DD one character at a time, each time looking back at the source through the alignment α. "
        "Formats it learns: " + ", ".join(f"`{f}`" for f in DATE_FORMATS) + " (day before month)."
    )
    r = get_recipe("seq2seq_dates")
    c = st.columns(3)
    steps = c[0].select_slider("Steps", (100, 300, 600, 1200, 3000), value=600, key="rnn.d.steps")
    lr = c[1].select_slider("Learning rate", (1e-3, 3e-3, 5e-3, 1e-2, 3e-2), value=5e-3, key="rnn.d.lr")
    hidden = c[2].select_slider("Hidden units", (16, 32, 64, 128), value=64, key="rnn.d.h")
    text = st.text_input("Type a date to translate", "7 March 2024", key="rnn.d.text", max_chars=40)
    try:
        ids = encode_source(text)
        err = None
    except ValueError as e:
        ids, err = None, str(e)
    if err:
        st.error(f"**Cannot read that date.** {err}")
    elif remark := date_remark(text):
        st.warning(remark, icon=":material/event_busy:")
    settings = dict(
        num_steps=steps, lr=float(lr), hidden_dim=hidden, seed=state.seed(), device=state.device()
    )

    def render(snap, data):
        if snap["step"] == 0:
            st.markdown("**The data**: pairs of a date as written and its ISO form, e.g.")
            st.dataframe(_date_pairs(data), hide_index=True)
        if "tr" not in snap:
            return
        out = decode_target(snap["tr"]["out"])
        src = [SRC_VOCAB[i] for i in ids if i > 0]
        who = " (the untrained network: random characters, a blurred alignment)" if snap["step"] == 0 else ""
        st.markdown(f"**{text.strip().lower()}** → **`{out}`**{who}")
        a = snap["tr"]["attn"][:, : len(src)]
        plotly_chart(attention_figure(a, src, list(out.ljust(10))), key="rnn.d.attn")

    train_panel(
        "rnn.d.train",
        lambda: r.trainer(**settings),
        signature=repr(sorted(settings.items())),
        probes=(lambda d: {"tr": _translate_probe(ids)}) if ids is not None else None,
        render=render,
        step_sizes=(10, 50, 100),
        demo=dates_demo(),
        untrained=True,
    )


def single_experiment(spec: ArchSpec, cfg) -> None:
    """Train the architecture chosen above on a recipe that fits it."""
    recipes = [x for x in list_recipes(spec.name) if x.name != "memory_rnn_vs_lstm"]
    if not recipes:
        st.info(f"No experiment trains {spec.title} yet; its graph and summary are on the other tabs.")
        return
    recipe = st.selectbox("Experiment", recipes, format_func=lambda x: x.title, key="rnn.t.recipe")
    st.caption(recipe.summary)
    if recipe.name == "seq2seq_dates":
        dates_experiment()
        return
    c = st.columns(3)
    lag = c[0].select_slider("Lag (steps)", (5, 10, 20, 40, 60), value=20, key="rnn.t.lag")
    steps = c[1].select_slider("Steps", (100, 300, 600, 1000), value=300, key="rnn.t.steps")
    lr = c[2].select_slider(
        "Learning rate", (1e-3, 3e-3, 1e-2, 3e-2, 0.1, 1.0, 100.0), value=1e-2, key="rnn.t.lr"
    )
    fields = {f.name for f in spec.fields}
    keep = {
        k: getattr(cfg, k)
        for k in (
            "hidden_dim",
            "num_layers",
            "bidirectional",
            "nonlinearity",
            "kernel_size",
            "dropout",
            "embed_dim",
        )
        if k in fields
    }
    settings = dict(
        arch=spec.name,
        lag=lag,
        num_steps=steps,
        lr=float(lr),
        seed=state.seed(),
        device=state.device(),
        **keep,
    )
    train_panel("rnn.t.train", lambda: recipe.trainer(**settings), signature=repr(sorted(settings.items())))
