"""Panels of the Transformers page: the attention explainer, the family comparison, attention maps of a
live model (layers × heads grid, one head large, rollout, ViT patch overlays)."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st
import torch

import archs
from archs.collapse import collapse_depth
from archs.introspect import trace_graph
from archs.spec import ArchSpec, to_device
from archs.transformer.explain import explain, family_masks, positional_tables, saturation, words
from ui import state
from ui.charts import plotly_chart
from viz.attention import (
    attention_map,
    attention_rollout,
    head_grid,
    mask_figure,
    matrix,
    patch_overlay,
    positional_figure,
    saturation_figure,
    similarity_figure,
)
from viz.model_graph import graph_figure

BIG = 50_000_000


def explainer(key: str = "tx.ex") -> None:
    """One attention layer on the user's sentence, each intermediate as a small heatmap."""
    c = st.columns([3, 1, 1, 1, 1])
    text = c[0].text_input("A short sentence", "the cat sat on the mat", key=f"{key}.text", max_chars=200)
    d = c[1].selectbox(r"$d_\text{model}$", (4, 8, 12, 16), index=1, key=f"{key}.d")
    h = c[2].selectbox("heads", (1, 2, 3, 4), index=1, key=f"{key}.h")
    causal = c[3].toggle("causal mask", key=f"{key}.causal", help="A decoder may not look at later tokens.")
    scaled = c[4].toggle(
        r"÷ $\sqrt{d_k}$", True, key=f"{key}.scaled", help=r"Scale the scores by $1/\sqrt{d_k}$."
    )
    try:
        toks = words(text)
        e = explain(toks, d, h, causal, scaled)
    except ValueError as err:
        st.error(str(err), icon=":material/block:")
        return
    version = (tuple(toks), d, h, causal, scaled)
    f = state.memo(f"{key}.figs", version, lambda: _explainer_figures(e, toks, scaled))
    st.markdown("**1 · Embeddings and projections** (random but fixed weights; hover for numbers)")
    cols = st.columns(4)
    for col, name in zip(cols, ("X", "Q1", "K1", "V1"), strict=True):
        with col:
            plotly_chart(f[name], key=f"{key}.{name}")
    st.markdown("**2 · Scores, mask, softmax, weighted sum** (head 1)")
    cols = st.columns(4)
    for col, name in zip(cols, ("S", "M", "A", "Y"), strict=True):
        with col:
            plotly_chart(f[name], key=f"{key}.{name}")
    st.latex(r"\mathrm{Attention}(Q,K,V)=\mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right)V")
    st.markdown(
        r"**3 · Multi-head: split $d_\text{model}$ into $h$ slices, attend in each, concatenate, "
        r"mix with $W_O$**"
    )
    st.latex(r"\mathrm{MultiHead}(Q,K,V)=\mathrm{Concat}(\mathrm{head}_1,\dots,\mathrm{head}_h)\,W_O")
    cols = st.columns(h + 2)
    for i in range(h):
        with cols[i]:
            plotly_chart(f[f"h{i}"], key=f"{key}.h{i}")
    with cols[h]:
        plotly_chart(f["cat"], key=f"{key}.cat")
    with cols[h + 1]:
        plotly_chart(f["wo"], key=f"{key}.wo")
    st.markdown(
        r"**4 · Why divide by $\sqrt{d_k}$?** With random $q$ and $k$ the dot product grows like "
        r"$\sqrt{d_k}$; unscaled, the softmax saturates to one-hot and its gradient vanishes."
    )
    fixed = _fixed_figures()
    plotly_chart(fixed["sat"], key=f"{key}.sat")
    st.markdown("**5 · Positional encodings**: attention alone ignores order; positions put it back.")
    cols = st.columns(3)
    for col, name in zip(cols, ("ps", "pl", "pr"), strict=True):
        with col:
            plotly_chart(fixed[name], key=f"{key}.{name}")
    plotly_chart(fixed["psim"], key=f"{key}.psim")


def _explainer_figures(e: dict, toks: list[str], scaled: bool) -> dict:
    """The explainer's heatmaps for one sentence and setting (built once, redrawn on every rerun)."""
    d, h = e["X"].shape[1], len(e["heads"])
    hs = d // h
    dims = [f"d{i}" for i in range(d)]
    f = {"X": matrix(e["X"], toks, dims, "X = embedding + position")}
    for name in ("Q1", "K1", "V1"):
        f[name] = matrix(e[name], toks, dims[:hs], f"{name[0]} = X W<sub>{name[0]}</sub> (head 1)")
    div = f"/ √{hs}" if scaled else ""
    f["S"] = matrix(e["scores"], toks, toks, f"Q Kᵀ {div}")
    f["M"] = mask_figure(e["mask"], "mask (blue: may look)")
    f["A"] = attention_map(e["weights"], toks, toks, "softmax: rows sum to 1", 260)
    f["Y"] = matrix(e["out"], toks, dims[:hs], "A V: the output of head 1")
    for i in range(h):
        f[f"h{i}"] = attention_map(e["heads"][i], toks, toks, f"head {i + 1}", 240)
    f["cat"] = matrix(e["concat"], toks, dims, "Concat(heads)")
    f["wo"] = matrix(e["Y"], toks, dims, "Concat · W<sub>O</sub>")
    return f


@st.cache_resource(show_spinner=False)
def _fixed_figures() -> dict:
    """The figures that depend on nothing the user sets (shared by every session; never modified)."""
    p = positional_tables()
    return {
        "sat": saturation_figure(*saturation()),
        "ps": positional_figure(p["sinusoidal"], "sinusoidal (2017)"),
        "pl": positional_figure(p["learned"], "learned (BERT, GPT): random at init"),
        "pr": positional_figure(p["rotary"], "rotary: cos θ per pair", "pair"),
        "psim": similarity_figure(
            {"sinusoidal PE(0)·PE(Δ)": p["sin_similarity"], "rotary q·R(Δ)q": p["rot_similarity"]},
            "Similarity depends on the distance",
        ),
    }


@st.cache_resource(max_entries=8, show_spinner="Tracing…")
def _small_graph(name: str, depth: int):
    spec = archs.get_arch(name)
    cfg = spec.make_config("tiny")
    model = archs.build_from_config(spec, cfg, "meta")
    return collapse_depth(trace_graph(model, to_device(spec.example_input(cfg), "meta")), depth)


FAMILIES_TABLE = (
    (
        "Encoder-only",
        "bert_base",
        "encoder (bidirectional)",
        "Every token sees every token. Trained by **masked language modelling** (hide 15%, predict them), "
        "BERT adds **next-sentence prediction**, ELECTRA **replaced-token detection**. Used to understand "
        "text: classification, tagging, retrieval.",
    ),
    (
        "Decoder-only",
        "gpt2_small",
        "decoder (causal)",
        "Token t sees tokens ≤ t only. Trained by **causal language modelling**: predict the next token. "
        "Generates text one token at a time (GPT, GPT-2, GPT-3).",
    ),
    (
        "Encoder-decoder",
        "t5_small",
        "encoder-decoder: cross",
        "The encoder reads the input bidirectionally; the causal decoder writes the output and **cross-"
        "attends** to the encoder. Trained **text-to-text** (T5), by denoising (BART) or on "
        "translation (2017).",
    ),
)


COLUMN_PX = 320  # a third of the wide page's main column on a 1400 px screen with the sidebar open


def comparison(key: str = "tx.cmp") -> None:
    masks = family_masks(6)
    cols = st.columns(3)
    for col, (title, name, mask_name, text) in zip(cols, FAMILIES_TABLE, strict=True):
        with col:
            st.subheader(title)
            st.markdown(text)
            plotly_chart(mask_figure(masks[mask_name], f"mask: {mask_name}"), key=f"{key}.m.{name}")
            if name == "t5_small":
                plotly_chart(
                    mask_figure(masks["decoder (causal)"], "decoder self-attention"), key=f"{key}.m2"
                )
            # a third of the page: short labels (sizes on hover), laid out for a 320 px column
            fig = graph_figure(_small_graph(name, 2), width=COLUMN_PX, labels="name")
            plotly_chart(fig, key=f"{key}.g.{name}")


def text_input_ids(
    vocab, text: str, context: int, key: str, mask_char: str | None = None
) -> list[int] | None:
    """Encode the user's text or show why it cannot be (empty, too long, unknown characters)."""
    if not text:
        st.error("The text is empty: type a few characters.", icon=":material/block:")
        return None
    if len(text) > context:
        st.error(
            f"The text has {len(text)} characters but the model reads at most {context} (its context). "
            "Shorten it or raise the context.",
            icon=":material/block:",
        )
        return None
    try:
        return vocab.encode(text, mask_char)
    except ValueError as e:
        st.error(f"Cannot read this text: {e}.", icon=":material/block:")
        return None


def attention_views(
    att: dict[str, np.ndarray], q_labels: dict[str, list[str]], k_labels: dict[str, list[str]], key: str
) -> None:
    """Layers × heads grid per stack, one head large, and the rollout of self-attention stacks."""
    stacks = list(att)
    stack = (
        st.radio("Attention of", stacks, horizontal=True, key=f"{key}.stack")
        if len(stacks) > 1
        else stacks[0]
    )
    a = att[stack]  # (L, H, Tq, Tk)
    L, H = a.shape[:2]
    ql, kl = q_labels.get(stack), k_labels.get(stack)
    # figures are kept for reruns whose attention and labels are the same (a trained model's change)
    version = (stack, state.fingerprint(a, ql, kl))
    title = f"{stack}: every layer × head (rows: queries, columns: keys)"
    plotly_chart(state.memo(f"{key}.gridm", version, lambda: head_grid(a, title)), key=f"{key}.grid")
    c = st.columns([1, 1, 2])
    layer = c[0].selectbox("Layer", range(L), index=L - 1, key=f"{key}.layer")
    head = c[1].selectbox("Head", range(H), key=f"{key}.head")
    one = state.memo(
        f"{key}.onem",
        (version, layer, head),
        lambda: attention_map(a[layer, head], ql, kl, f"layer {layer}, head {head}", 420),
    )
    plotly_chart(one, key=f"{key}.one")
    if a.shape[2] == a.shape[3]:
        st.caption(
            "Attention rollout: heads averaged, the residual path mixed in, multiplied through the layers."
        )
        roll = state.memo(
            f"{key}.rollm", version, lambda: attention_map(attention_rollout(list(a)), ql, kl, "rollout", 380)
        )
        plotly_chart(roll, key=f"{key}.roll")


def _fresh(spec: ArchSpec, cfg: Any) -> torch.nn.Module:
    torch.manual_seed(0)
    return archs.build_from_config(spec, cfg, "cpu").eval()


def architecture_attention(spec: ArchSpec, cfg: Any, key: str) -> None:
    """Attention maps of a freshly initialised model of this configuration on the user's input."""
    if archs.count_params(archs.build_from_config(spec, cfg, "meta")) > BIG:
        st.info("This model is too large to run here; pick the tiny preset to see its attention.")
        return
    st.caption("A freshly initialised model (train one in the Train tab to see learned attention).")
    if hasattr(cfg, "image_size"):
        att, image = state.memo(f"{key}.vit", (spec.name, cfg), lambda: _fresh_vit_attention(spec, cfg))
        vit_views(att, image, cfg.grid, key)
        return
    text = st.text_input("Input text", "attention is all you need", key=f"{key}.text", max_chars=200)
    if not text:
        st.error("The text is empty: type a few characters.", icon=":material/block:")
        return
    if len(text) > cfg.max_len:
        st.error(
            f"The text has {len(text)} characters; this model's context is {cfg.max_len}.",
            icon=":material/block:",
        )
        return
    arrays = state.memo(f"{key}.txt", (spec.name, cfg, text), lambda: _fresh_text_attention(spec, cfg, text))
    toks = list(text)
    attention_views(arrays, {k: toks for k in arrays}, {k: toks for k in arrays}, key)


def _fresh_vit_attention(spec: ArchSpec, cfg: Any) -> tuple[dict[str, np.ndarray], np.ndarray]:
    from data.digits import digits

    d = digits(8)
    img = torch.nn.functional.interpolate(torch.from_numpy(d.x_test[:1]), size=cfg.image_size)
    img = img.expand(-1, cfg.in_channels, -1, -1)
    with torch.no_grad():
        _, att = _fresh(spec, cfg)(img, return_attention=True)
    return {"self": torch.stack([x[0] for x in att["self"]]).numpy()}, img[0, 0].numpy()


def _fresh_text_attention(spec: ArchSpec, cfg: Any, text: str) -> dict[str, np.ndarray]:
    ids = torch.tensor([[ord(ch) % cfg.vocab_size for ch in text]])  # untrained: any consistent ids will do
    inputs = (ids, ids) if "decoder_depth" in {f.name for f in spec.fields} else (ids,)
    with torch.no_grad():
        _, att = _fresh(spec, cfg)(*inputs, return_attention=True)
    return {k: torch.stack([x[0] for x in v]).numpy() for k, v in att.items()}


def vit_views(att: dict[str, np.ndarray], image: np.ndarray, grid: int, key: str) -> None:
    """For a ViT: the [CLS] token's attention over the patch grid at every layer, then the grid."""
    a = att["self"]  # (L, H, N+1, N+1)
    cls = a[:, :, 0, 1:].mean(1).reshape(len(a), grid, grid)  # (L, g, g): heads averaged
    overlay = state.memo(
        f"{key}.clsm",
        state.fingerprint(a, image),
        lambda: patch_overlay(image, list(cls), [f"layer {i}" for i in range(len(a))]),
    )
    plotly_chart(overlay, key=f"{key}.cls")
    labels = ["CLS"] + [f"p{r},{c}" for r in range(grid) for c in range(grid)]
    attention_views(att, {"self": labels}, {"self": labels}, key)
