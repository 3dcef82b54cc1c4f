"""Figures for reinforcement learning: the learning curves of an agent (episode return against environment
steps, with the environment's "solved" line; its losses; its exploration), several algorithms compared as
mean and band over seeds, the policy and value of a network over a 2-D slice of the state space, a
GridWorld's values with greedy arrows (as REINFORCEjs draws them), and one recorded episode frame by frame.

Inputs are what ``training/rl`` records: history rows ({"step", "env_steps", "episode_return", "loss",
"policy_loss", ...}) and the probes' dicts of numpy arrays. Nothing here runs an environment or a network.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.curves import PALETTE, ema, light_chart

ARROWS = ("↑", "→", "↓", "←")  # GridWorld's actions 0..3: up, right, down, left
RETURN, EVAL, SOLVED = "#1c7ed6", "#e8590c", "#2f9e44"
LOSSES = (
    ("policy_loss", "policy loss", "#ae3ec9"),
    ("value_loss", "value loss", "#1098ad"),
    ("q_loss", "TD loss", "#1c7ed6"),
    ("td_error", "|TD error|", "#1c7ed6"),
)
EXPLORE = (("epsilon", "ε (random-action rate)", "#f59f00"), ("entropy", "policy entropy", "#f59f00"))


def _x(rows: list[dict]) -> np.ndarray:
    """Environment steps where recorded (the fair clock across algorithms), else update steps."""
    return np.array([r.get("env_steps", r["step"]) for r in rows], dtype=float)


def _faint_and_smooth(fig, x, y, color: str, name: str, row: int, col: int, alpha: float = 0.1) -> None:
    fig.add_trace(
        go.Scattergl(
            x=x,
            y=y,
            mode="markers",
            marker=dict(color=color, size=3),
            opacity=0.3,
            showlegend=False,
            hoverinfo="skip",
        ),
        row,
        col,
    )
    fig.add_trace(
        go.Scatter(x=x, y=ema(y, alpha), mode="lines", line=dict(color=color, width=2), name=name), row, col
    )


def rl_curves(history: list[dict], threshold: float | None = None, height: int = 330) -> go.Figure:
    """Left: each finished episode's return (faint dots) and its moving average, the deterministic
    evaluations (orange), and the environment's reward threshold (green, dashed). Middle: the losses the
    algorithm logs. Right: how much it still explores (ε for DQN, the policy's entropy otherwise)."""
    loss_keys = [k for k in LOSSES if any(k[0] in r for r in history)]
    if not loss_keys and any("loss" in r for r in history):
        loss_keys = [("loss", "loss", "#1c7ed6")]
    explore = next((e for e in EXPLORE if any(e[0] in r for r in history)), None)
    titles = ["return per episode", "losses"] + ([explore[1]] if explore else [])
    fig = make_subplots(
        rows=1,
        cols=len(titles),
        subplot_titles=titles,
        horizontal_spacing=0.07,
        column_widths=[0.44, 0.31, 0.25][: len(titles)],
        specs=[[{}, {"secondary_y": True}] + [{}] * (len(titles) - 2)],
    )
    ep = [r for r in history if "episode_return" in r]
    if ep:
        _faint_and_smooth(
            fig, _x(ep), np.array([r["episode_return"] for r in ep]), RETURN, "return (smoothed)", 1, 1
        )
    ev = [r for r in history if "eval_return" in r]
    if ev:
        fig.add_trace(
            go.Scatter(
                x=_x(ev),
                y=[r["eval_return"] for r in ev],
                mode="lines+markers",
                line=dict(color=EVAL, dash="dash"),
                marker=dict(size=6),
                name="evaluation (greedy)",
            ),
            1,
            1,
        )
    if threshold is not None:
        fig.add_hline(
            y=threshold,
            line=dict(color=SOLVED, dash="dot", width=2),
            row=1,
            col=1,
            annotation_text=f"solved: {threshold:g}",
            annotation_position="bottom right",
            annotation_font_color=SOLVED,
        )
    # the value loss grows with the returns (squared errors of returns in the hundreds) while the policy
    # loss stays near 0: beside a policy loss, the value loss gets its own (right) axis
    both = {k for k, *_ in loss_keys} >= {"policy_loss", "value_loss"}
    for key, label, color in loss_keys:
        rows = [r for r in history if key in r and np.isfinite(r[key])]
        if rows:
            y = np.array([r[key] for r in rows], dtype=float)
            right = both and key == "value_loss"
            fig.add_trace(
                go.Scatter(
                    x=_x(rows),
                    y=ema(y, 0.1),
                    mode="lines",
                    line=dict(color=color, width=2, dash="dot" if right else "solid"),
                    name=label + (" (right axis)" if right else ""),
                ),
                1,
                2,
                secondary_y=right,
            )
    if explore:
        rows = [r for r in history if explore[0] in r]
        fig.add_trace(
            go.Scatter(
                x=_x(rows),
                y=[r[explore[0]] for r in rows],
                mode="lines",
                line=dict(color=explore[2], width=2),
                name=explore[1],
                showlegend=False,
            ),
            1,
            3,
        )
    fig.update_xaxes(title_text="environment steps" if any("env_steps" in r for r in history) else "step")
    return light_chart(fig, height, legend_y=-0.28)


def band(curves: Sequence[tuple[np.ndarray, np.ndarray]], grid: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mean, low and high (mean ± one standard deviation over seeds) of several (x, y) curves (a run's
    evaluations: few points, each already a mean over episodes, so not smoothed), each interpolated onto
    ``grid``; NaN where no seed has reached yet or beyond a seed's last point."""
    ys = []
    for x, y in curves:
        x, y = np.asarray(x, float), np.asarray(y, float)
        if len(x) == 0:
            continue
        row = np.interp(grid, x, y)
        row[grid < x[0]] = np.nan
        row[grid > x[-1]] = np.nan
        ys.append(row)
    if not ys:
        nan = np.full_like(grid, np.nan, dtype=float)
        return nan, nan, nan
    a = np.vstack(ys)
    with warnings.catch_warnings():  # all-NaN columns (no seed there yet) stay NaN, silently
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, sd = np.nanmean(a, 0), np.nanstd(a, 0)
    return mean, mean - sd, mean + sd


def compare_figure(
    curves: dict[str, list[tuple[np.ndarray, np.ndarray]]], threshold: float | None = None, height: int = 380
) -> go.Figure:
    """One colour per algorithm: the mean evaluation return over its seeds against environment steps, and a
    band of ± one standard deviation; the seeds' own curves faint underneath."""
    fig = go.Figure()
    end = max((float(x[-1]) for runs in curves.values() for x, _ in runs if len(x)), default=1.0)
    grid = np.linspace(0, end, 200)
    for i, (name, runs) in enumerate(curves.items()):
        color = PALETTE[i % len(PALETTE)]
        for x, y in runs:
            if len(x):
                fig.add_trace(
                    go.Scatter(
                        x=x,
                        y=np.asarray(y, float),
                        mode="lines",
                        line=dict(color=color, width=1),
                        opacity=0.25,
                        showlegend=False,
                        hoverinfo="skip",
                    )
                )
        mean, lo, hi = band(runs, grid)
        ok = np.isfinite(mean)
        if not ok.any():
            continue
        g, lo, hi, mean = grid[ok], lo[ok], hi[ok], mean[ok]
        fig.add_trace(
            go.Scatter(
                x=np.r_[g, g[::-1]],
                y=np.r_[hi, lo[::-1]],
                fill="toself",
                fillcolor=color,
                opacity=0.15,
                line=dict(width=0),
                showlegend=False,
                hoverinfo="skip",
            )
        )
        seeds = sum(1 for x, _ in runs if len(x))
        fig.add_trace(
            go.Scatter(
                x=g,
                y=mean,
                mode="lines",
                line=dict(color=color, width=3),
                name=f"{name} (mean of {seeds} seed{'s' if seeds != 1 else ''})",
            )
        )
    if threshold is not None:
        fig.add_hline(
            y=threshold,
            line=dict(color=SOLVED, dash="dot", width=2),
            annotation_text=f"solved: {threshold:g}",
            annotation_position="bottom right",
            annotation_font_color=SOLVED,
        )
    fig.update_layout(xaxis_title="environment steps", yaxis_title="evaluation return (greedy policy)")
    return light_chart(fig, height, legend_y=-0.2)


def slice_figure(sl: dict, action_names: Sequence[str], height: int = 380) -> go.Figure:
    """The network over a 2-D slice of the state space (the other coordinates held fixed). Left: what it
    does, P(last action) for a stochastic policy, the greedy action for a Q-network, the mean action for a
    continuous one. Right: how good it thinks the state is, V(s) or max Q(s, ·)."""
    xs, ys = np.asarray(sl["xs"]), np.asarray(sl["ys"])
    hover = f"{sl['xlabel']} %{{x:.3f}}<br>{sl['ylabel']} %{{y:.3f}}<br>"
    left = None
    if sl.get("probs") is not None:
        p = np.asarray(sl["probs"])[..., -1]
        name = action_names[-1] if action_names else "last action"
        left = (
            f"P({name})",
            go.Heatmap(
                x=xs,
                y=ys,
                z=p,
                zmin=0,
                zmax=1,
                colorscale="RdBu",
                colorbar=dict(x=0.41, len=0.9, thickness=14),
                hovertemplate=hover + f"P({name}) %{{z:.2f}}<extra></extra>",
            ),
        )
    elif sl.get("q") is not None and len(action_names) == 2:
        d = np.asarray(sl["q"])
        d = d[..., 1] - d[..., 0]
        m = float(np.nanmax(np.abs(d))) or 1.0
        left = (
            f"Q({action_names[1]}) − Q({action_names[0]})",
            go.Heatmap(
                x=xs,
                y=ys,
                z=d,
                zmin=-m,
                zmax=m,
                colorscale="RdBu",
                colorbar=dict(x=0.41, len=0.9, thickness=14),
                hovertemplate=hover + "advantage of the 2nd action %{z:.3f}<extra></extra>",
            ),
        )
    elif sl.get("action") is not None:
        a = np.asarray(sl["action"])
        label = "mean action" if a.dtype.kind == "f" else "greedy action"
        left = (
            label,
            go.Heatmap(
                x=xs,
                y=ys,
                z=a,
                colorscale="RdBu" if a.dtype.kind == "f" else "Viridis",
                colorbar=dict(x=0.41, len=0.9, thickness=14),
                hovertemplate=hover + label + " %{z}<extra></extra>",
            ),
        )
    right = None
    if sl.get("value") is not None:
        right = (
            "V(s), the value the network expects",
            go.Heatmap(
                x=xs,
                y=ys,
                z=np.asarray(sl["value"]),
                colorscale="Viridis",
                colorbar=dict(len=0.9),
                hovertemplate=hover + "value %{z:.2f}<extra></extra>",
            ),
        )
    panels = [p for p in (left, right) if p is not None]
    fig = make_subplots(
        rows=1,
        cols=max(1, len(panels)),
        subplot_titles=[p[0] for p in panels] or [""],
        horizontal_spacing=0.22,
    )
    for i, (_, trace) in enumerate(panels):
        if len(panels) == 1:
            trace.colorbar = dict(len=0.9)
        fig.add_trace(trace, 1, i + 1)
        fig.update_xaxes(title_text=sl["xlabel"], row=1, col=i + 1)
        fig.update_yaxes(title_text=sl["ylabel"], row=1, col=i + 1)
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10))
    return fig


def gridworld_figure(gp: dict, title: str = "", height: int = 360, show_values: bool = True) -> go.Figure:
    """A GridWorld's cells coloured by their value, the greedy action of each as an arrow, walls grey, the
    goal and the pits marked; row 0 at the top, as the grid is drawn on paper."""
    value = np.asarray(gp["value"], dtype=float)
    walls = np.asarray(gp["walls"], dtype=bool)
    greedy = np.asarray(gp["greedy"])
    h, w = value.shape
    m = float(np.nanmax(np.abs(value))) if np.isfinite(value).any() else 1.0
    z = np.where(walls, np.nan, value)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            zmin=-max(m, 1e-6),
            zmax=max(m, 1e-6),
            colorscale="RdYlGn",
            xgap=2,
            ygap=2,
            colorbar=dict(title="value", len=0.9),
            hovertemplate="row %{y}, column %{x}<br>value %{z:.3f}<extra></extra>",
        )
    )
    special = {tuple(gp["goal"]): "GOAL"} | {tuple(p): "PIT" for p in gp.get("pits", [])}
    fills = {"GOAL": "#2f9e44", "PIT": "#c92a2a"}

    def cell(r: int, c: int, colour: str) -> None:
        fig.add_shape(
            type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, fillcolor=colour, line=dict(width=0)
        )

    for r in range(h):
        for c in range(w):
            if walls[r, c]:
                cell(r, c, "#868e96")
                continue
            text = special.get((r, c))
            if text in fills:  # terminal cells: what they pay, not a value of their own
                cell(r, c, fills[text])
                fig.add_annotation(x=c, y=r, text=text, showarrow=False, font=dict(size=14, color="white"))
                continue
            if greedy[r, c] >= 0:
                text = ARROWS[int(greedy[r, c]) % 4]
            if show_values and np.isfinite(value[r, c]):
                text = f"{text or ''}<br><span style='font-size:10px'>{value[r, c]:.2f}</span>"
            if text:
                fig.add_annotation(x=c, y=r, text=text, showarrow=False, font=dict(size=18, color="#212529"))
    fig.update_xaxes(visible=False, range=[-0.5, w - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[h - 0.5, -0.5], scaleanchor="x", constrain="domain")
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        title=title or None,
        plot_bgcolor="white",
    )
    return fig


def episode_figure(
    ep: dict,
    t: int,
    action_names: Sequence[str],
    obs_names: Sequence[str],
    height: int = 420,
    window: int = 60,
) -> go.Figure:
    """One recorded episode over time, a vertical line at frame ``t``. Top: what the network said at each
    frame (action probabilities, Q-values or the mean action). Bottom: the state's coordinates (or the
    cell, in a GridWorld) and the value the network expected. A balancing agent switches its action almost
    every step, so a long episode is shown ``window`` steps either side of ``t`` (zoom out to see it all)."""
    T = int(ep["length"])
    steps = np.arange(T)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=("what the network says", "the state"),
        specs=[[{}], [{"secondary_y": True}]],
    )

    def name(a: int) -> str:
        return action_names[a] if a < len(action_names) else str(a)

    said = next(
        (
            (np.asarray(ep[k]), label)
            for k, label in (
                ("probs", lambda a: f"P({name(a)})"),
                ("q", lambda a: f"Q(s, {name(a)})"),
                ("mean", lambda a: f"mean action {a}"),
            )
            if ep.get(k) is not None
        ),
        None,
    )
    if said is not None:
        values, label = said  # (T, A): one line per action
        for a in range(values.shape[1]):
            fig.add_trace(
                go.Scatter(
                    x=steps, y=values[:, a], mode="lines", line=dict(color=PALETTE[a % 8]), name=label(a)
                ),
                1,
                1,
            )
    states = np.asarray(ep["states"])
    if states.ndim == 1:
        fig.add_trace(
            go.Scatter(x=steps, y=states, mode="lines+markers", line=dict(color="#495057"), name="cell"), 2, 1
        )
    else:
        for i in range(states.shape[1]):
            name = obs_names[i] if i < len(obs_names) else f"s[{i}]"
            fig.add_trace(
                go.Scatter(
                    x=steps, y=states[:, i], mode="lines", line=dict(color=PALETTE[(i + 3) % 8]), name=name
                ),
                2,
                1,
            )
    if ep.get("value") is not None:
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=np.asarray(ep["value"]),
                mode="lines",
                line=dict(color="#212529", dash="dot"),
                name="V(s) (right axis)",
            ),
            2,
            1,
            secondary_y=True,
        )
    for row in (1, 2):
        fig.add_vline(x=t, line=dict(color="#e03131", width=2), row=row, col=1)
    fig.update_xaxes(title_text="time step", row=2, col=1)
    if T > 2 * window + 1:
        lo = min(max(0, t - window), T - 1 - 2 * window)
        fig.update_xaxes(range=[lo - 0.5, lo + 2 * window + 0.5])
    return light_chart(fig, height, legend_y=-0.18)
