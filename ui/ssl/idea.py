"""The Idea tab of self-supervised learning: pretext tasks, contrastive learning (SimCLR's NT-Xent and its
temperature), alignment and uniformity, non-contrastive learning (BYOL's loss, its EMA target and why it
does not collapse) and masked modelling (MAE's masking ratio), each with the formula that defines it."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    c1, c2 = st.columns(2)
    with c1:
        _contrastive()
    with c2:
        _non_contrastive_and_masked()


def _contrastive() -> None:
    st.markdown(
        "**Labels from the data itself.** A self-supervised method invents a task whose answer is in the "
        "input, and trains an encoder on it; the representation it learns is then read by a small "
        "classifier (a **linear probe** on the frozen encoder) or fine-tuned with few labels. Four kinds:"
    )
    st.markdown(
        "- **Pretext tasks**: predict how an image was rotated (Gidaris et al., 2018), where a patch sits "
        "(Doersch et al., 2015), the colours of a grey image.\n"
        "- **Contrastive**: two views of one image close, views of other images far (SimCLR, MoCo).\n"
        "- **Non-contrastive**: two views close, with no negatives at all (BYOL, SimSiam).\n"
        "- **Masked modelling**: hide parts of the input and predict them (BERT for words, MAE for pixels)."
    )
    st.markdown(
        r"**SimCLR** (Chen et al., 2020) draws two augmentations $t, t' \sim \mathcal{T}$ of each image, "
        r"encodes each view, $h = f(\tilde x)$, and projects it, $z = g(h)$. In a batch of $N$ images "
        r"the $2N$ views give every view one **positive** (its twin) and $2N - 2$ negatives. The "
        r"**NT-Xent** loss is a softmax over cosine similarities at temperature $\tau$:"
    )
    st.latex(
        r"\begin{aligned} \ell_{i,j} &= -\log \frac{e^{\,s_{ij}/\tau}}"
        r"{\sum_{k \ne i} e^{\,s_{ik}/\tau}} \\ "
        r"s_{ij} &= \frac{z_i^\top z_j}{\lVert z_i \rVert\, \lVert z_j \rVert} \end{aligned}"
    )
    st.markdown(
        r"averaged over all $2N$ rows. A small $\tau$ sharpens the softmax: the loss then looks only at the "
        r"hardest negatives, the most similar wrong views. SimCLR keeps $h$, not $z$, for later tasks: the "
        r"projection head throws away what the augmentations vary."
    )
    st.markdown(
        r"**Alignment and uniformity** (Wang & Isola, 2020): on the unit sphere a good embedding $f$ puts "
        r"positive pairs close and spreads all points evenly:"
    )
    st.latex(
        r"\begin{aligned} \mathcal{L}_{\text{align}} &= \mathbb{E}_{\text{pos}}"
        r"\lVert f(x) - f(y) \rVert^2 \\ "
        r"\mathcal{L}_{\text{unif}} &= \log \mathbb{E}\, e^{-2 \lVert f(x) - f(y) \rVert^2} \end{aligned}"
    )
    st.markdown("NT-Xent optimises both at once: its numerator aligns, its denominator spreads.")


def _non_contrastive_and_masked() -> None:
    st.markdown(
        r"**BYOL** (Grill et al., 2020) has no negatives. An **online** network (encoder, projector and a "
        r"**predictor** $q_\theta$) predicts, from one view, what a **target** network says of the other: "
        r"$p = q_\theta(g_\theta(f_\theta(v)))$ against $z' = g_\xi(f_\xi(v'))$, both normalised:"
    )
    st.latex(
        r"\mathcal{L}_{\theta} = 2 - 2\, \frac{\langle p, z' \rangle}{\lVert p \rVert\, \lVert z' \rVert}"
    )
    st.markdown(
        r"symmetrised over the two views. Gradients reach only $\theta$ (a **stop-gradient** on the "
        r"target); the target's weights $\xi$ trail the online weights as an exponential moving average, "
        r"with a rate $m$ from 0.996 towards 1:"
    )
    st.latex(r"\xi \leftarrow m\, \xi + (1 - m)\, \theta")
    st.markdown(
        "**Why does it not collapse?** Mapping every image to one point would make the loss 0. BYOL avoids "
        "it only through its asymmetry: the predictor, the stop-gradient and the slowly moving target. Take "
        "away the stop-gradient (or the predictor) and the embeddings shrink to a point: their **spread** "
        "falls to 0 (the Collapse tab). SimSiam (Chen & He, 2021) shows the stop-gradient is the key part."
    )
    st.markdown(
        r"**MAE** (He et al., 2021) cuts the image into patches and hides a random **75 %** of them. The "
        r"encoder, a ViT, sees only the visible quarter; a light decoder gets the encoded patches plus a "
        r"learned mask token at every hidden place and predicts the pixels. The loss counts only the "
        r"masked patches $M$:"
    )
    st.latex(r"\mathcal{L} = \frac{1}{|M|} \sum_{i \in M} \lVert \hat x_i - x_i \rVert^2")
    st.markdown(
        "Images are redundant: with few patches masked, filling them in is interpolation from neighbours; "
        "a high ratio forces the encoder to understand shapes, and encoding a quarter of the patches makes "
        "pre-training about three times faster."
    )
