"""Forecast a warehouse demand panel and store ``forecasts`` and ``backtests`` in one run.

Example
-------
>>> from skilltide.store import Warehouse
>>> # with Warehouse("skilltide.duckdb") as wh:
>>> #     forecast_warehouse(wh, granularity="market", horizon=6)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.forecast.backtest import evaluate
from skilltide.forecast.break_source import DetectedBreaks, breaks_for, known_after_detection
from skilltide.forecast.features import split_id
from skilltide.forecast.intervals import held_out_coverage
from skilltide.forecast.models.base import Wide
from skilltide.forecast.models.registry import make_model
from skilltide.forecast.pipeline import forecast_panel
from skilltide.store import Run, append

BREAK_SOURCES = ("stored", "detect", "none")
# The simple forecast every run's backtest is compared with (the last value, Job-SDF's reference).
BASELINE = "naive"


def _breaks_for(wh, panel: str, granularity: str, long: pl.DataFrame) -> pl.DataFrame | None:
    """The latest ``breaks detect`` run's breaks for this panel (``long``), each with the
    month it became knowable (from its run's ``min_size`` and ``min_length``), so that
    backtest origins do not use it early."""
    from skilltide.forecast.breaks_store import latest_breaks_run

    run_id = latest_breaks_run(wh, panel, granularity)
    if run_id is None:
        return None
    frame = wh.query(
        "SELECT b.unique_id, b.break_ds,"
        " coalesce(TRY_CAST(r.args->>'min_size' AS INTEGER), 6) AS min_size,"
        " coalesce(TRY_CAST(r.args->>'min_length' AS INTEGER), 12) AS min_length"
        " FROM breaks b LEFT JOIN runs r USING (run_id)"
        " WHERE b.panel = ? AND b.granularity = ? AND b.run_id = ?",
        [panel, granularity, run_id],
    )
    if frame.height == 0:
        return None
    return known_after_detection(
        frame.select("unique_id", "break_ds"),
        int(frame["min_size"][0]),
        panel=long,
        min_length=int(frame["min_length"][0]),
    )


def _input_runs(wh, panel: str, granularity: str, stored_breaks: bool) -> dict[str, Any]:
    """The runs that wrote the demand rows read, what those rows hold (:func:`demand_rows`),
    and the ``breaks detect`` run used."""
    from skilltide.forecast.breaks_store import latest_breaks_run
    from skilltide.forecast.demand_panel import demand_rows

    demand = wh.query(
        "SELECT DISTINCT run_id FROM demand WHERE panel = ? AND granularity = ? ORDER BY 1",
        [panel, granularity],
    )["run_id"].to_list()
    breaks_run = latest_breaks_run(wh, panel, granularity) if stored_breaks else None
    rows = demand_rows(wh, panel, granularity)
    return {"demand_runs": demand, "demand_rows": rows, "breaks_run": breaks_run}


def stored_breaks_stale(wh, inputs: dict, panel: str, granularity: str) -> dict | None:
    """``{"run_id", "demand_run"}`` when the stored breaks run a forecast used read other
    demand than the panel holds now (:func:`~skilltide.forecast.freshness.stale_run`)."""
    from skilltide.forecast.freshness import stale_run

    used = inputs.get("breaks_run")
    return None if used is None else stale_run(wh, used, panel, granularity)


def subsets(panel: pl.DataFrame, breaks: pl.DataFrame | None = None) -> dict[str, list[str]]:
    """Scenario subsets for backtest reports: low-volume, intermittent and break series."""
    last = panel.sort("ds").group_by("unique_id").tail(12)
    stats = last.group_by("unique_id").agg(
        mean=pl.col("y").mean(), nonzero=(pl.col("y") > 0).mean()
    )
    out = {
        "low_volume": stats.filter(pl.col("mean") < 10)["unique_id"].to_list(),
        "intermittent": stats.filter(pl.col("nonzero") < 0.5)["unique_id"].to_list(),
    }
    if breaks is not None:
        out["break"] = breaks["unique_id"].unique().to_list()
    return out


def baseline_backtest(
    frame: pl.DataFrame, backtest: pl.DataFrame, model: str, horizon: int, levels: bool = False
) -> pl.DataFrame:
    """The last-value forecast (:data:`BASELINE`) backtested at the origins, series and steps
    of ``model``'s ``backtest``, so that a run's backtests say whether it beats the simplest
    forecast (the report draws it dashed); empty when ``model`` is that baseline."""
    from functools import partial

    from skilltide.forecast.backtest import rolling_forecasts

    if model == BASELINE:
        return backtest.clear()
    cutoffs = sorted(backtest["cutoff"].unique().to_list())
    naive = rolling_forecasts(
        None,
        {BASELINE: partial(make_model, BASELINE)},
        horizon=horizon,
        cutoffs=cutoffs,
        wide=Wide.from_panel(frame, levels),
    )
    keys = ["unique_id", "cutoff", "step"]
    return naive.join(backtest.select(keys), on=keys, how="semi").select(backtest.columns)


def _refuse_early_ends(wh, panel: str, granularity: str, frame: pl.DataFrame) -> bool:
    """A panel of levels (an index, ``demand_units``) whose series do not all reach its last
    month: the models would read the missing months as 0, and forecast 0 from them. Returns
    whether the panel holds levels."""
    unit = wh.query(
        "SELECT unit FROM demand_units WHERE panel = ? AND granularity = ?", [panel, granularity]
    )
    if unit.height == 0 or frame.height == 0:
        return unit.height > 0
    ends = frame.group_by("unique_id").agg(pl.col("ds").max()).sort("ds", "unique_id")
    last = frame["ds"].max()
    early = ends.filter(pl.col("ds") < last)
    if early.height:
        first, common = early.row(0)
        raise UserError(
            f"{wh.path}: panel {panel!r} ({granularity}) holds levels ({unit['unit'][0]}) and "
            f"{early.height:,} series end before its last month {last:%Y-%m} (first: {first}, "
            f"to {common:%Y-%m}): a forecast would read the missing months as 0 "
            f"{unit['unit'][0]}; import the panel up to {common:%Y-%m}, the last month every "
            "series has, or each group as a panel of its own"
        )
    return True


def forecast_warehouse(
    wh,
    panel: str = "ads",
    granularity: str = "market",
    horizon: int = 6,
    model: str = "auto",
    *,
    n_windows: int | None = None,
    workdays: str | None = None,
    breaks: str = "stored",
    params: dict | None = None,
    written: Callable[[Run], None] | None = None,
) -> dict[str, Any]:
    """Forecast the ``(panel, granularity)`` demand panel; writes ``forecasts``/``backtests``.

    ``breaks``: ``"stored"`` uses the latest ``breaks detect`` run for this panel when there
    is one (as a feature of the global model and as a segment of ``auto``), ``"detect"``
    detects them in the data of every fit (each backtest origin sees only its own data),
    ``"none"`` forecasts without; ``workdays`` as in
    :func:`.models.registry.make_model`; ``params`` go to the model (e.g. an ensemble's
    ``members`` and ``weights``); ``written(run)`` is called last, inside the run (to write
    ``--out``: if it fails, the run rolls back). Returns a JSON-able summary.
    """
    from skilltide.forecast.demand_panel import require_demand, warehouse_panel
    from skilltide.ingest.coverage import partial_month

    require_demand(wh, panel, granularity)  # not 'panel: no rows' (skilltide run's stage)
    if breaks not in BREAK_SOURCES:
        raise UserError(f"breaks must be one of {', '.join(BREAK_SOURCES)}, not {breaks!r}")
    args = {"panel": panel, "granularity": granularity, "horizon": horizon, "model": model}
    if workdays:
        args["workdays"] = workdays
    if breaks != "stored":
        args["breaks"] = breaks
    if params:
        args["params"] = params
    make_model(model, workdays=workdays, **(params or {}))  # a usage mistake is no failed run
    with wh.run("forecast run", args) as run:
        with run.stage("read"):
            frame = warehouse_panel(wh, panel=panel, granularity=granularity, value="count")
            levels = _refuse_early_ends(wh, panel, granularity, frame)
            partial = partial_month(wh, panel)  # the month left out of ``frame``
            known = None
            if breaks == "stored":
                known = _breaks_for(wh, panel, granularity, frame)
            elif breaks == "detect" and frame.height:
                known = DetectedBreaks()  # at each backtest origin, with the data up to it
            # provenance: the runs whose rows this run read
            stored = breaks == "stored" and known is not None
            run.notes["inputs"] = _input_runs(wh, panel, granularity, stored)
        with run.stage("forecast") as rec:
            forecasts, backtest = forecast_panel(
                frame,
                horizon=horizon,
                model=model,
                params=params,
                n_windows=n_windows,
                breaks=known,
                workdays=workdays,
                levels=levels,
            )
            rec["series"] = forecasts["unique_id"].n_unique()
        ids = forecasts.select("unique_id").unique()
        parts = pl.DataFrame(
            [(u, *split_id(u)) for u in ids["unique_id"]],
            orient="row",
            schema=["unique_id", "group_id", "skill_id"],
        )
        rows = forecasts.join(parts, on="unique_id").with_columns(
            run_id=pl.lit(run.run_id), panel=pl.lit(panel), granularity=pl.lit(granularity)
        )
        run.count("forecasts", append(run.con, "forecasts", rows))
        summary: dict[str, Any] = {
            "run_id": run.run_id,
            "series": rows["unique_id"].n_unique(),
            "forecasts": rows.height,
            "model": model,
            "breaks": "none" if known is None else breaks,  # what the fits had
            "inputs": run.notes["inputs"],
            # stored breaks found in older demand than this run forecasts from
            "breaks_stale": stored_breaks_stale(wh, run.notes["inputs"], panel, granularity),
            "partial_month": None if partial is None else partial.as_dict(),
        }
        if backtest.height:
            found = breaks_for(known, Wide.from_panel(frame))
            scored = pl.concat(
                [backtest, baseline_backtest(frame, backtest, model, horizon, levels)]
            )
            metrics = evaluate(scored, subsets(frame, found))
            # calibration: each origin scored with intervals from the other origins
            held = {lv: held_out_coverage(backtest, lv) for lv in (80, 95)}
            cover = pl.DataFrame(
                [
                    (model, 0, "all", f"coverage_{lv}", v, backtest["unique_id"].n_unique())
                    for lv, v in held.items()
                    if not math.isnan(v)  # one origin: no held-out measure
                ],
                orient="row",
                schema=metrics.schema,
            )
            metrics = pl.concat([metrics, cover]).with_columns(
                run_id=pl.lit(run.run_id), panel=pl.lit(panel), granularity=pl.lit(granularity)
            )
            run.count("backtests", append(run.con, "backtests", metrics))
            overall = metrics.filter(
                pl.col("model") == model, pl.col("horizon") == 0, pl.col("scenario") == "all"
            )
            summary["backtest"] = dict(overall.select("metric", "value").iter_rows())
        run.notes.update(summary)
        if written is not None:
            written(run)
    return summary
