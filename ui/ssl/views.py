"""Views the self-supervised labs share inside their training panels: the embeddings in the plane, coloured
by the labels the method never saw, and the frozen encoder's probe accuracy beside its baselines."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.charts import plotly_chart
from ui.keys import child
from viz.ssl import embedding_figure, probe_figure

BASELINE_NAMES = {
    "raw_pixels": "raw pixels",
    "random_init": "untrained encoder",
    "supervised": "supervised encoder",
}


def last_eval(history: list[dict], key: str) -> float | None:
    rows = [r for r in history if r.get(key) is not None]
    return float(rows[-1][key]) if rows else None


def embedding_view(snap: dict, d, key: str) -> None:
    """The held-out embeddings' PCA, titled with how far training is and the batch's spread."""
    xy = snap.get("embedding_2d")
    if xy is None:
        return
    step = snap["step"]
    title = f"step {step}" if step else "untrained encoder"
    if (spread := last_eval(snap["history"], "spread")) is not None:
        title += f" · spread {spread:.3f}"
    plotly_chart(
        embedding_figure(xy, snap["labels"], d.class_names, title=f"Held-out embeddings (PCA), {title}"),
        key=key,
    )


@st.cache_data(show_spinner="Probing raw pixels and an untrained encoder, training a supervised one…")
def _baselines(recipe: str, settings: tuple[tuple[str, Any], ...]) -> dict[str, float]:
    """training.ssl.probes.baselines on the run's own data, encoder and budget (once per setting, for every
    session: a dict of three numbers)."""
    from training.recipes import get_recipe

    s = dict(settings)
    s["device"] = "cpu"
    return dict(get_recipe(recipe).trainer(**s).baselines())


def probe_view(snap: dict, d, key: str, run: tuple[str, tuple]) -> None:
    """The frozen encoder's held-out linear-probe and k-NN accuracy at its last evaluation, beside the
    baselines (after a click: the supervised one trains for the same budget)."""
    probe, knn = last_eval(snap["history"], "probe_acc"), last_eval(snap["history"], "knn_acc")
    base_key = child(key, "view", "baselines")
    base = st.session_state.get(base_key, {}).get(run)
    scores: dict[str, float] = {}
    if probe is not None:
        scores["this encoder, linear probe"] = probe
    if knn is not None:
        scores["this encoder, k-NN"] = knn
    scores.update({BASELINE_NAMES.get(k, k): v for k, v in (base or {}).items()})
    if scores:
        plotly_chart(
            probe_figure(scores, chance=1 / max(d.num_classes, 1), height=110 + 34 * len(scores)),
            key=child(key, "view", "probe"),
        )
    else:
        st.caption("The probe accuracies appear at the first evaluation.")
    if base is None and st.button(
        "Measure the baselines",
        key=child(key, "view", "base_btn"),
        icon=":material/leaderboard:",
        help="A linear probe on raw pixels and on an untrained encoder, and the same encoder trained with "
        "the labels on the same budget: what the self-supervised encoder must beat, and what it aims for.",
    ):
        st.session_state.setdefault(base_key, {})[run] = _baselines(*run)
        st.rerun()
    if probe is not None and base:
        gain = probe - max(base.get("raw_pixels", 0), base.get("random_init", 0))
        st.markdown(
            f"A linear probe reads **{probe:.0%}** from the frozen encoder: {gain * 100:+.0f} points over "
            f"the better of raw pixels and an untrained encoder; the supervised encoder reaches "
            f"{base.get('supervised', float('nan')):.0%}."
        )
