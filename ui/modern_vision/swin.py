"""The Swin lab: the windows and shifted windows of every block drawn on a digit, the patch-merging
pyramid, and a small Swin trained live on digits whose relative position bias tables are drawn per head."""

from __future__ import annotations

import numpy as np
import streamlit as st

from archs import get_arch
from archs.modern_vision.swin import SwinConfig
from data import digits
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import train_panel
from viz.modern_vision import bias_tables_figure, pyramid_figure, windows_figure

KEY = "modern_vision.swin"
TRAIN_KEY = child(KEY, "train")
RECIPE = "swin_digits"


def block_layout(cfg: SwinConfig) -> list[dict]:
    """Every block in order: its stage, map side, window (shrunk to the map where larger), shift and the
    pixels one of its tokens covers."""
    out = []
    for i, (depth, side) in enumerate(zip(cfg.depths, cfg.resolutions, strict=True)):
        m = min(cfg.window_size, side)
        for k in range(depth):
            shift = m // 2 if k % 2 and side > cfg.window_size else 0
            out.append(
                dict(stage=i + 1, block=k + 1, side=side, m=m, shift=shift, pixels=cfg.patch_size * 2**i)
            )
    return out


def bias_tables(table: np.ndarray) -> np.ndarray:
    """A (K², nh) relative position bias table as (nh, K, K), rows Δrow and columns Δcol from −(M−1)."""
    k = int(round(np.sqrt(table.shape[0])))
    return np.ascontiguousarray(table.T.reshape(-1, k, k))


def swin_lab() -> None:
    recipe = get_recipe(RECIPE)
    st.markdown(
        "A two-stage Swin reads 16×16 digits. Below, each panel is one block: the digit under its tokens, "
        "coloured by the window they attend within. In a **shifted** block the windows move by half a "
        "window; the pieces that share a colour at opposite edges are one window after the cyclic roll, "
        "and the attention mask keeps those pieces from seeing each other."
    )
    c = st.columns(3)
    patch = c[0].select_slider(
        "Patch size",
        (1, 2, 3, 4, 8),
        4,
        key=child(KEY, "patch"),
        help="Pixels per token side; must divide 16.",
    )
    window = c[1].select_slider(
        "Window size M",
        (2, 3, 4, 5, 8),
        2,
        key=child(KEY, "window"),
        help="Tokens per window side; it must divide each stage's map (or cover it whole).",
    )
    steps = c[2].select_slider("Steps", (100, 200, 400, 600, 1000), 600, key=child(KEY, "steps"))
    arch = {**recipe.arch_overrides, "patch_size": int(patch), "window_size": int(window)}
    cfg = get_arch(recipe.arch).make_config("tiny", **arch, in_channels=1, image_size=16, num_classes=10)
    d = digits(size=16)
    layout = block_layout(cfg)
    plotly_chart(windows_figure(d.x_test[7, 0], layout), key=child(KEY, "windows"))
    st.markdown(
        "**The pyramid.** Patch merging between the stages joins each 2×2 group of tokens: the map "
        "halves, the channels double. Swin-T does this three times, 56×56×96 → 7×7×768 at 224 pixels."
    )
    stages = [
        dict(side=s, channels=ch, m=cfg.window_size) for s, ch in zip(cfg.resolutions, cfg.dims, strict=True)
    ]
    plotly_chart(pyramid_figure(stages), key=child(KEY, "pyramid"))

    st.subheader("The relative position bias, learned")
    names = [f"stage {b['stage']}, block {b['block']}" for b in layout]
    pick = st.selectbox("Block", names, key=child(KEY, "block"))
    at = names.index(pick)
    b = layout[at]
    st.markdown(
        f"Each head adds to its attention score the entry for the offset (Δrow, Δcol) between two tokens "
        f"of a {b['m']}×{b['m']} window: a table of {(2 * b['m'] - 1) ** 2} numbers per head, the same "
        "for every window. Trained, heads tend to prefer near tokens or one direction."
    )
    s = dict(patch_size=int(patch), window_size=int(window), num_steps=int(steps), seed=state.seed(),
             device=state.device())  # fmt: skip

    def probes(_data) -> dict:
        def table(m):
            blk = m.stages[b["stage"] - 1].blocks[b["block"] - 1]
            return blk.attn.relative_position_bias_table.detach().cpu().numpy()

        return {"bias": table}

    def render(snap: dict, data) -> None:
        plotly_chart(bias_tables_figure(bias_tables(snap["bias"])), key=child(TRAIN_KEY, "view", "bias"))
        ev = snap.get("last_eval") or {}
        if "test_acc" in ev:
            st.markdown(f"Test accuracy: **{ev['test_acc']:.1%}** on {len(data.x_test)} held-out digits.")

    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**s),
        signature=(RECIPE, repr(sorted(s.items()))),
        probes=probes,
        render=render,
        untrained=True,
        step_sizes=(1, 10, 100),
    )
