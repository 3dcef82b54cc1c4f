"""Convolutional networks: the idea, a convolution explainer, every classic CNN's graph, summary and
receptive field, live training, internals with attributions, the degradation experiment, the family chart."""

import pandas as pd
import streamlit as st

from archs.cnn.efficientnet import compound_coefficients
from ui.boot import ensure_app
from ui.cnn.explainer import explainer
from ui.cnn.panels import (
    degradation_section,
    family_chart_panel,
    internals_panel,
    learned_kernels,
    receptive_field_panel,
    train_section,
)
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel

ensure_app()

st.title("Convolutional networks")
st.markdown(
    "A convolutional layer slides one small set of weights over the whole image: the same detector at "
    "every position (weight sharing), each looking only at a small neighbourhood (local connectivity). "
    "Stacked, with pooling between, the detectors see ever larger parts of the image."
)

lesson_bar("cnn")
idea, conv, explore, degrade, family = tabs(
    ["Idea", "Convolution", "Architectures", "Degradation", "Family chart"], key="cnn.tab"
)

if idea.open:
    with idea:
        c1, c2 = st.columns(2)
        with c1:
            st.markdown(
                "**Convolution** (as deep learning computes it, a cross-correlation) of image X with "
                "kernel W:"
            )
            st.latex(r"(X * W)(i, j) = \sum_{m,n} X(i+m,\, j+n)\, W(m, n)")
            st.markdown(
                r"A layer with $C_\text{in}$ input and $C_\text{out}$ output channels adds a bias and a "
                "nonlinearity:"
            )
            st.latex(r"Y_c = \sigma\Big(b_c + \sum_{c'=1}^{C_\text{in}} X_{c'} * W_{c,c'}\Big)")
            st.latex(r"\#\text{params} = C_\text{out}(C_\text{in} k^2 + 1)")
            st.markdown(
                "**Pooling** summarises each window: max keeps the strongest response, average the mean."
            )
            st.latex(
                r"\begin{aligned} \text{max: } y_{ij} &= \max_{(m,n)\in R_{ij}} x_{mn} \\"
                r" \text{avg: } y_{ij} &= \tfrac{1}{|R_{ij}|}\sum_{(m,n)\in R_{ij}} x_{mn} \end{aligned}"
            )
        with c2:
            st.markdown(
                "**Weight sharing and local connectivity.** A fully connected layer from a 224×224×3 image "
                "to as "
                "many outputs needs 2.3·10¹⁰ weights; a 3×3 convolution with 64 filters needs 1,792, "
                "and whatever "
                "it learns to detect, it detects anywhere (translation equivariance)."
            )
            st.markdown("**Residual block** (ResNet): the layers learn a correction F to the identity,")
            st.latex(r"y = \mathcal{F}(x, \{W_i\}) + x")
            st.markdown(
                "so a deeper network can always fall back to the shallower one, and gradients reach early "
                "layers through the shortcut. **Compound scaling** (EfficientNet) grows depth, width and "
                "resolution together:"
            )
            st.latex(r"d = \alpha^\phi,\; w = \beta^\phi,\; r = \gamma^\phi")
            st.latex(r"\alpha\beta^2\gamma^2 \approx 2,\quad \alpha = 1.2,\ \beta = 1.1,\ \gamma = 1.15")
        st.markdown(
            "The formula next to the coefficients the released B0–B7 use (the grid-searched rule, rounded):"
        )
        table = pd.DataFrame([compound_coefficients(p) for p in range(8)]).round(3)
        # a table header shows no LaTeX: α^φ as αᵠ
        st.dataframe(
            table.rename(columns=lambda c: c.replace("^φ", "ᵠ").replace("phi", "φ")), hide_index=True
        )

if conv.open:
    with conv:
        explainer("cnn.x", learned=learned_kernels())

if explore.open:
    with explore:
        spec, preset = arch_picker("cnn", key="cnn", default="resnet18")
        with st.expander("Hyperparameters", expanded=False):
            cfg = config_form(spec, key="cnn", preset=preset)
        graph, summary, rfield, train, internals = tabs(
            ["Graph", "Summary", "Receptive field", "Train", "Internals"], key="cnn.view"
        )

if explore.open and cfg is not None:  # the Architectures tab and its own tabs
    if graph.open:
        with graph:
            graph_panel(spec, cfg, key="cnn.g")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="cnn.s")
    if rfield.open:
        with rfield:
            receptive_field_panel(spec, cfg)
    if train.open:
        with train:
            train_section(spec, cfg)
    if internals.open:
        with internals:
            internals_panel(spec, cfg)

if degrade.open:
    with degrade:
        st.markdown(
            "He et al. (2016) found that a deeper plain network ends with a *higher training error* "
            "than a shallower "
            "one — not overfitting but an optimisation failure. Here a plain stack and its residual twin "
            "(same "
            "layers, same initial weights, parameter-free shortcuts) train side by side on digits."
        )
        degradation_section()

if family.open:
    with family:
        family_chart_panel()
