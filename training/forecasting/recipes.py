"""Forecasting recipes: any forecaster of ``archs.forecasting.forecasters`` on a synthetic or uploaded series.

    t = get_recipe("lstm_forecast").trainer(arch="forecast_gru", window=32, horizon=4, seed=0)

The data fix the model's input and output sizes (``link``): in_features = the series' columns,
num_outputs = the forecast targets, and the same window and horizon.
"""

from __future__ import annotations

from archs.forecasting.forecasters import FORECASTERS
from data.base import Supervised
from data.timeseries import forecast_data
from training.forecasting.tasks import forecasting_task
from training.recipes import Recipe, register_recipe


def _link(data: Supervised) -> dict:
    m = data.meta
    return {
        "in_features": len(m["columns"]),
        "num_outputs": len(m["targets"]),
        "window": m["window"],
        "horizon": m["horizon"],
    }


register_recipe(
    Recipe(
        name="lstm_forecast",
        title="Forecast a seasonal series",
        summary="Next value of a seasonal series with trend and noise, from the last 48 steps.",
        arch="forecast_lstm",
        archs=FORECASTERS,
        data=forecast_data,
        data_params=dict(series="seasonal", length=800, window=48, horizon=1, scaling="standard"),
        train_params=dict(optimizer="adam", lr=3e-3, batch_size=64, num_steps=600, eval_every=100),
        link=_link,
        task=forecasting_task,
        max_steps=20_000,
    )
)

register_recipe(
    Recipe(
        name="ohlc_forecast",
        title="Forecast Open/High/Low/Close",
        summary="All four prices of the next day of a price-like series with volatility clustering.",
        arch="forecast_lstm",
        archs=FORECASTERS,
        preset="ohlc",
        data=forecast_data,
        data_params=dict(series="price", length=800, window=32, horizon=1, scaling="standard"),
        train_params=dict(optimizer="adam", lr=3e-3, batch_size=64, num_steps=600, eval_every=100),
        link=_link,
        task=forecasting_task,
        max_steps=20_000,
    )
)
