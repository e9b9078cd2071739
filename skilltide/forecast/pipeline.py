"""Forecast a panel from one or more cutoffs, with conformal intervals from a backtest.

For each cutoff only the months up to and including it, and the series observed by then, are
used: the chosen model is backtested on rolling origins inside that history (for the interval
quantiles) and then fitted on all of it. ``model='auto'`` picks a model per segment (see
:mod:`.models.auto`).

Example
-------
>>> import polars as pl, datetime as dt
>>> months = [dt.date(2020 + k // 12, k % 12 + 1, 1) for k in range(24)]
>>> panel = pl.DataFrame({"unique_id": ["all/a"] * 24, "ds": months,
...                       "y": [10.0 + k % 3 for k in range(24)]})
>>> out, _ = forecast_panel(panel, horizon=2, model="naive")
>>> out.columns
['unique_id', 'cutoff', 'ds', 'model', 'yhat', 'lo_80', 'hi_80', 'lo_95', 'hi_95']
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial

import numpy as np
import polars as pl

from skilltide.errors import UserError
from skilltide.forecast.backtest import default_cutoffs, rolling_forecasts
from skilltide.forecast.break_source import DetectedBreaks, as_break_source
from skilltide.forecast.fit_cache import shared_fits
from skilltide.forecast.intervals import add_intervals, conformal_quantiles, scale_unit
from skilltide.forecast.models.auto import TAKES_BREAKS
from skilltide.forecast.models.base import Wide
from skilltide.forecast.models.registry import make_model
from skilltide.forecast.panel import refuse_negative

OUTPUT_COLUMNS = ["unique_id", "cutoff", "ds", "model", "yhat", "lo_80", "hi_80", "lo_95", "hi_95"]


WINDOWS = 3  # backtest origins behind a plain model's intervals
BACKTEST_THEMSELVES = ("auto", "ensemble")  # models that choose by their own backtest


def forecast_panel(
    panel: pl.DataFrame,
    *,
    horizon: int,
    model: str = "auto",
    cutoffs: Sequence[date] | None = None,
    n_windows: int | None = None,
    breaks: pl.DataFrame | DetectedBreaks | str | None = None,
    params: dict | None = None,
    workdays: str | None = None,
    break_options: dict | None = None,
    levels: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Forecasts (``OUTPUT_COLUMNS``) for every cutoff, and the backtest rows behind them.

    ``cutoffs`` default to the panel's last month; each must be a month of the panel.
    ``workdays`` (a country code or ``"weekdays"``) forecasts demand per working day.
    ``breaks``: a frame of known breaks (``unique_id``, ``break_ds``, optional
    ``known_ds``), or ``"detect"`` to detect them in the data of every fit — at each cutoff
    and at each backtest origin inside it, with only the data up to it
    (:class:`~skilltide.forecast.break_source.DetectedBreaks` with ``break_options``).
    ``n_windows``: the backtest origins behind the intervals, and the origins ``auto`` and a
    backtest-weighted ``ensemble`` choose by; ``None`` keeps each model's own default
    (``auto`` 3, ``ensemble`` 4, the others' intervals :data:`WINDOWS`). ``levels``: the
    panel holds levels (an index), not counts (:meth:`.models.base.Wide.filled`).
    """
    refuse_negative(panel)
    wide = Wide.from_panel(panel, levels)
    cutoffs = sorted(set(cutoffs or [wide.months[-1]]))  # one block per cutoff
    params = dict(params or {})
    breaks = as_break_source(breaks, **(break_options or {}))
    if breaks is not None and model in TAKES_BREAKS:
        params.setdefault("breaks", breaks)
    if workdays:
        params["workdays"] = workdays
    if n_windows is not None and model in BACKTEST_THEMSELVES:
        params.setdefault("n_windows", n_windows)
    make_model(model, **params)  # refuse unknown names before any work
    blocks, backtests = [], []
    for cutoff in cutoffs:
        if cutoff not in wide.months:
            raise UserError(
                f"cutoff {cutoff:%Y-%m} is not a month of the panel "
                f"({wide.months[0]:%Y-%m}..{wide.months[-1]:%Y-%m})"
            )
        past = wide.up_to(wide.months.index(cutoff))
        with shared_fits():  # the refits of a model choosing by backtest share candidates
            fitted = make_model(model, **params).fit_wide(past, horizon)
            backtest = _backtest(fitted, past, model, params, horizon, n_windows or WINDOWS)
        block = fitted.wide_.forecast_frame(fitted.predict_matrix(), model)
        scale = np.maximum(past.filled()[:, -6:].mean(axis=1), scale_unit(past.filled()))
        block = block.with_columns(
            cutoff=pl.lit(cutoff, dtype=pl.Date),
            step=pl.int_range(1, horizon + 1).over("unique_id").cast(pl.Int32),
            scale=pl.Series(np.repeat(scale, horizon)),
        )
        if backtest is not None and backtest.height:
            backtests.append(backtest.with_columns(model=pl.lit(model)))
            block = add_intervals(
                block, conformal_quantiles(backtest.with_columns(model=pl.lit(model)))
            )
        else:
            block = block.with_columns(
                [pl.lit(None, dtype=pl.Float64).alias(c) for c in OUTPUT_COLUMNS[5:]]
            )
        if model == "auto":
            chosen = fitted.chosen_models().select("unique_id", pl.col("model").alias("_m"))
            block = (
                block.join(chosen, on="unique_id", how="left")
                .with_columns(model=pl.concat_str(pl.lit("auto:"), pl.col("_m")))
                .drop("_m")
            )
        blocks.append(block.select(OUTPUT_COLUMNS))
    out = pl.concat(blocks).sort("cutoff", "unique_id", "ds")
    bt = pl.concat(backtests) if backtests else pl.DataFrame()
    return out, bt


def _backtest(fitted, past: Wide, model: str, params: dict, horizon: int, n_windows: int):
    """The model's rolling backtest in ``past``. ``auto`` and a backtest-weighted ensemble
    chose their weights on their own backtest, so those rows are in-sample for the choice
    (the ensemble's MAE on them is never above its best member's): they are refitted, choice
    included, at each of those origins with the data up to it (None if too short)."""
    own = getattr(fitted, "backtest_", None)
    if model == "auto" and own is None:
        return None
    if own is not None:
        cutoffs = sorted(own["cutoff"].unique().to_list())
    else:
        try:
            cutoffs = default_cutoffs(past.months, horizon, n_windows)
        except UserError:
            return None
    return rolling_forecasts(
        None,
        {model: partial(make_model, model, **params)},
        horizon=horizon,
        cutoffs=cutoffs,
        wide=past,
    )
