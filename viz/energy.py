"""Figures of the energy-based and classic networks: arrays in, Plotly figures out (no streamlit).

RBM: filters, reconstructions, a Gibbs chain, its curves. DBN: the stages of pre-training and fine-tuning,
pre-trained against random initialisation. Hopfield: a recall step by step with its energy, the capacity
curve, the modern network's attention over stored patterns. DSN: accuracy per block as blocks are added.
SOM: the map's weights (a colour image, or a mosaic of digit prototypes) beside its U-matrix, and its errors
over training. ESN: the forecast against the series and the naive persistence forecast, the echo-state
property (the distance between two reservoir runs), and the forecast error against the spectral radius.
RBF/ELM: centres drawn on the house's decision boundary.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, ema, light_chart
from viz.images import rgb_image

# ---- RBM, DBN, Hopfield (helper A)

TRAIN, HELD, ACCENT, GOOD, BAD = "#1c7ed6", "#f76707", "#7048e8", "#2f9e44", "#e03131"
STAGE_COLOURS = ("#1c7ed6", "#0ca678", "#7048e8", "#e8590c", "#c2255c", "#5c940d", "#1098ad", "#862e9c")


def _grey(img: np.ndarray, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    """(h, w) values in [lo, hi] -> (h, w, 3) uint8, dark ink on white (1 = black)."""
    t = np.clip((np.asarray(img, dtype=np.float32) - lo) / max(hi - lo, 1e-9), 0, 1)
    return np.repeat(((1 - t) * 255).round().astype(np.uint8)[..., None], 3, axis=-1)


def _diverging(img: np.ndarray) -> np.ndarray:
    """(h, w) signed weights -> (h, w, 3) uint8: blue negative, white 0, red positive, scaled per image."""
    w = np.asarray(img, dtype=np.float32)
    t = np.clip(w / max(float(np.abs(w).max()), 1e-9), -1, 1)[..., None]  # (h, w, 1)
    red, blue, white = np.array([214, 40, 40]), np.array([28, 126, 214]), np.array([255, 255, 255])
    rgb = np.where(t >= 0, white + t * (red - white), white - t * (blue - white))
    return rgb.round().astype(np.uint8)


def mosaic(
    tiles: Sequence[np.ndarray], ncols: int, pad: int = 1, scale: int = 1, bg: int = 235
) -> np.ndarray:
    """RGB tiles (h, w, 3), all one size, in a grid with ``pad`` pixels between them, each pixel drawn as a
    ``scale`` × ``scale`` block (so small images stay sharp in the browser), (H, W, 3) uint8."""
    n = len(tiles)
    h, w, _ = tiles[0].shape
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    canvas = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, 3), bg, np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, ncols)
        canvas[
            pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w
        ] = t
    return canvas.repeat(scale, 0).repeat(scale, 1)


def image_figure(canvas: np.ndarray, title: str = "", height: int | None = None) -> go.Figure:
    """One RGB picture (a PNG inside the figure) without axes."""
    fig = go.Figure(rgb_image(canvas))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    fig.update_layout(
        title=dict(text=title, font=dict(size=14)),
        height=height or int(min(560, 60 + canvas.shape[0] * 460 / max(canvas.shape[1], 1))),
        margin=dict(l=5, r=5, t=40 if title else 5, b=5),
        plot_bgcolor="white",
    )
    return fig


def filters_figure(filters: np.ndarray, title: str = "Filters: each hidden unit's weights") -> go.Figure:
    """(F, s, s) weights, one tile per hidden unit: red where a pixel excites the unit, blue where it
    inhibits it."""
    return image_figure(mosaic([_diverging(f) for f in filters], ncols=8, scale=4), title)


def digits_rows_figure(rows: np.ndarray, labels: Sequence[str], title: str = "") -> go.Figure:
    """(R, n, s, s) images in [0, 1], one row per entry of ``labels`` (e.g. data, reconstruction)."""
    R, n = rows.shape[:2]
    fig = image_figure(mosaic([_grey(im) for row in rows for im in row], ncols=n, scale=4), title)
    h = rows.shape[2] * 4 + 4
    fig.update_yaxes(
        visible=True,
        showticklabels=True,
        tickvals=[2 + h * (r + 0.5) for r in range(R)],
        ticktext=list(labels),
    )
    fig.update_layout(margin=dict(l=110, r=5, t=40 if title else 5, b=5))
    return fig


def chain_figure(chain: np.ndarray, steps: Sequence[int], index: int) -> go.Figure:
    """Gibbs chains (S, C, s, s) at step ``steps[index]``: each tile a chain's p(v | h) then."""
    k = int(steps[index])
    what = "random pixels" if k == 0 else f"after {k} Gibbs step{'s' if k != 1 else ''}"
    return image_figure(mosaic([_grey(im) for im in chain[index]], ncols=len(chain[index]), scale=4), what)


def _eval_rows(history: list[dict], key: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in history if key in r]
    return np.array([r["step"] for r in rows], float), np.array([r[key] for r in rows], float)


def rbm_curves(history: list[dict], height: int = 320) -> go.Figure:
    """Left: the reconstruction error (each batch faint, its moving average, each evaluation on the train
    and test digits). Right: the pseudo-log-likelihood per digit at each evaluation (higher is better)."""
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("reconstruction error (mean squared)", "pseudo-log-likelihood per digit"),
        horizontal_spacing=0.1,
    )
    steps, loss = _eval_rows(history, "loss")
    if len(steps):
        keep = np.linspace(0, len(steps) - 1, min(len(steps), 2000)).astype(int)
        fig.add_trace(
            go.Scatter(
                x=steps[keep],
                y=loss[keep],
                mode="lines",
                line=dict(color=TRAIN, width=1),
                opacity=0.25,
                showlegend=False,
                hoverinfo="skip",
            ),
            1,
            1,
        )
        fig.add_trace(
            go.Scatter(
                x=steps[keep],
                y=ema(loss)[keep],
                mode="lines",
                line=dict(color=TRAIN, width=2),
                name="batch (smoothed)",
            ),
            1,
            1,
        )
    for split, color, dash in (("train", TRAIN, "dot"), ("test", HELD, "solid")):
        for key, col in (("recon", 1), ("pl", 2)):
            x, y = _eval_rows(history, f"{split}_{key}")
            if len(x):
                fig.add_trace(
                    go.Scatter(
                        x=x,
                        y=y,
                        mode="lines+markers",
                        marker=dict(size=5),
                        line=dict(color=color, dash=dash),
                        name=f"{split} digits",
                        legendgroup=split,
                        showlegend=col == 2,
                    ),
                    1,
                    col,
                )
    fig.update_xaxes(title_text="step (one batch of 10 digits)")
    return light_chart(fig, height, legend_y=-0.3)


def dbn_curves(history: list[dict], num_rbms: int, height: int = 320) -> go.Figure:
    """Left: the step's loss, coloured by stage: each RBM's reconstruction error while it is pre-trained,
    then the cross-entropy of fine-tuning. Right: test accuracy at each evaluation, stages shaded."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("loss by stage", "test accuracy"), horizontal_spacing=0.1
    )
    rows = [r for r in history if "loss" in r and "stage" in r]
    for stage in sorted({int(r["stage"]) for r in rows}):
        part = [r for r in rows if int(r["stage"]) == stage]
        name = f"pre-train RBM {stage + 1}" if stage < num_rbms else "fine-tune (cross-entropy)"
        if stage == num_rbms - 1 and stage < num_rbms:
            name += " (top, with labels)"
        y = np.array([r["loss"] for r in part], float)
        fig.add_trace(
            go.Scatter(
                x=[r["step"] for r in part],
                y=ema(y, 0.1),
                mode="lines",
                name=name,
                line=dict(color=STAGE_COLOURS[stage % len(STAGE_COLOURS)], width=2),
            ),
            1,
            1,
        )
    x, y = _eval_rows(history, "test_acc")
    if len(x):
        fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines+markers", line=dict(color=HELD), name="test accuracy", showlegend=False
            ),
            1,
            2,
        )
    starts = {}
    for r in rows:
        starts.setdefault(int(r["stage"]), r["step"])
    for stage, s in starts.items():
        if stage:
            fig.add_vline(x=s - 0.5, line=dict(color="#adb5bd", dash="dot"), row=1, col=2)
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    fig.update_xaxes(title_text="step")
    return light_chart(fig, height, legend_y=-0.3)


def pretrain_compare_figure(runs: dict[str, list[dict]], height: int = 320) -> go.Figure:
    """Test accuracy during fine-tuning, one line per run (e.g. pre-trained, random initialisation), each
    run's steps counted from the start of its fine-tuning (a pre-trained run starts from the accuracy its
    generative model reached)."""
    fig = go.Figure()
    for i, (name, hist) in enumerate(runs.items()):
        last = max((int(r.get("stage", 0)) for r in hist), default=0)
        start = min((r["step"] for r in hist if int(r.get("stage", -1)) == last), default=1) - 1
        ft = [r for r in hist if "test_acc" in r and r["step"] >= start]
        fig.add_trace(
            go.Scatter(
                x=[r["step"] - start for r in ft],
                y=[r["test_acc"] for r in ft],
                mode="lines+markers",
                name=name,
                line=dict(color=(GOOD, BAD, TRAIN)[i % 3], width=2),
            )
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white",
        xaxis_title="fine-tuning step",
        yaxis_title="test accuracy",
        legend=dict(orientation="h", y=-0.25),
        yaxis=dict(range=[0, 1.02], gridcolor="#eee"),
    )
    return fig


# ---- Hopfield


def _pm(pattern: np.ndarray, side: int) -> np.ndarray:
    """A ±1 pattern (N,) as a (side, side, 3) tile: +1 black, −1 white."""
    return _grey((np.asarray(pattern, np.float32).reshape(side, side) + 1) / 2)


def patterns_figure(patterns: np.ndarray, names: Sequence[str], side: int, title: str = "") -> go.Figure:
    """Stored ±1 patterns (P, N) side by side, named along the bottom."""
    fig = image_figure(mosaic([_pm(p, side) for p in patterns], ncols=len(patterns), pad=2, scale=6), title)
    w = (side + 2) * 6
    fig.update_xaxes(
        visible=True,
        showticklabels=True,
        tickvals=[12 + w * (i + 0.5) for i in range(len(names))],
        ticktext=list(names),
        showgrid=False,
        zeroline=False,
    )
    fig.update_layout(height=190)
    return fig


def recall_figure(
    pattern: np.ndarray, probe: np.ndarray, state: np.ndarray, side: int, neuron: int | None, title: str
) -> go.Figure:
    """Three grids: the stored pattern, the corrupted probe and the state now, the neuron just visited
    ringed (green if it flipped toward the pattern, red if away, grey if it stayed)."""
    tiles = [_pm(pattern, side), _pm(probe, side), _pm(state, side)]
    scale, pad = 18, 2
    fig = image_figure(mosaic(tiles, ncols=3, pad=pad, scale=scale), title, height=280)
    w = (side + pad) * scale
    fig.update_xaxes(
        visible=True,
        showticklabels=True,
        tickvals=[pad * scale + w * (i + 0.5) for i in range(3)],
        ticktext=["stored", "corrupted start", "state now"],
        showgrid=False,
        zeroline=False,
    )
    if neuron is not None:
        r, c = divmod(int(neuron), side)
        x0, y0 = pad * scale + 2 * w + c * scale, pad * scale + r * scale
        fig.add_shape(
            type="rect",
            x0=x0 - 1.5,
            x1=x0 + scale + 0.5,
            y0=y0 - 1.5,
            y1=y0 + scale + 0.5,
            line=dict(color=ACCENT, width=3),
        )
    return fig


def energy_figure(
    energies: np.ndarray, flipped: np.ndarray, step: int, n: int, height: int = 300
) -> go.Figure:
    """The energy after every asynchronous update (it never rises), the updates that flipped a neuron as
    dots, sweeps of ``n`` updates marked, and the scrubbed step as a vertical line."""
    e = np.asarray(energies, float)
    t = np.arange(len(e))
    fig = go.Figure(go.Scatter(x=t, y=e, mode="lines", name="energy", line=dict(color=ACCENT, width=2)))
    flips = np.flatnonzero(np.asarray(flipped)) + 1
    fig.add_trace(
        go.Scatter(
            x=flips, y=e[flips], mode="markers", name="a neuron flipped", marker=dict(color=BAD, size=6)
        )
    )
    for s in range(n, len(e), n):
        fig.add_vline(x=s, line=dict(color="#dee2e6", dash="dot"))
    fig.add_vline(x=step, line=dict(color="#212529", width=2))
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white",
        xaxis=dict(title="update (one neuron visited; dotted: a sweep over all of them)", gridcolor="#eee"),
        yaxis=dict(title="energy E(s)", gridcolor="#eee"),
        legend=dict(orientation="h", y=-0.3),
        title=dict(text=f"Energy after each update · step {step} of {len(e) - 1}", font=dict(size=14)),
    )
    return fig


def capacity_figure(
    curve: dict, capacity: float = 0.138, marker: float | None = None, height: int = 320
) -> go.Figure:
    """Recall rate (and mean final overlap) against patterns per neuron, the 0.138 N capacity marked, and
    the lab's own load as a dot."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=curve["load"],
            y=curve["recall"],
            mode="lines+markers",
            name="recalled",
            line=dict(color=ACCENT, width=2),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=curve["load"],
            y=curve["overlap"],
            mode="lines",
            name="mean final overlap",
            line=dict(color="#868e96", dash="dot"),
        )
    )
    fig.add_vline(
        x=capacity,
        line=dict(color=BAD, dash="dash", width=2),
        annotation_text="0.138 N",
        annotation_position="top right",
        annotation_font_color=BAD,
    )
    if marker is not None:
        fig.add_vline(
            x=marker,
            line=dict(color=GOOD, width=2),
            annotation_text="stored above",
            annotation_position="bottom left",
            annotation_font_color=GOOD,
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white",
        xaxis=dict(title="load: stored patterns per neuron (P/N)", gridcolor="#eee"),
        yaxis=dict(title="fraction recalled", range=[0, 1.05], gridcolor="#eee"),
        legend=dict(orientation="h", y=-0.3),
        title=dict(text=f"Capacity of {int(curve['n'])} neurons, random patterns", font=dict(size=14)),
    )
    return fig


def attention_weights_figure(
    weights: np.ndarray, names: Sequence[str], beta: float, height: int = 260
) -> go.Figure:
    """softmax(β X ξ): the weight the modern Hopfield update gives each stored pattern."""
    w = np.asarray(weights, float)
    colours = [GOOD if i == int(w.argmax()) else "#adb5bd" for i in range(len(w))]
    fig = go.Figure(
        go.Bar(
            x=list(names),
            y=w,
            marker_color=colours,
            text=[f"{v:.2f}" for v in w],
            textposition="outside",
            name="softmax weight",
        )
    )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=36, b=10),
        plot_bgcolor="white",
        yaxis=dict(range=[0, 1.15], title="weight", gridcolor="#eee"),
        title=dict(text=f"softmax(β X ξ) over the stored patterns, β = {beta:g}", font=dict(size=14)),
    )
    return fig


# ---- DSN, SOM, RBF, ELM, ESN (helper B)

SERIES_GREY = "#495057"


def dsn_blocks_figure(rows: Sequence[dict], height: int = 320) -> go.Figure:
    """Accuracy per block: ``rows`` of {"block", "train_acc", "test_acc"}; the top block is the network's
    output."""
    blocks = [r["block"] for r in rows]
    fig = go.Figure()
    for key, name, colour in (("train_acc", "train", PALETTE[0]), ("test_acc", "test", PALETTE[1])):
        fig.add_trace(
            go.Scatter(
                x=blocks,
                y=[r[key] for r in rows],
                mode="lines+markers+text",
                name=name,
                line=dict(color=colour, width=2),
                text=[f"{r[key]:.1%}" for r in rows] if key == "test_acc" else None,
                textposition="bottom center",
                hovertemplate=f"block %{{x}}<br>{name} accuracy %{{y:.2%}}<extra></extra>",
            )
        )
    lo = min(min(r["train_acc"], r["test_acc"]) for r in rows) if rows else 0.9
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(title="blocks stacked", dtick=1),
        yaxis=dict(title="accuracy", tickformat=".0%", range=[max(0.0, lo - 0.03), 1.005]),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig


def _mosaic(weights: np.ndarray, side: int) -> np.ndarray:
    """(R, C, side²) prototypes -> one grey image (R·(side+1), C·(side+1)) with 1-pixel gaps."""
    r, c, _ = weights.shape
    img = np.full((r * (side + 1), c * (side + 1)), np.nan)
    for i in range(r):
        for j in range(c):
            img[i * (side + 1) : i * (side + 1) + side, j * (side + 1) : j * (side + 1) + side] = weights[
                i, j
            ].reshape(side, side)
    return img


def som_map_figure(weights: np.ndarray, umatrix: np.ndarray, title: str = "", height: int = 400) -> go.Figure:
    """The map (R, C, D) beside its U-matrix (R, C). Three numbers per unit are drawn as its colour;
    a square number (64) as the unit's image; the U-matrix as a heatmap (dark: far from its neighbours)."""
    r, c, d = weights.shape
    fig = make_subplots(
        1,
        2,
        subplot_titles=("each unit's weights", "U-matrix: distance to grid neighbours"),
        horizontal_spacing=0.12,
    )
    if d == 3:
        rgb = (np.clip(weights, 0, 1) * 255).astype(np.uint8)
        fig.add_trace(rgb_image(rgb, name="map"), 1, 1)
    else:
        side = int(round(d**0.5))
        img = _mosaic(weights, side) if side * side == d else weights.mean(-1)
        fig.add_trace(
            go.Heatmap(z=img, colorscale="gray_r", showscale=False, hoverinfo="skip", name="map"), 1, 1
        )
    fig.add_trace(
        go.Heatmap(
            z=umatrix,
            colorscale="Greys",
            colorbar=dict(thickness=10, len=0.85, x=1.0),
            hovertemplate="row %{y}, column %{x}<br>mean distance %{z:.3f}<extra></extra>",
            name="U-matrix",
        ),
        1,
        2,
    )
    for k in (1, 2):
        fig.update_xaxes(showticklabels=False, constrain="domain", row=1, col=k)
        fig.update_yaxes(
            showticklabels=False, autorange="reversed", scaleanchor=f"x{'' if k == 1 else 2}", row=1, col=k
        )
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=50, b=10), title=dict(text=title, font=dict(size=14))
    )
    return fig


def som_curve_figure(
    steps: Sequence[int], qe: Sequence[float], te: Sequence[float], height: int = 280
) -> go.Figure:
    """Quantisation error and topographic error against the training step."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Scatter(x=list(steps), y=list(qe), name="quantisation error", mode="lines+markers"),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=list(steps), y=list(te), name="topographic error", mode="lines+markers", line=dict(dash="dot")
        ),
        secondary_y=True,
    )
    fig.update_xaxes(title="step")
    fig.update_yaxes(title="mean distance to the winner", secondary_y=False, rangemode="tozero")
    fig.update_yaxes(title="share", tickformat=".0%", secondary_y=True, range=[0, 1.02])
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", y=1.02, yanchor="bottom"),
    )
    return fig


def esn_forecast_figure(f: dict[str, np.ndarray], show: int = 300, height: int = 340) -> go.Figure:
    """The test span: the series, the one-step forecast, persistence (the last value), and the
    free-running forecast (fed its own outputs) over its horizon."""
    n = min(show, len(f["target"]))
    t = np.arange(n)
    fig = go.Figure()
    lines = (
        ("target", "Mackey–Glass series", dict(color=SERIES_GREY, width=3)),
        ("persistence", "persistence (last value)", dict(color=PALETTE[3], width=1.5, dash="dot")),
        ("one_step", "one step ahead", dict(color=PALETTE[0], width=1.5)),
    )
    for key, name, line in lines:
        fig.add_trace(go.Scatter(x=t, y=f[key][:n, 0], name=name, line=line, mode="lines"))
    h = min(len(f["free"]), n)
    fig.add_trace(
        go.Scatter(x=t[:h], y=f["free"][:h, 0], name="free-running", line=dict(color=PALETTE[1], width=2))
    )
    fig.add_vline(x=h - 1, line=dict(color="#adb5bd", dash="dash"), annotation_text="end of free run")
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="time step of the test span",
        yaxis_title="value (standardised)",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig


def esn_divergence_figure(curves: dict[str, np.ndarray], height: int = 320) -> go.Figure:
    """‖xₐ(t) − x_b(t)‖ / √N per step for each spectral radius (name -> curve), on a log scale: falling to
    0 is the echo-state property."""
    fig = go.Figure()
    for i, (name, d) in enumerate(curves.items()):
        fig.add_trace(
            go.Scatter(
                x=np.arange(1, len(d) + 1),
                y=np.maximum(d, 1e-12),
                name=name,
                mode="lines",
                line=dict(color=PALETTE[i % len(PALETTE)], width=2),
            )
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="time step (same input, two different initial states)",
        yaxis=dict(title="distance between the two states", type="log", exponentformat="power"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig


def esn_sweep_figure(rows: Sequence[dict], current: float | None = None, height: int = 320) -> go.Figure:
    """Forecast error (NRMSE) against the spectral radius: one step ahead and free-running, each with its
    persistence baseline; a vertical line at ρ = 1 and at the chosen radius."""
    rho = [r["rho"] for r in rows]
    fig = go.Figure()
    for key, name, colour, dash in (
        ("test_nrmse", "one step ahead", PALETTE[0], None),
        ("persistence_nrmse", "persistence, one step", PALETTE[0], "dot"),
        ("free_nrmse", "free-running", PALETTE[1], None),
        ("free_persistence_nrmse", "persistence, held", PALETTE[1], "dot"),
    ):
        fig.add_trace(
            go.Scatter(
                x=rho,
                y=[r[key] for r in rows],
                name=name,
                mode="lines+markers" if dash is None else "lines",
                line=dict(color=colour, dash=dash),
            )
        )
    fig.add_vline(x=1.0, line=dict(color="#868e96", dash="dash"), annotation_text="ρ = 1")
    if current is not None:
        fig.add_vline(
            x=current, line=dict(color="#e03131", width=1), annotation_text="yours", annotation_y=0.1
        )
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="spectral radius ρ",
        yaxis=dict(title="NRMSE (1: no better than the mean)", type="log", exponentformat="power"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
    )
    return fig


def centers_overlay(fig: go.Figure, centers: np.ndarray, widths: np.ndarray | None = None) -> go.Figure:
    """Draw an RBF network's centres (K, 2), in the plot's coordinates, as crosses on a boundary figure,
    each with a dotted circle of its width."""
    if widths is not None:
        a = np.linspace(0, 2 * np.pi, 33)
        xs, ys = [], []
        for (cx, cy), w in zip(centers, widths, strict=True):
            xs += [*(cx + w * np.cos(a)), None]
            ys += [*(cy + w * np.sin(a)), None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name="widths",
                line=dict(color="black", width=0.7, dash="dot"),
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=centers[:, 0],
            y=centers[:, 1],
            mode="markers",
            name="centres",
            marker=dict(symbol="x", size=9, color="black"),
            hovertemplate="centre (%{x:.2f}, %{y:.2f})<extra></extra>",
        )
    )
    return fig
