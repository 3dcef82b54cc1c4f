"""The Idea tab of the energy-based and classic networks: each model's energy, update or closed-form solve,
with the formula that defines it."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(
            r"**A restricted Boltzmann machine** (Smolensky, 1986; Hinton, 2002) joins visible units "
            r"$v$ to hidden units $h$, never two of a kind, and gives every joint state an energy; "
            r"low energy means likely, $p(v, h) = e^{-E(v, h)} / Z$:"
        )
        st.latex(r"E(v, h) = -a^\top v - b^\top h - v^\top W h")
        st.markdown("With no links inside a layer, each layer is independent given the other:")
        st.latex(
            r"\begin{aligned} p(h_j = 1 \mid v) &= \sigma(b_j + v^\top W_{:j}) \\ "
            r"p(v_i = 1 \mid h) &= \sigma(a_i + W_{i:}\, h) \end{aligned}"
        )
        st.markdown(
            r"**Contrastive divergence** (CD-$k$) lowers the energy of the data and raises that of the "
            r"model's samples, taken $k$ Gibbs steps from the data (persistent CD keeps one chain "
            r"running across updates instead):"
        )
        st.latex(r"\Delta W \propto \langle v h^\top \rangle_{\text{data}} - \langle v h^\top \rangle_{k}")
        st.markdown(r"The **free energy** sums the hidden units out:")
        st.latex(r"F(v) = -a^\top v - \sum_j \log\big(1 + e^{\,b_j + v^\top W_{:j}}\big)")
        st.markdown(
            "**Deep belief nets** (Hinton, Osindero & Teh, 2006) train one RBM, then another on its "
            "hidden units, and so on (greedy layer-wise pre-training); the stack then starts a "
            "supervised network that backpropagation fine-tunes."
        )
        st.markdown(
            r"**Hopfield networks** (1982) store patterns $\xi^\mu \in \{-1, 1\}^N$ in Hebbian weights "
            r"and recall one by updating neurons one at a time; every update lowers the energy, and "
            r"about $0.14\,N$ random patterns fit before recall fails:"
        )
        st.latex(
            r"\begin{aligned} W &= \tfrac1N \textstyle\sum_\mu \xi^\mu \xi^{\mu\top},\ W_{ii} = 0 \\ "
            r"s_i &\leftarrow \operatorname{sign}\big(\textstyle\sum_j W_{ij} s_j\big) \\ "
            r"E(s) &= -\tfrac12\, s^\top W s \end{aligned}"
        )
        st.markdown(
            r"The **modern Hopfield network** (Ramsauer et al., 2020) retrieves with a softmax over the "
            r"stored patterns, the rows of $X$: one update is attention, with $\beta$ as the inverse "
            r"temperature:"
        )
        st.latex(r"\xi^{\text{new}} = X^\top \operatorname{softmax}(\beta X \xi)")
    with c2:
        st.markdown(
            r"**Deep stacking networks** (Deng & Yu, 2011) stack simple blocks: each reads the input and "
            r"the outputs of the blocks below, has random or pre-trained lower weights and a hidden "
            r"layer $H$, and solves its upper weights in closed form against the targets $T$:"
        )
        st.latex(r"U = (H H^\top + \lambda I)^{-1} H\, T^\top")
        st.markdown(
            r"**Self-organising maps** (Kohonen, 1982) lay prototypes $w_j$ on a grid; each input pulls "
            r"its best-matching unit $c(x)$ and, less, its grid neighbours, with a neighbourhood "
            r"$h_{j,c}$ and a rate $\eta$ that shrink over time:"
        )
        st.latex(r"w_j \leftarrow w_j + \eta\, h_{j, c(x)}\, (x - w_j)")
        st.markdown(
            r"**RBF networks** (Broomhead & Lowe, 1988) put a bump on each of a few centres $c_k$ and "
            r"learn only the linear readout:"
        )
        st.latex(r"f(x) = \textstyle\sum_k w_k \exp\big(-\|x - c_k\|^2 / 2\sigma^2\big)")
        st.markdown(
            r"**Extreme learning machines** (Huang et al., 2006) draw the hidden layer at random and "
            r"never train it; the readout is one least-squares solve with the pseudo-inverse:"
        )
        st.latex(r"H = g(X W + b),\quad \beta = H^{+}\, T")
        st.markdown(
            r"**Echo state networks** (Jaeger, 2001) drive a fixed random reservoir with the input and "
            r"train only a linear readout of its state. The reservoir must forget where it started "
            r"(the echo-state property), which holds in practice when the spectral radius $\rho$ of "
            r"its weights is below 1:"
        )
        st.latex(
            r"\begin{aligned} x_t &= \tanh(W x_{t-1} + W_{\text{in}} u_t) \\ "
            r"y_t &= W_{\text{out}}\, x_t,\quad \rho(W) < 1 \end{aligned}"
        )
