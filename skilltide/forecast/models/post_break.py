"""The mean of the current regime: demand since the series' last structural break.

One of the ways to handle a break named in the forecasting literature is to train only after
it (Pesaran & Timmermann, 2007). ``PostBreak`` does that for the simplest model: the forecast
is the mean of the months from the series' last detected break (``break_ds``, the first
month of the new regime) to the cutoff, at most ``window`` months; a series without a break
gets the mean of its last ``window`` months. ``auto`` offers it beside the last value, short
windows and the global model's months-since-break feature, and its backtest chooses for the
series with a recent break.

Example
-------
>>> import polars as pl, datetime as dt
>>> months = [dt.date(2024, m, 1) for m in range(1, 7)]
>>> panel = pl.DataFrame({"unique_id": ["a"] * 6, "ds": months,
...                       "y": [10.0, 10.0, 10.0, 40.0, 50.0, 60.0]})
>>> breaks = pl.DataFrame({"unique_id": ["a"], "break_ds": [dt.date(2024, 4, 1)]})
>>> PostBreak(breaks).fit(panel, horizon=1).predict()["yhat"].to_list()
[50.0]
"""

from __future__ import annotations

import numpy as np

from skilltide.forecast.break_source import breaks_for
from skilltide.forecast.features import months_since_break
from skilltide.forecast.models.base import Forecaster, Wide


class PostBreak(Forecaster):
    """Mean since the last break, at most ``window`` months (see the module docstring)."""

    name = "post_break"

    def __init__(self, breaks=None, window: int = 12) -> None:
        self.breaks = breaks
        self.window = window

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        y = wide.filled()
        n_t = y.shape[1]
        start = np.full(len(wide.ids), max(n_t - self.window, 0))
        breaks = breaks_for(self.breaks, wide)
        since = months_since_break(wide, breaks)[:, -1]  # NaN: no break up to the cutoff
        last_break = np.where(np.isnan(since), -1, n_t - 1 - np.nan_to_num(since)).astype(int)
        start = np.maximum(start, last_break)
        sums = np.concatenate([np.zeros((len(y), 1)), np.cumsum(y, axis=1)], axis=1)
        mean = (sums[:, n_t] - sums[np.arange(len(y)), start]) / (n_t - start)
        return np.repeat(mean[:, None], horizon, axis=1)
