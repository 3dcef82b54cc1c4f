"""Figure builders: structure of the figures, layout by layers, summary numbers."""

import json

import networkx as nx
import numpy as np
import plotly.graph_objects as go
import pytest

import archs
from archs.introspect import trace_graph
from viz import (
    confusion_figure,
    decision_boundary,
    graph_figure,
    image_grid,
    layer_layout,
    model_summary,
    neuron_mosaic,
    training_curves,
)
from viz.boundary import decision_boundary_spec
from viz.curves import EVAL_POINTS, MARKER_LIMIT, training_curves_spec


def _graph(**kw):
    spec = archs.get_arch("mlp")
    cfg = spec.make_config("tiny", **kw)
    return trace_graph(archs.build_from_config(spec, cfg), spec.example_input(cfg))


def test_graph_figure_is_three_traces_with_node_ids(monkeypatch):
    monkeypatch.setattr(
        nx, "spring_layout", lambda *a, **k: pytest.fail("no spring layouts for model graphs")
    )
    G = _graph(hidden_dims=(8, 8, 8), residual=True)
    fig = graph_figure(G)
    assert len(fig.data) == 3  # straight edges, skip edges, nodes: never one trace per edge
    nodes = fig.data[-1]
    assert list(nodes.customdata) == list(G.nodes)
    skips = fig.data[1]
    assert skips.name == "skip connection" and len(skips.x) > 0


def test_graph_figure_passes_plotlys_validation():
    """graph_figure skips Plotly's slow per-element validation: every property it sets must still be
    valid, so rebuilding the figure with validation on gives the same JSON."""
    from archs.detail import auto_opened, view

    G = _graph(hidden_dims=(8, 8, 8), residual=True)
    spec = archs.get_arch("gpt2_small")
    cfg = spec.make_config("tiny")
    gpt = trace_graph(archs.build_from_config(spec, cfg), spec.example_input(cfg))
    H = view(gpt, auto_opened(gpt))  # a block drawn once ×N: a shape and an annotation
    assert H.graph["groups"]
    figs = (
        graph_figure(G),
        graph_figure(G, title="MLP", selected=list(G)[2], show_labels=False),
        graph_figure(H, highlight={next(iter(H))}),
        graph_figure(H, width=200, labels="name"),  # too narrow: the figure asks for its width
    )
    assert figs[-1].layout.width > 200 and figs[0].layout.width is None
    for fig in figs:
        assert json.loads(go.Figure(fig.to_dict()).to_json()) == json.loads(fig.to_json())


def test_layout_rows_follow_longest_paths():
    G = _graph(hidden_dims=(8, 8), residual=True)
    pos = layer_layout(G)
    for u, v in G.edges:
        assert pos[v][1] < pos[u][1]  # every edge points down
    add = next(n for n, d in G.nodes(data=True) if d["kind"] == "add")
    assert all(pos[p][1] > pos[add][1] for p in G.predecessors(add))


def test_summary_counts_match_the_model():
    spec = archs.get_arch("mlp")
    cfg = spec.make_config("canonical")
    m = archs.build_from_config(spec, cfg, "meta")
    s = model_summary(m, spec.example_input(cfg).to("meta"), depth=3)
    t = s["totals"]
    assert t["params"] == 266_610 == t["trainable"]
    assert t["mult_adds"] == 784 * 300 + 300 * 100 + 100 * 10  # per example, linear layers only
    head = next(r for r in s["rows"] if r["path"] == "head")
    assert head["params"] == 1010 and head["output_shape"] == "4×10"
    assert t["param_mb"] == pytest.approx(266_610 * 4 / 2**20)


def test_training_curves_overlay_runs():
    hist = [{"step": i, "loss": 1 / i} for i in range(1, 101)]
    hist[49].update(test_loss=0.1, test_acc=0.9, train_acc=0.95)
    fig = training_curves({"a": hist, "b": hist})
    names = [t.name for t in fig.data]
    assert any("a ·" in n for n in names) and any("b ·" in n for n in names)
    assert any("acc" in n for n in names)


def test_a_long_runs_evaluations_are_thinned_and_drawn_without_markers():
    """Every marker is an SVG element Chromium lays out at each tick: a 50,000-step run evaluated every
    50 steps drew 3,000 of them (7,184 elements on the Playground, 35 % of the browser's main thread in
    long tasks, against 2,114 and 16 % now). Few evaluations keep their markers."""
    hist = [{"step": i, "loss": 1 / i} for i in range(1, 50_001)]
    for i in range(50, 50_001, 50):
        hist[i - 1].update(test_loss=0.1 + i * 1e-6, test_acc=0.9, train_acc=0.95)
    data = training_curves_spec({"run": hist})["data"]
    # every curve is SVG: a browser without a GPU draws WebGL (scattergl) in software at every tick
    assert {t["type"] for t in data} == {"scatter"}
    per_step, held = data[:2], data[2:]
    assert [t["name"] for t in per_step] == ["batch loss", "train loss (smoothed)"]
    assert all(t["mode"] == "lines" and len(t["x"]) <= 2000 for t in per_step)
    assert [t["name"] for t in held] == ["test loss", "train acc", "test acc"]
    for t in held:
        assert t["mode"] == "lines" and "marker" not in t and len(t["x"]) <= EVAL_POINTS
        assert t["x"][0] == 50 and t["x"][-1] == 50_000  # the first and the latest evaluation are kept
    assert held[0]["y"][-1] == pytest.approx(0.1 + 50_000 * 1e-6)
    short = training_curves_spec({"run": hist[: 50 * MARKER_LIMIT]})["data"]
    assert all(t["mode"] == "lines+markers" for t in short[2:])


def test_one_runs_train_and_test_curves_have_different_colours():
    hist = [{"step": i, "loss": 1 / i} for i in range(1, 101)]
    hist[49].update(test_loss=0.1, test_acc=0.9, train_acc=0.95)
    colour = {t.name: t.line.color for t in training_curves({"run": hist}).data}
    assert colour["train loss (smoothed)"] != colour["test loss"]
    assert colour["train acc"] != colour["test acc"]


def test_decision_boundary_binary_and_multiclass():
    xs = np.linspace(-6, 6, 20)
    two = np.random.default_rng(0).dirichlet([1, 1], size=(20, 20))
    fig = decision_boundary(
        xs, two, "classification", points_train=np.zeros((3, 2)), y_train=np.array([0, 1, 1])
    )
    assert isinstance(fig.data[0], go.Heatmap)
    four = np.random.default_rng(0).dirichlet([1] * 4, size=(20, 20))
    assert isinstance(decision_boundary(xs, four, "classification").data[0], go.Image)
    assert isinstance(decision_boundary(xs, two[..., 0], "regression").data[0], go.Heatmap)


@pytest.mark.parametrize("kind", ["classification", "regression"])
def test_showing_the_test_points_leaves_the_legend_as_it_was(kind):
    """A legend that grows moves the plot, and Plotly then draws the chart twice (most of what a "Show
    test data" click cost in Chromium): test points join their class's legend entry instead."""
    rng = np.random.default_rng(0)
    xs = np.linspace(-6, 6, 20)
    out = rng.dirichlet([1, 1], size=(20, 20)) if kind == "classification" else rng.uniform(-1, 1, (20, 20))
    y = np.array([0, 1, 1, 0]) if kind == "classification" else rng.uniform(-1, 1, 4)
    pts = dict(points_train=rng.normal(size=(4, 2)), y_train=y, points_test=rng.normal(size=(4, 2)), y_test=y)

    def legend(show):
        spec = decision_boundary_spec(xs, out, kind, show_test=show, **pts)
        points = [t for t in spec["data"] if t["type"] == "scatter"]  # a heatmap has no legend entry
        return points, [(t["name"], t["legendgroup"]) for t in points if t.get("showlegend", True)]

    hidden, shown = legend(False), legend(True)
    assert len(shown[0]) == len(hidden[0]) + (2 if kind == "classification" else 1)
    assert shown[1] == hidden[1] and hidden[1]  # the same entries: one per class (or one for the points)
    tests = [t for t in shown[0] if t["name"].startswith("test")]
    groups = {group for _, group in shown[1]}
    assert tests and all(t["legendgroup"] in groups for t in tests)  # a click on a class hides both splits
    assert all(t["marker"]["line"]["color"] == "black" for t in tests)  # ringed, as the heading says


def test_neuron_mosaic_tiles_every_neuron():
    layers = [np.random.rand(10, 10, 3), np.random.rand(10, 10, 2)]
    fig = neuron_mosaic(layers)
    z = np.array(fig.data[0].z, dtype=float)
    assert np.isfinite(z).sum() == 10 * 10 * 5
    who = np.array(fig.data[0].customdata)[::-1]  # rows back in top-down order
    assert tuple(who[0, 0]) == (1, 1) and tuple(who[-1, -1]) == (0, 0) and tuple(who[12, 12]) == (2, 2)


def test_neuron_mosaic_stays_small_enough_to_redraw_every_tick():
    """The Playground redraws it at every tick: a large network's mosaic must not become megabytes
    (it was 0.9 MB for two layers of four neurons, with a hover string per pixel)."""
    for shape in ((2, 4), (8, 32)):
        layers = [np.random.rand(50, 50, shape[1]).astype(np.float32) for _ in range(shape[0])]
        assert len(neuron_mosaic(layers).to_json()) < 200_000, shape


def test_image_grid_and_confusion():
    fig = image_grid(np.random.rand(5, 8, 8), [str(i) for i in range(5)], ncols=3)
    assert len(fig.layout.annotations) == 5
    cm = np.array([[3, 1], [0, 4]])
    assert np.array_equal(confusion_figure(cm, ["a", "b"]).data[0].text, cm)


def test_rgb_image_carries_exact_pixels_as_a_small_png():
    from viz.images import decode_rgb_image, rgb_image

    rng = np.random.default_rng(0)
    smooth = np.repeat(np.repeat(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8), 10, 0), 10, 1)
    trace = rgb_image(smooth)
    assert np.array_equal(decode_rgb_image(trace), smooth)  # lossless
    as_numbers = len(go.Figure(go.Image(z=smooth)).to_json())
    assert len(go.Figure(trace).to_json()) < as_numbers / 10  # 200×300 picture: a PNG, not 180,000 numbers


def test_histogram_ships_counts_not_values():
    from viz.images import histogram

    v = np.random.default_rng(0).normal(size=200_000)
    fig = histogram(v, nbins=40)
    assert sum(fig.data[0].y) == 200_000 and len(fig.data[0].y) == 40
    assert len(fig.to_json()) < 20_000


def test_a_single_evaluation_gets_readable_axes():
    """One evaluation at step 99 (a short run): Plotly alone would show steps 98-100 and accuracy
    0.99-1.01; the step axis starts at 0 and a lone accuracy is shown on 0-100 %."""
    hist = [{"step": i, "loss": 1 / i} for i in range(1, 100)]
    hist[-1].update(test_loss=0.1, test_acc=1.0, train_acc=1.0)
    lay = training_curves({"run": hist}).layout
    for ax in (lay.xaxis, lay.xaxis2):
        assert ax.range[0] == 0 and ax.range[1] >= 99
    assert lay.yaxis2.range[0] == 0 and lay.yaxis2.range[1] >= 1 and lay.yaxis2.tickformat == ".0%"
    # a run whose accuracy moves keeps Plotly's autorange (the detail near 100 % matters)
    hist[49].update(test_loss=0.3, test_acc=0.6, train_acc=0.7)
    assert training_curves({"run": hist}).layout.yaxis2.range is None


def test_the_moving_average_is_the_bias_corrected_recursion_skipping_non_finite_values():
    """viz.curves.ema is computed as a linear filter (a live chart recomputes it at every tick): it must
    equal the recursion it stands for, m ← (1 − α)m + αx, w ← (1 − α)w + α, out = m / w, where a NaN or
    an infinity leaves m and w as they were."""
    from viz.curves import ema

    def recursion(v, alpha):
        m = w = 0.0
        out = []
        for x in v:
            if np.isfinite(x):
                m, w = (1 - alpha) * m + alpha * x, (1 - alpha) * w + alpha
            out.append(m / w if w else np.nan)
        return np.array(out)

    rng = np.random.default_rng(0)
    v = rng.normal(size=400)
    v[rng.random(400) < 0.2] = np.nan
    v[[0, 1, 50]] = [np.nan, np.inf, -np.inf]
    for alpha in (0.05, 0.3, 1.0):
        assert np.allclose(ema(v, alpha), recursion(v, alpha), equal_nan=True, rtol=1e-12, atol=1e-12)
    assert ema([], 0.05).shape == (0,) and np.isnan(ema([np.nan], 0.05)).all()
