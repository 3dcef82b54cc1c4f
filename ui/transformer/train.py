"""The Train tab of the Transformers page: four recipes, each with its live view (sampling, fill-in,
text-to-text with cross-attention, ViT attention over the patch grid)."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from data.text import MASK
from data.text import vocab as char_vocab
from data.text2text import solve
from data.text2text import vocab as t2t_vocab
from training.recipes import get_recipe
from training.transformer.tasks import fill_probe, lm_probe, seq2seq_probe, vit_probe
from ui import state
from ui.charts import plotly_chart
from ui.train_panel import train_panel
from ui.transformer.panels import attention_views, text_input_ids, vit_views
from viz.attention import attention_map, probability_bars

RECIPES = ("char_gpt", "bert_mlm", "t5_toy", "vit_digits")
K = "tx.t"


def _lm_controls(context: int):
    c = st.columns([3, 1, 1, 1, 1])
    prompt = c[0].text_input("Prompt", "Return the ", key=f"{K}.prompt", max_chars=400)
    temp = c[1].slider(
        "Temperature", 0.0, 2.0, 0.8, 0.05, key=f"{K}.temp", help="0 = always the most likely."
    )
    top_k = c[2].number_input("Top-k", 0, 100, 0, key=f"{K}.topk", help="Keep the k most likely (0: off).")
    top_p = c[3].slider(
        "Top-p", 0.05, 1.0, 0.95, 0.05, key=f"{K}.topp", help="Keep the smallest set reaching p."
    )
    n = c[4].number_input("Characters", 10, 400, 160, 10, key=f"{K}.n")
    ids = text_input_ids(char_vocab(), prompt, context, f"{K}.prompt")
    if ids is None:
        return None
    v = char_vocab()
    toks = list(prompt[-context:])

    def render(snap, data):
        if "lm" not in snap:
            return
        r = snap["lm"]
        st.markdown("**A sample, continuing the prompt:**")
        st.code(prompt + r["text"], language=None, wrap_lines=True)
        top = np.argsort(r["probs"])[::-1][:20]
        plotly_chart(
            probability_bars(
                [v.token(i) for i in top], r["probs"][top], "next-character probabilities (top 20)"
            ),
            key=f"{K}.probs",
        )
        attention_views(r["attention"], {"self": toks}, {"self": toks}, f"{K}.lm")

    return (
        lambda d: {"lm": lm_probe(ids, v, int(n), float(temp), int(top_k), float(top_p), context)}
    ), render


def _mlm_controls(context: int):
    text = st.text_input(
        "Text with blanks (write _ for each hidden character)",
        "Return the n_mber of it_ms.",
        key=f"{K}.blanks",
        max_chars=400,
    )
    ids = text_input_ids(char_vocab(), text, context, f"{K}.blanks", mask_char="_")
    if ids is None:
        return None
    if MASK not in ids:
        st.warning("Write at least one _ where a character should be guessed.")
        return None
    v = char_vocab()

    def render(snap, data):
        if "fill" not in snap:
            return
        r = snap["fill"]
        st.markdown(f"**Filled in:** `{r['filled']}`")
        rows = {
            f"blank at {p}": [f"{c!r} {q:.0%}" for c, q in zip(cs, ps, strict=True)]
            for p, (cs, ps) in zip(r["positions"], r["top"], strict=True)
        }
        st.dataframe(rows, width="stretch")
        toks = list(text)
        attention_views(r["attention"], {"self": toks}, {"self": toks}, f"{K}.mlm")

    return (lambda d: {"fill": fill_probe(ids, v)}), render


def _t2t_controls():
    meta = get_recipe("t5_toy").make_data().meta
    max_len = max(meta["src_len"], meta["tgt_len"])
    src = st.text_input(
        "Input",
        "reverse: hello",
        key=f"{K}.src",
        max_chars=60,
        help='Write "reverse: …", "sort: …" or "add: 12+34" (lowercase letters, digits).',
    )
    try:
        truth = solve(src)
    except ValueError as e:
        st.error(f"Cannot read this input: {e}.", icon=":material/block:")
        return None
    ids = text_input_ids(t2t_vocab(), src, max_len, f"{K}.src")
    if ids is None:
        return None

    def render(snap, data):
        if "t2t" not in snap:
            return
        r = snap["t2t"]
        ok = r["answer"] == truth
        (st.success if ok else st.warning)(f"Model: **{r['answer'] or '∅'}** · correct: **{truth}**")
        out = [t2t_vocab().token(i) for i in r["out_ids"][:-1]] or ["<bos>"]
        src_t = list(src)
        cross = r["attention"].get("cross")
        if cross is not None:
            plotly_chart(
                attention_map(
                    cross[-1].mean(0), out, src_t, "cross-attention, last layer (heads averaged)", 380
                ),
                key=f"{K}.cross",
            )
        attention_views(
            r["attention"],
            {"encoder": src_t, "decoder": out, "cross": out},
            {"encoder": src_t, "decoder": out, "cross": src_t},
            f"{K}.t2t",
        )

    return (lambda d: {"t2t": seq2seq_probe(ids, t2t_vocab(), meta["tgt_len"])}), render


def _vit_controls():
    idx = st.number_input("Test digit", 0, 300, 0, key=f"{K}.digit")

    def probes(d):
        return {"vit": vit_probe(torch.from_numpy(d.x_test[idx : idx + 1]))}

    def render(snap, data):
        if "vit" not in snap:
            return
        r = snap["vit"]
        st.markdown(f"True digit **{data.y_test[idx]}**, predicted **{int(r['probs'][0].argmax())}**")
        grid = int(round((r["attention"]["self"].shape[-1] - 1) ** 0.5))
        vit_views(r["attention"], data.x_test[idx, 0], grid, f"{K}.vit")

    return probes, render


def train_tab() -> None:
    name = st.selectbox(
        "Experiment",
        RECIPES,
        key=f"{K}.recipe",
        format_func=lambda n: get_recipe(n).title,
    )
    recipe = get_recipe(name)
    st.caption(recipe.summary)
    tp = recipe.train_params
    c = st.columns(3)
    lr = c[0].select_slider(
        "Learning rate", (3e-4, 1e-3, 2e-3, 3e-3, 1e-2, 0.1, 10.0), value=tp["lr"], key=f"{K}.lr"
    )
    steps = c[1].select_slider(
        "Steps", (100, 300, 600, 1000, 1500, 3000, 6000), value=tp["num_steps"], key=f"{K}.steps"
    )
    heads = c[2].select_slider(
        "Heads",
        (1, 2, 3, 4, 8),
        value=4,
        key=f"{K}.heads",
        help="embed_dim is 64: heads must divide it (try 3 to see the message).",
    )
    context = recipe.data_params.get("context", 64)
    views = {
        "char_gpt": lambda: _lm_controls(context),
        "bert_mlm": lambda: _mlm_controls(context),
        "t5_toy": _t2t_controls,
        "vit_digits": _vit_controls,
    }[name]()
    settings = dict(
        lr=float(lr), num_steps=int(steps), num_heads=int(heads), seed=state.seed(), device=state.device()
    )
    probes, render = views if views else (None, None)
    train_panel(
        f"{K}.{name}",
        lambda: recipe.trainer(**settings),
        signature=(name, repr(sorted(settings.items()))),
        probes=probes,
        render=render,
    )
