"""The Idea tab of the flows page: the change of variables, why couplings make the log-determinant cheap,
and how RealNVP and Glow stack them."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    st.markdown(
        "A **normalizing flow** is an invertible network $f$ that maps data $x$ to a latent $z = f(x)$ with "
        "a simple density, a standard Gaussian. Because $f$ can be undone, the density of the data is known "
        "exactly: no lower bound as in a VAE, no discriminator as in a GAN. Sampling runs the network "
        "backwards, $x = f^{-1}(z)$ with $z \\sim \\mathcal{N}(0, I)$."
    )
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("The change of variables")
        st.markdown("A small box around $x$ is stretched by $f$; its volume changes by $|\\det J_f|$:")
        st.latex(
            r"\begin{aligned} p_X(x) &= p_Z\big(f(x)\big)\,"
            r"\left|\det \frac{\partial f(x)}{\partial x}\right| \\ "
            r"\log p_X(x) &= \log p_Z(z_K) + \sum_{k=1}^{K} \log\left|\det J_{f_k}\right| \end{aligned}"
        )
        st.markdown(
            "for a chain $f = f_K \\circ \\dots \\circ f_1$. Training maximises this exact log-likelihood "
            "of the data. Every layer must be invertible and its log-determinant cheap, which a general "
            "$D \\times D$ Jacobian is not (its determinant costs $O(D^3)$)."
        )
    with c2:
        st.subheader("Affine coupling (RealNVP)")
        st.markdown(
            "Split $x$ into two parts. One passes unchanged and decides how the other is scaled and shifted:"
        )
        st.latex(
            r"\begin{aligned} y_1 &= x_1 \\ y_2 &= x_2 \odot e^{s(x_1)} + t(x_1) \\ "
            r"\log\left|\det J\right| &= \textstyle\sum_i s_i(x_1) \end{aligned}"
        )
        st.markdown(
            "The Jacobian is triangular, so its determinant is the product of the scales; $s$ and $t$ may be "
            "any network, since inverting the layer, $x_2 = (y_2 - t(y_1)) \\odot e^{-s(y_1)}$, never "
            "inverts them. The next layer swaps the parts."
        )
    st.subheader("Glow: a step of flow")
    st.markdown(
        "Glow (Kingma & Dhariwal, 2018) builds each step from three invertible layers: **actnorm**, a "
        "per-channel scale and bias set from the first batch; an **invertible 1×1 convolution**, a learned "
        "$C \\times C$ matrix $W$ mixing the channels at every pixel (RealNVP only swapped halves); and an "
        "**affine coupling**. For an $h \\times w$ feature map the convolution adds"
    )
    st.latex(r"\log\left|\det J\right| = h \cdot w \cdot \log\left|\det W\right|")
    st.markdown(
        "and with $W = PL(U + \\operatorname{diag}(s))$ (LU-decomposed) this is $h w \\sum_i \\log|s_i|$. "
        "Images use a **multi-scale** architecture: a squeeze turns each 2×2 block of pixels into 4 "
        "channels, $K$ steps follow, and half of the channels are factored out to the Gaussian, $L$ times. "
        "The paper's CIFAR-10 model has $L = 3$, $K = 32$ and 512-channel coupling networks: 44,135,856 "
        "parameters by our count of the reference code's variables (neither the paper nor the code states "
        "one)."
    )
    st.markdown(
        "**Try it** in the *2-D lab*: each layer's warp of the plane shows a Gaussian being bent, layer by "
        "layer, into the data's shape."
    )
