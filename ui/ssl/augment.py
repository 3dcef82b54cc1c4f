"""The augmentation playground: the positive pairs that the chosen augmentations make from coloured shapes
or digits. Two views of one image are what a contrastive method must map close together, so the
augmentations decide what the encoder learns to ignore (position, size, colour, sharpness, noise)."""

from __future__ import annotations

import streamlit as st

from data.augment import AUGMENTATIONS, positive_pairs
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.ssl.common import OP_NAMES, SOURCES, as_tensor, augmentation_picker, images
from viz.ssl import pairs_figure

KEY = "ssl.aug"


def augment_lab() -> None:
    st.markdown(
        "SimCLR learns what stays the same when an image is transformed: each column below is one image and "
        "the two views the pipeline drew of it, a **positive pair**. Whatever the augmentations change "
        "(place, size, colour, sharpness), the encoder is trained to ignore; what they keep (here, the "
        "kind of shape or the digit) is what it must capture. Chen et al. (2020) found random crops "
        "together with colour distortion the combination that matters most: with crops alone, the colour "
        "histogram of two views already gives their pair away."
    )
    c = st.columns([2, 3, 1, 1])
    source = SOURCES[c[0].radio("Images", list(SOURCES), horizontal=True, key=child(KEY, "data"))]
    ops, strength = augmentation_picker(KEY, [c[1], c[2]])
    draw = c[3].number_input(
        "Draw", 0, 999, 0, 1, key=child(KEY, "draw"), help="Another draw of the random augmentations."
    )
    x, y, names = images(source, 8, state.seed())
    v1, v2 = positive_pairs(as_tensor(x), ops, strength, seed=state.seed() * 1000 + int(draw))
    what = ", ".join(OP_NAMES[o] for o in ops) if ops else "no augmentation: the two views equal the image"
    plotly_chart(
        pairs_figure(
            x, v1.numpy(), v2.numpy(), title=f"{what} (strength {strength:g})", names=[names[k] for k in y]
        ),
        key=child(KEY, "pairs"),
    )
    with st.expander("What each augmentation does"):
        st.markdown("\n".join(f"- **{OP_NAMES.get(k, k)}**: {v}" for k, v in AUGMENTATIONS.items()))
