"""The Hopfield lab of the energy page: store letters (or random patterns) on a 10×10 grid, corrupt one,
and watch the asynchronous updates bring it back with the energy falling at every step (a step scrubber
and the energy curve); the capacity experiment (recall against patterns per neuron, the 0.138 N cliff);
and the modern continuous Hopfield network's retrieval as attention, softmax(β X ξ)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from archs import ConfigError
from training.energy.hopfield import (
    CAPACITY,
    RECALLED,
    SIDE,
    async_recall,
    capacity_curve,
    corrupt,
    hebbian,
    letter_patterns,
    modern_retrieval,
    random_patterns,
)
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.nav import page_for_family, page_link
from viz.energy import (
    attention_weights_figure,
    capacity_figure,
    energy_figure,
    image_figure,
    mosaic,
    patterns_figure,
    recall_figure,
)

KEY = "energy.hop"
N = SIDE * SIDE


@st.cache_data(show_spinner=False, max_entries=8)
def _capacity(n: int, noise: float, seed: int) -> dict:
    return capacity_curve(n, trials=5, noise=noise, seed=seed)


def _patterns(kind: str, k: int, seed: int) -> tuple[np.ndarray, list[str]]:
    if kind == "Letters":
        return letter_patterns(k)
    return random_patterns(k, N, seed), [f"#{i + 1}" for i in range(k)]


def hopfield_lab() -> None:
    c = st.columns([1.2, 1.2, 1.2, 1.2])
    kind = (
        c[0].segmented_control(
            "Patterns",
            ("Letters", "Random"),
            default="Letters",
            key=child(KEY, "kind"),
            help="Letters overlap each other (they share strokes and background), so fewer fit than random "
            "patterns, which are nearly orthogonal.",
        )
        or "Letters"
    )
    k = c[1].slider(
        "Stored patterns",
        1,
        10 if kind == "Letters" else 40,
        4,
        key=child(KEY, "k", kind),
        help="Stored by the Hebbian rule W = (1/N) Σ ξξᵀ. Random patterns are recalled up to about 0.14 N "
        f"= {int(CAPACITY * N)} on these {N} neurons.",
    )
    noise = c[2].slider(
        "Flipped bits",
        0,
        50,
        20,
        step=5,
        format="%d %%",
        key=child(KEY, "noise"),
        help="The fraction of the chosen pattern's pixels flipped before recall starts.",
    )
    try:
        pats, names = _patterns(kind, int(k), state.seed())
        W = hebbian(pats)
    except ConfigError as e:
        st.error(f"**Cannot store these patterns.** {e}", icon=":material/block:")
        return
    which = c[3].selectbox("Corrupt and recall", names, key=child(KEY, "which", kind))
    draw = st.session_state.get(child(KEY, "draw"), 0)
    if st.button("Run recall with new noise", key=child(KEY, "run"), icon=":material/replay:"):
        draw = st.session_state[child(KEY, "draw")] = draw + 1
    i = names.index(which)
    seed = state.seed() * 1000 + draw
    probe = corrupt(pats[i], noise / 100, seed)
    traj = async_recall(W, probe, seed)
    st.latex(
        r"\begin{gathered} E(s) = -\tfrac12 \textstyle\sum_{i \ne j} W_{ij} s_i s_j \\ "
        r"s_i \leftarrow \operatorname{sign}\big(\textstyle\sum_j W_{ij} s_j\big)"
        r"\ \text{one neuron at a time} \end{gathered}"
    )
    plotly_chart(patterns_figure(pats, names, SIDE, "Stored patterns"), key=child(KEY, "stored"))
    _recall_view(pats[i], probe, traj)
    _capacity_view(k, noise)
    _modern_view(pats, names, probe, which)


def _recall_view(pattern: np.ndarray, probe: np.ndarray, traj: dict) -> None:
    T = len(traj["energy"]) - 1
    key = child(KEY, "step")
    if st.session_state.get(key, 0) > T:
        st.session_state[key] = T
    step = st.slider(
        "Update step",
        0,
        T,
        T,
        key=key,
        help="Scrub through the asynchronous updates: each visits one neuron and sets it to the sign of its "
        "local field. The energy can only stay or fall.",
    )
    state_now = traj["states"][step]
    m = float((state_now * pattern).mean())
    final = float((traj["states"][-1] * pattern).mean())
    verdict = (
        "recalled" if final >= RECALLED else "stuck in another minimum (a spurious state or another pattern)"
    )
    neuron = int(traj["neuron"][step - 1]) if step else None
    left, right = st.columns([1, 1])
    with left:
        title = f"Step {step}: overlap with the stored pattern m = {m:+.2f}"
        plotly_chart(recall_figure(pattern, probe, state_now, SIDE, neuron, title), key=child(KEY, "recall"))
    with right:
        plotly_chart(energy_figure(traj["energy"], traj["flipped"], step, N), key=child(KEY, "energy"))
    sweeps, flips = int(traj["sweeps"]), int(np.sum(traj["flipped"]))
    st.markdown(
        f"Settled after **{sweeps} sweep{'s' if sweeps != 1 else ''}** ({flips} flips): final overlap "
        f"$m = {final:+.2f}$, **{verdict}**. The purple square is the neuron just visited."
    )


def _capacity_view(k: int, noise: int) -> None:
    st.subheader("Capacity: how many patterns fit?")
    st.markdown(
        f"Random patterns stored in {N} neurons, each recalled from {noise} % flipped bits (5 networks per "
        f"load; recalled: final overlap at least {RECALLED}). Past about $0.138\\,N$ (Amit, Gutfreund & "
        "Sompolinsky, 1985) the stored patterns stop being minima of the energy: the crosstalk of the others "
        "outweighs each pattern's own field, and recall collapses."
    )
    curve = _capacity(N, noise / 100, state.seed())
    plotly_chart(capacity_figure(curve, CAPACITY, marker=k / N), key=child(KEY, "capacity"))


def _modern_view(pats: np.ndarray, names: list[str], probe: np.ndarray, which: str) -> None:
    st.subheader("The modern Hopfield network is attention")
    st.markdown(
        "Ramsauer et al. (2020) replace the quadratic energy by a log-sum-exp over the stored patterns "
        "$X$. One update retrieves a pattern, and it is exactly a transformer's attention with the state "
        "$\\xi$ as the query and the stored patterns as keys and values:"
    )
    st.latex(r"\xi^{\text{new}} = X^\top \operatorname{softmax}\big(\beta\, X \xi\big)")
    beta = st.select_slider(
        "Inverse temperature β",
        (1.0, 2.0, 5.0, 10.0, 20.0, 50.0),
        value=10.0,
        key=child(KEY, "beta"),
        help="Patterns and query are scaled to length 1, so X ξ holds cosine similarities. Small β averages "
        "the patterns (a blurred mixture); large β picks the closest one.",
    )
    r = modern_retrieval(pats, probe, float(beta))
    left, right = st.columns([3, 2])
    with left:
        plotly_chart(attention_weights_figure(r["weights"], names, float(beta)), key=child(KEY, "attn"))
    with right:
        lo, hi = -1.0, 1.0
        tiles = [(np.clip((x.reshape(SIDE, SIDE) - lo) / (hi - lo), 0, 1)) for x in (probe, r["retrieved"])]
        rgb = [np.repeat(((1 - t) * 255).round().astype(np.uint8)[..., None], 3, -1) for t in tiles]
        fig = image_figure(mosaic(rgb, ncols=2, pad=2, scale=12), f"Query ({which} corrupted) → one update")
        plotly_chart(fig, key=child(KEY, "retrieved"))
    page = page_for_family("transformer")
    if page is not None:
        page_link(page, "Attention in transformers", help="The same softmax over similarities, learned.")
