"""The Idea tab of the multimodal page: two encoders, one embedding space; CLIP's symmetric contrastive
loss (InfoNCE over the rows and over the columns of the similarity matrix) with its learned temperature;
zero-shot classification by prompts; and how a DALL-E-style transformer turns the direction around."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    st.markdown(
        "A photo and its caption say the same thing in two languages. **CLIP** (Radford et al., 2021) "
        "trains an **image encoder** $f$ and a **text encoder** $g$ so that the two land on nearby points "
        "of one shared space: after a linear projection each embedding is scaled to unit length, and the "
        "cosine similarity $s_{ij} = f(x_i)^\\top g(t_j)$ says how well image $i$ and caption $j$ match. "
        "It learned from 400 million image-caption pairs of the web, without a single class label."
    )
    c1, c2 = st.columns(2)
    with c1:
        _loss()
    with c2:
        _zero_shot()
    st.subheader("The architecture")
    st.markdown(
        "The image tower of CLIP ViT-B/32 is a Vision Transformer: 224×224 pixels cut into 7×7 patches of "
        "32×32, a learned [CLS] token, 12 pre-norm blocks of width 768, one more LayerNorm before them; "
        "the [CLS] output is projected to 512 numbers. The text tower is a 12-block causal transformer of "
        "width 512 over at most 77 tokens of a 49,408-word byte-pair vocabulary, read at the end-of-text "
        "token and projected to 512. Together 151,277,313 parameters, one of them the temperature."
    )
    st.markdown(
        "**Generation** turns the direction around: DALL-E (Ramesh et al., 2021) writes an image as a "
        "sequence of discrete tokens after the caption's tokens, one token at a time, with a decoder-only "
        "transformer; the Diffusion page's latent diffusion denoises a latent image guided by the caption. "
        "CLIP itself was used to rank DALL-E's samples by how well they match the caption."
    )


def _loss() -> None:
    st.subheader("The symmetric contrastive loss")
    st.markdown(
        r"In a batch of $N$ pairs, the logits are the similarities divided by a temperature $\tau$; each "
        r"image must pick its own caption among the $N$ (a softmax over row $i$), and each caption its own "
        r"image (a softmax over column $j$):"
    )
    st.latex(
        r"\begin{aligned} \ell_{ij} &= s_{ij} / \tau \\ "
        r"\mathcal{L}_{\text{img}} &= -\frac{1}{N}\sum_{i} \log "
        r"\frac{e^{\ell_{ii}}}{\sum_{j} e^{\ell_{ij}}} \\ "
        r"\mathcal{L}_{\text{txt}} &= -\frac{1}{N}\sum_{j} \log "
        r"\frac{e^{\ell_{jj}}}{\sum_{i} e^{\ell_{ij}}} \\ "
        r"\mathcal{L} &= \tfrac{1}{2}\left(\mathcal{L}_{\text{img}} + \mathcal{L}_{\text{txt}}\right)"
        r"\end{aligned}"
    )
    st.markdown(
        r"This is InfoNCE twice, as SimCLR uses it between two views of an image, here between two "
        r"modalities. The temperature is learned: the model keeps $t = \log(1/\tau)$, starts at "
        r"$\tau = 0.07$ (a scale of $1/0.07 \approx 14.3$) and clips the scale at 100. A small $\tau$ "
        r"sharpens the softmax, so that near misses cost more as training goes on."
    )


def _zero_shot() -> None:
    st.subheader("Zero-shot classification and retrieval")
    st.markdown(
        r"To classify without training a classifier, write each class as a caption, a **prompt** such as "
        r"'a photo of a dog'; encode the prompts once; an image belongs to the class whose prompt "
        r"embedding is closest:"
    )
    st.latex(r"\hat{y} = \arg\max_{k} \; f(x)^\top g(\text{prompt}_k)")
    st.markdown(
        "CLIP averages the embeddings of many prompts per class (80 templates for ImageNet), a **prompt "
        "ensemble**. The same similarities give **retrieval** in both directions: sort images by their "
        "similarity to a text, or captions by their similarity to an image."
    )
    st.markdown(
        "On this page a small CLIP learns on scenes of coloured shapes. Six combinations of shape and "
        "colour (a red circle, a white square, …) never appear in its training captions; it is then asked "
        "to name the shape of exactly those images, from prompts alone."
    )
