"""Forecasting page panels: the data and preprocessing controls, the live forecast view, the model
comparison and the hyperparameter sweep (both queued through the process-wide job runner)."""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import streamlit as st
import torch

import archs
from data.base import Supervised
from data.timeseries import SCALINGS, csv_column, describe_columns, forecast_data, read_csv
from training.forecasting.metrics import METRICS
from training.forecasting.tasks import internals, persistence, predict, score, truth
from training.jobs import Job
from training.recipes import get_recipe
from ui.charts import plotly_chart
from ui.jobs import job_board
from viz.forecasting import candlestick_figure, forecast_figure, internals_figure, series_figure, sweep_figure

RECIPE = "lstm_forecast"
STALE = "The data settings changed since this run: run it again to compare on the new data."
SERIES_LABELS = {
    "seasonal": "Seasonal with trend and noise",
    "ar": "AR(3) process",
    "price": "Price-like Open/High/Low/Close (volatility clustering)",
    "upload": "Upload a CSV",
}


def sentence(e: Exception) -> str:
    s = str(e)
    return s[:1].upper() + s[1:] + ("" if s.endswith(".") else ".")


def _upload(key: str) -> tuple[np.ndarray, tuple[str, ...]] | None:
    up = st.file_uploader(
        "A CSV file with a header row (at most 2 MB)",
        type=None,
        key=f"{key}.file",
        help="One column of numbers is forecast; other columns (dates, labels) are ignored.",
    )
    if up is None:
        st.info("Upload a CSV to forecast one of its numeric columns.", icon=":material/upload_file:")
        return None
    try:
        df = read_csv(up.getvalue(), up.name)
        cols = [str(c) for c in df.columns]
        info = {d["column"]: d for d in describe_columns(df)}
        # the first numeric column that is not a row counter (its bad cells, if any, are then named)
        ranked = sorted(
            cols,
            key=lambda c: (not info[c]["numeric"], info[c]["index"], not info[c]["usable"], cols.index(c)),
        )
        column = st.selectbox(
            "Column to forecast",
            cols,
            index=cols.index(ranked[0]),
            key=f"{key}.col",
            format_func=lambda c: c + (f" — {info[c]['note']}" if info[c]["note"] else ""),
        )
        odd = [f"**{c}**: {d['note']}" for c, d in info.items() if d["note"] and d["numeric"]]
        if odd:
            st.caption("Columns with something to know: " + "; ".join(odd) + ".")
        return csv_column(df, column), (column,)
    except ValueError as e:
        st.error(f"**This file cannot be used.** {sentence(e)}", icon=":material/block:")
        return None


def data_controls(key: str, seed: int) -> tuple[dict[str, Any] | None, Supervised | None]:
    """Series and preprocessing widgets; returns the data settings (for recipes, which add the seed
    themselves) and the windowed data of ``seed``, or (None, None) after showing why the settings are
    impossible."""
    series = st.selectbox("Series", list(SERIES_LABELS), format_func=SERIES_LABELS.get, key=f"{key}.series")
    c = st.columns(4)
    kw: dict[str, Any] = {"series": series if series != "upload" else "seasonal"}
    if series == "upload":
        got = _upload(key)
        if got is None:
            return None, None
        kw["values"], kw["columns"] = got
    else:
        kw["length"] = c[0].slider(
            "Length", 100, 3000, 800, 50, key=f"{key}.len", help="Points in the series."
        )
        if series != "price":
            kw["noise"] = c[1].slider(
                "Noise",
                0.0,
                1.0,
                0.1,
                0.05,
                key=f"{key}.noise",
                help="Standard deviation of the random part.",
            )
    kw["window"] = int(
        c[2].number_input(
            "Window", 1, 2000, 48, key=f"{key}.window", help="Past steps the model sees for one forecast."
        )
    )
    kw["horizon"] = int(
        c[3].number_input(
            "Horizon", 0, 200, 1, key=f"{key}.horizon", help="Steps predicted at once, 1 = the next value."
        )
    )
    c = st.columns(3)
    kw["scaling"] = c[0].selectbox(
        "Scaling",
        SCALINGS,
        key=f"{key}.scaling",
        help="standard: (x − mean)/std; minmax: to [0, 1]; fitted on the training span only.",
    )
    kw["val_frac"] = c[1].slider("Validation share", 0.0, 0.3, 0.15, 0.05, key=f"{key}.val")
    kw["test_frac"] = c[2].slider("Test share", 0.05, 0.4, 0.15, 0.05, key=f"{key}.test")
    try:
        data = forecast_data(**kw, seed=seed)
    except ValueError as e:
        st.error(f"**Impossible data settings.** {sentence(e)}", icon=":material/block:")
        return None, None
    return kw, data


def sync_fixed(key: str, spec_name: str, preset: str, fixed: dict[str, Any]) -> None:
    """Show the data-dictated sizes in the (disabled) form widgets: a keyed widget keeps its old value
    otherwise, although ``config_form`` uses the fixed one."""
    for name, v in fixed.items():
        st.session_state[f"{key}.{spec_name}.{preset}.{name}"] = v


def data_view(data: Supervised) -> None:
    m = data.meta
    plotly_chart(series_figure(m["values"], m["columns"], m["spans"], title=data.name), key="fc.d.chart")
    if tuple(m["columns"]) == ("Open", "High", "Low", "Close"):
        plotly_chart(candlestick_figure(m["values"]), key="fc.d.candlechart")
    n_val = 0 if data.x_val is None else len(data.x_val)
    st.caption(
        f"{len(data.x_train)} training, {n_val} validation and {len(data.x_test)} test examples; "
        f"inputs {m['window']}×{len(m['columns'])}, targets {m['horizon']}×{len(m['targets'])}. Examples are "
        "assigned to a span by their targets, in time order; the scaler saw only the training span."
    )


def data_signature(kw: dict[str, Any]) -> str:
    items = {
        k: (hashlib.sha1(np.ascontiguousarray(v).tobytes()).hexdigest() if isinstance(v, np.ndarray) else v)
        for k, v in kw.items()
    }
    return repr(sorted(items.items()))


def forecast_view(data: Supervised, preds: dict[str, np.ndarray], key: str) -> None:
    """The metrics table (persistence first) and the forecasts against the truth on the test span."""
    allp = {"persistence (last value)": persistence(data), **preds}
    rows = [{"model": n, **score(p, data)} for n, p in allp.items()]
    st.dataframe(
        pd.DataFrame(rows)
        .set_index("model")
        .style.format({m: "{:.4g}" for m in METRICS})
        .highlight_min(axis=0, color="#d3f9d8"),
        width="stretch",
    )
    H = data.meta["horizon"]
    step = st.slider("Horizon step shown", 1, H, 1, key=f"{key}.hstep") - 1 if H > 1 else 0
    hist = data.meta["values"][:, data.meta["target_idx"]]
    plotly_chart(
        forecast_figure(data.meta["starts"]["test"], truth(data), allp, data.meta["targets"], step, hist),
        key=f"{key}.fig",
    )


def train_tab(spec, cfg, data: Supervised | None, data_kw: dict | None, seed: int, device: str) -> None:
    """The Architectures tab's Train tab: the chosen model on the Data tab's series, trained live."""
    from ui.train_panel import train_panel

    if data is None or cfg is None:
        st.info("Fix the data settings (Data tab) and the hyperparameters first.")
        return
    recipe = get_recipe(RECIPE)
    c = st.columns(3)
    lr = c[0].select_slider(
        "Learning rate", (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 10.0), 3e-3, key="fc.t.lr"
    )
    bs = c[1].select_slider("Batch size", (8, 16, 32, 64, 128, 256), 64, key="fc.t.bs")
    steps = c[2].select_slider("Steps", (100, 300, 600, 1000, 2000, 5000), 600, key="fc.t.steps")
    settings = dict(
        arch=spec.name, config=cfg, lr=float(lr), batch_size=bs, num_steps=steps, seed=seed, device=device
    )
    train_panel(
        "fc.train",
        lambda: recipe.trainer(**settings, **data_kw),
        signature=(data_signature(data_kw), repr(sorted((k, repr(v)) for k, v in settings.items()))),
        probes=live_probes,
        render=live_render,
        step_sizes=(10, 100, 300),
    )


def live_render(snap: dict, data: Supervised) -> None:
    if "fc" in snap:
        forecast_view(data, {"model being trained": snap["fc"]}, "fc.t.view")


def live_probes(data: Supervised) -> dict[str, Callable]:
    return {"fc": lambda model: predict(model, data, "test")}


# ---------------------------------------------------------------------------------- queued job groups
# (launch_group and job_group_view live in ui.jobs: the Compare page queues its runs the same way)


def finished_predictions(jobs: dict[str, Job]) -> dict[str, np.ndarray]:
    out = {}
    for lab, j in jobs.items():
        if j.trainer.status == "done":
            with j.lock:
                out[lab] = predict(j.trainer.model, j.trainer.data)
    return out


def compare_trainer(arch: str, data_kw: dict, steps: int, seed: int, device: str) -> Callable:
    return lambda: get_recipe(RECIPE).trainer(arch=arch, num_steps=steps, seed=seed, device=device, **data_kw)


class Sweepable(NamedTuple):
    """A hyperparameter a sweep may vary: its kind, the values offered, and the range it accepts."""

    kind: str
    default: str
    lo: float
    hi: float


def parse_values(text: str, hp: Sweepable, name: str) -> list[float | int]:
    """3 to 5 comma-separated values of the swept hyperparameter, each inside its range; ValueError
    with a sentence otherwise."""
    parts = [p for p in text.replace(" ", "").split(",") if p]
    try:
        vals = [int(p) if hp.kind == "int" else float(p) for p in parts]
    except ValueError:
        raise ValueError(
            f"the values must be {'whole ' if hp.kind == 'int' else ''}numbers separated by commas"
        ) from None
    if not 3 <= len(vals) <= 5:
        raise ValueError(f"give 3 to 5 values to sweep, not {len(vals)}")
    if len(set(vals)) != len(vals):
        raise ValueError("each value may appear only once")
    bad = [v for v in vals if not (math.isfinite(v) and hp.lo <= v <= hp.hi)]
    if bad:
        raise ValueError(
            f"every value of {name} must lie between {hp.lo:g} and {hp.hi:g}; {bad[0]:g} does not"
        )
    return vals


# what the trainer and the windowing accept (the architectures' own fields carry their ranges)
TRAINING_SWEEPS = {
    "lr": Sweepable("float", "0.0003, 0.001, 0.003, 0.01", 1e-6, 10.0),
    "batch_size": Sweepable("int", "16, 64, 256", 1, 4096),
    "window": Sweepable("int", "12, 24, 48, 96", 2, 512),
}


def sweepable(arch: str) -> dict[str, Sweepable]:
    """Hyperparameter -> what a sweep may vary for ``arch``: the training settings, then the
    architecture's numeric fields with their declared ranges."""
    out = dict(TRAINING_SWEEPS)
    fixed = {"in_features", "num_outputs", "window", "horizon"}
    for f in archs.get_arch(arch).fields:
        if f.kind in ("int", "float") and f.name not in fixed:
            lo, hi = f.lo or 0, f.hi or 1
            vals = sorted({min(max(v, lo), hi) for v in (f.default / 2, f.default, f.default * 2)})
            if len(vals) < 3:
                vals = [lo, (lo + hi) / 2, hi]
            shown = ", ".join(str(int(v) if f.kind == "int" else round(v, 4)) for v in vals)
            out[f.name] = Sweepable(f.kind, shown, lo, hi)
    return out


def forecasters() -> list[str]:
    return [s.name for s in archs.list_archs("forecasting")]


def title(arch: str) -> str:
    """A model's name as the pickers show it (its title, not its registry name)."""
    return archs.get_arch(arch).title


def sweep_trainer(arch: str, data_kw: dict, name: str, value, steps: int, seed: int, device: str) -> Callable:
    kw = {**data_kw, "arch": arch, "num_steps": steps, "seed": seed, "device": device, name: value}
    return lambda: get_recipe(RECIPE).trainer(**kw)


def sweep_view(data: Supervised, jobs: dict[str, Job], name: str) -> None:
    """Test metrics against the swept value, beside persistence, and the table of every run."""
    preds = finished_predictions(jobs)
    if not preds:
        return
    rows = [
        {name: float(lab.split("=", 1)[1]), **score(p, jobs[lab].trainer.data)} for lab, p in preds.items()
    ]
    df = pd.DataFrame(rows)
    base = score(persistence(data), data)["RMSE"] if name != "window" else None
    plotly_chart(sweep_figure(df[name], {"RMSE": df["RMSE"], "MAE": df["MAE"]}, name, base), key="fc.w.fig")
    best = df.loc[df["RMSE"].idxmin(), name]
    st.dataframe(df.style.format({m: "{:.4g}" for m in METRICS}), hide_index=True, width="stretch")
    st.caption(
        f"Lowest test RMSE at {name} = {best:g}. Each run has its own seed-fixed initialisation; "
        "differences smaller than the run-to-run spread are noise."
    )


def internals_panel(spec: archs.ArchSpec, cfg: Any, data: Supervised | None, train_key: str) -> None:
    """Inside the model for one test window: the model trained in the Train tab if it matches ``cfg``,
    else a freshly initialised one."""
    if data is None or any(getattr(cfg, k) != v for k, v in _link(data).items()):
        st.info("Fix the data settings (Data tab) to look inside the model on a real window.")
        return
    job = job_board().get(train_key)
    trained = job is not None and getattr(job.trainer.model, "cfg", None) == cfg
    if trained:
        model, lock = job.trainer.model, job.lock
    else:
        torch.manual_seed(0)
        model, lock = archs.build_from_config(spec, cfg), contextlib.nullcontext()
    n = len(data.x_test)
    i = (
        st.slider("Test window", 1, n, 1, key="fc.i.idx", help="Which window of the test span to feed in.")
        - 1
    )
    with lock:
        d = internals(model, data.x_test[i])
    fig = internals_figure(d, data.meta["columns"])
    if fig is not None:
        plotly_chart(fig, key="fc.i.fig")
    st.caption(
        (
            "Weights of the model trained in the Train tab. "
            if trained
            else "A freshly initialised model: train it in the Train tab (same settings) to see what it "
            "learned. "
        )
        + "Inputs are scaled; with subtract_last the window's last value is subtracted first."
    )


def _link(data: Supervised) -> dict[str, Any]:
    return get_recipe(RECIPE).link(data)
