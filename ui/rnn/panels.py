"""Panels of the recurrent networks page: the idea, the unrolled graph, internals (states, gates,
gradient flow) and the two experiments (memory side by side, dates with attention)."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

import archs
from archs.rnn.analysis import compare_gradient_flow, internals
from archs.spec import ArchSpec
from data.sequences import copy_memory
from ui import state
from ui.charts import plotly_chart
from viz.rnn import gates_figure, gradient_flow_figure, state_heatmap, unrolled_figure, unrolled_graph

RECURRENT = ("rnn", "lstm", "gru", "bilstm")


def idea() -> None:
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(
            "**Elman RNN.** One state vector carried from step to step, the same weights at every step:"
        )
        st.latex(
            r"\begin{aligned} h_t &= \sigma\left(W_{hh} h_{t-1} + W_{xh} x_t + b_h\right) \\"
            r" y_t &= W_{hy} h_t + b_y \end{aligned}"
        )
        st.markdown(
            "**LSTM.** Gates between 0 and 1 decide what the cell state $c_t$ forgets, writes and shows:"
        )
        st.latex(
            r"\begin{aligned} f_t &= \sigma(W_f [h_{t-1}, x_t] + b_f) \\"
            r" i_t &= \sigma(W_i [h_{t-1}, x_t] + b_i) \\"
            r" o_t &= \sigma(W_o [h_{t-1}, x_t] + b_o) \\"
            r" \tilde c_t &= \tanh(W_c [h_{t-1}, x_t] + b_c) \\"
            r" c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t \\"
            r" h_t &= o_t \odot \tanh(c_t) \end{aligned}"
        )
        st.markdown(
            "**GRU.** An update gate $z_t$ blends old and new state; a reset gate $r_t$ hides the past:"
        )
        st.latex(
            r"\begin{aligned} z_t &= \sigma(W_z x_t + U_z h_{t-1} + b_z) \\"
            r" r_t &= \sigma(W_r x_t + U_r h_{t-1} + b_r) \\"
            r" \tilde h_t &= \tanh\big(W x_t + U (r_t \odot h_{t-1}) + b\big) \\"
            r" h_t &= (1 - z_t) \odot \tilde h_t + z_t \odot h_{t-1} \end{aligned}"
        )
    with c2:
        st.markdown(
            "**Backpropagation through time.** Unroll the loop into a deep network with one layer per "
            "step and apply the chain rule. The error reaching step t from step T is a product of "
            "T − t Jacobians:"
        )
        st.latex(
            r"\frac{\partial L_T}{\partial h_t} = \frac{\partial L_T}{\partial h_T}\prod_{k=t+1}^{T}"
            r"\frac{\partial h_k}{\partial h_{k-1}}"
        )
        st.latex(
            r"\frac{\partial h_k}{\partial h_{k-1}} = \operatorname{diag}\!\big(\sigma'(\cdot)\big)\, W_{hh}"
        )
        st.markdown(
            "If these factors are mostly smaller than 1 the product **vanishes** exponentially and early "
            "inputs stop influencing learning; if larger than 1 it **explodes**. **Gradient clipping** "
            "rescales the whole gradient when it is too long, which tames explosions but cannot revive a "
            "vanished signal. The LSTM's additive cell update ($\\partial c_t / \\partial c_{t-1} = f_t$) "
            "gives the error a path that decays only as fast as the forget gate chooses."
        )
        st.latex(r"g \leftarrow g \cdot \min\!\left(1, \frac{\tau}{\lVert g \rVert}\right)")
        st.markdown(
            "**Variants.** Stacked layers (num_layers), bidirectional layers that also read backwards, "
            "encoder-decoders with **attention** (Bahdanau), and convolutional alternatives: the **TCN** "
            "(dilated causal convolutions) and Kim's **text CNN**."
        )


def unrolled_panel(spec: ArchSpec, cfg) -> None:
    if spec.name not in RECURRENT:
        return
    T = st.slider("Time steps to unroll", 2, 12, min(6, cfg.seq_len), key="rnn.g.T")
    G = unrolled_graph(T, cfg.num_layers, cfg.bidirectional, cfg.readout)
    st.markdown(
        f"**Unrolled over time.** Every square is the *same* cell with the *same* weights, applied at one "
        f"time step "
        f"({G.number_of_nodes()} nodes for {T} steps)."
    )
    version = (T, cfg.num_layers, cfg.bidirectional, cfg.readout)
    plotly_chart(state.memo("rnn.g.unrolledm", version, lambda: unrolled_figure(G)), key="rnn.g.unrolled")


def _example_tokens(cfg, seq_len: int, seed: int):
    """A copy-task sequence if the model reads tokens, else a random signal; and labels for the axis."""
    if cfg.vocab_size:
        d = copy_memory(
            lag=max(1, seq_len - 2), num_symbols=max(2, min(8, cfg.vocab_size - 6)), n=4, seed=seed
        )
        ids = np.clip(d.x_test[:1], 0, cfg.vocab_size - 1)
        return torch.from_numpy(ids), [str(int(i)) for i in ids[0]]
    g = torch.Generator().manual_seed(seed)
    return torch.randn(1, seq_len, cfg.input_dim, generator=g), None


def internals_panel(spec: ArchSpec, cfg, job, seed: int) -> None:
    """States and gates of a fresh model, or of ``job``'s model (trained on the Train tab) if given."""
    if spec.name not in RECURRENT:
        st.info("Hidden states and gates belong to the recurrent cells: choose the RNN, LSTM, GRU or BiLSTM.")
        return
    st.markdown("#### Hidden states and gates over one input sequence")
    T = st.slider("Sequence length", 4, 60, 20, key="rnn.i.T")
    live = job is not None
    if live:
        model = job.trainer.model
        cfg = model.cfg
        x, tokens = _example_tokens(cfg, T, seed)
        with job.lock:  # the worker thread trains between slices; read the weights between two of them
            version = ("trained", job.id, job.trainer.step_count, T, seed)
            rec = state.memo(
                "rnn.i.rec", version, lambda: internals(model, x.to(next(model.parameters()).device))
            )
    else:
        x, tokens = _example_tokens(cfg, T, seed)
        version = ("fresh", spec.name, cfg, T, seed)
        rec = state.memo("rnn.i.rec", version, lambda: internals(_fresh(spec, cfg, seed), x))
    L = rec["h"].shape[0]
    k = st.selectbox(
        "Layer and direction",
        range(L),
        key="rnn.i.k",
        format_func=lambda i: (
            f"layer {i // (2 if cfg.bidirectional else 1) + 1}"
            + ((" backward" if i % 2 else " forward") if cfg.bidirectional else "")
        ),
    )
    st.caption(
        (
            "Weights of the model being trained. "
            if live
            else "Freshly initialised weights; train on the Train tab to see learned dynamics. "
        )
        + ("Input: a copy-task sequence (token ids)." if tokens else "Input: random signal.")
    )
    figs = state.memo("rnn.i.figs", (version, k), lambda: _internals_figures(rec, k, tokens))
    for name, fig in figs.items():
        plotly_chart(fig, key=f"rnn.i.{name}")
    gradient_panel()


def _fresh(spec: ArchSpec, cfg, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return archs.build_from_config(spec, cfg)


def _internals_figures(rec: dict, k: int, tokens) -> dict:
    """The hidden-state heatmap and (LSTM, GRU) the gates of layer-direction ``k``."""
    figs = {"h": state_heatmap(rec["h"][k], tokens, "hidden state hₜ (units × time)")}
    gates = {n: v[k] for n, v in rec.items() if n != "h"}
    if gates:
        figs["gates"] = gates_figure(gates, tokens)
    return figs


@st.cache_data(show_spinner="Backpropagating through time…", max_entries=64)
def _flows(seq_len: int, nonlinearity: str, weight_scale: float, clip: float | None) -> dict:
    return compare_gradient_flow(
        seq_len=seq_len, nonlinearity=nonlinearity, weight_scale=weight_scale, clip=clip
    )


def gradient_panel() -> None:
    st.markdown("#### Gradient flow through time: RNN vs LSTM vs GRU")
    st.caption(
        "One loss at the last step, backpropagated; the curve is the gradient norm reaching the input "
        "k steps "
        "earlier (freshly initialised one-layer networks, 32 units, the same 16 random sequences)."
    )
    c = st.columns(4)
    T = c[0].slider("Sequence length", 10, 150, 60, step=10, key="rnn.gf.T")
    nl = c[1].selectbox("RNN nonlinearity", ("tanh", "relu"), key="rnn.gf.nl")
    scale = c[2].select_slider(
        "Recurrent weight scale",
        (0.5, 1.0, 2.0, 3.0, 4.0, 6.0),
        value=1.0,
        key="rnn.gf.scale",
        help="Multiplies every $W_{hh}$: large values make the plain RNN's gradient explode "
        "(try ReLU and 4).",
    )
    clip = c[3].select_slider("Clip threshold τ", ("off", 0.1, 1.0, 10.0), value=1.0, key="rnn.gf.clip")
    flows = _flows(T, nl, float(scale), None if clip == "off" else float(clip))
    fig = state.memo(
        "rnn.gf.figm",
        (T, nl, float(scale), clip),
        lambda: gradient_flow_figure(flows, None if clip == "off" else float(clip)),
    )
    plotly_chart(fig, key="rnn.gf.fig")
    far = {k.upper(): f"{f['norm'][0]:.2e}" for k, f in flows.items()}
    st.caption(
        f"Gradient reaching the first input ({T - 1} steps back): "
        + " · ".join(f"{k} {v}" for k, v in far.items())
    )
