"""Rolling-origin backtests: refit at each cutoff on data up to it, score the next months.

Example
-------
>>> import polars as pl, datetime as dt
>>> from skilltide.forecast.models.baselines import Naive
>>> months = [dt.date(2023, m, 1) for m in range(1, 13)]
>>> y = [float(m) for m in range(12)]
>>> panel = pl.DataFrame({"unique_id": ["a"] * 12, "ds": months, "y": y})
>>> bt = rolling_forecasts(panel, {"naive": Naive}, horizon=2, n_windows=3)
>>> bt["cutoff"].n_unique(), bt.height
(3, 6)
>>> evaluate(bt).filter(pl.col("metric") == "mae", pl.col("horizon") == 0)["value"].item()
1.5
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial

import numpy as np
import polars as pl

from skilltide.errors import UserError
from skilltide.forecast import fit_cache, metrics
from skilltide.forecast.intervals import scale_unit
from skilltide.forecast.models.base import Forecaster, Wide

BACKTEST_SCHEMA = {
    "unique_id": pl.String,
    "cutoff": pl.Date,
    "ds": pl.Date,
    "step": pl.Int32,
    "model": pl.String,
    "yhat": pl.Float64,
    "y": pl.Float64,
    "scale": pl.Float64,
}


def default_cutoffs(months: Sequence[date], horizon: int, n_windows: int) -> list[date]:
    """The last ``n_windows`` cutoffs that still have ``horizon`` months of actuals after them."""
    last = len(months) - 1 - horizon
    first = max(last - n_windows + 1, 1)
    if last < 1:
        raise UserError(
            f"panel has {len(months)} months: too short to backtest a {horizon}-month horizon"
        )
    return [months[t] for t in range(first, last + 1)]


def n_origins(panel: pl.DataFrame, horizon: int, n_windows: int) -> int:
    """How many of ``n_windows`` rolling origins a panel has room for (the rest are dropped).

    >>> from datetime import date
    >>> panel = pl.DataFrame({"ds": pl.date_range(date(2024, 1, 1), date(2024, 12, 1), "1mo",
    ...                                            eager=True)})
    >>> n_origins(panel, horizon=3, n_windows=50)
    8
    """
    months = pl.date_range(panel["ds"].min(), panel["ds"].max(), "1mo", eager=True).to_list()
    return len(default_cutoffs(months, horizon, n_windows))


def rolling_forecasts(
    panel: pl.DataFrame,
    models: Mapping[str, Callable[[], Forecaster]],
    *,
    horizon: int,
    n_windows: int = 4,
    cutoffs: Sequence[date] | None = None,
    wide: Wide | None = None,
) -> pl.DataFrame:
    """Forecasts of every model from every cutoff next to the actuals.

    Returns ``(unique_id, cutoff, ds, step, model, yhat, y, scale)``; ``scale`` is the
    series' mean over the 6 months up to the cutoff (floored at
    :func:`~skilltide.forecast.intervals.scale_unit`: 1 for counts), used to pool residuals
    across series of different sizes. Steps beyond the panel's end are dropped.
    """
    wide = wide or Wide.from_panel(panel)
    cutoffs = list(cutoffs or default_cutoffs(wide.months, horizon, n_windows))
    index = {d: t for t, d in enumerate(wide.months)}
    y = wide.filled()
    unit = scale_unit(y)  # 1, or about one ad's share for a panel of shares
    row_of = {u: i for i, u in enumerate(wide.ids)}
    blocks = []
    for cutoff in cutoffs:
        if cutoff not in index:
            raise UserError(f"cutoff {cutoff:%Y-%m} is outside the panel's months")
        t = index[cutoff]
        past = wide.up_to(t)  # series that start after the cutoff are not scored there
        seen = np.array([row_of[u] for u in past.ids], dtype=np.int64)
        steps = min(horizon, len(wide.months) - 1 - t)
        if steps < 1 or not len(seen):
            continue
        scale = np.maximum(y[seen, max(t - 5, 0) : t + 1].mean(axis=1), unit)
        actual = y[seen, t + 1 : t + 1 + steps]
        for name, factory in models.items():
            yhat = fit_cache.forecast(name, factory, past, horizon)[:, :steps]
            blocks.append(_block(wide, past.ids, cutoff, name, yhat, actual, scale))
    return pl.concat(blocks) if blocks else pl.DataFrame(schema=BACKTEST_SCHEMA)


def forecasts_by_model(
    backtest: pl.DataFrame, models: Sequence[str]
) -> tuple[pl.DataFrame, np.ndarray]:
    """The rows of a :func:`rolling_forecasts` frame that every model shares (without
    ``model`` and ``yhat``) and a ``models × rows`` matrix of their forecasts, in that order
    (every model is scored on the same rows)."""
    rows = backtest.filter(pl.col("model") == models[0]).drop("model", "yhat")
    yhat = np.stack([backtest.filter(pl.col("model") == m)["yhat"].to_numpy() for m in models])
    return rows, yhat


def _block(wide, ids, cutoff, name, yhat, actual, scale) -> pl.DataFrame:
    n, steps = yhat.shape
    t0 = wide.months.index(cutoff)
    rows = np.repeat(np.arange(n), steps)
    return pl.DataFrame(
        {
            "unique_id": pl.Series(ids, dtype=pl.String).gather(rows),
            "cutoff": [cutoff] * (n * steps),
            "ds": [
                wide.months[t0 + k] if t0 + k < len(wide.months) else None
                for k in range(1, steps + 1)
            ]
            * n,
            "step": np.tile(np.arange(1, steps + 1), n),
            "model": [name] * (n * steps),
            "yhat": yhat.ravel(),
            "y": actual.ravel(),
            "scale": scale[rows],
        },
        schema=BACKTEST_SCHEMA,
    )


def evaluate(
    backtest: pl.DataFrame, subsets: Mapping[str, Sequence[str]] | None = None
) -> pl.DataFrame:
    """Metrics per model, step and scenario: ``(model, horizon, scenario, metric, value,
    n_series)``. ``horizon`` is the step (1..H), 0 for all steps pooled; scenario ``all``
    plus one per named subset of series ids (e.g. low-volume or break series)."""
    scenarios = {"all": None, **(subsets or {})}
    rows = []
    for scenario, ids in scenarios.items():
        part = backtest if ids is None else backtest.filter(pl.col("unique_id").is_in(list(ids)))
        if part.height == 0:
            continue
        for (model,), by_model in part.group_by("model", maintain_order=True):
            n_series = by_model["unique_id"].n_unique()
            for step in [0, *sorted(by_model["step"].unique().to_list())]:
                sel = by_model if step == 0 else by_model.filter(pl.col("step") == step)
                p, g = sel["yhat"].to_numpy(), sel["y"].to_numpy()
                for metric, value in metrics.score(p, g).items():
                    rows.append((model, step, scenario, metric, value, n_series))
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "model": pl.String,
            "horizon": pl.Int32,
            "scenario": pl.String,
            "metric": pl.String,
            "value": pl.Float64,
            "n_series": pl.Int64,
        },
    )


def run_backtest(
    panel: pl.DataFrame,
    models: Sequence[str],
    *,
    horizon: int,
    n_windows: int = 4,
    workdays: str | None = None,
    breaks: pl.DataFrame | str | None = None,
) -> pl.DataFrame:
    """Backtest registry models by name and return :func:`evaluate`'s metrics, with scenarios
    ``low_volume`` (mean < 10 in the last 12 months) and ``intermittent`` (demand in fewer
    than half of them). With ``workdays`` every model forecasts demand per working day.

    ``breaks`` go to the break-aware models (``post_break``, ``lgbm``, ``auto``): a frame of
    breaks, or ``"detect"`` to detect them at each origin in the data up to it
    (:class:`~skilltide.forecast.break_source.DetectedBreaks`); a ``break`` scenario then
    scores the series with a break (for ``"detect"``, found in the whole panel).
    """

    from skilltide.forecast.break_source import as_break_source, breaks_for
    from skilltide.forecast.models.auto import TAKES_BREAKS
    from skilltide.forecast.models.base import Wide
    from skilltide.forecast.models.registry import make_model
    from skilltide.forecast.panel import refuse_negative
    from skilltide.forecast.warehouse import subsets

    refuse_negative(panel)
    breaks = as_break_source(breaks)

    def params(name: str) -> dict:
        aware = breaks is not None and name in TAKES_BREAKS
        return {"workdays": workdays, **({"breaks": breaks} if aware else {})}

    for name in models:
        make_model(name, **params(name))
    factories = {name: partial(make_model, name, **params(name)) for name in models}
    bt = rolling_forecasts(panel, factories, horizon=horizon, n_windows=n_windows)
    return evaluate(bt, subsets(panel, breaks_for(breaks, Wide.from_panel(panel))))
