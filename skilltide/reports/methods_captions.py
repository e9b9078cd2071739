"""Captions of the report's methods section: backtest errors and interval coverage.

Example
-------
>>> import polars as pl
>>> frame = pl.DataFrame({"model": ["AutoETS", "SeasonalNaive"], "horizon": [3, 3],
...     "value": [0.8, 1.0], "baseline": [False, True]})
>>> backtests(frame, "mase").split(",")[0]
'3 months ahead'
"""

from __future__ import annotations

import polars as pl

from skilltide.reports.names import in_sentence, model_name


def backtests(frame: pl.DataFrame, metric: str, unit: str = "") -> str:
    """Best model against best baseline 3 months ahead; ``unit`` follows an MAE or RMSE."""
    unit = f" {unit}" if unit and metric in ("mae", "rmse") else ""
    models = frame.filter(~pl.col("baseline"))
    baselines = frame.filter(pl.col("baseline"))
    if models.height == 0 or baselines.height == 0:
        return f"Backtest {metric.upper()} by model and horizon; lower is better."
    h = min(3, int(frame["horizon"].max()))
    at = frame.filter(pl.col("horizon") == h)
    best = at.filter(~pl.col("baseline")).sort("value", "model").row(0, named=True)
    base = at.filter(pl.col("baseline")).sort("value", "model").row(0, named=True)
    change = best["value"] / base["value"] - 1 if base["value"] else 0.0
    direction = "below" if change < 0 else "above"
    return (
        f"{h} month{'s' if h > 1 else ''} ahead, the {metric.upper()} of the best model "
        f"({in_sentence(model_name(best['model']))}) is "
        f"{best['value']:.3g}{unit}, {abs(change):.0%} {direction} the best simple baseline "
        f"({in_sentence(model_name(base['model']))}, {base['value']:.3g}), measured by "
        "rolling-origin "
        "backtests on past data: each model forecast months it had not seen, again and again "
        "from later starting points, and its errors were averaged."
    )


def coverage(frame: pl.DataFrame) -> str:
    """How often the backtests' intervals held the outcome (target: 80% and 95%)."""
    from skilltide.reports.methods_data import BASELINES

    models = frame.filter(~pl.col("model").str.to_lowercase().is_in(BASELINES))
    parts = []
    for row in (models if models.height else frame).head(2).iter_rows(named=True):
        held = [
            f"{row[c]:.0%} of outcomes inside its {c[-2:]}% intervals"
            for c in ("coverage_80", "coverage_95")
            if row.get(c) is not None
        ]
        if held:
            parts.append(f"{in_sentence(model_name(row['model']))}: " + " and ".join(held))
    return (
        (
            "In backtests, " + "; ".join(parts) + ". Well-calibrated intervals hold about 80% "
            "and 95% of outcomes."
        )
        if parts
        else ""
    )
