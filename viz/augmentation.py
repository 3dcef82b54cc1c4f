"""Figures of the augmentation page: batch galleries, mixed images with their mixed labels, and the
small-data experiment's accuracy curves (one colour per setting, train solid, test dashed). Arrays in,
Plotly figures out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.curves import PALETTE, light_chart
from viz.images import image_grid


def gallery_figure(images: np.ndarray, titles: Sequence[str], ncols: int = 8) -> go.Figure:
    """(N, 1, H, W) or (N, H, W) grey images in [0, 1], a caption above each."""
    return image_grid(np.asarray(images), titles=list(titles), ncols=ncols, zmin=0.0, zmax=1.0)


def mixed_label(probs: np.ndarray, class_names: Sequence[str], top: int = 2) -> str:
    """"7: 62 % · 3: 38 %" from a (K,) probability vector (the classes with the largest weights)."""
    order = np.argsort(-probs)[:top]
    return " · ".join(f"{class_names[k]}: {probs[k]:.0%}" for k in order if probs[k] > 0.005)


def mix_figure(mixed: np.ndarray, soft: np.ndarray, class_names: Sequence[str], ncols: int = 4) -> go.Figure:
    """Mixed images (N, 1, H, W), each captioned with its mixed label (N, K)."""
    return gallery_figure(mixed, [mixed_label(p, class_names) for p in soft], ncols=ncols)


def accuracy_curves(runs: dict[str, list[dict]], height: int = 380) -> go.Figure:
    """``runs`` maps a setting's name to its Trainer history; train accuracy solid, test accuracy dashed,
    one colour per setting, so the gap between the two and the gain over "none" read at a glance."""
    fig = go.Figure()
    for i, (name, hist) in enumerate(runs.items()):
        rows = [r for r in hist if "test_acc" in r]
        steps = [r["step"] for r in rows]
        color = PALETTE[i % len(PALETTE)]
        for split, dash in (("train", "solid"), ("test", "dash")):
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=[r.get(f"{split}_acc") for r in rows],
                    name=f"{name} · {split}",
                    mode="lines+markers",
                    line=dict(color=color, dash=dash),
                    marker=dict(size=5),
                )
            )
    fig.update_layout(xaxis_title="step", yaxis_title="accuracy", yaxis_range=[0, 1.02])
    return light_chart(fig, height)


def gain_table(runs: dict[str, list[dict]], baseline: str) -> list[dict]:
    """One row per finished-or-not run: its last test accuracy and the difference to ``baseline``'s."""
    last = {k: next((r["test_acc"] for r in reversed(h) if "test_acc" in r), None) for k, h in runs.items()}
    base = last.get(baseline)
    return [
        {
            "setting": k,
            "test accuracy": None if v is None else round(v, 4),
            "vs none": None if v is None or base is None else f"{v - base:+.1%}",
        }
        for k, v in last.items()
    ]
