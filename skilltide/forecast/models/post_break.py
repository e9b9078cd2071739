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
import polars as pl

from skilltide.forecast.models.base import Forecaster, Wide, month_index


class PostBreak(Forecaster):
    """Mean since the last break, at most ``window`` months (see the module docstring)."""

    name = "post_break"

    def __init__(self, breaks: pl.DataFrame | None = None, window: int = 12) -> None:
        self.breaks = breaks
        self.window = window

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        y = wide.filled()
        n_t = y.shape[1]
        start = np.full(len(wide.ids), max(n_t - self.window, 0))
        if self.breaks is not None and self.breaks.height:
            first = month_index(wide.months[0])
            at = (
                self.breaks.select(
                    "unique_id",
                    _t=pl.col("break_ds").dt.year().cast(pl.Int64) * 12
                    + pl.col("break_ds").dt.month().cast(pl.Int64)
                    - 1
                    - first,
                )
                .filter(pl.col("_t") < n_t)
                .group_by("unique_id")
                .agg(pl.col("_t").max())
            )
            last_break = dict(at.iter_rows())
            breaks = np.array([last_break.get(u, -1) for u in wide.ids])
            start = np.maximum(start, breaks)
        sums = np.concatenate([np.zeros((len(y), 1)), np.cumsum(y, axis=1)], axis=1)
        mean = (sums[:, n_t] - sums[np.arange(len(y)), start]) / (n_t - start)
        return np.repeat(mean[:, None], horizon, axis=1)
