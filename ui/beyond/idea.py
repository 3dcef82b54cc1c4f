"""The Idea tab of the beyond-attention page: sparse mixtures of experts (routing, top-k, capacity, the
load-balancing loss), state-space models (the continuous system, its discretisation, the recurrent and the
convolutional views, Mamba's input-dependent parameters), RWKV's time mixing, and the addressing of the
neural Turing machine and the DNC, each with the formulas that define it."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    st.markdown(
        "Attention compares every token with every other one: its cost grows with the square of the "
        "sequence length, and every token passes through all of the network's weights. The models on this "
        "page change one of those two things. **Mixtures of experts** keep attention but send each token "
        "through a few of many feed-forward networks, so parameters grow without the cost per token. "
        "**State-space models** and **RWKV** replace attention by a recurrence that can also be computed "
        "in parallel, linear in the length. **Memory-augmented networks**, older than all of them, give a "
        "recurrent controller an external memory it reads and writes by soft addresses."
    )
    c1, c2 = st.columns(2)
    with c1:
        _experts()
        _rwkv()
    with c2:
        _state_spaces()
        _memory()


def _experts() -> None:
    st.subheader("Mixture of experts")
    st.markdown(
        r"A **router** $W_r$ scores each token $x$ against $E$ experts (feed-forward networks $f_i$); the "
        r"token goes to the $k$ best, and their outputs are mixed by the renormalised softmax weights:"
    )
    st.latex(
        r"\begin{aligned} p(x) &= \operatorname{softmax}(W_r x) \\ "
        r"y &= \sum_{i \in \operatorname{top}_k(p)} \frac{p_i(x)}{\sum_{j \in \operatorname{top}_k} p_j(x)}"
        r"\, f_i(x) \end{aligned}"
    )
    st.markdown(
        r"Switch Transformer (Fedus et al., 2021) uses $k = 1$ and gives each expert room for at most "
        r"$c \cdot N / E$ of a batch's $N$ tokens (the **capacity factor** $c$); tokens beyond it skip the "
        r"layer through the residual. Mixtral 8×7B (Jiang et al., 2024) uses $k = 2$ of 8 experts: 46.7 "
        r"billion parameters, of which about 12.9 billion act on each token."
    )
    st.markdown(
        r"Left alone, a router sends most tokens to the few experts that happened to start best, and the "
        r"rest never learn. The **load-balancing loss** adds, for the fraction $f_i$ of tokens sent to "
        r"expert $i$ and its mean router probability $P_i$:"
    )
    st.latex(r"\mathcal{L}_{\text{aux}} = \alpha\, E \sum_{i=1}^{E} f_i\, P_i")
    st.markdown(r"It is smallest, $\alpha$, when both are uniform, $f_i = P_i = 1/E$.")


def _state_spaces() -> None:
    st.subheader("State-space models")
    st.markdown(
        r"A linear state-space model maps an input signal $u(t)$ through an $N$-dimensional state $x(t)$ "
        r"to an output $y(t)$:"
    )
    st.latex(r"\begin{aligned} x'(t) &= A\,x(t) + B\,u(t) \\ y(t) &= C\,x(t) + D\,u(t) \end{aligned}")
    st.markdown(r"Sampled with a step $\Delta$ (zero-order hold), it becomes a recurrence:")
    st.latex(
        r"\begin{aligned} \bar A &= e^{\Delta A}, \quad \bar B = (\Delta A)^{-1}(e^{\Delta A} - I)\,\Delta B "
        r"\\ x_t &= \bar A\, x_{t-1} + \bar B\, u_t, \quad y_t = C\, x_t + D\, u_t \end{aligned}"
    )
    st.markdown(
        r"Unrolled, the output is a convolution of the input with the kernel "
        r"$\bar K = (C\bar B,\ C\bar A\bar B,\ C\bar A^2\bar B, \dots)$: the same layer runs step by step "
        r"when generating and as one long convolution when training. **S4** (Gu et al., 2022) starts $A$ "
        r"from the HiPPO matrix, whose state keeps an optimal summary of the whole past."
    )
    st.markdown(
        r"S4's $A, B, C, \Delta$ are the same at every step: it cannot decide what to keep. **Mamba** "
        r"(Gu & Dao, 2023) computes $\Delta_t$, $B_t$ and $C_t$ from the token $u_t$: a large $\Delta_t$ "
        r"resets the state to the token, a small one lets the token pass unnoticed. The convolution view is "
        r"lost, and a parallel scan computes the recurrence instead."
    )


def _rwkv() -> None:
    st.subheader("RWKV")
    st.markdown(
        r"RWKV (Peng et al., 2023) replaces attention's softmax over all past tokens by a weighted average "
        r"whose weights decay with distance, channel by channel: a learned decay $w \ge 0$ and a bonus $u$ "
        r"for the current token. For keys $k_i$ and values $v_i$:"
    )
    st.latex(
        r"\mathrm{wkv}_t = \frac{\sum_{i<t} e^{-(t-1-i)w + k_i}\, v_i + e^{u + k_t}\, v_t}"
        r"{\sum_{i<t} e^{-(t-1-i)w + k_i} + e^{u + k_t}}"
    )
    st.markdown(
        r"The output is $\sigma(r_t) \odot \mathrm{wkv}_t$ with a receptance $r_t$. The two sums can be "
        r"carried forward one token at a time: RWKV trains in parallel like a transformer and generates "
        r"like an RNN, with a state that does not grow with the context."
    )


def _memory() -> None:
    st.subheader("Neural Turing machine and DNC")
    st.markdown(
        r"A controller network emits, at every step, a **key** $k$ with a strength $\beta$, and reads a "
        r"soft mixture of the rows of a memory matrix $M$ (Graves et al., 2014). Addressing goes in four "
        r"steps: content, interpolation with the last weighting by a gate $g$, a circular shift $s$, and "
        r"sharpening by $\gamma \ge 1$:"
    )
    st.latex(
        r"\begin{aligned} w^c_i &= \operatorname{softmax}_i\big(\beta \cos(k, M_i)\big) \\ "
        r"w^g &= g\, w^c + (1 - g)\, w_{t-1} \\ "
        r"\tilde w_i &= \textstyle\sum_j w^g_j\, s_{i-j}, \quad w_i = \tilde w_i^{\gamma} / "
        r"\textstyle\sum_j \tilde w_j^{\gamma} \end{aligned}"
    )
    st.markdown(
        r"It reads $r = \sum_i w_i M_i$ and writes by erasing and adding: "
        r"$M_i \leftarrow M_i (1 - w_i e) + w_i a$. The **differentiable neural computer** (Graves et al., "
        r"2016) replaces the shift by memory management: writes go to the least used free row, and a "
        r"temporal link matrix remembers the order of writes so the reads can follow it forwards or "
        r"backwards."
    )
