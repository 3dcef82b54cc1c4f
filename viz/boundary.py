"""Decision boundaries and per-neuron output maps over the plane (TensorFlow Playground's views)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.images import rgb_image

# Playground's orange (negative / class 0) and blue (positive / class 1)
ORANGE, BLUE = "#f59322", "#0877bd"
CLASS_COLORS = [ORANGE, BLUE, "#2f9e44", "#ae3ec9", "#e03131", "#1098ad", "#5c940d", "#495057"]
DIVERGING = [[0.0, ORANGE], [0.5, "#e8eaeb"], [1.0, BLUE]]


def _rgb(hex_color: str) -> np.ndarray:
    h = hex_color.lstrip("#")
    return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)], dtype=float)


def _points(pts: np.ndarray, y: np.ndarray, kind: str, test: bool) -> list[dict]:
    """The points of one split. Test points are ringed in black and have no legend entries of their own:
    each joins its class's entry (a click on "class 1" hides both splits' points of class 1), so showing
    them leaves the legend, and so the plot's margins, as they were. A legend that grew by a row moved
    the plot, and Plotly drew the whole chart twice, 500 styled points each time: in Chromium on the
    Playground, ~130 ms of the ~190 ms that a "Show test data" click cost Plotly (eight clicks, paused)."""
    name = "test" if test else "train"
    line = {"color": "black", "width": 1.2} if test else {"color": "white", "width": 1}
    if kind == "classification":
        return [
            {
                "type": "scatter",
                "x": pts[y == c, 0],
                "y": pts[y == c, 1],
                "mode": "markers",
                "name": f"test: class {c}" if test else f"class {c}",  # the legend's entry is the class
                "legendgroup": f"class {c}",
                "showlegend": not test,
                "marker": {"color": CLASS_COLORS[c % len(CLASS_COLORS)], "size": 7, "line": line},
                "hovertemplate": f"class {c}<br>x₁=%{{x:.2f}}, x₂=%{{y:.2f}}<extra>{name}</extra>",
            }
            for c in np.unique(y).astype(int)
        ]
    return [
        {
            "type": "scatter",
            "x": pts[:, 0],
            "y": pts[:, 1],
            "mode": "markers",
            "name": "test points" if test else "points",  # one legend entry for both splits
            "legendgroup": "points",
            "showlegend": not test,
            "marker": {"color": y, "colorscale": DIVERGING, "cmin": -1, "cmax": 1, "size": 7, "line": line},
            "hovertemplate": "y=%{marker.color:.2f}<extra>" + name + "</extra>",
        }
    ]


def decision_boundary(xs: np.ndarray, out: np.ndarray, kind: str, **kw) -> go.Figure:
    """The figure of ``decision_boundary_spec`` (``out`` over the grid ``xs × xs``; the same keywords)."""
    return go.Figure(decision_boundary_spec(xs, out, kind, **kw))


def decision_boundary_spec(
    xs: np.ndarray,
    out: np.ndarray,
    kind: str,
    *,
    points_train=None,
    y_train=None,
    points_test=None,
    y_test=None,
    show_test: bool = False,
    height: int = 420,
) -> dict:
    """``out`` over the grid ``xs × xs``: class probabilities (R, R, C) for classification, or values
    (R, R) for regression. Two classes: p(class 1) on Playground's orange–blue scale. More classes:
    each class's colour, faded towards white where the model is unsure.

    Plotly's plain JSON, built without plotly's validating objects: a live panel redraws it at every tick,
    and with 30 sessions training, building it as a ``go.Figure`` was 16 % of the server's time."""
    if kind == "classification" and out.ndim == 3 and out.shape[-1] > 2:
        conf = out.max(-1, keepdims=True)
        cols = np.stack([_rgb(CLASS_COLORS[c % len(CLASS_COLORS)]) for c in range(out.shape[-1])])
        rgb = out @ cols  # (R, R, 3) probability-weighted colour
        fade = (conf - 1 / out.shape[-1]) / (1 - 1 / out.shape[-1])
        rgb = 255 - (255 - rgb) * (0.3 + 0.5 * fade)
        dx = float(xs[1] - xs[0])
        image = rgb_image(
            rgb.astype(np.uint8), x0=float(xs[0]), dx=dx, y0=float(xs[0]), dy=dx, name="prediction"
        )
        data = [image.to_plotly_json()]
    else:
        z = out[..., 1] if out.ndim == 3 else out
        lo, hi = (0.0, 1.0) if kind == "classification" else (-1.0, 1.0)
        data = [
            {
                "type": "heatmap",
                "x": xs,
                "y": xs,
                "z": z,
                "colorscale": DIVERGING,
                "zmin": lo,
                "zmax": hi,
                "opacity": 0.55,
                "showscale": True,
                "colorbar": {
                    "thickness": 10,
                    "len": 0.8,
                    "title": {"text": "p(class 1)" if kind == "classification" else "ŷ"},
                },
                "hovertemplate": "x₁=%{x:.2f}, x₂=%{y:.2f}<br>output %{z:.3f}<extra></extra>",
            }
        ]
    if points_train is not None:
        data += _points(points_train, y_train, kind, test=False)
    if show_test and points_test is not None:
        data += _points(points_test, y_test, kind, test=True)
    lim = float(abs(xs).max())
    layout = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "plot_bgcolor": "white",
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0,
        },  # clear of the x axis
        "xaxis": {"range": [-lim, lim], "title": {"text": "x₁"}, "constrain": "domain"},
        "yaxis": {"range": [-lim, lim], "title": {"text": "x₂"}, "scaleanchor": "x", "scaleratio": 1},
    }
    return {"data": data, "layout": layout}


def neuron_mosaic(layers: list[np.ndarray], *args, **kw) -> go.Figure:
    """The figure of ``neuron_mosaic_spec`` (every hidden neuron's output over the plane)."""
    return go.Figure(neuron_mosaic_spec(layers, *args, **kw))


def neuron_mosaic_spec(
    layers: list[np.ndarray],
    layer_names: list[str] | None = None,
    height: int | None = None,
    tile: int = 25,
    budget: int = 15_000,
) -> dict:
    """Every hidden neuron's output over the plane, one row of tiles per layer, in one heatmap.

    ``layers[i]`` is (R, R, n_i). Each tile is scaled by its own largest |value| so its shape shows, and
    shown at most ``tile`` pixels wide, smaller when there are many (``budget`` pixels in all): a
    thumbnail, as in TensorFlow Playground. The figure is redrawn at every tick of a run, and a browser
    that must parse a megabyte per tick falls seconds behind the run and its buttons.
    Hovering a tile names the layer and neuron (numbers in ``customdata``, sent as compact binary).
    Plotly's plain JSON, built without its validating objects (see ``decision_boundary_spec``)."""
    n_tiles = sum(a.shape[-1] for a in layers)
    tile = max(6, min(tile, int((budget / max(1, n_tiles)) ** 0.5)))
    stride = max(1, -(-layers[0].shape[0] // tile))
    layers = [a[::stride, ::stride] for a in layers]
    R = layers[0].shape[0]
    ncols = max(a.shape[-1] for a in layers)
    gap = max(1, R // 8)
    H = len(layers) * (R + gap) - gap
    W = ncols * (R + gap) - gap
    z = np.full((H, W), np.nan, dtype=np.float32)
    small = len(layers) < 256 and ncols < 256
    who = np.zeros((H, W, 2), dtype=np.uint8 if small else np.int32)  # (layer, neuron) from 1; 0 in gaps
    for li, a in enumerate(layers):
        for j in range(a.shape[-1]):
            t = a[..., j]
            r0, c0 = li * (R + gap), j * (R + gap)
            z[r0 : r0 + R, c0 : c0 + R] = t / (np.abs(t).max() or 1.0)
            who[r0 : r0 + R, c0 : c0 + R] = (li + 1, j + 1)
    names = layer_names or [f"layer {k + 1}" for k in range(len(layers))]
    heatmap = {
        "type": "heatmap",
        "z": z[::-1],
        "colorscale": DIVERGING,
        "zmin": -1,
        "zmax": 1,
        "showscale": False,
        "customdata": who[::-1],
        "hovertemplate": "layer %{customdata[0]}, neuron %{customdata[1]}<br>"
        "h / max|h| = %{z:.2f}<extra></extra>",
    }
    layout = {
        "height": height or int(min(1000, 80 + 110 * len(layers))),
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "plot_bgcolor": "white",
        "xaxis": {
            "showgrid": False,
            "zeroline": False,
            "tickvals": [j * (R + gap) + R / 2 for j in range(ncols)],
            "ticktext": [str(j + 1) for j in range(ncols)],
            "title": {"text": "neuron"},
            "constrain": "domain",
        },
        "yaxis": {
            "showgrid": False,
            "zeroline": False,
            "scaleanchor": "x",
            "tickvals": [H - 1 - (li * (R + gap) + R / 2) for li in range(len(layers))],
            "ticktext": names,
        },
    }
    return {"data": [heatmap], "layout": layout}
