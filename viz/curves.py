"""Training curves: per-step loss (raw and smoothed) and evaluation metrics, several runs overlaid."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

PALETTE = ["#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f03e3e", "#1098ad", "#f59f00", "#495057"]


def ema(values: Sequence[float], alpha: float = 0.05) -> np.ndarray:
    """Exponential moving average with bias correction, so the first points are not dragged to 0.
    A non-finite value is skipped: the average stays where it was (NaN before the first finite value).
    Computed as a linear filter over the finite values (a live chart recomputes it at every tick)."""
    from scipy.signal import lfilter

    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    decay = [1.0, -(1.0 - alpha)]
    m = lfilter([alpha], decay, v[finite])
    w = lfilter([alpha], decay, np.ones(len(m)))
    avg = np.concatenate([[np.nan], m / np.where(w > 0, w, np.nan)])
    return avg[np.cumsum(finite)]  # the average after the last finite value up to each point


def light_chart(fig: go.Figure, height: int, legend_y: float = -0.25) -> go.Figure:
    """The house look of a chart of curves: white plot, light grid, tight margins, the legend in a row
    below the plot (``legend_y``, in plot heights)."""
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=legend_y),
    )
    fig.update_xaxes(gridcolor="#eee")
    fig.update_yaxes(gridcolor="#eee")
    return fig


def training_curves(
    runs: dict[str, list[dict]], *, metric: str | None = None, log_y: bool = False, height: int = 330
) -> go.Figure:
    """``runs`` maps a run's name to its Trainer history. Left: the per-step training loss (faint)
    with its moving average, and each evaluation's train and test (or validation) loss. Right: the
    headline metric (``acc`` or ``r2``) at each evaluation, if any run has one.

    One run: training curves blue, held-out (test or validation) curves orange, so the two read apart at
    a glance. Several runs: one colour per run, held-out curves dashed."""
    return go.Figure(training_curves_spec(runs, metric=metric, log_y=log_y, height=height))


@lru_cache(maxsize=8)
def _subplots(titles: tuple[str, ...]) -> dict:
    """make_subplots' layout for one row of len(titles) plots (axes' domains, the titles' annotations)."""
    fig = make_subplots(rows=1, cols=len(titles), horizontal_spacing=0.1, subplot_titles=titles)
    return fig.to_plotly_json()["layout"]


MARKER_LIMIT = 50  # evaluations drawn with markers; more are drawn as a line
EVAL_POINTS = 500  # evaluations a chart draws at most (evenly spaced, the last always kept)


def _thin(rows: list[dict], limit: int = EVAL_POINTS) -> list[dict]:
    if len(rows) <= limit:
        return rows
    return [rows[i] for i in np.linspace(0, len(rows) - 1, limit).round().astype(int)]


def training_curves_spec(
    runs: dict[str, list[dict]], *, metric: str | None = None, log_y: bool = False, height: int = 330
) -> dict:
    """The figure of ``training_curves`` as Plotly's plain JSON (a dict), built without plotly's
    validating objects: a live panel redraws it at every tick, and building it as a ``go.Figure`` cost
    40 ms of the server's one interpreter per tick (2,000 steps, one run), this 3 ms."""
    if metric is None:
        keys = {k for h in runs.values() for row in h for k in row}
        metric = (
            "acc"
            if "test_acc" in keys
            else "r2"
            if "test_r2" in keys
            else "return"
            if "eval_return" in keys
            else None
        )
    titles = (
        ("loss", {"acc": "accuracy", "r2": "R²", "return": "evaluation return"}.get(metric, metric))
        if metric
        else ("loss",)
    )
    layout = copy.deepcopy(_subplots(titles))
    data: list[dict] = []

    def add(trace: dict, col: int) -> None:
        data.append(
            {**trace, "xaxis": "x" if col == 1 else f"x{col}", "yaxis": "y" if col == 1 else f"y{col}"}
        )

    for i, (name, hist) in enumerate(runs.items()):
        color = PALETTE[i % len(PALETTE)]
        held_color = PALETTE[1] if len(runs) == 1 else color
        tag = f"{name} · " if len(runs) > 1 else ""
        steps = np.array([r["step"] for r in hist if "loss" in r], dtype=float)
        loss = np.array([r["loss"] for r in hist if "loss" in r], dtype=float)
        if len(steps) > 2000:  # plenty for a chart; keeps the JSON small
            keep = np.linspace(0, len(steps) - 1, 2000).astype(int)
            sm = ema(loss)[keep]
            steps, loss = steps[keep], loss[keep]
        else:
            sm = ema(loss)
        # SVG lines, not WebGL ("scattergl"): 2,000 points are one path that Plotly simplifies, and a
        # browser without a GPU draws WebGL in software, in its GPU process, at every tick of a live
        # chart. Measured on the Playground (2 cores, two sessions training): Chromium's GPU process
        # took 0.24 of a core with scattergl and 0.05 with SVG, and "Show test data" followed the click
        # in 0.62-1.16 s (16 flips) with scattergl, 0.50-0.87 s with SVG.
        line = {"type": "scatter", "x": steps, "mode": "lines"}
        add(
            {
                **line,
                "y": loss,
                "line": {"color": color, "width": 1},
                "opacity": 0.25,
                "name": f"{tag}batch loss",
                "showlegend": False,
                "hoverinfo": "skip",
            },
            1,
        )
        add({**line, "y": sm, "line": {"color": color, "width": 2}, "name": f"{tag}train loss (smoothed)"}, 1)
        ev = _thin([r for r in hist if "test_loss" in r])
        rl = _thin([r for r in hist if "eval_return" in r])
        # a marker is an SVG element that the browser lays out again at every tick: past 50 evaluations a
        # line is clearer, and a long run's 3,000 markers kept Chromium's main thread busy a third of the time
        few = max(len(ev), len(rl)) <= MARKER_LIMIT
        points = {"type": "scatter", "mode": "lines+markers" if few else "lines"}
        if few:
            points["marker"] = {"size": 5}
        if metric == "return":  # an agent: its greedy evaluations' return (there is no held-out loss)
            add(
                {
                    **points,
                    "x": [r["step"] for r in rl],
                    "y": [r["eval_return"] for r in rl],
                    "line": {"color": held_color},
                    "name": f"{tag}evaluation return",
                },
                2,
            )
        if ev:
            es = [r["step"] for r in ev]
            held = "val" if "val_loss" in ev[0] else "test"
            add(
                {
                    **points,
                    "x": es,
                    "y": [r[f"{held}_loss"] for r in ev],
                    "line": {"color": held_color, "dash": "dash"},
                    "name": f"{tag}{'validation' if held == 'val' else 'test'} loss",
                },
                1,
            )
            if metric:
                for split, dash in (("train", "solid"), (held, "dash")):
                    if f"{split}_{metric}" in ev[0]:
                        add(
                            {
                                **points,
                                "x": es,
                                "y": [r[f"{split}_{metric}"] for r in ev],
                                "line": {"color": color if split == "train" else held_color, "dash": dash},
                                "name": f"{tag}{'validation' if split == 'val' else split} {metric}",
                                "showlegend": True,
                            },
                            2,
                        )
    # A run with one evaluation (or one step) would otherwise get Plotly's ±1 autorange around that point
    # ("step 99-101", "accuracy 0.99-1.0"): start the step axis at 0, and put a lone accuracy on 0-100 %.
    last = max((r["step"] for h in runs.values() for r in h if "step" in r), default=0)
    axes = ["" if c == 1 else str(c) for c in range(1, len(titles) + 1)]
    for a in axes:
        x = layout.setdefault("xaxis" + a, {})
        x.update(title={"text": "step"}, range=[0, max(1, last) * 1.03], gridcolor="#eee")
        layout.setdefault("yaxis" + a, {})["gridcolor"] = "#eee"
    if metric == "acc":
        accs = [r[k] for h in runs.values() for r in h for k in r if k.endswith("_acc")]
        layout["yaxis2"]["tickformat"] = ".0%"
        if accs and max(accs) - min(accs) < 0.02:
            layout["yaxis2"]["range"] = [0, 1.03]
    if log_y:
        layout["yaxis"]["type"] = "log"
    layout.update(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": -0.25},
        plot_bgcolor="white",
    )
    return {"data": data, "layout": layout}
