"""The augmentation page's vision labs: every operation on digits, shapes or a checked upload, mixup and
cutmix with their mixed labels, a RandAugment policy, and the small-data experiment (the recipe
``augment_digits``: one network on 50 digits per class, with and without each augmentation)."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from data.augment import ALL_OPS, POLICY_OPS, apply_ops, cutmix, mixup, rand_augment
from data.digits import digits
from data.images import ImageRejected, load_image
from data.shapes import KINDS, draw
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.augmentation import accuracy_curves, gain_table, gallery_figure, mix_figure

KEY = "aug"
SOURCES = ("digits", "shapes", "upload")
EXPERIMENT = {
    "none": (),
    "rotate + shift": ("rotate", "shift"),
    "RandAugment": ("randaugment",),
    "erase (cutout)": ("erase",),
    "mixup": ("mixup",),
    "cutmix": ("cutmix",),
}


def _source_images(key: str, n: int) -> tuple[np.ndarray, list[str]] | None:
    """``n`` grey images (n, 1, 28, 28) in [0, 1] and their names, from the chosen source."""
    src = st.segmented_control("Images", SOURCES, default="digits", key=child(key, "src"))
    rng = np.random.default_rng(state.seed())
    if src == "upload":
        f = st.file_uploader(
            "An image (PNG, JPEG, GIF, BMP or WebP; at most 5 MB)",
            type=["png", "jpg", "jpeg", "gif", "bmp", "webp"],
            key=child(key, "upload"),
        )
        if f is None:
            st.info("Upload a picture; it is turned grey and scaled to 28 pixels on its longer side.")
            return None
        try:
            img = load_image(f.getvalue(), size=28)
        except ImageRejected as e:
            st.error(f"**This upload cannot be used.** {e}", icon=":material/block:")
            return None
        canvas = np.zeros((28, 28), np.float32)
        canvas[: img.shape[0], : img.shape[1]] = img
        return np.repeat(canvas[None, None], n, 0), ["upload"] * n
    if src == "shapes":
        kinds = [KINDS[int(k)] for k in rng.integers(0, len(KINDS), n)]
        x = np.stack([draw(k, 28, 14, 14, 8)[None] for k in kinds]).astype(np.float32)
        return x, kinds
    d = digits(size=28)
    pick = rng.choice(len(d.x_test), n, replace=False)
    return d.x_test[pick].astype(np.float32), [str(int(d.y_test[i])) for i in pick]


def _magnitude(where, key: str, label: str = "Magnitude") -> float:
    return float(
        where.slider(
            label,
            0.0,
            1.0,
            0.5,
            0.05,
            key=key,
            help="0 leaves the images as they are; 1 is each operation's largest setting (see the table).",
        )
    )


def vision_lab() -> None:
    st.markdown(
        "Each tile is one image of the batch after the chosen operations; every image draws its own random "
        "angle, offset or patch, so one batch holds many versions of the data. An augmentation is only "
        "useful if it keeps the label: a turned 6 is still a 6 up to about 30°, a mirrored 2 is not a 2."
    )
    c = st.columns([3, 1, 1])
    ops = c[0].multiselect(
        "Operations",
        list(ALL_OPS),
        default=["rotate", "shift"],
        key=child(KEY, "ops"),
        help=" · ".join(f"{k}: {v}" for k, v in ALL_OPS.items()),
    )
    m = _magnitude(c[1], child(KEY, "mag"))
    draw_no = c[2].number_input("Draw", 0, 999, 0, key=child(KEY, "draw"), help="Another random draw.")
    got = _source_images(KEY, 16)
    if got is None:
        return
    x, names = got
    try:
        out = apply_ops(torch.from_numpy(x), tuple(ops), m, torch.Generator().manual_seed(int(draw_no)))
    except ValueError as e:
        st.error(f"These settings cannot be applied: {e}.")
        return
    plotly_chart(gallery_figure(out.numpy(), names), key=child(KEY, "gallery"))
    with st.expander("What each operation does"):
        st.markdown("\n".join(f"- **{k}**: {v}" for k, v in ALL_OPS.items()))


def mix_lab() -> None:
    st.markdown(
        "**mixup** blends two images and their labels with one weight λ drawn from Beta(α, α); **cutmix** "
        "pastes a box of one image into another and mixes the labels by the area each keeps. The captions "
        "are the labels the network is trained on: no longer one class, but a share of two."
    )
    c = st.columns([1, 1, 1])
    kind = c[0].radio("Method", ["mixup", "cutmix"], horizontal=True, key=child(KEY, "mix"))
    alpha = float(
        c[1].slider(
            "α",
            0.1,
            2.0,
            1.0,
            0.1,
            key=child(KEY, "alpha"),
            help="Small α: λ near 0 or 1 (mostly one image); α = 1: λ uniform.",
        )
    )
    draw_no = c[2].number_input("Draw", 0, 999, 0, key=child(KEY, "mixdraw"), help="Another random draw.")
    d = digits(size=28)
    rng = np.random.default_rng(state.seed())
    pick = rng.choice(len(d.x_test), 8, replace=False)
    x, y = torch.from_numpy(d.x_test[pick].astype(np.float32)), torch.from_numpy(d.y_test[pick])
    fn = mixup if kind == "mixup" else cutmix
    mixed, soft, _ = fn(x, y, 10, alpha, torch.Generator().manual_seed(int(draw_no)))
    plotly_chart(mix_figure(mixed.numpy(), soft.numpy(), d.class_names), key=child(KEY, "mixfig"))


def policy_lab() -> None:
    st.markdown(
        "AutoAugment (Cubuk et al., 2019) searched for a policy of operations with reinforcement learning, "
        "thousands of GPU hours. **RandAugment** (Cubuk et al., 2020) showed that two numbers do as well: "
        "apply **N** operations drawn at random from a fixed list, all at one **magnitude M**. The caption "
        f"of each tile names the operations it drew (from {', '.join(POLICY_OPS)})."
    )
    c = st.columns([1, 1, 1])
    n = int(c[0].slider("N: operations per image", 0, 4, 2, key=child(KEY, "ra_n")))
    m = _magnitude(c[1], child(KEY, "ra_m"), "M: magnitude")
    draw_no = c[2].number_input("Draw", 0, 999, 0, key=child(KEY, "ra_draw"), help="Another random draw.")
    d = digits(size=28)
    pick = np.random.default_rng(state.seed()).choice(len(d.x_test), 12, replace=False)
    x = torch.from_numpy(d.x_test[pick].astype(np.float32))
    out, drawn = rand_augment(x, n, m, torch.Generator().manual_seed(int(draw_no)))
    plotly_chart(
        gallery_figure(out.numpy(), [" + ".join(o) or "none" for o in drawn], ncols=6),
        key=child(KEY, "ra_fig"),
    )


def experiment_lab() -> None:
    st.markdown(
        "The same LeNet-5, the same 600 steps, only **50 labelled digits per class**, judged on the same "
        "360 test digits. Train it without augmentation, then with each one: every run stays on the chart "
        "(train accuracy solid, test dashed). Without augmentation the network learns its 500 images by "
        "heart (train accuracy 1.0) and the gap to the test is what augmentation can close. Measured "
        "with seeds 0, 1, 2: RandAugment (N = 2, M = 0.5) raised test accuracy from 93.5 % to 96.5 % on "
        "average, by 2.2 to 4.5 points per seed."
    )
    ek = child(KEY, "exp")
    c = st.columns([3, 1, 1])
    setting = c[0].radio("Augmentation", list(EXPERIMENT), horizontal=True, key=child(ek, "setting"))
    m = _magnitude(c[1], child(ek, "mag"))
    if c[2].button("Clear the chart", key=child(ek, "clear"), icon=":material/delete_sweep:"):
        st.session_state.pop(child(ek, "runs"), None)
    s = dict(augmentations=EXPERIMENT[setting], magnitude=m, seed=state.seed(), device=state.device())
    compared_runs(ek, "augment_digits", setting, s, step_sizes=(10, 100, 600))


def compared_runs(key: str, recipe_name: str, setting: str, s: dict, step_sizes: tuple[int, ...]) -> None:
    """A training panel for one setting of an experiment; every setting's run stays on one accuracy
    chart, with the gain of each over the setting named "none"."""
    runs: dict[str, list[dict]] = st.session_state.setdefault(child(key, "runs"), {})
    recipe = get_recipe(recipe_name)

    def render(snap: dict, _d) -> None:
        if snap["history"]:
            runs[setting] = snap["history"]
        shown = {k: v for k, v in runs.items() if v} or {setting: []}
        plotly_chart(accuracy_curves(shown), key=child(key, "train", "view", "acc"))
        if any(runs.values()):
            st.dataframe(gain_table(shown, "none"), hide_index=True)

    train_panel(
        child(key, "train"),
        lambda: recipe.trainer(**s),
        signature=(recipe_name, repr(s)),
        render=render,
        untrained=True,
        step_sizes=step_sizes,
    )
