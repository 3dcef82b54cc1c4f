"""Forecasting data, metrics and models: generators, the CSV checks, windowing without leakage, the
error metrics against hand-computed values, and properties of the forecasters."""

import math

import numpy as np
import pytest
import torch

import archs
from archs.spec import ConfigError
from data.timeseries import MIN_ROWS, ar, csv_column, forecast_data, price, read_csv, seasonal, windows
from training.forecasting.metrics import all_metrics, mae, mape, mse, rmse
from training.forecasting.tasks import persistence, truth
from training.recipes import get_recipe

FORECASTERS = [s.name for s in archs.list_archs("forecasting")]


# ------------------------------------------------------------------------------------------- metrics


def test_metrics_agree_with_hand_computed_values():
    pred, true = [1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 1.0, 5.0]  # errors 1, 0, -2, 1
    assert mse(pred, true) == pytest.approx((1 + 0 + 4 + 1) / 4)  # 1.5
    assert rmse(pred, true) == pytest.approx(math.sqrt(1.5))
    assert mae(pred, true) == pytest.approx((1 + 0 + 2 + 1) / 4)  # 1.0
    assert mape(pred, true) == pytest.approx(100 * (1 / 2 + 0 / 2 + 2 / 1 + 1 / 5) / 4)  # 67.5 %
    assert all_metrics(pred, true) == pytest.approx(
        {"RMSE": math.sqrt(1.5), "MSE": 1.5, "MAE": 1.0, "MAPE": 67.5}
    )


def test_mape_leaves_out_zero_truths_and_shapes_must_match():
    assert mape([1.0, 5.0], [0.0, 4.0]) == pytest.approx(25.0)
    assert math.isnan(mape([1.0], [0.0]))
    with pytest.raises(ValueError, match="differ in shape"):
        rmse(np.zeros((2, 1)), np.zeros((3, 1)))


# ---------------------------------------------------------------------------------------- generators


def test_price_series_is_consistent_ohlc_with_volatility_clustering():
    v = price(3000, seed=1)
    o, h, low, c = v.T
    assert (v > 0).all() and (h >= np.maximum(o, c)).all() and (low <= np.minimum(o, c)).all()
    r2 = np.diff(np.log(c)) ** 2
    lag1 = np.corrcoef(r2[1:], r2[:-1])[0, 1]
    assert lag1 > 0.1, lag1  # squared returns are autocorrelated: calm and wild stretches


def test_ar_process_has_its_coefficients():
    coefs = (0.6, -0.2, 0.3)
    x = ar(4000, coefs=coefs, seed=0)[:, 0]
    x = x - x.mean()
    X = np.stack([x[2:-1], x[1:-2], x[:-3]], axis=1)
    fit, *_ = np.linalg.lstsq(X, x[3:], rcond=None)
    assert np.allclose(fit, coefs, atol=0.06), fit
    with pytest.raises(ValueError, match="explosive"):
        ar(100, coefs=(1.2,))


def test_seasonal_series_repeats_with_its_period():
    x = seasonal(400, period=40, trend=0.0, noise=0.0)[:, 0]
    assert np.allclose(x[:-40], x[40:])


# ---------------------------------------------------------------------------------------- windowing


def test_windows_split_in_time_order_without_leakage():
    values = seasonal(300, noise=0.1, seed=0)
    d = windows(values, window=10, horizon=3, val_frac=0.2, test_frac=0.2)
    n_train, n_val, n_test = d.meta["spans"]
    assert (n_train, n_val, n_test) == (180, 60, 60)
    assert d.x_train.shape[1:] == (10, 1) and d.y_train.shape[1:] == (3, 1)
    st = d.meta["starts"]
    assert (st["train"] + 3 <= n_train).all()  # every training target lies in the training span
    assert (st["val"] >= n_train).all() and (st["val"] + 3 <= n_train + n_val).all()
    assert (st["test"] >= n_train + n_val).all() and len(d.x_test) == n_test - 3 + 1
    # the scaler saw the training span only
    assert d.meta["shift"][0] == pytest.approx(values[:n_train].mean())
    assert d.meta["scale"][0] == pytest.approx(values[:n_train].std())
    # changing the future (validation and test spans) changes nothing the training sees
    future = values.copy()
    future[n_train:] += 100.0
    d2 = windows(future, window=10, horizon=3, val_frac=0.2, test_frac=0.2)
    assert np.array_equal(d.x_train, d2.x_train) and np.array_equal(d.y_train, d2.y_train)
    # targets and inputs are the right slices of the series
    t0 = st["test"][0]
    assert truth(d)[0, :, 0] == pytest.approx(values[t0 : t0 + 3, 0])
    assert persistence(d)[0, :, 0] == pytest.approx([values[t0 - 1, 0]] * 3)


def test_minmax_scaling_maps_the_training_span_to_unit_range():
    d = windows(seasonal(200), window=5, horizon=1, scaling="minmax")
    z = np.concatenate([d.x_train[:, :, 0].ravel(), d.y_train.ravel()])
    assert z.min() == pytest.approx(0.0, abs=1e-6) and z.max() == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(window=500), "window (500 steps) is longer than the series (300 points)"),
        (dict(horizon=0), "horizon must be at least 1 step (got 0)"),
        (dict(window=205), "holds fewer than 8 examples"),
        (dict(horizon=60), "test span (45 points) is shorter than the horizon (60)"),
        (dict(val_frac=0.5, test_frac=0.5), "must leave at least 10%"),
    ],
)
def test_impossible_windows_say_what_to_change(kw, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        forecast_data(length=300, **{"window": 10, "horizon": 1, **kw})


def test_the_recipe_turns_bad_data_settings_into_a_config_error():
    with pytest.raises(ConfigError, match=r"^The window \(900 steps\) is longer than the series"):
        get_recipe("lstm_forecast").trainer(window=900)
    with pytest.raises(ConfigError, match=r"^The horizon must be at least 1"):
        get_recipe("lstm_forecast").trainer(horizon=0)


# ------------------------------------------------------------------------------------------- uploads


def _csv(rows: list[str]) -> bytes:
    return ("date,price\n" + "\n".join(rows)).encode()


def test_csv_upload_reads_a_numeric_column():
    df = read_csv(_csv([f"2024-01-{i:02d},{i * 1.5}" for i in range(1, 41)]), "prices.csv")
    v = csv_column(df, "price")
    assert v.shape == (40, 1) and v[2, 0] == pytest.approx(4.5)
    single = read_csv(b"value\n" + "\n".join(str(i) for i in range(40)).encode(), "one.csv")
    assert csv_column(single, "value")[-1, 0] == 39.0


@pytest.mark.parametrize(
    "raw, name, message",
    [
        (_csv([f"d{i},{i}" for i in range(40)] + ["d40,n/a"]), "p.csv", r"text \('n/a'\) in row 41"),
        (_csv(["d1,1.0"]), "p.csv", f"has 1 row; at least {MIN_ROWS}"),
        (_csv([f"d{i},{i}" for i in range(10)] + ["d10,"]), "p.csv", "an empty cell in row 11"),
    ],
)
def test_bad_column_is_refused_with_a_clear_message(raw, name, message):
    with pytest.raises(ValueError, match=message):
        csv_column(read_csv(raw, name), "price")


@pytest.mark.parametrize(
    "raw, name, message",
    [
        (b"x\n" + b"1\n" * 1_100_000, "big.csv", "uploads are limited to 2 MB"),
        (b"a,b\n1,2\n", "table.xlsx", "is not a CSV file"),
        (b"\xff\xfe\x00\x81binary", "x.csv", "not a text CSV file"),
        (b"name,city\nann,paris\nbob,rome\n", "t.csv", "no numeric column"),
        (b"   ", "e.csv", "is empty"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(raw, name, message):
    with pytest.raises(ValueError, match=message):
        read_csv(raw, name)


# -------------------------------------------------------------------------------------------- models


@pytest.mark.parametrize("name", FORECASTERS)
def test_multi_output_multi_step_shapes(name):
    m = archs.build_model(name, "ohlc", window=16, horizon=3)
    assert m(torch.randn(5, 16, 4)).shape == (5, 3, 4)


@pytest.mark.parametrize("name", FORECASTERS)
def test_subtract_last_makes_forecasts_shift_with_the_level(name):
    torch.manual_seed(0)
    m = archs.build_model(name, "tiny", horizon=2).eval()
    x = torch.randn(3, 24, 1)
    assert torch.allclose(m(x + 7.0), m(x) + 7.0, atol=1e-4)


def test_tcn_is_causal_and_its_receptive_field_doubles():
    torch.manual_seed(0)
    m = archs.build_model("forecast_tcn", "tiny", subtract_last=False).eval()
    x = torch.randn(1, 24, 1)
    y = x.clone()
    y[:, 15:] += 1.0  # change only the future of step 14
    h1, h2 = m.blocks(x.transpose(1, 2)), m.blocks(y.transpose(1, 2))
    assert torch.equal(h1[:, :, :15], h2[:, :, :15]) and not torch.equal(h1[:, :, 15:], h2[:, :, 15:])
    assert m.cfg.receptive_field == 1 + 2 * 2 * (2**3 - 1)


def test_linear_ar_is_exactly_a_weighted_sum_of_the_window():
    m = archs.build_model("forecast_linear_ar", "tiny", subtract_last=False)
    x = torch.randn(2, 24, 1)
    w, b = m.linear.weight.detach(), m.linear.bias.detach()
    assert torch.allclose(m(x)[:, 0, 0], x[:, :, 0] @ w[0] + b[0], atol=1e-6)


def test_forecaster_config_errors_are_sentences():
    with pytest.raises(ConfigError, match="num_outputs \\(4\\) is larger than in_features \\(1\\)"):
        archs.build_model("forecast_lstm", num_outputs=4)
    with pytest.raises(ConfigError, match="divisible by num_heads"):
        archs.build_model("forecast_transformer", embed_dim=20, num_heads=3)


def test_transformer_exposes_its_attention():
    m = archs.build_model("forecast_transformer", "tiny").eval()
    maps = m.attention(torch.randn(2, 24, 1))
    assert len(maps) == 1 and maps[0].shape == (2, 2, 24, 24)
    assert torch.allclose(maps[0].sum(-1), torch.ones(2, 2, 24), atol=1e-5)


@pytest.mark.parametrize(
    "name, kind, shape",
    [
        ("forecast_lstm", "hidden", (32, 24)),
        ("forecast_bilstm", "hidden", (64, 24)),
        ("forecast_tcn", "tcn", (3, 16, 24)),
        ("forecast_transformer", "attention", (1, 24, 24)),
        ("forecast_linear_ar", "ar", (24, 1)),
    ],
)
def test_internals_of_each_forecaster(name, kind, shape):
    from training.forecasting.tasks import internals

    d = internals(archs.build_model(name, "tiny"), np.random.default_rng(0).standard_normal((24, 1)))
    assert d["kind"] == kind and d["z"].shape == shape and np.isfinite(d["z"]).all()
    if kind == "attention":
        assert np.allclose(d["z"].sum(-1), 1.0, atol=1e-5)
