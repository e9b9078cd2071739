"""Conformal prediction intervals from backtest residuals, per model and forecast step.

Split-conformal (Vovk et al., 2005; Angelopoulos & Bates, 2023) on *scaled* absolute
residuals ``|y − ŷ| / scale`` pooled over the series and cutoffs of a rolling-origin backtest,
one quantile per step ``h`` (errors grow with the horizon). The interval for a new forecast is
``ŷ ± q_h(level) · scale`` with the series' own scale, clipped at zero (demand is never
negative). The quantile uses the finite-sample rank ``ceil((n + 1)·level)``.

Example
-------
>>> import polars as pl
>>> bt = pl.DataFrame({"model": ["m"] * 4, "step": [1] * 4, "yhat": [1.0] * 4,
...                    "y": [1.0, 2.0, 3.0, 5.0], "scale": [1.0] * 4})
>>> q = conformal_quantiles(bt, levels=(80,))
>>> q["q_80"].item()
4.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

LEVELS = (80, 95)


def _rank_quantile(values: np.ndarray, level: float) -> float:
    n = len(values)
    if n == 0:
        return float("nan")
    k = min(math.ceil((n + 1) * level / 100.0), n)
    return float(np.sort(values)[k - 1])


def conformal_quantiles(backtest: pl.DataFrame, levels: Sequence[int] = LEVELS) -> pl.DataFrame:
    """``(model, step, q_<level>…)``: quantiles of scaled absolute backtest residuals."""
    scored = backtest.filter(pl.col("y").is_not_null()).with_columns(
        _r=(pl.col("y") - pl.col("yhat")).abs() / pl.col("scale")
    )
    rows = []
    for (model, step), part in scored.group_by("model", "step", maintain_order=True):
        r = part["_r"].to_numpy()
        rows.append(
            {"model": model, "step": step} | {f"q_{lv}": _rank_quantile(r, lv) for lv in levels}
        )
    return pl.DataFrame(rows).sort("model", "step")


def add_intervals(
    forecasts: pl.DataFrame, quantiles: pl.DataFrame, levels: Sequence[int] = LEVELS
) -> pl.DataFrame:
    """Add ``lo_<level>``/``hi_<level>`` to forecasts ``(…, model, step, yhat, scale)``.

    Steps beyond the backtested ones reuse the largest backtested step's quantile; models
    without a backtest get null bounds.
    """
    q = quantiles.rename({"model": "_qm", "step": "_qs"})
    max_step = quantiles.group_by("model").agg(pl.col("step").max().alias("_max"))
    out = (
        forecasts.join(max_step, on="model", how="left")
        .with_columns(_qs=pl.min_horizontal("step", "_max").cast(quantiles["step"].dtype))
        .join(q, left_on=["model", "_qs"], right_on=["_qm", "_qs"], how="left")
    )
    for lv in levels:
        half = pl.col(f"q_{lv}") * pl.col("scale")
        out = out.with_columns(
            (pl.col("yhat") - half).clip(lower_bound=0.0).alias(f"lo_{lv}"),
            (pl.col("yhat") + half).alias(f"hi_{lv}"),
        )
    return out.drop("_max", "_qs", *[f"q_{lv}" for lv in levels])


def coverage(backtest: pl.DataFrame, quantiles: pl.DataFrame, level: int) -> float:
    """Share of backtest actuals inside their ``level`` interval (empirical coverage).

    On the backtest the quantiles came from, this is about ``level`` by construction; see
    :func:`held_out_coverage` for a measure of calibration.
    """
    covered = add_intervals(backtest, quantiles, (level,)).select(
        ((pl.col("y") >= pl.col(f"lo_{level}")) & (pl.col("y") <= pl.col(f"hi_{level}"))).mean()
    )
    return float(covered.item())


def held_out_coverage(backtest: pl.DataFrame, level: int) -> float:
    """Coverage of each backtest origin's actuals by intervals from the *other* origins'
    residuals (leave one origin out); NaN with fewer than two origins.

    Scoring the intervals on the residuals they were calibrated on gives ``level`` whatever
    the calibration; this does not (origins share target months, so it is still a little
    optimistic).
    """
    cutoffs = backtest["cutoff"].unique().sort().to_list()
    if len(cutoffs) < 2:
        return float("nan")
    inside = [
        add_intervals(
            backtest.filter(pl.col("cutoff") == c),
            conformal_quantiles(backtest.filter(pl.col("cutoff") != c), (level,)),
            (level,),
        ).select((pl.col("y") >= pl.col(f"lo_{level}")) & (pl.col("y") <= pl.col(f"hi_{level}")))
        for c in cutoffs
    ]
    return float(pl.concat(inside).to_series().mean())
