"""Baselines, vectorised over the whole panel: naive, seasonal naive, drift, window average, TSB.

Example
-------
>>> import polars as pl, datetime as dt
>>> panel = pl.DataFrame({"unique_id": ["a"] * 4, "ds": [dt.date(2024, m, 1) for m in range(1, 5)],
...                       "y": [1.0, 2.0, 3.0, 4.0]})
>>> Drift().fit(panel, horizon=2).predict()["yhat"].to_list()
[5.0, 6.0]
"""

from __future__ import annotations

import numpy as np

from skilltide.forecast.models.base import Forecaster, Wide


class Naive(Forecaster):
    """The last observed value, repeated (Job-SDF's reference baseline)."""

    name = "naive"

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        last = wide.filled()[:, -1]
        return np.repeat(last[:, None], horizon, axis=1)


class SeasonalNaive(Forecaster):
    """The value one season earlier; falls back to the last value for short histories."""

    name = "seasonal_naive"

    def __init__(self, season: int = 12) -> None:
        self.season = season

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        y = wide.filled()
        n_t = y.shape[1]
        if n_t < self.season:
            return Naive()._forecast(wide, horizon)
        cols = [n_t - self.season + (k % self.season) for k in range(horizon)]
        return y[:, cols]


class Drift(Forecaster):
    """The last value plus the average monthly change over the window (random walk with drift)."""

    name = "drift"

    def __init__(self, window: int | None = None) -> None:
        self.window = window

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        y = wide.filled()
        window = min(self.window or y.shape[1], y.shape[1])
        last = y[:, -1]
        slope = (last - y[:, -window]) / max(window - 1, 1)
        steps = np.arange(1, horizon + 1)
        return np.clip(last[:, None] + slope[:, None] * steps, 0.0, None)


class WindowAverage(Forecaster):
    """The mean of the last ``window`` months."""

    name = "window_average"

    def __init__(self, window: int = 6) -> None:
        self.window = window

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        mean = wide.filled()[:, -self.window :].mean(axis=1)
        return np.repeat(mean[:, None], horizon, axis=1)


class TSB(Forecaster):
    """Teunter–Syntetos–Babai intermittent-demand forecast: P(demand) × size when non-zero.

    Both smoothed separately (probability updated every month, size only in months with demand),
    so a series that falls silent decays towards zero instead of keeping its last non-zero size.
    """

    name = "tsb"

    def __init__(self, alpha: float = 0.2, beta: float = 0.1) -> None:
        self.alpha, self.beta = alpha, beta

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        y = wide.filled()
        nonzero = y > 0
        prob = nonzero[:, : min(12, y.shape[1])].mean(axis=1)
        first_size = np.where(nonzero.any(axis=1), np.nanmax(np.where(nonzero, y, 0), axis=1), 0)
        size = np.where(nonzero[:, 0], y[:, 0], first_size)
        for t in range(y.shape[1]):
            prob = prob + self.beta * (nonzero[:, t] - prob)
            size = np.where(nonzero[:, t], size + self.alpha * (y[:, t] - size), size)
        return np.repeat((prob * size)[:, None], horizon, axis=1)
