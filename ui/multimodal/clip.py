"""The CLIP labs of the multimodal page. ``clip_lab``: a small CLIP trained live on captioned shapes (the
similarity matrix of held-out images and captions, the loss, the learned temperature, zero-shot accuracy
and its confusion). ``retrieval_tab``: with that model, type a prompt to rank images, or pick an image to
rank every caption; and the snapshot's zero-shot confusion."""

from __future__ import annotations

import streamlit as st
import torch

from archs import ConfigError
from training.multimodal.clip_recipes import held_out_pairs
from training.multimodal.clip_trainer import rank_captions, rank_images
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import current_job, train_panel
from viz.images import confusion_figure
from viz.multimodal import (
    clip_curves,
    ranked_captions_figure,
    ranked_images_figure,
    similarity_figure,
    temperature_figure,
)

KEY = "multimodal.clip"
TRAIN_KEY = child(KEY, "train")
ZS = "multimodal.zs"
RECIPE = "clip_shapes"


def _settings() -> dict:
    recipe = get_recipe(RECIPE)
    c = st.columns(3)
    default = int(recipe.train_params["num_steps"])
    steps = c[0].select_slider(
        "Steps", sorted({100, 200, default, 600, 1000}), default, key=child(KEY, "steps")
    )
    batch = c[1].select_slider(
        "Batch size N",
        (16, 32, 64, 128, 256),
        int(recipe.train_params["batch_size"]),
        key=child(KEY, "batch"),
        help="Pairs per batch: each image must find its caption among N (and each caption its image).",
    )
    temp = c[2].select_slider(
        "Starting temperature τ",
        (0.01, 0.03, 0.07, 0.2, 0.5, 1.0),
        0.07,
        key=child(KEY, "temp"),
        help="CLIP starts at 0.07 and learns it; a large τ makes every softmax nearly flat at first.",
    )
    return dict(
        num_steps=int(steps),
        batch_size=int(batch),
        init_temperature=float(temp),
        seed=state.seed(),
        device=state.device(),
    )


def clip_lab() -> None:
    pairs = ", ".join(f"{c} {k}" for k, c in held_out_pairs())
    st.markdown(
        "A small CLIP (a 2-block ViT reading 48-pixel scenes in 3×3 patches of 16, a 2-block causal text "
        "transformer over the caption words) learns which caption belongs to which image. Training never "
        f"shows these six combinations: **{pairs}**. The matrix below compares eight images of them with "
        "their captions: as training goes on, the diagonal, the true pairs, lights up."
    )
    s = _settings()
    recipe = get_recipe(RECIPE)

    def render(snap: dict, d) -> None:
        left, right = st.columns([3, 2])
        with left:
            plotly_chart(
                similarity_figure(
                    snap["sim"], snap["gallery"], snap["sim_captions"], 1 / snap["logit_scale"]
                ),
                key=child(TRAIN_KEY, "view", "sim"),
            )
        with right:
            if snap["temperature"]:
                plotly_chart(
                    temperature_figure(snap["temperature"], s["init_temperature"]),
                    key=child(TRAIN_KEY, "view", "temp"),
                )
            ev = snap.get("last_eval") or {}
            if "zeroshot_acc" in ev:
                kind, color, mean = (
                    ev[k] for k in ("zeroshot_acc", "zeroshot_color_acc", "zeroshot_mean_acc")
                )
                st.markdown(
                    f"**Zero-shot**, on {len(d.x_test)} images of the unseen combinations: the closest "
                    f"prompt names the right shape for **{kind:.0%}** of them (the right colour for "
                    f"{color:.0%}); CLIP's averaged prompts: {mean:.0%}. Chance is 1 in 6."
                )

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        render=render,
        untrained=True,
        step_sizes=(1, 10, 50),
        curve_figure=clip_curves,
    )


def retrieval_tab() -> None:
    job = current_job(TRAIN_KEY)
    if job is None:
        st.info(
            "This tab uses the model of the **CLIP** tab: open it and press **Train** (about 150 steps "
            "reach over 90 % zero-shot accuracy), then come back here.",
            icon=":material/info:",
        )
        return
    trainer = job.trainer
    steps = job.snapshot().get("step", 0)
    if not steps:
        st.warning(
            "The CLIP tab's model is still untrained: the rankings below are those of random weights.",
            icon=":material/warning:",
        )
    _text_to_image(job, trainer)
    _image_to_text(job, trainer)
    snap = job.snapshot()
    if snap.get("confusion") is not None and snap["confusion"].sum():
        st.subheader("Zero-shot confusion on the unseen combinations")
        plotly_chart(confusion_figure(snap["confusion"], trainer.kinds, height=360), key=child(ZS, "cm"))


def _text_to_image(job, trainer) -> None:
    st.subheader("Text → images")
    prompt = st.text_input(
        "Prompt",
        "a red circle at the top left",
        key=child(ZS, "prompt"),
        help="Words of the shape captions: a colour, a shape, a position (top, bottom, left, right, center).",
    )
    try:
        trainer.tokenizer.encode(prompt)
    except ConfigError as e:
        st.error(str(e), icon=":material/block:")
        return
    with job.lock, torch.no_grad():
        trainer.model.eval()
        order, cos = rank_images(trainer.model, prompt, trainer.gallery, trainer.tokenizer)
    top = [(int(i), float(c)) for i, c in zip(order[:6], cos[:6], strict=True)]
    gallery = job.snapshot()["gallery"]
    plotly_chart(
        ranked_images_figure(gallery, top, f"The {len(gallery)} gallery images closest to “{prompt}”"),
        key=child(ZS, "t2i"),
    )
    st.caption("Best match: " + trainer.gallery_captions[top[0][0]] + ".")


def _image_to_text(job, trainer) -> None:
    st.subheader("Image → captions")
    caps = trainer.gallery_captions
    i = st.selectbox(
        "Image of the gallery",
        range(len(caps)),
        format_func=lambda j: f"{j}: {caps[j]}",
        key=child(ZS, "image"),
        help="The first eight show combinations never seen in training.",
    )
    with job.lock, torch.no_grad():
        trainer.model.eval()
        ranked = rank_captions(trainer.model, trainer.gallery[int(i)], trainer.captions, trainer.tokenizer)
    gallery = job.snapshot()["gallery"]
    c = st.columns([1, 3])
    c[0].image(gallery[int(i)], caption=caps[int(i)], width=144)
    with c[1]:
        plotly_chart(
            ranked_captions_figure(ranked[:6], f"The closest of all {len(ranked)} captions"),
            key=child(ZS, "i2t"),
        )
