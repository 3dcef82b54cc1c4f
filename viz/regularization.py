"""Figures of the Regularization page: train and test curves of several runs overlaid, Monte-Carlo dropout's
predictions with their spread, per-layer activation statistics with and without batch norm, and the axes
batch norm and layer norm normalise over. Arrays in, Plotly figures out."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, light_chart


def _evals(hist: list[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in hist if r.get(key) is not None]
    return np.array([r["step"] for r in rows], float), np.array([r[key] for r in rows], float)


def overfit_figure(runs: Mapping[str, list[dict]], height: int = 380) -> go.Figure:
    """Accuracy (left) and cross-entropy (right) of every run at each evaluation, one colour per run:
    training split dashed, test split solid. A diamond marks where early stopping put the best weights
    back (the restored model's values)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("accuracy", "cross-entropy"), horizontal_spacing=0.1)
    for i, (name, hist) in enumerate(runs.items()):
        color = PALETTE[i % len(PALETTE)]
        for col, metric in ((1, "acc"), (2, "loss")):
            for split, dash in (("train", "dash"), ("test", "solid")):
                x, y = _evals(hist, f"{split}_{metric}")
                if len(x):
                    fig.add_trace(
                        go.Scatter(
                            x=x,
                            y=y,
                            mode="lines",
                            line=dict(color=color, dash=dash, width=2),
                            name=f"{name} · {split}",
                            legendgroup=name,
                            showlegend=col == 1,
                        ),
                        1,
                        col,
                    )
            stop = [r for r in hist if r.get("restored_from") is not None]
            if stop:
                r = stop[-1]
                fig.add_trace(
                    go.Scatter(
                        x=[r["step"]] * 2,
                        y=[r[f"train_{metric}"], r[f"test_{metric}"]],
                        mode="markers",
                        marker=dict(symbol="diamond", size=10, color=color),
                        name=f"{name} · early stop (weights of step {r['restored_from']})",
                        legendgroup=name,
                        showlegend=col == 1,
                    ),
                    1,
                    col,
                )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(range=[0, 1.02], row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    return light_chart(fig, height, legend_y=-0.3)


def gap_figure(gaps: Mapping[str, float], height: int = 260) -> go.Figure:
    """The train-test accuracy gap of every run, as bars (negative: the test split scores higher, as
    when the training labels include wrong ones the model refused to learn)."""
    names = list(gaps)
    fig = go.Figure(
        go.Bar(
            x=[gaps[n] for n in names],
            y=names,
            orientation="h",
            marker_color=[PALETTE[i % len(PALETTE)] for i in range(len(names))],
            text=[f"{gaps[n]:+.2f}" for n in names],
            textposition="auto",
        )
    )
    fig.update_xaxes(title_text="train accuracy − test accuracy", zeroline=True, zerolinecolor="#888")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title=dict(text="the gap at the end of each run", font=dict(size=14)))
    return light_chart(fig, height)


def mc_examples_figure(images: np.ndarray, probs: np.ndarray, labels: np.ndarray, height: int = 330):
    """A few test digits (images (n, H, W)) over their Monte-Carlo predictions: the mean probability of
    each class over the passes (probs (T, n, K)) with a bar of ± one standard deviation across passes."""
    n, k = images.shape[0], probs.shape[2]
    fig = make_subplots(rows=2, cols=n, row_heights=[0.45, 0.55], vertical_spacing=0.12)
    mean, std = probs.mean(0), probs.std(0)
    for j in range(n):
        fig.add_trace(
            go.Heatmap(z=images[j][::-1], colorscale="gray_r", showscale=False, hoverinfo="skip"), 1, j + 1
        )
        pred = int(mean[j].argmax())
        fig.add_trace(
            go.Bar(
                x=list(range(k)),
                y=mean[j],
                error_y=dict(type="data", array=std[j], visible=True, color="#333"),
                marker_color=[PALETTE[2] if c == labels[j] else PALETTE[0] for c in range(k)],
                showlegend=False,
                hovertemplate="class %{x}: %{y:.2f}<extra></extra>",
            ),
            2,
            j + 1,
        )
        fig.layout.annotations = (
            *fig.layout.annotations,
            go.layout.Annotation(
                text=f"true {labels[j]}, says {pred}",
                xref=f"x{j + 1 if j else ''} domain",
                yref=f"y{j + 1 if j else ''} domain",
                x=0.5,
                y=1.18,
                showarrow=False,
                font=dict(size=11),
            ),
        )
    fig.update_xaxes(showticklabels=False, row=1)
    fig.update_yaxes(showticklabels=False, row=1)
    fig.update_xaxes(dtick=1, tickfont=dict(size=9), row=2)
    fig.update_yaxes(range=[0, 1.05], row=2)
    return light_chart(fig, height)


def uncertainty_figure(score: np.ndarray, correct: np.ndarray, what: str, height: int = 300) -> go.Figure:
    """How uncertain the ensemble is on the test digits it gets right and on those it gets wrong: one
    histogram of ``score`` (entropy, mutual information, ...) for each, as fractions of their group."""
    fig = go.Figure()
    score = np.asarray(score, dtype=float)
    top = float(score.max()) if score.size else 1.0
    bins = dict(start=0.0, end=top * 1.0001 + 1e-9, size=max(top, 1e-9) / 30)  # the same bins for both groups
    for ok, name, color in ((True, "right", PALETTE[2]), (False, "wrong", PALETTE[4])):
        s = score[correct == ok]
        if len(s):
            fig.add_trace(
                go.Histogram(
                    x=s,
                    histnorm="probability",
                    name=f"{name} ({len(s)})",
                    marker_color=color,
                    opacity=0.6,
                    xbins=bins,
                    autobinx=False,
                )
            )
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title_text=what)
    fig.update_yaxes(title_text="fraction of the group")
    return light_chart(fig, height)


def activation_figure(stats: Mapping[str, Mapping[str, np.ndarray]], height: int = 340) -> go.Figure:
    """Per hidden layer, for each setting (e.g. without and with batch norm): the standard deviation of
    the activations, the fraction dead or saturated, and the gradient norm at the layer's weights (log
    scale) when the statistics have one."""
    has_grad = all("grad" in s for s in stats.values())
    titles = ("std of the activations", "dead or saturated", "gradient norm (log)")[: 3 if has_grad else 2]
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, horizontal_spacing=0.08)
    for i, (name, s) in enumerate(stats.items()):
        layers = np.arange(1, len(s["std"]) + 1)
        for col, key in enumerate(("std", "saturated", "grad")[: len(titles)], start=1):
            fig.add_trace(
                go.Scatter(
                    x=layers,
                    y=s[key],
                    mode="lines+markers",
                    line=dict(color=PALETTE[i % len(PALETTE)], width=2),
                    name=name,
                    legendgroup=name,
                    showlegend=col == 1,
                ),
                1,
                col,
            )
    fig.update_xaxes(title_text="layer", dtick=1)
    fig.update_yaxes(rangemode="tozero", col=1)
    fig.update_yaxes(range=[0, 1.02], col=2)
    if has_grad:
        fig.update_yaxes(type="log", col=3)
    return light_chart(fig, height)


def activation_hist_figure(stats: Mapping[str, Mapping[str, np.ndarray]], height: int = 320) -> go.Figure:
    """The activations themselves: one box per layer and setting, from a sample of each layer."""
    fig = go.Figure()
    for i, (name, s) in enumerate(stats.items()):
        sample = s["sample"]  # (layers, n)
        fig.add_trace(
            go.Box(
                x=np.repeat(np.arange(1, len(sample) + 1), sample.shape[1]),
                y=sample.ravel(),
                name=name,
                marker_color=PALETTE[i % len(PALETTE)],
                boxpoints=False,
            )
        )
    fig.update_layout(boxmode="group")
    fig.update_xaxes(title_text="layer", dtick=1)
    fig.update_yaxes(title_text="activation")
    return light_chart(fig, height)


def norm_axes_figure(both: Mapping[str, np.ndarray], height: int = 300) -> go.Figure:
    """A batch (rows: examples, columns: features) before normalising, after batch norm (each column
    mean 0, variance 1) and after layer norm (each row)."""
    titles = ("the batch", "batch norm: each column", "layer norm: each row")
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.06)
    for col, key in enumerate(("x", "batchnorm", "layernorm"), start=1):
        z = both[key]
        fig.add_trace(
            go.Heatmap(
                z=z,
                colorscale="RdBu_r",
                zmid=0,
                showscale=col == 3,
                hovertemplate="example %{y}, feature %{x}: %{z:.2f}<extra></extra>",
            ),
            1,
            col,
        )
    fig.update_xaxes(title_text="feature")
    fig.update_yaxes(title_text="example", autorange="reversed", col=1)
    fig.update_yaxes(autorange="reversed")
    return light_chart(fig, height)


def batch_dependence_figure(dep: Mapping[str, np.ndarray], height: int = 300) -> go.Figure:
    """How much one example's normalised features move when its batchmates change, per batch size."""
    fig = go.Figure()
    for i, key in enumerate(("batchnorm", "layernorm")):
        fig.add_trace(
            go.Scatter(
                x=dep["batch_sizes"],
                y=dep[key],
                mode="lines+markers",
                name={"batchnorm": "batch norm", "layernorm": "layer norm"}[key],
                line=dict(color=PALETTE[i], width=2),
            )
        )
    fig.update_xaxes(title_text="batch size", type="log", tickvals=list(dep["batch_sizes"]))
    fig.update_yaxes(title_text="change of one example's output", rangemode="tozero")
    return light_chart(fig, height)
