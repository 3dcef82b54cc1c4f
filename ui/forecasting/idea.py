"""The Idea tab of the forecasting page: the problem, the models and the metrics, with their formulas."""

from __future__ import annotations

import streamlit as st


def idea() -> None:
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(
            "**The problem.** From the last *w* values of a series (the *window*) predict the next *H* "
            "(the *horizon*). Every model here maps a window to all *H* future values at once:"
        )
        st.latex(r"(\hat y_{t}, \dots, \hat y_{t+H-1}) = f_\theta(y_{t-w}, \dots, y_{t-1})")
        st.markdown(
            "**Baselines.** *Persistence* repeats the last value, $\\hat y_{t+h} = y_{t-1}$; a model that "
            "cannot beat it has learned nothing. *Linear autoregression* AR(p) weighs the last p values:"
        )
        st.latex(r"\hat y_t = c + \textstyle\sum_{i=1}^{p} \varphi_i\, y_{t-i}")
        st.markdown(
            "**Networks.** An **LSTM** or **GRU** reads the window step by step and keeps a state; its last "
            "hidden state $h_w$ is mapped linearly to the forecast. A **BiLSTM** also reads it backwards. A "
            "**TCN** stacks causal convolutions whose dilation doubles per block, so the receptive field "
            "grows as $2^{\\text{depth}}$. A **Transformer encoder** lets every step attend to every other:"
        )
        st.latex(r"h_t = o_t \odot \tanh(c_t),\quad c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t")
        st.latex(r"\mathrm{Attention}(Q,K,V) = \mathrm{softmax}\!\left(QK^\top/\sqrt{d}\right)V")
    with c2:
        st.markdown(
            "**Preprocessing without leakage.** The series is cut *in time order* into training, validation "
            "and test spans, never shuffled across them. The scaler is fitted on the training span only, "
            "$z = (y - \\mu_{\\text{train}})/\\sigma_{\\text{train}}$ (or min–max), because statistics "
            "of the future are not known when forecasting. An example belongs to the span that holds "
            "its targets."
        )
        st.markdown(
            "**Metrics** on the test span, in the series' own units, with errors e = y − ŷ over n values:"
        )
        st.latex(r"\mathrm{MSE} = \tfrac1n\textstyle\sum e^2 \qquad \mathrm{RMSE} = \sqrt{\mathrm{MSE}}")
        st.latex(
            r"\mathrm{MAE} = \tfrac1n\textstyle\sum |e| \qquad "
            r"\mathrm{MAPE} = \tfrac{100\%}{n}\textstyle\sum |e / y|"
        )
        st.markdown(
            "RMSE punishes large misses more than MAE; MAPE is scale-free but explodes near y = 0. "
            "**Multi-output**: on the price series the models read and predict Open, High, Low and Close "
            "together. **Tuning** matters (window, width, depth, learning rate): the Sweep tab trains one "
            "model per value of a hyperparameter and plots the test error against it."
        )
