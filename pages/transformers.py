"""Transformers: attention explained, encoder vs decoder vs encoder-decoder, the model zoo, live training."""

import streamlit as st

from ui.boot import ensure_app
from ui.forms import config_form
from ui.lessons import lesson_bar
from ui.links import tabs
from ui.panels import arch_picker, graph_panel, summary_panel
from ui.transformer.panels import architecture_attention, comparison, explainer
from ui.transformer.train import train_tab

ensure_app()

st.title("Transformers")
st.markdown(
    "A transformer reads a whole sequence at once. In every layer each token asks a question (its "
    "query), compares it with every token's key, and takes a weighted average of their values: "
    "**attention**. A feed-forward layer then works on each token alone. Residual connections and layer "
    "normalisation keep deep stacks trainable."
)
st.latex(
    r"\begin{aligned} x &\leftarrow x + \mathrm{MultiHead}(\mathrm{LN}(x)) \\"
    r" x &\leftarrow x + \mathrm{FFN}(\mathrm{LN}(x)) \\"
    r" \mathrm{FFN}(x) &= W_2\,\sigma(W_1 x + b_1) + b_2 \end{aligned}"
)

lesson_bar("tx")
idea, families, explore, train = tabs(
    ["Attention explained", "Encoder · decoder · both", "Architectures", "Train"], key="tx.tab"
)

if idea.open:
    with idea:
        st.markdown(
            "Type a sentence: each word gets a vector, and one attention layer with small random weights "
            "runs on it. Every step below is the real computation; hover over a cell for its value."
        )
        explainer()

if families.open:
    with families:
        st.markdown(
            "The same block, three ways to wire it. What differs is the **mask** (who may look at whom) and "
            "what the model is **trained** to predict."
        )
        comparison()

if explore.open:
    with explore:
        spec, preset = arch_picker("transformer", key="tx", default="gpt2_small")
        with st.expander("Hyperparameters", expanded=preset == "tiny"):
            cfg = config_form(spec, key="tx", preset=preset)
        graph, summary, attention = tabs(["Graph", "Summary", "Attention"], key="tx.view")

if explore.open and cfg is not None:  # the Architectures tab and its own tabs
    if graph.open:
        with graph:
            st.caption(
                "Blocks repeated N times are drawn once as ×N: expand them to see every layer. Canonical "
                "models "
                "are traced on the meta device (shapes only), so even GPT-3 draws without memory."
            )
            graph_panel(spec, cfg, key="tx.g")
    if summary.open:
        with summary:
            summary_panel(spec, cfg, key="tx.s")
    if attention.open:
        with attention:
            st.markdown(
                "Attention weights of every layer and head on your input, one head large, and the rollout "
                "through the layers. For ViT, the [CLS] token's attention over the patch grid of a digit."
            )
            architecture_attention(spec, cfg, key="tx.a")

if train.open:
    with train:
        st.markdown(
            "Train a small transformer here and watch it learn: a character GPT writes in the style of "
            "Python's documentation, a character BERT fills in blanks, an encoder-decoder learns toy "
            "text-to-text tasks, a ViT reads digits. Changing a setting resets the run."
        )
        train_tab()
