"""The State spaces and RWKV tabs: one layer computed two ways. An S4D layer's output as a long causal
convolution with its kernel K̄ and as a recurrence over its state, side by side with their difference, for
the chosen state size, initialisation and discretisation; then the selective-copying lab. RWKV's time
mixing in its parallel and its recurrent form on the same text, the decay of every channel of every layer,
and the weights those decays give the past tokens."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

import archs
from archs import ConfigError
from archs.beyond.s4 import S4DLayer
from ui.beyond.selective import selective_lab
from ui.charts import plotly_chart
from ui.keys import child
from viz.beyond import decay_figure, kernel_figure, memory_weights_figure, two_ways_figure

KEY = "beyond.ssm"
RWKV_KEY = "beyond.rwkv"
SIGNALS = ("random", "a unit impulse", "a step", "a sine")
CHANNELS = 4


def _signal(kind: str, length: int, gen: torch.Generator) -> torch.Tensor:
    """(1, L, CHANNELS) input signals: the same kind on every channel."""
    t = torch.arange(length, dtype=torch.float64)
    if kind == "random":
        return torch.randn(1, length, CHANNELS, generator=gen, dtype=torch.float64)
    one = {
        "a unit impulse": (t == 0).double(),
        "a step": (t >= length // 4).double(),
        "a sine": torch.sin(2 * torch.pi * t / max(8, length // 4)),
    }[kind]
    return one.view(1, length, 1).expand(1, length, CHANNELS).clone()


def ssm_lab() -> None:
    st.markdown(
        "**One layer, two computations.** An S4 layer (the diagonal form, S4D) of four channels on a signal: "
        "once as a causal convolution with its kernel K̄, once as a recurrence that carries an N-number "
        "state from step to step. The two agree to rounding, whatever the settings."
    )
    c = st.columns(5)
    n = int(
        c[0].number_input(
            "State size N", min_value=0, max_value=256, value=16, step=2, key=child(KEY, "n"),
            help="Numbers in each channel's state (even: the state is N/2 complex numbers).",
        )
    )  # fmt: skip
    init = c[1].selectbox(
        "A starts as", ("legs", "lin"), key=child(KEY, "init"),
        format_func=lambda v: {"legs": "HiPPO-LegS", "lin": "S4D-Lin"}[v],
    )  # fmt: skip
    disc = c[2].selectbox("Discretisation", ("zoh", "bilinear"), key=child(KEY, "disc"))
    length = int(c[3].select_slider("Length L", (16, 32, 64, 128, 256), value=64, key=child(KEY, "len")))
    kind = c[4].selectbox("Input", SIGNALS, key=child(KEY, "signal"))
    try:  # the model's own checks: an even state size of at least 2
        archs.get_arch("s4").make_config("tiny", state_dim=n, init=init, discretization=disc)
    except ConfigError as e:
        st.error(f"**Cannot build this layer.** {e}", icon=":material/block:")
    else:
        _two_ways(n, init, disc, length, kind)
    st.divider()
    selective_lab()


def _two_ways(n: int, init: str, disc: str, length: int, kind: str) -> None:
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    layer = S4DLayer(CHANNELS, n, init=init, disc=disc).double().eval()
    u = _signal(kind, length, gen)
    with torch.no_grad():
        conv, rec = layer(u, mode="conv")[0].numpy(), layer(u, mode="recurrent")[0].numpy()  # (L, H)
        kernel = layer.kernel(length).numpy()  # (H, L)
    gap = float(np.abs(conv - rec).max())
    left, right = st.columns(2)
    with left:
        plotly_chart(
            two_ways_figure(
                conv[:, 0], rec[:, 0], ("convolution with K̄", "recurrence"), "channel 0's output"
            ),
            key=child(KEY, "two"),
        )
    with right:
        plotly_chart(
            kernel_figure(kernel, CHANNELS, "the kernel K̄ of each channel"), key=child(KEY, "kernel")
        )
    st.markdown(
        f"Largest difference between the two outputs over all {CHANNELS} channels and {length} steps: "
        f"**{gap:.1e}** (in 64-bit floating point). The convolution needs the whole input at once and runs "
        "in parallel, which is how S4 trains; the recurrence needs only the state, which is how it "
        "generates, one step at a time."
    )


def rwkv_lab() -> None:
    st.markdown(
        "**Parallel or recurrent, the same numbers.** An untrained RWKV-4 reads the text below. Its time "
        "mixing is computed once over the whole sequence (as in training) and once token by token, "
        "carrying only two running sums per channel (as in generation)."
    )
    c = st.columns([3, 1, 1])
    text = c[0].text_input("Text", "state spaces and recurrences", max_chars=64, key=child(RWKV_KEY, "text"))
    layers = int(c[1].select_slider("Layers", (2, 4, 6, 8, 12), value=6, key=child(RWKV_KEY, "layers")))
    width = int(c[2].select_slider("Width", (16, 32, 64, 128), value=64, key=child(RWKV_KEY, "width")))
    if not text:
        st.info("Type some text to run the model on.", icon=":material/keyboard:")
        return
    torch.manual_seed(0)
    model = (
        archs.build_model("rwkv", "tiny", vocab_size=128, embed_dim=width, num_layers=layers).double().eval()
    )
    tokens = torch.tensor([[min(ord(ch), 127) for ch in text]])  # (1, T) ASCII codes
    with torch.no_grad():
        par, rec = model(tokens, mode="parallel")[0], model(tokens, mode="recurrent")[0]  # (T, vocab)
        decays = model.decays().numpy()  # (layers, D)
        bonus = float(model.blocks[-1].attention.time_first.mean())
    nxt = tokens[0, 1:].tolist() + [ord(" ")]
    a = par.log_softmax(-1)[torch.arange(len(nxt)), nxt].numpy()
    b = rec.log_softmax(-1)[torch.arange(len(nxt)), nxt].numpy()
    left, right = st.columns(2)
    with left:
        plotly_chart(
            two_ways_figure(a, b, ("parallel", "recurrent"), "log-probability of each next character"),
            key=child(RWKV_KEY, "two"),
        )
        st.markdown(
            f"Largest difference in the logits: **{float((par - rec).abs().max()):.1e}**. The parallel "
            "form costs memory that grows with the square of the length; the recurrent one a fixed state."
        )
    with right:
        plotly_chart(decay_figure(decays), key=child(RWKV_KEY, "decay"))
        st.markdown(
            "Each channel forgets at its own rate e⁻ʷ per token. RWKV-4 starts the rates spread from "
            "forgetting at once to remembering almost everything, more spread the deeper the layer."
        )
    last = decays[-1]
    picks = sorted({float(last[np.abs(last - v).argmin()]) for v in (0.3, 0.7, 0.9, 0.98)})
    st.markdown("**How far back each channel looks**")
    plotly_chart(memory_weights_figure(picks, bonus), key=child(RWKV_KEY, "weights"))
    st.caption(
        "The share of wkv each past token makes up (all keys equal) in four channels of the last layer. "
        "The previous token counts in full, the current one with the bonus eᵘ, older ones shrink by the "
        "channel's decay per step: a fast channel reads the last token or two, a slow one averages the "
        "whole context."
    )
