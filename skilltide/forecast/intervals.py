"""Conformal prediction intervals from backtest residuals, per model and forecast step.

Split-conformal (Vovk et al., 2005; Angelopoulos & Bates, 2023) on *scaled* absolute
residuals ``|y − ŷ| / scale`` over the series and cutoffs of a rolling-origin backtest, one
quantile per step ``h`` (errors grow with the horizon). The interval for a new forecast is
``ŷ ± q_h(level) · scale`` with the series' own scale, clipped at zero (demand is never
negative). The quantile uses the finite-sample rank ``ceil((n + 1)·level)``.

Mondrian by volume: series of different sizes err differently even after scaling (a series
of 3 ads a month is far noisier, relative to its level, than one of 3,000, and an all-zero
series never errs), so residuals are grouped by the decade of ``scale`` (:func:`volume_band`)
and each band gets its own quantile when it has at least ``min_rows`` residuals at that step;
otherwise an active band (scale above 1) uses every residual but the exact zero forecasts of
zeros (dormant series, which would make an emerging skill's interval zero wide), and band 0
uses all residuals (Vovk et al., 2005, ch. 4; Boström & Johansson, 2020).

Example
-------
>>> import polars as pl
>>> bt = pl.DataFrame({"model": ["m"] * 4, "step": [1] * 4, "yhat": [1.0] * 4,
...                    "y": [1.0, 2.0, 3.0, 5.0], "scale": [1.0] * 4})
>>> q = conformal_quantiles(bt, levels=(80,))
>>> q.filter(pl.col("band") == POOLED)["q_80"].item()
4.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

LEVELS = (80, 95)
# residuals a volume band needs at a step for its own quantile (95 %: rank 20 of 20)
MIN_ROWS = 20
# pseudo-bands of the fallbacks: all but the dormant series' exact zeros, and everything
ACTIVE, POOLED = -1, -2


def scale_unit(values: np.ndarray) -> float:
    """The floor of a series' scale and the unit its volume bands are decades of: 1 for
    counts (any panel with a value above 1); for a panel of shares (every value in [0, 1],
    some fractional) a small quantile of its positive values, about one ad's share, so that
    shares are banded and floored as the counts behind them would be.

    >>> scale_unit(np.array([0.0, 3.0, 12.0])), scale_unit(np.array([0.0, 0.001, 0.001, 0.3]))
    (1.0, 0.001)
    """
    from skilltide.forecast.features import default_scale_floor

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0 or v.max() > 1:
        return 1.0
    return default_scale_floor(v)


def volume_band(scale: pl.Expr) -> pl.Expr:
    """0 for a scale of at most 1 (dormant or below one a month), else 1 + the decade of the
    scale: 1 for (1, 10), 2 for [10, 100), 3 for [100, 1000) …

    >>> scales = pl.DataFrame({"scale": [0.0, 1.0, 5.0, 10.0, 2500.0]})
    >>> scales.select(band=volume_band(pl.col("scale")))["band"].to_list()
    [0, 0, 1, 2, 4]
    """
    decade = scale.log10().floor().cast(pl.Int32, strict=False)  # NaN scale: null band
    return pl.when(scale <= 1).then(0).otherwise(decade + 1).cast(pl.Int32)


def _rank_quantile(values: np.ndarray, level: float) -> float:
    n = len(values)
    if n == 0:
        return float("nan")
    k = min(math.ceil((n + 1) * level / 100.0), n)
    return float(np.sort(values)[k - 1])


def conformal_quantiles(
    backtest: pl.DataFrame, levels: Sequence[int] = LEVELS, min_rows: int = MIN_ROWS
) -> pl.DataFrame:
    """``(model, step, band, n, q_<level>…)``: quantiles of scaled absolute backtest residuals
    per volume band with at least ``min_rows`` of them, for all but the exact zeros of
    dormant series (``ACTIVE``) and for all residuals (``POOLED``); with fewer residuals than
    the rank needs, the largest. Rows without a positive, finite scale are left out."""
    scale = pl.col("scale")
    unit = scale_unit(backtest["y"].drop_nulls().to_numpy())  # 1 but for shares
    scored = backtest.filter(
        pl.col("y").is_not_null() & scale.is_finite() & (scale > 0)
    ).with_columns(
        _r=(pl.col("y") - pl.col("yhat")).abs() / scale,
        _band=volume_band((scale / unit).round(6)),  # a share at the floor is 1 unit
    )
    # an exact zero forecast of a zero (a dormant series) says nothing about active ones
    active = (pl.col("_band") > 0) | (pl.col("y") != 0) | (pl.col("yhat") != 0)
    rows = []
    for (model, step), part in scored.group_by("model", "step", maintain_order=True):
        groups = {POOLED: part, ACTIVE: part.filter(active)}
        groups |= {band: g for (band,), g in part.group_by("_band")}
        for band, g in groups.items():
            # a band needs min_rows of its own; the fallbacks take what there is
            if g.height >= min_rows or (band < 0 and g.height):
                r = g["_r"].to_numpy()
                rows.append(
                    {"model": model, "step": step, "band": band, "n": g.height, "unit": unit}
                    | {f"q_{lv}": _rank_quantile(r, lv) for lv in levels}
                )
    return pl.DataFrame(rows).sort("model", "step", "band")


def add_intervals(
    forecasts: pl.DataFrame, quantiles: pl.DataFrame, levels: Sequence[int] = LEVELS
) -> pl.DataFrame:
    """Add ``lo_<level>``/``hi_<level>`` to forecasts ``(…, model, step, yhat, scale)``.

    Each forecast takes its volume band's quantile, else (active bands) the one of all
    residuals but the dormant series' exact zeros, else the pooled one. Steps beyond the
    backtested ones reuse the largest backtested step's quantile; models without a backtest
    get null bounds.
    """
    max_step = quantiles.group_by("model").agg(pl.col("step").max().alias("_max"))
    unit = quantiles["unit"].max() if "unit" in quantiles.columns else 1.0
    out = forecasts.join(max_step, on="model", how="left").with_columns(
        _qs=pl.min_horizontal("step", "_max").cast(quantiles["step"].dtype),
        _band=volume_band((pl.col("scale") / unit).round(6)),
    )
    tiers = [
        pl.col("_band"),
        pl.when(pl.col("_band") > 0).then(pl.lit(ACTIVE)).otherwise(pl.lit(POOLED)),
        pl.lit(POOLED),
    ]
    for tier, band in enumerate(tiers):
        q = quantiles.select(
            pl.col("model"),
            pl.col("step").alias("_qs"),
            pl.col("band").cast(pl.Int32).alias("_b"),
            *[pl.col(f"q_{lv}").alias(f"_q{tier}_{lv}") for lv in levels],
        )
        out = (
            out.with_columns(_b=band.cast(pl.Int32))
            .join(q, on=["model", "_qs", "_b"], how="left")
            .drop("_b")
        )
    for lv in levels:
        q = pl.coalesce([f"_q{tier}_{lv}" for tier in range(len(tiers))])
        half = q * pl.col("scale")
        out = out.with_columns(
            (pl.col("yhat") - half).clip(lower_bound=0.0).alias(f"lo_{lv}"),
            (pl.col("yhat") + half).alias(f"hi_{lv}"),
        )
    return out.drop(
        "_max", "_qs", "_band", *[f"_q{t}_{lv}" for t in range(len(tiers)) for lv in levels]
    )


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
