"""Forecasting figures: the series with its time-ordered spans, candlesticks, forecasts against the
truth, and a sweep's metric against the hyperparameter's value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE

SPAN_COLORS = {
    "train": "rgba(28,126,214,0.07)",
    "validation": "rgba(245,159,0,0.10)",
    "test": "rgba(47,158,68,0.10)",
}


def _spans(fig: go.Figure, spans: tuple[int, int, int], rows: int = 1) -> None:
    n_train, n_val, n_test = spans
    edges = {
        "train": (0, n_train),
        "validation": (n_train, n_train + n_val),
        "test": (n_train + n_val, sum(spans)),
    }
    for name, (a, b) in edges.items():
        if b > a:
            for r in range(1, rows + 1):
                fig.add_vrect(
                    x0=a - 0.5,
                    x1=b - 0.5,
                    fillcolor=SPAN_COLORS[name],
                    line_width=0,
                    layer="below",
                    row=r,
                    col=1,
                )
            fig.add_annotation(
                x=(a + b) / 2,
                y=1.0,
                yref="paper",
                text=name,
                showarrow=False,
                yanchor="bottom",
                font=dict(size=12),
            )


def series_figure(
    values: np.ndarray,
    columns: Sequence[str],
    spans: tuple[int, int, int],
    title: str = "",
    height: int = 320,
) -> go.Figure:
    """Every column of ``values`` (T, C) over time, with the train / validation / test spans shaded."""
    values = np.asarray(values, dtype=float).reshape(len(values), -1)
    fig = make_subplots(rows=1, cols=1)
    t = np.arange(len(values))
    for i, c in enumerate(columns):
        fig.add_trace(
            go.Scatter(
                x=t, y=values[:, i], mode="lines", name=str(c), line=dict(width=1.3, color=PALETTE[i % 8])
            )
        )
    _spans(fig, spans)
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 30, b=10),
        title=title or None,
        xaxis_title="time step",
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def candlestick_figure(values: np.ndarray, last: int = 120, height: int = 340) -> go.Figure:
    """The last ``last`` rows of an (T, 4) Open/High/Low/Close array as candlesticks."""
    v = np.asarray(values, dtype=float)[-last:]
    t = np.arange(len(values) - len(v), len(values))
    fig = go.Figure(go.Candlestick(x=t, open=v[:, 0], high=v[:, 1], low=v[:, 2], close=v[:, 3], name="OHLC"))
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_rangeslider_visible=False,
        title=f"the last {len(v)} steps as candlesticks",
        xaxis_title="time step",
    )
    return fig


def forecast_figure(
    starts: np.ndarray,
    truth: np.ndarray,
    preds: Mapping[str, np.ndarray],
    targets: Sequence[str],
    step: int = 0,
    history: np.ndarray | None = None,
    height: int | None = None,
) -> go.Figure:
    """Forecasts against the truth over the test span, one panel per predicted series.

    ``truth`` and each of ``preds`` are (N, horizon, C_out); ``starts`` (N,) the first predicted time
    step of each example; ``step`` picks the horizon step k drawn (each point is the forecast made k+1
    steps before it). ``history`` (T, C_out) draws the series before the test span, faintly."""
    C = truth.shape[2]
    fig = make_subplots(
        rows=C,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[str(t) for t in targets] if C > 1 else None,
    )
    x = np.asarray(starts) + step
    for c in range(C):
        row = c + 1
        if history is not None:
            h0 = max(0, int(x[0]) - 3 * max(1, len(x) // 3))
            fig.add_trace(
                go.Scatter(
                    x=np.arange(h0, int(x[0])),
                    y=history[h0 : int(x[0]), c],
                    mode="lines",
                    name="before the test span",
                    line=dict(color="#adb5bd", width=1),
                    showlegend=c == 0,
                ),
                row=row,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=truth[:, step, c],
                mode="lines",
                name="truth",
                line=dict(color="#212529", width=2),
                showlegend=c == 0,
            ),
            row=row,
            col=1,
        )
        for i, (name, p) in enumerate(preds.items()):
            dash = "dot" if name.startswith("persistence") else None
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=p[:, step, c],
                    mode="lines",
                    name=name,
                    showlegend=c == 0,
                    line=dict(color=PALETTE[i % len(PALETTE)], width=1.4, dash=dash),
                ),
                row=row,
                col=1,
            )
    fig.update_layout(
        height=height or (340 if C == 1 else 190 * C + 90),
        margin=dict(l=10, r=10, t=40, b=10),
        title=f"test span: forecast {step + 1} step{'s' if step else ''} ahead vs the truth",
        legend=dict(orientation="h", y=-0.3 if C == 1 else -0.08),
    )
    fig.update_xaxes(title_text="time step", row=C, col=1)
    return fig


def sweep_figure(
    values: Sequence[float], metrics: Mapping[str, Sequence[float]], name: str, baseline: float | None = None
) -> go.Figure:
    """A metric (or several) against the swept hyperparameter's value; log x for wide positive ranges."""
    v = np.asarray(values, dtype=float)
    order = np.argsort(v)
    fig = go.Figure()
    for i, (m, ys) in enumerate(metrics.items()):
        ys = np.asarray(ys, dtype=float)[order]
        fig.add_trace(
            go.Scatter(
                x=v[order],
                y=ys,
                mode="lines+markers",
                name=m,
                marker=dict(size=9),
                line=dict(color=PALETTE[i % 8]),
            )
        )
    if baseline is not None:
        fig.add_hline(y=baseline, line_dash="dot", line_color="#868e96", annotation_text="persistence")
    log = bool(np.all(v > 0) and v.max() / v.min() >= 20)
    fig.update_layout(
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
        title=f"test error against {name}",
        xaxis_title=name + (" (log scale)" if log else ""),
        yaxis_title="test error",
        xaxis_type="log" if log else "linear",
    )
    return fig


def internals_figure(d: dict, columns: Sequence[str] = ()) -> go.Figure | None:
    """Draw ``training.forecasting.tasks.internals``: hidden states, TCN channels, attention, AR weights."""
    from viz.images import heatmap

    z = d.get("z")
    if d["kind"] == "hidden":
        lag = np.arange(-z.shape[1], 0)
        return heatmap(
            z,
            x=lag,
            title="hidden state hₜ at every step of the window",
            xlabel="time step (−1 = the latest value)",
            ylabel="hidden unit",
        )
    if d["kind"] == "tcn":
        return heatmap(
            z[-1],
            x=np.arange(-z.shape[2], 0),
            xlabel="time step (−1 = the latest value)",
            ylabel="channel",
            title=f"last block's channels over time (receptive field {d['receptive_field']} steps)",
        )
    if d["kind"] == "attention":
        T = z.shape[-1]
        return heatmap(
            z[-1],
            x=np.arange(-T, 0),
            y=np.arange(-T, 0),
            colorscale="Blues",
            zmid=None,
            height=420,
            title="last block's attention (mean over heads): row = query step, column = key step",
            xlabel="attended step",
            ylabel="attending step",
        )
    if d["kind"] == "ar":
        fig = go.Figure()
        lag = np.arange(z.shape[0], 0, -1)  # weight i multiplies y_{t-lag}
        for c in range(z.shape[1]):
            name = str(columns[c]) if c < len(columns) else f"series {c}"
            fig.add_trace(go.Bar(x=lag, y=z[:, c], name=name, marker_color=PALETTE[c % 8]))
        fig.update_layout(
            height=300,
            margin=dict(l=10, r=10, t=40, b=10),
            barmode="group",
            title="AR coefficients φᵢ of the first forecast: weight of the value i steps back",
            xaxis_title="lag i",
            xaxis_autorange="reversed",
        )
        return fig
    return None
