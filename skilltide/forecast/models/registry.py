"""Model names the CLI and pipeline choose from, mapped to their classes.

Example
-------
>>> make_model("naive").name
'naive'
>>> type(make_model("naive", workdays="CN")).__name__
'PerWorkday'
"""

from __future__ import annotations

from collections.abc import Callable

from skilltide.errors import UserError
from skilltide.forecast.calendar import working_days
from skilltide.forecast.models.auto import Auto
from skilltide.forecast.models.base import Forecaster
from skilltide.forecast.models.baselines import TSB, Drift, Naive, SeasonalNaive, WindowAverage
from skilltide.forecast.models.ensemble import Blend, Ensemble
from skilltide.forecast.models.lgbm import GlobalLGBM
from skilltide.forecast.models.post_break import PostBreak
from skilltide.forecast.models.stats import ARIMA, ETS, Theta
from skilltide.forecast.models.top_down import TopDown
from skilltide.forecast.models.workdays import PerWorkday

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
    "blend": Blend,
    "top_down": TopDown,
    "post_break": PostBreak,
    "auto": Auto,
}


def make_model(name: str, *, workdays: str | None = None, **params) -> Forecaster:
    """A fresh model by registry name; unknown names are a :class:`UserError` listing the known.

    ``workdays`` (a country code such as ``"CN"``, or ``"weekdays"`` for Monday–Friday) makes
    the model forecast demand per working day (:class:`PerWorkday`); ``auto`` and ``ensemble``
    apply it to each of their members so that their backtests stay in the panel's units.
    """
    if name not in MODELS:
        raise UserError(f"unknown model {name!r}; choose one of {', '.join(sorted(MODELS))}")
    if workdays is None:
        return MODELS[name](**params)
    if name in ("auto", "ensemble"):
        # they pass it to each member, so that their backtests stay in the panel's units
        working_days([], workdays)  # an unknown country fails here, not mid-run
        return MODELS[name](**params, workdays=workdays)
    return PerWorkday(MODELS[name](**params), workdays)
