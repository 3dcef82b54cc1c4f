"""The DALL-E lab: train ``dalle_shapes`` live (the VQ-VAE tokenizer first, then the transformer over the
caption and image tokens), type a caption and watch the 8×8 grid of image codes being written token by
token, then decoded to pixels. Latent diffusion on the Diffusion page answers the same captions with
another generator."""

from __future__ import annotations

import streamlit as st

from archs.spec import ConfigError
from training.multimodal.dalle_trainer import VOCAB, text_to_image
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.nav import page_by_path, page_link
from ui.train_panel import current_job, train_panel
from viz.multimodal import codebook_usage_figure, dalle_image_row, token_grid_figure

KEY = "multimodal.dalle"
TRAIN_KEY = child(KEY, "train")


def _render(snap: dict, data) -> None:
    """The live views: stage, reconstructions and code usage, then samples for fixed captions."""
    stage = snap.get("stage", "tokenizer")
    st.caption(
        f"Stage: **{'1, the VQ-VAE tokenizer' if stage == 'tokenizer' else '2, the transformer'}** "
        f"(the tokenizer trains for the first {snap.get('vq_steps', 0):,} steps, then is frozen)."
    )
    left, right = st.columns(2)
    with left:
        st.markdown("**Test images (top) and their reconstructions from 8×8 codes (bottom)**")
        both = list(snap["originals"]) + list(snap["reconstructions"])
        plotly_chart(dalle_image_row(both, ncols=8, scale=6), key=child(TRAIN_KEY, "view", "recon"))
    with right:
        plotly_chart(codebook_usage_figure(snap["codebook_usage"]), key=child(TRAIN_KEY, "view", "usage"))
    if snap.get("samples") is not None:
        st.markdown("**Drawn token by token for fixed captions** (top-k 8)")
        titles = [c.replace("in the center", "").replace("a ", "", 1) for c in snap["captions"]]
        plotly_chart(
            dalle_image_row(snap["samples"], titles, ncols=6, scale=5),
            key=child(TRAIN_KEY, "view", "samples"),
        )


def _generate(caption: str, temperature: float, top_k: int, seed: int) -> None:
    job = current_job(TRAIN_KEY)
    if job is None:
        st.info("Train the model above first (or press Step): then it can draw your caption.")
        return
    with job.lock:
        res = text_to_image(job.trainer.model, [caption] * 4, temperature, top_k or None, seed, fill_frames=8)
    step = job.trainer.step_count
    who = "the untrained network" if step == 0 else f"the model at step {step:,}"
    if job.trainer.task.stage == "tokenizer":
        st.warning("The transformer has not trained yet (stage 1 is still running): these codes are random.")
    st.markdown(f"**{caption}**: four samples (seeds {seed}…) of {who}")
    plotly_chart(dalle_image_row(res["images"], ncols=4, scale=6), key=child(KEY, "imgs"))
    counts = res["fill_counts"]
    i = st.select_slider("Tokens drawn", counts, counts[-1], key=child(KEY, "frame"))
    j = counts.index(i)
    a, b = st.columns(2)
    with a:
        plotly_chart(
            dalle_image_row(res["fill_images"][j, :1], scale=8, height=300), key=child(KEY, "fillimg")
        )
        st.caption("Places not drawn yet are decoded as the grid's commonest code (the background).")
    with b:
        fig = token_grid_figure(res["fill_tokens"][j, 0], f"the first sample's codes after {i} tokens")
        plotly_chart(fig, key=child(KEY, "grid"))


def dalle_tab() -> None:
    st.markdown(
        "DALL-E turns an image into a grid of discrete codes with a VQ-VAE-like tokenizer, then treats "
        "*caption + image codes* as one sentence: a GPT-style transformer learns to write the next token. "
        "To draw, the caption goes in and the codes come out one at a time, left to right, top to bottom."
    )
    c = st.columns(2)
    steps = c[0].select_slider("Training steps", (300, 800, 2000, 4000), value=2000, key=child(KEY, "steps"))
    c[1].caption(
        "The first 60 % of the steps train the tokenizer; then it is frozen and the transformer learns."
    )
    settings = dict(num_steps=steps, seed=state.seed(), device=state.device())
    train_panel(
        TRAIN_KEY,
        lambda: get_recipe("dalle_shapes").trainer(**settings),
        signature=repr(sorted(settings.items())),
        render=_render,
        untrained=True,
    )
    st.subheader("Caption → image, token by token")
    caption = st.text_input(
        "Caption",
        "a red circle at the top left",
        key=child(KEY, "caption"),
        help="Words: " + ", ".join(VOCAB.itos),
    )
    c = st.columns(3)
    temperature = c[0].slider("Temperature", 0.1, 2.0, 1.0, 0.1, key=child(KEY, "temp"))
    top_k = c[1].slider("Top-k (0 = all codes)", 0, 64, 8, key=child(KEY, "topk"))
    seed = int(c[2].number_input("Seed", 0, 10_000, 0, key=child(KEY, "seed")))
    try:
        VOCAB.encode(caption)
    except ConfigError as e:
        st.error(str(e), icon=":material/block:")
    else:
        _generate(caption, temperature, top_k, seed)
    page = page_by_path("pages/diffusion.py")
    if page is not None:
        page_link(
            page,
            "The same captions by latent diffusion",
            {"dif.tab": "Text to image"},
            help="Denoising a latent in many small steps, instead of writing tokens one by one.",
        )
