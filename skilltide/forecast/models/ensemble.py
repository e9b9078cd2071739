"""A weighted mean of other models' forecasts.

Example
-------
>>> import polars as pl, datetime as dt
>>> panel = pl.DataFrame({"unique_id": ["a"] * 3, "ds": [dt.date(2024, m, 1) for m in (1, 2, 3)],
...                       "y": [0.0, 0.0, 6.0]})
>>> Ensemble(("naive", "window_average"), window_average={"window": 3}).fit(
...     panel, horizon=1).predict()["yhat"].item()
4.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from skilltide.forecast.models.base import Forecaster, Wide


class Ensemble(Forecaster):
    """Weighted mean of registry models (equal weights by default); keyword arguments named
    after a member pass its parameters, e.g. ``Ensemble(("lgbm", "naive"), lgbm={...})``."""

    name = "ensemble"

    def __init__(
        self,
        members: Sequence[str] = ("lgbm", "naive"),
        weights: Sequence[float] | None = None,
        **member_params: dict,
    ) -> None:
        self.members = tuple(members)
        self.weights = np.asarray(weights or [1.0] * len(self.members), dtype=float)
        self.member_params = member_params

    def _fit(self, wide: Wide, horizon: int) -> None:
        from skilltide.forecast.models.registry import make_model

        self.models_ = [
            make_model(m, **self.member_params.get(m, {})).fit_wide(wide, horizon)
            for m in self.members
        ]

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        preds = np.stack([m.predict_matrix() for m in self.models_])
        w = self.weights / self.weights.sum()
        return np.tensordot(w, preds, axes=1)


class Blend(Ensemble):
    """0.4 × the last value + 0.6 × the mean of the last 3 months.

    A fixed, robust combination for noisy monthly counts: on Job-SDF's tuning origins
    (2022-12 … 2023-03, see ``benchmarks/jobsdf.py``) it beat each part and LightGBM.
    """

    name = "blend"

    def __init__(self, last_value: float = 0.4, window: int = 3) -> None:
        super().__init__(
            ("naive", "window_average"),
            weights=(last_value, 1.0 - last_value),
            window_average={"window": window},
        )
