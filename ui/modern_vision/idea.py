"""The Idea tab of the Mixer & Swin page: what replaces convolution in MLP-Mixer (two MLPs, one across
patches and one across channels) and in Swin (attention in local windows that shift, a pyramid by patch
merging), with their formulas and costs."""

from __future__ import annotations

import streamlit as st


def idea_tab() -> None:
    st.markdown(
        "A convolution mixes information two ways at once: across **positions** (its kernel slides over "
        "neighbouring pixels) and across **channels** (each output channel sums all input channels). The "
        "Vision Transformer showed that attention over image patches can do the first. Two 2021 designs "
        "take it further, from opposite sides."
    )
    c1, c2 = st.columns(2)
    with c1:
        _mixer()
    with c2:
        _swin()


def _mixer() -> None:
    st.subheader("MLP-Mixer: only MLPs")
    st.markdown(
        r"Tolstikhin et al. cut the image into $S$ patches, project each to $C$ channels, and get a table "
        r"$X$ of $S \times C$ numbers. Each layer applies two MLPs with GELU $\sigma$: **token mixing** "
        r"reads one column (a channel over all patches), **channel mixing** one row (a patch over all its "
        r"channels):"
    )
    st.latex(
        r"\begin{aligned} U_{*,i} &= X_{*,i} + W_2\,\sigma\!\left(W_1\,\mathrm{LN}(X)_{*,i}\right) \\ "
        r"Y_{j,*} &= U_{j,*} + W_4\,\sigma\!\left(W_3\,\mathrm{LN}(U)_{j,*}\right) \end{aligned}"
    )
    st.markdown(
        r"$W_1$ is $D_S \times S$: one weight per **patch position**, shared by all channels, so each "
        r"hidden unit of the token MLP looks at the image through a fixed spatial pattern (the Mixer tab "
        r"draws them on the patch grid). $W_3$ is $D_C \times C$, shared by all patches: a $1 \times 1$ "
        r"convolution. No attention, no position embedding (the token MLP knows every position), and a "
        r"cost linear in $S$. Mixer-B/16 reads 196 patches of 16×16 pixels, $C = 768$, $D_S = 384$, "
        r"$D_C = 3072$, 12 layers: 59,880,472 parameters."
    )


def _swin() -> None:
    st.subheader("Swin: attention in shifted windows")
    st.markdown(
        r"Liu et al. keep attention but only inside $M \times M$ windows of tokens ($M = 7$), and add a "
        r"learned **relative position bias** $B$, read from a table of $(2M-1)^2$ entries per head by the "
        r"offset between two tokens:"
    )
    # Attention(Q, K, V) on one line was 528 px in presenter mode at 1400 px, over the 510 px column
    st.latex(r"\mathrm{Attn}(Q, K, V) = \mathrm{SoftMax}\!\left(\tfrac{QK^{\top}}{\sqrt{d}} + B\right)V")
    st.markdown(
        r"For a map of $h \times w$ tokens of width $C$, global attention costs grow with $(hw)^2$, window "
        r"attention only with $hw$:"
    )
    st.latex(
        r"\begin{aligned} \Omega(\text{MSA}) &= 4hwC^2 + 2(hw)^2C \\ "
        r"\Omega(\text{W-MSA}) &= 4hwC^2 + 2M^2hwC \end{aligned}"
    )
    st.markdown(
        r"Every second block **shifts** the windows by $\lfloor M/2 \rfloor$ tokens, so that information "
        r"crosses window borders: the map is rolled cyclically and a mask keeps apart the tokens that the "
        r"roll brought together from opposite edges. Between stages, **patch merging** joins each 2×2 "
        r"group of tokens ($4C$ channels) and projects it to $2C$: the map halves, the width doubles, a "
        r"pyramid like a CNN's that detection and segmentation heads can use. Swin-T: 28,288,354 "
        r"parameters."
    )
