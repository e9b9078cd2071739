"""The fit/predict contract every forecaster follows, and the wide-matrix view of a panel.

A panel is a long polars frame ``(unique_id, ds, y)`` with ``ds`` the first day of a month.
Models see it through :class:`Wide`, a dense ``series × months`` matrix on one shared monthly
grid (months before a series starts are NaN, so vectorised models work on whole panels).
:meth:`Wide.filled` reads them as 0 in a panel of counts, and as the series' first level in a
panel of levels (``levels=True``: an index has no zero before it starts).

Example
-------
>>> import polars as pl, datetime as dt
>>> from skilltide.forecast.models.baselines import Naive
>>> panel = pl.DataFrame({"unique_id": ["a"] * 3, "ds": [dt.date(2024, m, 1) for m in (1, 2, 3)],
...                       "y": [1.0, 2.0, 3.0]})
>>> Naive().fit(panel, horizon=2).predict()["yhat"].to_list()
[3.0, 3.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from skilltide.errors import UserError

PANEL_COLUMNS = ("unique_id", "ds", "y")


def month_index(d: date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return d.year * 12 + d.month - 1


def month_from_index(i: int) -> date:
    return date(i // 12, i % 12 + 1, 1)


def add_months(d: date, n: int) -> date:
    return month_from_index(month_index(d) + n)


@dataclass
class Wide:
    """A panel as a dense matrix: ``values[i, t]`` is series ``ids[i]`` in month ``months[t]``."""

    ids: list[str]
    months: list[date]
    values: np.ndarray
    levels: bool = False  # a panel of levels (an index), not of counts

    @classmethod
    def from_panel(cls, panel: pl.DataFrame, levels: bool = False) -> Wide:
        missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
        if missing:
            raise UserError(f"panel: missing column(s) {', '.join(missing)}")
        if panel.height == 0:
            raise UserError("panel: no rows")
        df = panel.select(
            pl.col("unique_id").cast(pl.String),
            pl.col("ds").cast(pl.Date),
            pl.col("y").cast(pl.Float64),
        )
        first, last = df["ds"].min(), df["ds"].max()
        n_months = month_index(last) - month_index(first) + 1
        ids = df["unique_id"].unique().sort()
        row = df.join(pl.DataFrame({"unique_id": ids, "_row": range(ids.len())}), on="unique_id")
        col = (
            pl.col("ds").dt.year().cast(pl.Int64) * 12
            + pl.col("ds").dt.month()
            - 1
            - month_index(first)
        )
        row = row.with_columns(_col=col)
        values = np.full((ids.len(), n_months), np.nan)
        values[row["_row"].to_numpy(), row["_col"].to_numpy()] = row["y"].to_numpy()
        months = [add_months(first, k) for k in range(n_months)]
        return cls(ids.to_list(), months, values, levels)

    def up_to(self, t: int) -> Wide:
        """The months up to ``months[t]``, for the series observed by then: a series that
        starts later is unknown at ``t`` and must not be forecast, scored or pooled there."""
        seen = ~np.isnan(self.values[:, : t + 1]).all(axis=1)
        ids = [u for u, s in zip(self.ids, seen, strict=True) if s]
        return Wide(ids, self.months[: t + 1], self.values[seen, : t + 1], self.levels)

    def filled(self) -> np.ndarray:
        """Values with NaN (before a series starts, or gaps) read as zero demand; in a panel
        of levels as the last level before (the first one before a series starts).

        >>> Wide(["a"], [], np.array([[np.nan, 5.0, np.nan]]), levels=True).filled().tolist()
        [[5.0, 5.0, 5.0]]
        """
        if not self.levels:
            return np.nan_to_num(self.values, nan=0.0)
        seen = np.isfinite(self.values)
        t = np.arange(self.values.shape[1])
        last = np.maximum.accumulate(np.where(seen, t, 0), axis=1)  # 0 before the first
        first = np.where(seen.any(axis=1), seen.argmax(axis=1), 0)
        last = np.where(last == 0, first[:, None], last)  # before the first: the first
        filled = np.take_along_axis(self.values, last, axis=1)
        return np.nan_to_num(filled, nan=0.0)

    def future(self, horizon: int) -> list[date]:
        return [add_months(self.months[-1], k) for k in range(1, horizon + 1)]

    def forecast_frame(self, yhat: np.ndarray, model: str) -> pl.DataFrame:
        """Long frame ``(unique_id, ds, model, yhat)`` from a ``series × horizon`` matrix."""
        n, horizon = yhat.shape
        future = self.future(horizon)
        return pl.DataFrame(
            {
                "unique_id": np.repeat(np.array(self.ids, dtype=object), horizon).tolist(),
                "ds": future * n,
                "model": [model] * (n * horizon),
                "yhat": np.clip(np.nan_to_num(yhat, nan=0.0), 0.0, None).ravel(),
            },
            schema={"unique_id": pl.String, "ds": pl.Date, "model": pl.String, "yhat": pl.Float64},
        )


class Forecaster:
    """Base class: ``fit(panel, horizon)`` learns, ``predict()`` returns ``horizon`` months.

    Subclasses implement :meth:`_forecast` on the wide matrix and return a non-negative
    ``series × horizon`` array; the base class turns it into the long output frame.
    """

    name = "base"

    def fit(self, panel: pl.DataFrame, horizon: int) -> Forecaster:
        if horizon < 1:
            raise UserError(f"horizon must be at least 1, got {horizon}")
        return self.fit_wide(Wide.from_panel(panel), horizon)

    def fit_wide(self, wide: Wide, horizon: int) -> Forecaster:
        """Fit on a panel already in matrix form (what backtests and benchmarks use)."""
        if horizon < 1:
            raise UserError(f"horizon must be at least 1, got {horizon}")
        self.wide_ = wide
        self.horizon_ = horizon
        self._fit(wide, horizon)
        return self

    def _fit(self, wide: Wide, horizon: int) -> None:
        """Learn from the panel (default: nothing beyond keeping it)."""

    def predict(self) -> pl.DataFrame:
        """Forecasts ``(unique_id, ds, model, yhat)`` for the months after the panel's end."""
        yhat = self._forecast(self.wide_, self.horizon_)
        return self.wide_.forecast_frame(yhat, self.name)

    def predict_matrix(self) -> np.ndarray:
        """Forecasts as a non-negative ``series × horizon`` array, rows in ``wide_.ids`` order."""
        return np.clip(np.nan_to_num(self._forecast(self.wide_, self.horizon_)), 0.0, None)

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        raise NotImplementedError
