"""The Idea tab of the capsule-network page: capsules as vectors, the squash, routing by agreement and the
margin loss, with the reconstruction that regularises them."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    st.markdown(
        "A convolutional unit outputs one number: how strongly its feature is present. A **capsule** "
        "(Sabour, Frosst & Hinton, 2017) outputs a **vector** $\\mathbf{v}_j$: its **length** is the "
        "probability that an entity (a digit, a stroke) is present, its **direction** says how it is "
        "drawn: slant, thickness, width, position. A capsule of the layer below does not send its output "
        "to every capsule above alike: it sends it to the parents whose output agrees with its prediction."
    )
    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Squash")
        st.markdown(
            r"A vector's length becomes a probability by the **squash**: the direction is kept, a short "
            r"vector shrinks to almost 0, a long one to just under 1."
        )
        st.latex(
            r"\mathbf{v}_j = \frac{\|\mathbf{s}_j\|^2}{1 + \|\mathbf{s}_j\|^2}\,"
            r"\frac{\mathbf{s}_j}{\|\mathbf{s}_j\|}"
        )
        st.subheader("Margin loss")
        st.markdown(
            r"With $T_k = 1$ for the true class: its capsule should be longer than $m^+ = 0.9$, every other "
            r"shorter than $m^- = 0.1$; $\lambda = 0.5$ keeps the absent classes from shrinking all "
            r"capsules early in training. Several digits in one image can all be present."
        )
        st.latex(
            r"\begin{aligned} L_k = \; & T_k \max(0,\, m^+ - \|\mathbf{v}_k\|)^2 \\ "
            r"+ \; & \lambda\,(1 - T_k)\max(0,\, \|\mathbf{v}_k\| - m^-)^2 \end{aligned}"
        )
    with c2:
        st.subheader("Routing by agreement")
        st.markdown(
            r"Each child capsule $i$ predicts each parent $j$ with its own matrix, "
            r"$\hat{\mathbf{u}}_{j|i} = W_{ij}\mathbf{u}_i$. Logits $b_{ij}$ start at 0 for every input "
            r"(they are not parameters); each iteration:"
        )
        st.latex(
            r"\begin{aligned} c_{ij} &= \frac{e^{b_{ij}}}{\sum_k e^{b_{ik}}} \\ "
            r"\mathbf{v}_j &= \operatorname{squash}\Big(\sum_i c_{ij}\,\hat{\mathbf{u}}_{j|i}\Big) \\ "
            r"b_{ij} &\leftarrow b_{ij} + \hat{\mathbf{u}}_{j|i} \cdot \mathbf{v}_j \end{aligned}"
        )
        st.markdown(
            r"The **coupling coefficients** $c_{ij}$ of a child sum to 1 over its parents. In the first "
            r"iteration they are uniform; a prediction that agrees with its parent's output (a large dot "
            r"product) then raises its share, so parts vote for the whole they fit. The paper uses three "
            r"iterations."
        )
    st.subheader("The architecture")
    st.markdown(
        "For 28×28 MNIST: Conv1, 256 kernels of 9×9 with ReLU; **PrimaryCaps**, a 9×9 convolution of "
        "stride 2 whose 256 channels are read as 32 types of 8-D capsules on a 6×6 grid (1,152 children); "
        "**DigitCaps**, ten 16-D capsules, one per digit, fed by 1,152 × 10 matrices of 8×16. A "
        "**decoder** (dense 512, 1024, 784, sigmoid) redraws the image from the 160 digit-capsule numbers "
        "with all but one capsule masked: the true class's in training, the longest at test. Its summed "
        "squared error, scaled by 0.0005, is added to the margin loss: it makes the 16 numbers describe "
        "the digit, which the **Dimensions** tab shows. Together 8,215,568 parameters, 1,411,344 of them "
        "in the decoder; the routing logits are recomputed for every image and are not among them."
    )
