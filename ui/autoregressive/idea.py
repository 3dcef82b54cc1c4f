"""The Idea tab of the PixelCNN & WaveNet page: the chain rule of probability as a model, masked and
causal convolutions that compute every conditional in one pass, the likelihood in bits, and μ-law."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    st.markdown(
        "Any joint distribution can be written, without approximation, as a product of conditionals: fix an "
        "order of the values (pixels row by row, audio samples in time) and predict each from the ones "
        "before it. An **autoregressive** model is a network that outputs those conditionals."
    )
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("The factorisation")
        st.latex(r"p(\mathbf{x}) = \prod_{i=1}^{n} p(x_i \mid x_1, \dots, x_{i-1})")
        st.markdown(
            r"Training maximises the exact log-likelihood: the loss is the cross-entropy of every value "
            r"given its past, averaged. Divided by $\ln 2$ it reads in **bits per value**, the number of "
            r"bits an arithmetic coder using the model would spend:"
        )
        st.latex(
            r"\begin{aligned} \mathcal{L} &= -\frac{1}{n}\sum_{i=1}^{n} \log_2 p(x_i \mid x_{<i}) "
            r"\end{aligned}"
        )
        st.markdown(
            "Every conditional is computed **in parallel** during training, because the true past is "
            "known (teacher forcing). Sampling is sequential: draw $x_1$, feed it back, draw $x_2$, … — "
            "one forward pass per value."
        )
    with c2:
        st.subheader("Convolutions that cannot look ahead")
        st.markdown(
            "**PixelCNN** (van den Oord et al., 2016) zeroes the kernel weights on and after the centre "
            "pixel in raster order: a **mask A** in the first layer (a pixel never sees itself), **mask B** "
            "in later layers (the centre now holds features of earlier pixels only). Each pixel gets a "
            "softmax over its possible values."
        )
        st.markdown(
            "**WaveNet** (van den Oord et al., 2016) pads convolutions on the left only (**causal**) and "
            "doubles the **dilation** layer by layer, so that the field of view grows exponentially:"
        )
        st.latex(r"r = 1 + (k-1)\Big(1 + \sum_{\ell} d_\ell\Big)")
        st.markdown(r"With $k = 2$ and $d = 1, 2, \dots, 512$ one cycle sees 1,025 samples.")
    st.subheader("μ-law: 256 levels for 65,536")
    st.markdown(
        "Audio samples are 16-bit numbers; a softmax over 65,536 classes is too large. WaveNet compresses "
        "the amplitude $x \\in [-1, 1]$ logarithmically, then cuts it into 256 equal bins, so quiet "
        "sounds keep fine steps and loud ones get coarse steps, as the ear hears them:"
    )
    st.latex(r"f(x) = \operatorname{sign}(x)\,\frac{\ln(1 + \mu |x|)}{\ln(1 + \mu)}, \quad \mu = 255")
    st.markdown(
        "A softmax over levels, rather than one Gaussian per value, can be skewed or have several peaks, "
        "which is what the paper found to work better for audio and PixelRNN for pixels."
    )
