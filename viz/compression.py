"""Figures of the Compression page: accuracy against sparsity with and without fine-tuning, weight
histograms before and after pruning, each layer's quantization error, softened teacher outputs at several
temperatures, test accuracy of distillation runs, and size against accuracy of every method. Arrays in,
Plotly figures out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from viz.curves import PALETTE, light_chart

UNCHANGED_DB = 150.0  # an SQNR above this is float rounding only: the layer was not quantized


def sparsity_figure(
    curves: Mapping[str, Mapping[str, Sequence[float]]],
    runs: Mapping[str, tuple[float, float, float]],
    height: int = 360,
) -> go.Figure:
    """Test accuracy against the share of weights removed: one line per pruning method without
    fine-tuning (``curves[method] = {"sparsity", "acc"}``), and each fine-tuning run as an arrow from its
    pruned accuracy to its accuracy after fine-tuning (``runs[name] = (sparsity, before, after)``)."""
    fig = go.Figure()
    for i, (name, c) in enumerate(curves.items()):
        fig.add_trace(
            go.Scatter(
                x=list(c["sparsity"]), y=list(c["acc"]), mode="lines+markers",
                name=f"{name} · no fine-tuning",
                line=dict(color=PALETTE[i % len(PALETTE)], dash="dot"),
            )
        )  # fmt: skip
    for j, (name, (s, before, after)) in enumerate(runs.items()):
        color = PALETTE[(j + 3) % len(PALETTE)]
        fig.add_trace(
            go.Scatter(
                x=[s, s], y=[before, after], mode="lines+markers", name=f"{name} · fine-tuned",
                marker=dict(symbol=["circle-open", "star"], size=[9, 14], color=color),
                line=dict(color=color),
            )
        )  # fmt: skip
    fig.update_layout(showlegend=True)  # the legend names the curve even before any run
    fig.update_xaxes(title="sparsity (share of weights removed)", range=[-0.02, 1.0], tickformat=".0%")
    fig.update_yaxes(title="test accuracy", range=[0, 1.02], tickformat=".0%")
    return light_chart(fig, height, legend_y=-0.3)


def weight_hist_figure(base: np.ndarray, pruned: np.ndarray, height: int = 300) -> go.Figure:
    """Histograms of the base model's weights and of the pruned model's surviving (nonzero) weights:
    magnitude pruning cuts out the middle of the distribution."""
    lim = float(np.abs(base).max()) or 1.0
    edges = np.linspace(-lim, lim, 81)
    mids = (edges[:-1] + edges[1:]) / 2
    kept = pruned[pruned != 0]
    fig = go.Figure()
    for i, (name, v) in enumerate(
        (("base model", base), (f"kept after pruning ({len(kept):,} of {len(pruned):,})", kept))
    ):
        counts = np.histogram(v, edges)[0]
        fig.add_trace(go.Bar(x=mids, y=counts, name=name, marker_color=PALETTE[i], opacity=0.55 + 0.15 * i))
    fig.update_layout(barmode="overlay", bargap=0)
    fig.update_xaxes(title="weight value")
    fig.update_yaxes(title="weights", type="log")
    return light_chart(fig, height)


def layer_error_figure(sqnr: Mapping[str, Mapping[str, float]], height: int = 320) -> go.Figure:
    """Each layer's output SQNR (dB) against the fp32 model, one bar group per mode; a layer left in fp32
    (above UNCHANGED_DB) is drawn at that cap and labelled as such."""
    fig = go.Figure()
    for i, (mode, errs) in enumerate(sqnr.items()):
        names = list(errs)
        vals = [min(v, UNCHANGED_DB) for v in errs.values()]
        text = ["fp32 (unchanged)" if v >= UNCHANGED_DB else f"{v:.0f} dB" for v in errs.values()]
        fig.add_trace(go.Bar(x=names, y=vals, text=text, name=mode, marker_color=PALETTE[i % len(PALETTE)]))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="output SQNR (dB, higher is closer)")
    return light_chart(fig, height)


def soft_targets_figure(probs: Mapping[float, np.ndarray], height: int = 300) -> go.Figure:
    """The teacher's softmax(z / T) over the ten digits at each temperature T (one bar group per T)."""
    fig = go.Figure()
    for i, (t, p) in enumerate(probs.items()):
        fig.add_trace(
            go.Bar(x=[str(k) for k in range(len(p))], y=p, name=f"T = {t:g}", marker_color=PALETTE[i])
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="digit")
    fig.update_yaxes(title="probability", type="log", range=[-6, 0.05], exponentformat="power")
    return light_chart(fig, height)


def accuracy_runs_figure(runs: Mapping[str, list[dict]], height: int = 320) -> go.Figure:
    """Test accuracy at each evaluation of every run (e.g. the student alone and distilled)."""
    fig = go.Figure()
    for i, (name, hist) in enumerate(runs.items()):
        rows = [r for r in hist if "test_acc" in r]
        fig.add_trace(
            go.Scatter(
                x=[r["step"] for r in rows], y=[r["test_acc"] for r in rows], mode="lines+markers", name=name,
                line=dict(color=PALETTE[i % len(PALETTE)]),
            )
        )  # fmt: skip
    fig.update_xaxes(title="step")
    fig.update_yaxes(title="test accuracy", tickformat=".0%")
    return light_chart(fig, height)


def summary_figure(rows: Sequence[Mapping], height: int = 340) -> go.Figure:
    """Every method as a point: kilobytes stored (log scale) against test accuracy."""
    fig = go.Figure()
    for i, r in enumerate(rows):
        fig.add_trace(
            go.Scatter(
                x=[r["bytes"] / 1e3], y=[r["acc"]], mode="markers+text", text=[r["method"]], name=r["method"],
                textposition="top center", marker=dict(size=12, color=PALETTE[i % len(PALETTE)]),
            )
        )  # fmt: skip
    fig.update_xaxes(title="kilobytes stored", type="log")
    fig.update_yaxes(title="test accuracy", tickformat=".0%")
    return light_chart(fig, height)
