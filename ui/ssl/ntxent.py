"""The NT-Xent explorer: a batch of N images, two views each, embedded by raw pixels, an untrained encoder
or the encoder the Train tab is training; the 2N×2N cosine similarities with each row's positive marked,
the loss of every row, and how the temperature τ sharpens one row's softmax."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

import archs
from data.augment import positive_pairs
from training.ssl.losses import nt_xent
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.ssl.common import SOURCES, as_tensor, augmentation_picker, images
from ui.ssl.train import encoder_job
from viz.ssl import row_loss_figure, similarity_figure, temperature_figure, view_names

KEY = "ssl.nt"
EMBEDDINGS = ("raw pixels (centred)", "untrained encoder", "the Train tab's encoder")
TAUS = (0.05, 0.2, 1.0)


@st.cache_resource(show_spinner=False, max_entries=4)
def _untrained(channels: int, seed: int):
    """A SimCLR encoder and head as initialised (shared by every session; only read, in eval mode)."""
    torch.manual_seed(seed)
    return archs.build_model("simclr", "tiny", in_channels=channels).eval()


def _project(model, x: torch.Tensor) -> torch.Tensor:
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model.project(model.encode(x.to(next(model.parameters()).device))).cpu()  # (2N, D)
    finally:
        model.train(was)


def _embed(kind: str, v1: torch.Tensor, v2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """z for both views of the batch, (N, D) each; None where the Train tab has no encoder for them."""
    both = torch.cat([v1, v2])  # (2N, C, H, W)
    if kind == EMBEDDINGS[0]:
        flat = both.flatten(1)  # (2N, C·H·W)
        return (flat - flat.mean(0, keepdim=True)).chunk(2)  # raw pixels share a large mean: compare the rest
    if kind == EMBEDDINGS[1]:
        return _project(_untrained(int(v1.shape[1]), state.seed()), both).chunk(2)
    job = encoder_job()
    if job is None or tuple(job.trainer.data.input_shape) != tuple(v1.shape[1:]):
        return None
    with job.lock:  # between two training slices (a worker's weights are fetched on entering)
        return _project(job.trainer.model, both).chunk(2)


def ntxent_lab() -> None:
    st.markdown(
        "A batch of N images gives 2N views. Each row of the matrix is one view as the **anchor**: its "
        "softmax over the 2N − 1 other views should put its mass on its twin (ringed), the positive. "
        "The loss of a row is −log of that probability; NT-Xent is their mean. Choose how the views are "
        "embedded: raw pixels barely tell twins apart once the views are cropped and recoloured; an "
        "encoder trained on the Train tab does."
    )
    c = st.columns([2, 1, 1, 2])
    source = SOURCES[c[0].radio("Images", list(SOURCES), horizontal=True, key=child(KEY, "data"))]
    n = int(c[1].number_input("Batch N", 1, 16, 6, 1, key=child(KEY, "n"), help="Images in the batch."))
    tau = float(
        c[2].number_input(
            "Temperature τ",
            value=0.5,
            step=0.05,
            format="%.3f",
            key=child(KEY, "tau"),
            help="Divides every similarity before the softmax: small τ sharpens it (SimCLR uses 0.1–0.5).",
        )
    )
    kind = c[3].selectbox("Embedding", EMBEDDINGS, key=child(KEY, "emb"))
    ops, strength = augmentation_picker(KEY)
    x, _y, _names = images(source, n, state.seed())
    v1, v2 = positive_pairs(as_tensor(x), ops, strength, seed=state.seed())
    z = _embed(kind, v1, v2)
    if z is None:
        st.info(
            "The Train tab has no encoder for these images yet: train SimCLR or BYOL there (on the same "
            "images), then come back.",
            icon=":material/info:",
        )
        return
    try:
        loss, info = nt_xent(z[0], z[1], tau)
    except ValueError as e:
        st.error(f"**Cannot compute NT-Xent.** {e}", icon=":material/block:")
        return
    sim = info["sim"].numpy()
    positive = info["positive"].numpy()
    row_loss = info["row_loss"].numpy()
    names = view_names(n)
    anchor = names.index(
        st.columns([1, 3])[0].selectbox(
            "Anchor row for the softmax",
            names,
            key=child(KEY, "anchor"),
            help="Views 1…N are first views, 1′…N′ their twins.",
        )
    )
    left, right = st.columns([1, 1])
    with left:
        st.markdown(f"**Cosine similarities**: NT-Xent = {float(loss):.3f} at τ = {tau:g}")
        plotly_chart(similarity_figure(sim, positive), key=child(KEY, "sim"))
    with right:
        plotly_chart(row_loss_figure(row_loss, chosen=anchor), key=child(KEY, "rows"))
        hit = int(np.sum(np.argmax(np.where(np.eye(len(sim), dtype=bool), -np.inf, sim), 1) == positive))
        st.markdown(
            f"In {hit} of {2 * n} rows the most similar other view is the twin. A row that cannot tell its "
            f"twin from the other views (all similarities equal) costs log({2 * n - 1}) = "
            f"{np.log(2 * n - 1):.2f}."
        )
    taus = tuple(sorted({*TAUS, tau}))
    plotly_chart(
        temperature_figure(sim[anchor], anchor, int(positive[anchor]), taus), key=child(KEY, "tau_fig")
    )
    st.caption(
        f"Anchor {names[anchor]}: each line is its softmax at one τ (the positive, "
        f"{names[positive[anchor]]}, drawn large). Right: the positive's probability and the row's loss "
        "as τ varies."
    )
