"""statsmodels models fitted per series: ETS, ARIMA (SARIMAX) and Theta.

Each series is fitted on its own; a series whose fit fails or is too short falls back to its
last value (counted in ``fallbacks_``). Cost grows linearly with the number of series (roughly
0.05–0.5 s per series), so use these on market-level panels or samples, not on 30,000 series;
``max_series`` bounds the work (series beyond it get the last value, also counted).

Example
-------
>>> import polars as pl, datetime as dt
>>> months = [dt.date(2020 + k // 12, k % 12 + 1, 1) for k in range(24)]
>>> y = [float(k) for k in range(24)]
>>> panel = pl.DataFrame({"unique_id": ["a"] * 24, "ds": months, "y": y})
>>> round(ETS().fit(panel, horizon=1).predict()["yhat"].item())
24
"""

from __future__ import annotations

import warnings

import numpy as np

from skilltide.forecast.models.base import Forecaster, Wide


class _PerSeries(Forecaster):
    min_length = 8

    def __init__(self, max_series: int = 5000) -> None:
        self.max_series = max_series

    def _forecast(self, wide: Wide, horizon: int) -> np.ndarray:
        y = wide.filled()
        out = np.repeat(y[:, -1:], horizon, axis=1).astype(float)
        self.fallbacks_ = 0
        for i in range(len(y)):
            series = y[i][np.cumsum(np.isfinite(wide.values[i])) > 0]
            if i >= self.max_series or len(series) < self.min_length or np.ptp(series) == 0:
                self.fallbacks_ += int(i >= self.max_series or len(series) < self.min_length)
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fc = np.asarray(self._one(series, horizon), dtype=float)
                if np.all(np.isfinite(fc)):
                    out[i] = fc
                else:
                    self.fallbacks_ += 1
            except (ValueError, np.linalg.LinAlgError, IndexError):
                self.fallbacks_ += 1
        return np.clip(out, 0.0, None)

    def _one(self, series: np.ndarray, horizon: int) -> np.ndarray:
        raise NotImplementedError


class ETS(_PerSeries):
    """Exponential smoothing with additive damped trend (Holt–Winters seasonal with 24+ months)."""

    name = "ets"

    def _one(self, series: np.ndarray, horizon: int) -> np.ndarray:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        seasonal = "add" if len(series) >= 24 else None
        model = ExponentialSmoothing(
            series,
            trend="add",
            damped_trend=True,
            seasonal=seasonal,
            seasonal_periods=12 if seasonal else None,
            initialization_method="estimated",
        )
        return model.fit().forecast(horizon)


class ARIMA(_PerSeries):
    """SARIMAX(1,1,1) with a (0,1,1)₁₂ seasonal part when 36+ months are available."""

    name = "arima"

    def _one(self, series: np.ndarray, horizon: int) -> np.ndarray:
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        seasonal = (0, 1, 1, 12) if len(series) >= 36 else (0, 0, 0, 0)
        model = SARIMAX(series, order=(1, 1, 1), seasonal_order=seasonal)
        return model.fit(disp=False, maxiter=50).forecast(horizon)


class Theta(_PerSeries):
    """The Theta method (Assimakopoulos & Nikolopoulos, 2000), deseasonalised at 24+ months."""

    name = "theta"

    def _one(self, series: np.ndarray, horizon: int) -> np.ndarray:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        model = ThetaModel(
            series,
            period=12,
            deseasonalize=len(series) >= 24,
            method="additive" if series.min() <= 0 else "auto",
        )
        return np.asarray(model.fit().forecast(horizon))
