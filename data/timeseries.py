"""Time series: synthetic generators, a checked CSV loader, and windowing into a Supervised bundle.

Generators (seeded, cheap):

- ``seasonal``: level + linear trend + a sine of period ``period`` (+ a weaker second harmonic) +
  Gaussian noise.
- ``ar``: an AR(p) process x_t = μ + Σ φ_i (x_{t-i} − μ) + ε_t with stationary default coefficients.
- ``price``: a price-like series. Log returns follow a GARCH(1,1) process,
  σ²_t = ω + α r²_{t-1} + β σ²_{t-1}, so calm and turbulent stretches alternate (volatility
  clustering); Close is the geometric random walk exp(Σ r). Open is the previous close moved by a small
  overnight gap; High and Low extend beyond max/min(Open, Close) by half-normal intraday ranges.

``windows`` turns a (T, C) array into examples: input x = values[t−window : t] (window, C), target
y = values[t : t+horizon, targets] (horizon, C_out). The series is split in time order into train,
validation and test spans; an example belongs to a span when all its *targets* lie in that span (its
inputs may reach back into earlier spans: that is the past, available at forecast time). Scaling is
fitted on the training span only, so nothing about the validation or test values leaks into training.

Errors are ValueErrors whose message is a sentence without its final period (the recipe layer adds
it), as elsewhere in ``data``.
"""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
import pandas as pd

from data.base import Supervised

SERIES = ("seasonal", "ar", "price")
SCALINGS = ("standard", "minmax", "none")
OHLC = ("Open", "High", "Low", "Close")
MAX_CSV_BYTES = 2 * 1024 * 1024
MIN_ROWS = 30
MAX_ROWS = 100_000


# ------------------------------------------------------------------------------------------ generators


def seasonal(
    length: int = 800,
    period: int = 40,
    trend: float = 0.002,
    amplitude: float = 1.0,
    noise: float = 0.1,
    level: float = 5.0,
    seed: int = 0,
) -> np.ndarray:
    """(length, 1): level + trend·t + amplitude·(sin(2πt/period) + 0.3 sin(4πt/period + 1)) + noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(length, dtype=np.float64)
    w = 2 * np.pi * t / period
    x = level + trend * t + amplitude * (np.sin(w) + 0.3 * np.sin(2 * w + 1.0))
    return (x + noise * rng.standard_normal(length))[:, None]


def ar(
    length: int = 800,
    coefs: tuple[float, ...] = (0.6, -0.2, 0.3),
    noise: float = 0.5,
    mean: float = 10.0,
    seed: int = 0,
) -> np.ndarray:
    """(length, 1) samples of an AR(p) process with p = len(coefs), after a burn-in of 200 steps."""
    roots = np.roots([1.0, *(-np.asarray(coefs, dtype=float))])
    if len(coefs) and np.any(np.abs(roots) >= 1):
        raise ValueError(f"the AR coefficients {tuple(coefs)} give an explosive process; use smaller ones")
    rng = np.random.default_rng(seed)
    p, burn = len(coefs), 200
    x = np.zeros(length + burn + p)
    eps = noise * rng.standard_normal(len(x))
    for t in range(p, len(x)):
        x[t] = sum(c * x[t - 1 - i] for i, c in enumerate(coefs)) + eps[t]
    return (mean + x[-length:])[:, None]


def price(
    length: int = 800,
    start: float = 100.0,
    drift: float = 0.0003,
    omega: float = 2e-6,
    alpha: float = 0.1,
    beta: float = 0.88,
    seed: int = 0,
) -> np.ndarray:
    """(length, 4) Open, High, Low, Close of a geometric random walk with GARCH(1,1) volatility."""
    if alpha + beta >= 1:
        raise ValueError(f"alpha + beta ({alpha + beta:g}) must be below 1 for the volatility to stay finite")
    rng = np.random.default_rng(seed)
    var = omega / (1 - alpha - beta)  # start at the long-run variance
    r = np.empty(length)
    prev = 0.0
    for t in range(length):
        var = omega + alpha * prev**2 + beta * var
        prev = np.sqrt(var) * rng.standard_normal()
        r[t] = drift + prev
    close = start * np.exp(np.cumsum(r))
    vol = np.sqrt(omega / (1 - alpha - beta))
    prev_close = np.concatenate([[start], close[:-1]])
    open_ = prev_close * np.exp(0.2 * vol * rng.standard_normal(length))  # overnight gap
    top, bottom = np.maximum(open_, close), np.minimum(open_, close)
    high = top * np.exp(np.abs(0.5 * vol * rng.standard_normal(length)))
    low = bottom * np.exp(-np.abs(0.5 * vol * rng.standard_normal(length)))
    return np.stack([open_, high, low, close], axis=1)


def mackey_glass(
    length: int = 2000,
    tau: float = 17.0,
    beta: float = 0.2,
    gamma: float = 0.1,
    power: float = 10.0,
    dt: float = 0.1,
    burn_in: float = 500.0,
    seed: int = 0,
) -> np.ndarray:
    """(length, 1) samples, one per time unit, of the Mackey–Glass delay equation (Mackey & Glass 1977,
    "Oscillation and chaos in physiological control systems", Science 197, 287-289):
    dx/dt = β x(t−τ) / (1 + x(t−τ)ⁿ) − γ x(t). τ = 17 is the classic mildly chaotic setting of the echo
    state network papers. Euler steps of ``dt``; the seed draws the initial history around 1.2, and the
    first ``burn_in`` time units are dropped so that the series starts on the attractor."""
    if not 1 <= tau <= 100:
        raise ValueError(f"the delay tau must be between 1 and 100 time units, got {tau}")
    if not 10 <= length <= 100_000:
        raise ValueError(f"a Mackey-Glass series takes 10 to 100,000 samples, got {length}")
    rng = np.random.default_rng(seed)
    per, lag = int(round(1 / dt)), int(round(tau / dt))
    total = int(round(burn_in / dt)) + length * per
    x = np.empty(lag + total + 1)
    x[: lag + 1] = 1.2 + 0.1 * rng.uniform(-1, 1, lag + 1)  # the history on [−τ, 0]
    for i in range(lag, lag + total):
        d = x[i - lag]
        x[i + 1] = x[i] + dt * (beta * d / (1 + d**power) - gamma * x[i])
    return x[-length * per :: per][:, None]


def generate(series: str, length: int = 800, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, tuple]:
    """A synthetic series by name: (values (T, C), column names)."""
    if series == "seasonal":
        return seasonal(length, noise=noise, seed=seed), ("value",)
    if series == "ar":
        return ar(length, noise=noise, seed=seed), ("value",)
    if series == "price":
        return price(length, seed=seed), OHLC
    raise ValueError(f"unknown series {series!r}; choose one of {', '.join(SERIES)}")


# ---------------------------------------------------------------------------------------- CSV uploads


def read_csv(raw: bytes, filename: str = "upload.csv") -> pd.DataFrame:
    """Parse an uploaded CSV; refuse files that are too big, not text, not CSV, or without a number."""
    if len(raw) > MAX_CSV_BYTES:
        raise ValueError(
            f"{filename} is {len(raw) / 2**20:.1f} MB; uploads are limited to {MAX_CSV_BYTES / 2**20:.0f} MB"
        )
    if not filename.lower().endswith((".csv", ".txt")):
        raise ValueError(f"{filename} is not a CSV file; upload a .csv file with one value per row")
    if not raw.strip():
        raise ValueError(f"{filename} is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{filename} is not a text CSV file (it could not be read as UTF-8 text)") from None
    try:
        head = text.lstrip().splitlines()[0]
        sep = max((",", ";", "\t"), key=head.count) if any(d in head for d in ",;\t") else ","
        df = pd.read_csv(
            io.StringIO(text), sep=sep, nrows=MAX_ROWS + 1, keep_default_na=False, na_values=[""]
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, UnicodeError) as e:
        raise ValueError(f"{filename} could not be read as CSV ({str(e).splitlines()[0][:120]})") from None
    if len(df) > MAX_ROWS:
        raise ValueError(f"{filename} has more than {MAX_ROWS:,} rows; upload at most {MAX_ROWS:,}")
    if not numeric_columns(df):
        raise ValueError(
            f"{filename} has no numeric column: every column holds text. A forecast needs a column of numbers"
        )
    return df


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns where most cells parse as numbers (a stray text cell is reported later, by ``csv_column``)."""
    out = []
    for c in df.columns:
        parsed = pd.to_numeric(df[c], errors="coerce")
        if len(df) and parsed.notna().mean() >= 0.5:
            out.append(str(c))
    return out


def describe_columns(df: pd.DataFrame) -> list[dict]:
    """Each column as the column picker should present it: ``usable`` (every row a finite number),
    ``index`` (counts up by a constant step, like a row number: a poor thing to forecast) and a ``note``
    saying in words what is wrong or special about it (empty, text or infinite cells, with a row)."""
    out = []
    for c in df.columns:
        col = df[c]
        parsed = pd.to_numeric(col, errors="coerce")
        values = parsed.to_numpy(dtype=np.float64)
        notes = []
        empty = [i for i, v in enumerate(col) if pd.isna(v) or str(v).strip() == ""]
        text = [i for i in np.flatnonzero(np.isnan(values)) if i not in set(empty)]
        inf = np.flatnonzero(np.isinf(values))
        for what, rows in (("empty cell", empty), ("text cell", text), ("infinite value", inf)):
            if len(rows):
                n = len(rows)
                notes.append(
                    f"{n} {what}{'s' if n > 1 else ''} (row {int(rows[0]) + 1}{', …' if n > 1 else ''})"
                )
        finite = values[np.isfinite(values)]
        steps = np.diff(finite)
        index = bool(len(finite) > 2 and not notes and np.allclose(steps, steps[0]) and steps[0] != 0)
        if index:
            notes.append(f"counts up by {steps[0]:g} from {finite[0]:g}, like a row number")
        out.append(
            {
                "column": str(c),
                "numeric": bool(len(df) and parsed.notna().mean() >= 0.5),
                "usable": not notes or index,
                "index": index,
                "note": "; ".join(notes),
            }
        )
    return out


def csv_column(df: pd.DataFrame, column: str) -> np.ndarray:
    """The chosen column as float64 (T, 1); text or empty cells and too few rows are refused."""
    if column not in [str(c) for c in df.columns]:
        raise ValueError(f"the file has no column {column!r}")
    col = df[[c for c in df.columns if str(c) == column][0]]
    parsed = pd.to_numeric(col, errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        i = int(bad[0])
        cell = col.iloc[i]
        what = "an empty cell" if pd.isna(cell) or str(cell).strip() == "" else f"text ({str(cell)[:30]!r})"
        raise ValueError(
            f"column {column!r} has {what} in row {i + 1}"
            + (f" and {len(bad) - 1} more bad cells" if len(bad) > 1 else "")
            + "; every row of the chosen column must be a number"
        )
    values = parsed.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"column {column!r} holds infinite values; every row must be a finite number")
    if len(values) < MIN_ROWS:
        raise ValueError(
            f"column {column!r} has {len(values)} row{'s' if len(values) != 1 else ''}; at least {MIN_ROWS} "
            "are needed to make training, validation and test spans"
        )
    return values[:, None]


# ------------------------------------------------------------------------------------------- windows


def fit_scaler(train_values: np.ndarray, scaling: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-column (shift, scale) so that (x − shift) / scale is standardised / in [0, 1] on train."""
    if scaling == "standard":
        shift, scale = train_values.mean(0), train_values.std(0)
    elif scaling == "minmax":
        shift, scale = train_values.min(0), train_values.max(0) - train_values.min(0)
    elif scaling == "none":
        shift, scale = np.zeros(train_values.shape[1]), np.ones(train_values.shape[1])
    else:
        raise ValueError(f"unknown scaling {scaling!r}; choose one of {', '.join(SCALINGS)}")
    return shift, np.where(scale > 1e-12, scale, 1.0)


def split_sizes(n: int, val_frac: float, test_frac: float) -> tuple[int, int, int]:
    if not (0 < test_frac < 0.9 and 0 <= val_frac < 0.9 and val_frac + test_frac < 0.9):
        raise ValueError(
            f"the validation ({val_frac:.0%}) and test ({test_frac:.0%}) shares must leave at least 10% "
            "of the series for training, and the test share must be above 0"
        )
    n_test = max(1, int(round(n * test_frac)))
    n_val = int(round(n * val_frac))
    return n - n_val - n_test, n_val, n_test


def windows(
    values: np.ndarray,
    window: int,
    horizon: int,
    *,
    columns: tuple[str, ...] = ("value",),
    targets: tuple[str, ...] | None = None,
    scaling: Literal["standard", "minmax", "none"] = "standard",
    val_frac: float = 0.15,
    test_frac: float = 0.15,
    name: str = "series",
) -> Supervised:
    """Sliding windows over ``values`` (T, C), split in time order; see the module docstring."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    T = len(values)
    targets = tuple(targets or columns)
    if horizon < 1:
        raise ValueError(
            f"the horizon must be at least 1 step (got {horizon}): a forecast predicts values "
            "after the window"
        )
    if window < 1:
        raise ValueError(f"the window must hold at least 1 past step (got {window})")
    if window >= T:
        raise ValueError(
            f"the window ({window} steps) is longer than the series ({T} points); "
            "choose a window much shorter than the series"
        )
    missing = [t for t in targets if t not in columns]
    if missing:
        raise ValueError(f"no column {missing[0]!r} to forecast; the series has {', '.join(columns)}")
    n_train, n_val, n_test = split_sizes(T, val_frac, test_frac)
    if n_train - window - horizon + 1 < 8:
        raise ValueError(
            f"with a window of {window} and a horizon of {horizon}, the training span ({n_train} points) "
            "holds fewer than 8 examples; shorten the window or the horizon, or use a longer series"
        )
    if n_test < horizon:
        raise ValueError(
            f"the test span ({n_test} points) is shorter than the horizon ({horizon}); "
            "lower the horizon or raise the test share"
        )
    shift, scale = fit_scaler(values[:n_train], scaling)  # fitted on the training span only
    z = ((values - shift) / scale).astype(np.float32)
    tidx = [columns.index(t) for t in targets]
    starts = np.arange(window, T - horizon + 1)  # t: first predicted index of each example
    ends = starts + horizon  # one past the last target
    spans = {
        "train": (starts >= window) & (ends <= n_train),
        "val": (starts >= n_train) & (ends <= n_train + n_val),
        "test": starts >= n_train + n_val,
    }
    gather_x = starts[:, None] + np.arange(-window, 0)[None]  # (N, window)
    gather_y = starts[:, None] + np.arange(horizon)[None]  # (N, horizon)
    X, Y = z[gather_x], z[gather_y][..., tidx]  # (N, window, C), (N, horizon, C_out)
    part = {k: (X[m], Y[m], starts[m]) for k, m in spans.items()}
    has_val = len(part["val"][0]) > 0
    return Supervised(
        x_train=part["train"][0],
        y_train=part["train"][1],
        x_val=part["val"][0] if has_val else None,
        y_val=part["val"][1] if has_val else None,
        x_test=part["test"][0],
        y_test=part["test"][1],
        kind="forecasting",
        num_classes=len(targets),
        name=name,
        meta=dict(
            values=values,
            columns=tuple(columns),
            targets=targets,
            target_idx=tidx,
            shift=shift,
            scale=scale,
            scaling=scaling,
            window=window,
            horizon=horizon,
            spans=(n_train, n_val, n_test),
            starts={k: v[2] for k, v in part.items()},
        ),
    )


def forecast_data(
    series: str = "seasonal",
    length: int = 800,
    window: int = 48,
    horizon: int = 1,
    scaling: str = "standard",
    val_frac: float = 0.15,
    test_frac: float = 0.15,
    noise: float = 0.1,
    seed: int = 0,
    values: np.ndarray | None = None,
    columns: tuple[str, ...] | None = None,
    targets: tuple[str, ...] | None = None,
) -> Supervised:
    """A synthetic series (or ``values`` from an upload), windowed; see :func:`windows`."""
    if values is None:
        if length < 20:
            raise ValueError(f"the series needs at least 20 points, not {length}")
        values, columns = generate(series, length, noise, seed)
        name = {"seasonal": "seasonal + trend", "ar": "AR(3)", "price": "price OHLC"}[series]
    else:
        columns = tuple(
            columns or [f"x{i}" for i in range(np.asarray(values).reshape(len(values), -1).shape[1])]
        )
        name = "uploaded: " + ", ".join(columns)
    return windows(
        values,
        window,
        horizon,
        columns=tuple(columns),
        targets=targets,
        scaling=scaling,  # type: ignore[arg-type]
        val_frac=val_frac,
        test_frac=test_frac,
        name=name,
    )


def unscale(z: np.ndarray, data: Supervised) -> np.ndarray:
    """Model-space targets (..., C_out) back to the series' own units."""
    m = data.meta
    return z * m["scale"][m["target_idx"]] + m["shift"][m["target_idx"]]
