"""Figures of the beyond-attention family: arrays in, Plotly figures out (no streamlit, no networks run
here).

Mixture of experts (Shazeer et al. 2017, Switch: Fedus et al. 2021, Mixtral: Jiang et al. 2024): the share
of tokens each expert receives per layer against the fair share 1/E, the imbalance over training, and the
router's probabilities for every character of a sample text with the chosen experts marked. State spaces
(S4: Gu et al. 2022, Mamba: Gu & Dao 2023): a layer's convolution kernel, one output computed two ways,
Mamba's per-token Δ, B and C, and the selective-copying task's sequences. RWKV (Peng et al. 2023): the
per-channel decay of every layer and the weights the time mixing gives past tokens. Memory (NTM: Graves et
al. 2014, DNC: Graves et al. 2016): the copy task's input, target and output bits, the read and write
weightings over memory rows at every step, and the bit errors against the sequence length.

Inputs are what ``training/beyond`` records (snapshots and histories) and numpy arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, ema, light_chart

FAIR, CHOSEN = "#495057", "#f59f00"
# light colours for token cells, so the token numbers written on them read: noise (0) grey, then pastels
TOKEN_SCALE = [[0, "#e9ecef"], [1e-6, "#d0ebff"], [0.5, "#ffe8cc"], [1 - 1e-6, "#d3f9d8"], [1, "#fff3bf"]]
ANSWER, WRONG = "#2f9e44", "#e03131"


def _char(c: str) -> str:
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(c, c)


# ---- mixture of experts


def load_figure(load: np.ndarray, title: str = "", height: int = 300) -> go.Figure:
    """(layers, E) fractions of the token assignments each expert received: grouped bars per layer, the
    fair share 1/E dashed and twice it dotted (the balancing test's limit)."""
    load = np.atleast_2d(np.asarray(load, dtype=float))
    n_layers, e = load.shape
    fig = go.Figure()
    for li in range(n_layers):
        fig.add_bar(
            x=[f"expert {i}" for i in range(e)],
            y=load[li],
            name=f"MoE layer {li + 1}",
            marker_color=PALETTE[li % len(PALETTE)],
            hovertemplate="%{x}: %{y:.1%} of the tokens<extra>" + f"layer {li + 1}</extra>",
        )
    fig.add_hline(
        y=1 / e,
        line_dash="dash",
        line_color=FAIR,
        annotation_text="fair share 1/E",
        annotation_position="top left",
    )
    fig.add_hline(
        y=2 / e,
        line_dash="dot",
        line_color="#868e96",
        annotation_text="twice fair",
        annotation_position="top left",
    )
    top = max(float(load.max()), 2 / e) * 1.15
    fig.update_layout(
        barmode="group",
        title=dict(text=title, font=dict(size=14)) if title else None,
        yaxis=dict(title="share of tokens", tickformat=".0%", range=[0, top]),
    )
    return light_chart(fig, height)


def imbalance_figure(load_history: Sequence, runs: Mapping[str, Sequence] | None = None) -> go.Figure:
    """The largest expert's share × E (1 = perfectly fair) at each evaluation, one line per MoE layer;
    ``runs`` adds earlier runs' worst layer, dashed, for comparison."""
    fig = go.Figure()
    for li, (steps, share) in _max_shares(load_history).items():
        fig.add_scatter(
            x=steps, y=share, mode="lines+markers", name=f"layer {li + 1}", line_color=PALETTE[li % 8]
        )
    for i, (name, hist) in enumerate((runs or {}).items()):
        shares = list(_max_shares(hist).values())
        if shares:
            steps = shares[0][0]
            worst = np.max(np.stack([share for _, share in shares]), axis=0)
            fig.add_scatter(
                x=steps, y=worst, mode="lines", name=name, line=dict(dash="dash", color=PALETTE[(i + 4) % 8])
            )
    fig.add_hline(y=1, line_dash="dash", line_color=FAIR)
    fig.add_hline(y=2, line_dash="dot", line_color="#868e96", annotation_text="twice fair")
    fig.update_layout(
        xaxis_title="step", yaxis=dict(title="largest share × E", rangemode="tozero"), legend_title=""
    )
    return light_chart(fig, 300)


def _max_shares(load_history: Sequence) -> dict[int, tuple[list[int], np.ndarray]]:
    """{layer: (steps, largest share × E)} from [(step, (layers, E) loads), ...]."""
    if not load_history:
        return {}
    steps = [int(s) for s, _ in load_history]
    loads = np.stack([np.atleast_2d(np.asarray(lo, dtype=float)) for _, lo in load_history])  # (S, L, E)
    e = loads.shape[-1]
    return {li: (steps, loads[:, li].max(axis=1) * e) for li in range(loads.shape[1])}


def _series(history: Sequence[Mapping], key: str) -> tuple[np.ndarray, np.ndarray]:
    rows = [r for r in history if r.get(key) is not None and np.isfinite(r[key])]
    return np.array([r["step"] for r in rows], float), np.array([r[key] for r in rows], float)


def moe_curves(history: Sequence[Mapping], layers: int = 1, height: int = 300) -> go.Figure:
    """Two panels over training: the language-model loss (per batch, faint, and smoothed) with the held-out
    loss at each evaluation; the balancing loss per MoE layer (E·Σ fᵢ·Pᵢ, 1 when perfectly even) with
    the busiest expert's share × E at each evaluation."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("language-model loss", "balance (1 = even)"))
    x, y = _series(history, "lm_loss")
    if len(x):
        fig.add_scatter(x=x, y=y, mode="lines", line=dict(color=PALETTE[0], width=1), opacity=0.25,
                        showlegend=False, row=1, col=1)  # fmt: skip
        fig.add_scatter(x=x, y=ema(y), mode="lines", line=dict(color=PALETTE[0], width=2), name="train loss",
                        row=1, col=1)  # fmt: skip
    x, y = _series(history, "val_loss")
    if len(x):
        fig.add_scatter(
            x=x, y=y, mode="lines+markers", line_color=PALETTE[1], name="held-out loss", row=1, col=1
        )
    x, y = _series(history, "aux_loss")
    if len(x):
        fig.add_scatter(x=x, y=ema(y / max(layers, 1)), mode="lines", line_color=PALETTE[2],
                        name="balancing loss per layer", row=1, col=2)  # fmt: skip
    x, y = _series(history, "max_share")
    if len(x):
        fig.add_scatter(x=x, y=y, mode="lines+markers", line_color=CHOSEN, name="busiest expert's share × E",
                        row=1, col=2)  # fmt: skip
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    return light_chart(fig, height, legend_y=-0.3)


def router_figure(
    probs: np.ndarray, text: str, topk: np.ndarray | None = None, height: int = 300
) -> go.Figure:
    """The router's softmax over experts (rows) for every character of ``text`` (columns), the chosen
    top-k experts ringed."""
    p = np.asarray(probs, dtype=float).T  # (E, T)
    chars = [f"{i}:{_char(c)}" for i, c in enumerate(text[: p.shape[1]])]
    experts = [f"expert {i}" for i in range(p.shape[0])]
    fig = go.Figure(
        go.Heatmap(
            z=p,
            x=chars,
            y=experts,
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar=dict(title="p", thickness=12),
            hovertemplate="%{x} → %{y}: p = %{z:.2f}<extra></extra>",
        )
    )
    if topk is not None:
        k = np.asarray(topk, dtype=int)  # (T, k)
        xs = [chars[t] for t in range(k.shape[0]) for _ in range(k.shape[1])]
        ys = [experts[j] for row in k for j in row]
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="markers",
            marker=dict(symbol="square-open", size=13, color=CHOSEN, line=dict(width=2)),
            name="chosen (top-k)",
            hoverinfo="skip",
        )
    fig.update_xaxes(tickmode="array", tickvals=chars, ticktext=[_char(c) for c in text[: p.shape[1]]])
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(
        title=dict(text="The router's probabilities for each character (first MoE layer)", font=dict(size=14))
    )
    return light_chart(fig, height, legend_y=-0.2)


def params_figure(rows: Mapping[str, tuple[int, int]]) -> go.Figure:
    """Total against active parameters per token, in billions, for each named model."""
    names = list(rows)
    total = [rows[n][0] / 1e9 for n in names]
    active = [rows[n][1] / 1e9 for n in names]
    fig = go.Figure()
    fig.add_bar(y=names, x=total, orientation="h", name="total", marker_color="#adb5bd")
    fig.add_bar(y=names, x=active, orientation="h", name="active per token", marker_color=PALETTE[0])
    fig.update_layout(barmode="overlay", xaxis_title="parameters (billions)")
    return light_chart(fig, 60 + 50 * len(names), legend_y=-0.45)


# ---- state spaces


def kernel_figure(kernel: np.ndarray, channels: int = 4, title: str = "") -> go.Figure:
    """The first ``channels`` rows of a (H, L) convolution kernel K̄ against the lag."""
    k = np.atleast_2d(np.asarray(kernel, dtype=float))
    fig = go.Figure()
    for h in range(min(channels, k.shape[0])):
        fig.add_scatter(y=k[h], mode="lines", name=f"channel {h}", line_color=PALETTE[h % 8])
    fig.update_layout(
        title=dict(text=title, font=dict(size=14)) if title else None, xaxis_title="lag ℓ", yaxis_title="K̄[ℓ]"
    )
    return light_chart(fig, 280)


def two_ways_figure(a: np.ndarray, b: np.ndarray, names: tuple[str, str], title: str = "") -> go.Figure:
    """One output channel computed two ways (a line and markers over it) and their difference below."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.06)
    fig.add_scatter(y=a, mode="lines", name=names[0], line=dict(color=PALETTE[0], width=3), row=1, col=1)
    fig.add_scatter(y=b, mode="markers", name=names[1], marker=dict(color=PALETTE[1], size=5), row=1, col=1)
    fig.add_scatter(y=a - b, mode="lines", name="difference", line_color=FAIR, row=2, col=1)
    fig.update_yaxes(title_text="output", row=1, col=1)
    fig.update_yaxes(title_text="difference", exponentformat="e", row=2, col=1)
    fig.update_xaxes(title_text="position t", row=2, col=1)
    fig.update_layout(title=dict(text=title, font=dict(size=14)) if title else None)
    return light_chart(fig, 340, legend_y=-0.3)


def token_rows_figure(example: Mapping, height: int = 230) -> go.Figure:
    """A selective-copying example as three rows of token cells (input, target, prediction): noise tokens
    grey, the tokens to remember coloured, answers green where right and red where wrong."""
    inputs = list(example["inputs"])
    targets = list(example["targets"])
    predicted = list(example["predicted"])
    mask = [bool(m) for m in example["answer_mask"]]
    n = max(len(inputs), len(targets))
    rows = ["input", "target", "predicted"]
    tokens = np.full((3, n), np.nan)  # token ids of the first two rows (colour = token)
    verdict = np.full((3, n), np.nan)  # the third row: 1 right, 0 wrong
    text = [["" for _ in range(n)] for _ in rows]
    for t, tok in enumerate(inputs):
        tokens[0, t], text[0][t] = float(tok), str(tok)
    for t in range(min(n, len(targets), len(predicted), len(mask))):
        if mask[t]:
            tokens[1, t], text[1][t] = float(targets[t]), str(targets[t])
            verdict[2, t], text[2][t] = float(predicted[t] == targets[t]), str(predicted[t])
    fig = go.Figure(
        go.Heatmap(
            z=tokens,
            x=list(range(n)),
            y=rows,
            colorscale=TOKEN_SCALE,
            zmin=0,
            zmax=max(1.0, float(np.nanmax(tokens))),
            showscale=False,
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y} at %{x}: %{text}<extra></extra>",
            xgap=1,
            ygap=2,
        )
    )
    fig.add_heatmap(
        z=verdict,
        x=list(range(n)),
        y=rows,
        colorscale=[[0, WRONG], [1, ANSWER]],
        zmin=0,
        zmax=1,
        showscale=False,
        text=text,
        texttemplate="%{text}",
        hoverinfo="skip",
        xgap=1,
        ygap=2,
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="position")
    return light_chart(fig, height)


def selection_figure(internals: Mapping[str, np.ndarray], tokens: Sequence[int]) -> go.Figure:
    """Mamba's input-dependent parameters on one sequence, token by token: the mean step Δ, then Δ per
    channel, B and C per state dimension as heatmaps (the first 64 rows of each)."""
    delta = np.asarray(internals["delta"], dtype=float)  # (L, D_inner)
    maps = [("Δ", delta)] + [(n, np.asarray(internals[n], dtype=float)) for n in ("B", "C") if n in internals]
    titles = ["mean Δ per token", "Δ per channel", *(f"{n} per state dimension" for n, _ in maps[1:])]
    heights = [0.16, 0.36, *([0.24] * (len(maps) - 1))]
    fig = make_subplots(
        rows=len(titles), cols=1, shared_xaxes=True, row_heights=heights, vertical_spacing=0.05,
        subplot_titles=titles,
    )  # fmt: skip
    x = list(range(delta.shape[0]))
    fig.add_scatter(
        x=x, y=delta.mean(1), mode="lines+markers", name="mean Δ", line_color=PALETTE[0], row=1, col=1
    )
    tok = np.asarray(tokens)[: len(x)]
    for r, (name, a) in enumerate(maps, start=2):
        z = a.T[:64]  # (rows, L)
        fig.add_heatmap(
            z=z, x=x, colorscale="Viridis" if name == "Δ" else "RdBu", zmid=None if name == "Δ" else 0,
            showscale=False, customdata=np.broadcast_to(tok[None], z.shape),
            hovertemplate="t = %{x} (token %{customdata}), row %{y}: " + name + " = %{z:.3g}<extra></extra>",
            row=r, col=1,
        )  # fmt: skip
        fig.update_yaxes(title_text="channel" if name == "Δ" else "n", row=r, col=1)
    fig.update_xaxes(title_text="position t", row=len(titles), col=1)
    return light_chart(fig, 620, legend_y=-0.1)


# ---- RWKV


def decay_figure(decays: np.ndarray) -> go.Figure:
    """Per-channel decay factors e^(−w) in (0, 1) of every layer: a heatmap, layers down, channels sorted
    by decay within each layer so the spread reads at a glance."""
    d = np.atleast_2d(np.asarray(decays, dtype=float))
    z = np.sort(d, axis=1)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            y=[f"layer {i + 1}" for i in range(d.shape[0])],
            colorscale="Viridis",
            zmin=0,
            zmax=1,
            colorbar=dict(title="e⁻ʷ", thickness=12),
            hovertemplate="%{y}, channel rank %{x}: decay %{z:.3f} per token<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="channels, sorted by decay")
    fig.update_yaxes(autorange="reversed")
    return light_chart(fig, 80 + 28 * d.shape[0])


def memory_weights_figure(decays: Sequence[float], bonus: float, length: int = 24) -> go.Figure:
    """The weight RWKV's time mixing gives each past token (keys equal), for a few decay factors: the
    current token gets e^u, a token ℓ steps back e^(−(ℓ−1)w), normalised."""
    fig = go.Figure()
    lags = np.arange(length)
    for i, lam in enumerate(decays):
        w = -np.log(max(float(lam), 1e-12))
        raw = np.where(lags == 0, np.exp(bonus), np.exp(-(np.maximum(lags, 1) - 1) * w))
        fig.add_scatter(
            x=lags,
            y=raw / raw.sum(),
            mode="lines+markers",
            name=f"decay {lam:.2f}",
            line_color=PALETTE[i % 8],
        )
    fig.update_layout(xaxis_title="tokens back (0 = current)", yaxis_title="weight in wkv")
    return light_chart(fig, 280)


# ---- memory


def copy_figure(example: Mapping) -> go.Figure:
    """The copy task on one sequence: the input bits (with the delimiter channels), the target and the
    network's output probabilities in the recall phase (after the end marker; blank before it, where the
    output is not asked for), time to the right."""
    outputs = np.asarray(example["outputs"], dtype=float).copy()  # (T, width)
    recall = int(example["length"]) + 2  # start marker, the bits, end marker: then the recall
    outputs[:recall] = np.nan
    rows = [("input", example["inputs"]), ("target", example["targets"]), ("output (recall phase)", outputs)]
    fig = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.12, subplot_titles=[r[0] for r in rows]
    )
    for i, (_, a) in enumerate(rows):
        z = np.asarray(a, dtype=float).T  # (channels, T)
        fig.add_heatmap(
            z=z, zmin=0, zmax=1, colorscale="Greys", showscale=False, xgap=1, ygap=1,
            hovertemplate="t = %{x}, bit %{y}: %{z:.2f}<extra></extra>", row=i + 1, col=1,
        )  # fmt: skip
        fig.update_yaxes(showticklabels=False, autorange="reversed", row=i + 1, col=1)
    fig.update_xaxes(title_text="step t", row=3, col=1)
    return light_chart(fig, 380)


def addressing_figure(read_w: np.ndarray, write_w: np.ndarray, rows: int | None = None) -> go.Figure:
    """Read and write weightings over memory rows (down) at every step (right), side by side."""
    r = np.asarray(read_w, dtype=float)
    if r.ndim == 3:  # (T, R, N): several read heads, summed for the picture
        r = r.sum(1)
    w = np.asarray(write_w, dtype=float)  # (T, N)
    n = rows or r.shape[1]
    fig = make_subplots(
        rows=1, cols=2, shared_yaxes=True, subplot_titles=("write weighting", "read weighting")
    )
    for c, a in enumerate((w, r)):
        fig.add_heatmap(
            z=a[:, :n].T, colorscale="Blues", zmin=0, zmax=1, showscale=c == 1,
            colorbar=dict(title="w", thickness=12),
            hovertemplate="t = %{x}, row %{y}: %{z:.2f}<extra></extra>", row=1, col=c + 1,
        )  # fmt: skip
        fig.update_xaxes(title_text="step t", row=1, col=c + 1)
    fig.update_yaxes(title_text="memory row", autorange="reversed", row=1, col=1)
    return light_chart(fig, 360)


def bit_errors_figure(runs: Mapping[str, Mapping[int, float]], train_max: int | None = None) -> go.Figure:
    """Mean wrong bits per sequence against the sequence length, one line per model; lengths beyond
    those trained on shaded."""
    fig = go.Figure()
    top = 0.0
    for i, (name, by_len) in enumerate(runs.items()):
        lengths = sorted(int(k) for k in by_len)
        ys = [float(by_len[k] if k in by_len else by_len[str(k)]) for k in lengths]
        top = max([top, *ys])
        fig.add_scatter(x=lengths, y=ys, mode="lines+markers", name=name, line_color=PALETTE[i % 8])
    if train_max is not None:
        fig.add_vrect(
            x0=train_max + 0.5, x1=max([train_max + 1] + [int(k) for r in runs.values() for k in r]) + 0.5,
            fillcolor="#f1f3f5", line_width=0, layer="below",
            annotation_text="longer than trained on", annotation_position="top left",
        )  # fmt: skip
    fig.update_layout(
        xaxis_title="sequence length", yaxis=dict(title="wrong bits per sequence", range=[0, top * 1.1 + 0.1])
    )
    return light_chart(fig, 300)
