"""Model names the CLI and pipeline choose from, mapped to their classes.

Example
-------
>>> make_model("naive").name
'naive'
"""

from __future__ import annotations

from collections.abc import Callable

from skilltide.errors import UserError
from skilltide.forecast.models.auto import Auto
from skilltide.forecast.models.base import Forecaster
from skilltide.forecast.models.baselines import TSB, Drift, Naive, SeasonalNaive, WindowAverage
from skilltide.forecast.models.ensemble import Ensemble
from skilltide.forecast.models.lgbm import GlobalLGBM
from skilltide.forecast.models.stats import ARIMA, ETS, Theta

MODELS: dict[str, Callable[..., Forecaster]] = {
    "naive": Naive,
    "seasonal_naive": SeasonalNaive,
    "drift": Drift,
    "window_average": WindowAverage,
    "tsb": TSB,
    "lgbm": GlobalLGBM,
    "ets": ETS,
    "arima": ARIMA,
    "theta": Theta,
    "ensemble": Ensemble,
    "auto": Auto,
}


def make_model(name: str, **params) -> Forecaster:
    """A fresh model by registry name; unknown names are a :class:`UserError` listing the known."""
    if name not in MODELS:
        raise UserError(f"unknown model {name!r}; choose one of {', '.join(sorted(MODELS))}")
    return MODELS[name](**params)
