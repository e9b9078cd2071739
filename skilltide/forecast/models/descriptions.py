"""Each registry model in words a report reader knows.

Example
-------
>>> describe("auto:post_break")
'average since the last break'
"""

from __future__ import annotations

# what each model does, in words a report reader knows
DESCRIPTIONS = {
    "naive": "last value",
    "seasonal_naive": "same month a year earlier",
    "drift": "last value plus the recent trend",
    "window_average": "recent average",
    "tsb": "intermittent-demand smoothing (TSB)",
    "lgbm": "LightGBM over all series",
    "ets": "exponential smoothing (ETS)",
    "arima": "seasonal ARIMA",
    "theta": "Theta method",
    "ensemble": "ensemble",
    "blend": "blend of last value and 3-month average",
    "top_down": "share of the skill's total",
    "post_break": "average since the last break",
    "auto": "automatic choice per series",
    "combination": "combined (backtest-weighted)",
}


def describe(model: str) -> str:
    """Plain words for a model name (``auto:<name>`` rows describe the chosen model)."""
    name = model.removeprefix("auto:")
    return DESCRIPTIONS.get(name, name)
