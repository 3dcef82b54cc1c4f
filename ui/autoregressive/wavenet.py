"""The WaveNet lab: the dilated causal stack and its receptive field (formula and gradients), μ-law
companding of a quiet tone, and ``wavenet_tones`` trained live, continuing notes it never heard."""

from __future__ import annotations

import numpy as np
import streamlit as st

import archs
from archs.autoregressive.wavenet import dependency
from data.autoregressive import SAMPLE_RATE, linear_decode, linear_encode, mu_law_decode, mu_law_encode, tone
from training.autoregressive.trainers import CONTEXT
from training.recipes import get_recipe
from ui import state
from ui.charts import plotly_chart
from ui.keys import child
from ui.train_panel import current_job, train_panel
from viz.autoregressive import (
    bits_curves,
    dilation_figure,
    mu_law_figure,
    receptive_field_figure,
    waves_figure,
)

KEY = "autoregressive.wn"
TRAIN_KEY = child(KEY, "train")


@st.cache_data(max_entries=16, show_spinner=False)
def _measured(cycle: int, k: int, cycles: int) -> tuple[list[int], list[int], list[int]]:
    """Receptive field by formula and by gradients of real (untrained) WaveNets: 1 … ``cycle`` layers of
    the first cycle, then whole cycles up to ``cycles``."""
    import torch

    depths = [(n, n) for n in range(1, cycle + 1)] + [(c * cycle, cycle) for c in range(2, cycles + 1)]
    layers, formula, measured = [], [], []
    for n, cyc in depths:
        torch.manual_seed(0)
        m = archs.build_model(
            "wavenet", "tiny", num_layers=n, dilation_cycle=cyc, kernel_size=k, residual_channels=4,
            dilation_channels=4, skip_channels=4, num_levels=8,
        )  # fmt: skip
        rf = m.receptive_field
        layers.append(n)
        formula.append(rf)
        measured.append(int((dependency(m, rf + 8) > 0).sum()))
    return layers, formula, measured


def stack_section() -> None:
    st.subheader("The dilated causal stack")
    c = st.columns(3)
    cycle = c[0].slider("Layers per cycle (dilations 1, 2, 4, …)", 1, 10, 4, key=child(KEY, "cycle"))
    cycles = c[1].slider("Cycles", 1, 3, 1, key=child(KEY, "cycles"))
    k = c[2].select_slider("Kernel size", (2, 3), 2, key=child(KEY, "k"))
    dil = [2 ** (i % cycle) for i in range(cycle * cycles)]
    rf = 1 + (k - 1) * (1 + sum(dil))
    st.markdown(
        f"Dilations {', '.join(map(str, dil[:12]))}{' …' if len(dil) > 12 else ''}: the last output sees "
        f"**{rf:,} samples** ({rf / 16:.1f} ms at 16 kHz) through {len(dil) + 1} convolutions."
    )
    plotly_chart(dilation_figure(dil, k), key=child(KEY, "stack"))
    layers, formula, measured = _measured(cycle, k, cycles)
    plotly_chart(receptive_field_figure(layers, formula, measured), key=child(KEY, "rf"))
    st.caption(
        "Dots: the inputs whose gradient reaches the last output of a real WaveNet with that many layers; "
        "line: the formula. Doubling the dilation doubles the reach of each layer, so the field grows "
        "exponentially with depth where undilated layers would add one sample each."
    )


def mu_law_section() -> None:
    st.subheader("μ-law quantisation")
    levels = st.select_slider("Levels", (8, 16, 32, 64, 256), 16, key=child(KEY, "levels"))
    x = np.linspace(-1, 1, 401)
    plotly_chart(
        mu_law_figure(x, mu_law_encode(x, levels), linear_encode(x, levels), levels), key=child(KEY, "mu")
    )
    wave = tone(160, 440.0, np.random.default_rng(0), harmonics=1)
    wave = wave / np.abs(wave).max() * 0.08  # a quiet note
    mu = mu_law_decode(mu_law_encode(wave, levels), levels)
    lin = linear_decode(linear_encode(wave, levels), levels)
    snr = [10 * np.log10((wave**2).sum() / ((q - wave) ** 2).sum()) for q in (mu, lin)]
    t = np.arange(len(wave)) / SAMPLE_RATE * 1000
    series = {"original": wave, "linear levels": lin, "μ-law levels": mu}
    title = f"a quiet note (peak 0.08): signal-to-noise μ-law {snr[0]:.1f} dB, linear {snr[1]:.1f} dB"
    plotly_chart(waves_figure(t, series, title), key=child(KEY, "quiet"))


def _render(snap: dict, data) -> None:
    ev, base = snap["last_eval"], snap["baseline_bits"]
    if "test_bits" in ev:
        c = st.columns(2)
        c[0].metric(
            "Test NLL (bits per sample)",
            f"{ev['test_bits']:.2f}",
            f"{ev['test_bits'] - base:+.2f} vs the level histogram's {base:.2f}",
            delta_color="inverse",
        )
        c[1].metric("Continuation error (silence = 1)", f"{ev['cont_error']:.2f}")
    cont = snap["continuation"]
    _continuation_chart(cont, 0, child(TRAIN_KEY, "view", "cont"), f"the model at step {snap['step']:,}")


def _continuation_chart(cont: dict, i: int, key: str, who: str) -> None:
    sr = SAMPLE_RATE
    ctx, truth, made = cont["context"][i], cont["truth"][i], cont["generated"][i]
    t = np.arange(len(ctx) + len(truth)) / sr * 1000
    series = {
        "context (given)": np.concatenate([ctx, np.full(len(truth), np.nan)]),
        "true continuation": np.concatenate([np.full(len(ctx), np.nan), truth]),
        "generated": np.concatenate([np.full(len(ctx), np.nan), made]),
    }
    title = f"{who}: {len(truth)} samples generated one at a time after {len(ctx)} given"
    plotly_chart(waves_figure(t, series, title, cut=t[len(ctx)]), key=key)


def train_section() -> None:
    st.subheader("Train on tones")
    c = st.columns(2)
    harmonics = c[0].select_slider("Harmonics", (0, 1, 2), 0, key=child(KEY, "harm"))
    steps = c[1].select_slider("Training steps", (300, 600, 1500), 600, key=child(KEY, "steps"))
    settings = dict(harmonics=harmonics, num_steps=steps, seed=state.seed(), device=state.device())
    recipe = get_recipe("wavenet_tones")
    base = recipe.make_data(harmonics=harmonics).meta["baseline_bits"]
    st.caption(
        f"Clips of 128 samples at 8 kHz, pitch 250–1,000 Hz, μ-law 64 levels. Baseline: every sample drawn "
        f"from the training set's level histogram, **{base:.2f} bits per sample** on the test clips."
    )
    train_panel(
        TRAIN_KEY,
        lambda: recipe.trainer(**settings),
        signature=repr(sorted(settings.items())),
        render=_render,
        untrained=True,
        curve_figure=lambda h: bits_curves(h, base, unit="sample"),
    )
    generate_view()


def generate_view() -> None:
    st.subheader("Continue a note it never heard")
    job = current_job(TRAIN_KEY)
    if job is None:
        st.info("Press **Train** (or **Step**) above, then let the model continue test notes.")
        return
    c = st.columns(3)
    clip = c[0].slider("Test note", 0, 15, 1, key=child(KEY, "clip"))
    greedy = c[1].toggle("Most likely level (argmax)", True, key=child(KEY, "greedy"))
    temp = c[2].slider("Temperature", 0.1, 2.0, 1.0, 0.1, key=child(KEY, "temp"), disabled=greedy)
    with job.lock:
        cont = job.trainer.continuation((clip,), greedy=greedy, temperature=temp)
    _continuation_chart(cont, 0, child(KEY, "gen"), f"step {job.trainer.step_count:,}")
    st.caption(
        f"The first {CONTEXT} samples are the test note; every later sample is the model's own, fed back "
        f"as input. Relative error of this continuation: {cont['error'][0]:.2f} (silence scores 1)."
    )


def wavenet_lab() -> None:
    st.markdown(
        "WaveNet predicts each audio sample from the samples before it with causal convolutions whose "
        "dilation doubles layer by layer, and a softmax over μ-law levels."
    )
    stack_section()
    mu_law_section()
    train_section()
