"""Read the time-series parts of a report from the warehouse: demand, forecasts, breaks, growth.

Only ``demand`` and ``demand_totals`` are required. Forecasts and breaks are optional: when
their tables are absent or hold nothing for the panel and granularity, the matching fields are
``None`` and the report says which command fills them.

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     series = load_series(wh, panel="ads", granularity="market")
>>> series.history.columns  # doctest: +SKIP
['label', 'month', 'y']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from skilltide.errors import UserError
from skilltide.forecast.freshness import stale_run
from skilltide.forecast.models.base import add_months
from skilltide.ingest.coverage import PartialMonth, partial_month
from skilltide.reports.breaks_data import report_breaks
from skilltide.reports.market_line import last_series, market_totals, panel_unit, series_mean
from skilltide.reports.names import in_sentence, model_explanation, model_name, occupation_titles
from skilltide.store import Warehouse

RECENT_MONTHS = 3  # months averaged for the base a forecast's growth is measured against


@dataclass
class Measure:
    """What the demand charts show: the column and how to label it."""

    column: str  # 'count' or 'share'
    title: str  # axis title with its unit
    scale: float  # multiply stored values by this for display (100 for shares → %)
    unit: str  # short unit for captions


# The forecast stage models counts (forecast_warehouse reads value="count"), so the charts do.
COUNT = Measure("count", "Ads mentioning the skill (per month)", 1.0, "ads a month")


@dataclass
class SeriesData:
    """Everything the overview and the skill explorer draw."""

    panel: str
    granularity: str
    measure: Measure
    months: tuple  # (first, last) observed month
    market: pl.DataFrame  # month, ads (skill mentions when the panel has no ad totals)
    history: pl.DataFrame  # label, month, y
    series: pl.DataFrame  # label, group_id, skill_id, skill, group, recent_count
    n_skills: int
    n_series_total: int
    forecast: pl.DataFrame | None = None  # label, ds, yhat, lo_80, hi_80, lo_95, hi_95
    forecast_info: dict = field(default_factory=dict)
    growth: pl.DataFrame | None = None  # label, base, end, growth, lo, hi (fractions)
    breaks: pl.DataFrame | None = None  # label, break_ds, kind, size, p_value, scope, method
    market_unit: str = "job ads"  # what ``market['ads']`` counts
    unit: str | None = None  # an imported panel's values when they are no counts (demand_units)
    partial: PartialMonth | None = None  # an incomplete last month, left out of the above
    # levels: the months the market line leaves out, as not every series has them
    market_left_out: pl.DataFrame | None = None  # month, n_series
    # levels: the last month's series, and their mean a year earlier (the same series)
    last_series: tuple[int, float | None] | None = None
    market_breaks: pl.DataFrame | None = None  # break_ds, kind, n_series, share_series, size
    breaks_info: dict = field(default_factory=dict)
    # the newest forecast when it was made from older demand (not shown): run_id, demand_run,
    # cutoff
    stale_forecast: dict | None = None
    stale_breaks: dict | None = None


def load_series(
    wh: Warehouse,
    panel: str = "ads",
    granularity: str = "market",
    max_series: int = 200,
    min_recent_count: float = 5.0,
) -> SeriesData:
    """Demand history of the busiest ``max_series`` series, with their forecasts and breaks."""
    available = wh.query(
        "SELECT granularity, count(DISTINCT group_id) AS groups FROM demand WHERE panel = ?"
        " GROUP BY ALL ORDER BY granularity",
        [panel],
    )
    if available.height == 0:
        panels = wh.query("SELECT DISTINCT panel FROM demand ORDER BY panel")["panel"].to_list()
        have = (
            f"panels in the warehouse: {', '.join(panels)}"
            if panels
            else "run `skilltide ingest ads FILE…` (or `skilltide demo`) first"
        )
        raise UserError(f"{wh.path}: no demand panel '{panel}' in the warehouse; {have}")
    if granularity not in available["granularity"].to_list():
        raise UserError(
            f"{wh.path}: no '{panel}' demand at granularity '{granularity}'; available: "
            + ", ".join(available["granularity"].to_list())
        )
    params = [panel, granularity]
    partial = partial_month(wh, panel)
    # the months shown: an incomplete last month ranks no series either
    shown = [*params, dt.date.max if partial is None else partial.month]
    series = wh.query(
        f"""
        WITH last AS (SELECT max(month) AS m FROM demand
                      WHERE panel = ? AND granularity = ? AND month < ?)
        SELECT d.group_id, d.skill_id,
               coalesce(s.name, CASE WHEN starts_with(d.skill_id, ?)
                 THEN substr(d.skill_id, length(?) + 1) ELSE d.skill_id END) AS skill,
               sum(d.count) FILTER (WHERE d.month > last.m - INTERVAL {RECENT_MONTHS} MONTH)
                 / {RECENT_MONTHS} AS recent_count,
               sum(d.count) AS total_count
        FROM demand d CROSS JOIN last LEFT JOIN skills s USING (skill_id)
        WHERE d.panel = ? AND d.granularity = ? AND d.month < ?
        GROUP BY ALL
        ORDER BY recent_count DESC NULLS LAST, total_count DESC, d.group_id, d.skill_id
        """,
        # a skill imported outside the taxonomy is '<panel>:<its name>': show the name
        shown + [f"{panel}:"] * 2 + shown,
    )
    n_total = series.height
    series = series.head(max_series).with_columns(pl.col("recent_count").fill_null(0.0))
    group_names = _group_names(wh, granularity, series["group_id"].unique().to_list())
    series = series.with_columns(
        group=pl.col("group_id").replace_strict(group_names, default=pl.col("group_id"))
    )

    # A bare number (Job-SDF withholds its skill and group names) says what it numbers.
    def named(column: str, what: str) -> pl.Expr:
        value = pl.col(column)
        return pl.when(value.str.contains(r"^\d+$")).then(pl.lit(what) + value).otherwise(value)

    label = named("skill", "skill ")
    if granularity != "market":
        label = label + " — " + named("group", f"{granularity} ")
    series = series.with_columns(label=label)
    # Labels must be unique (two skills may share a display name): suffix repeats with the id.
    dup = pl.col("label").is_duplicated()
    series = series.with_columns(
        label=pl.when(dup)
        .then(pl.col("label") + " (" + pl.col("skill_id") + ")")
        .otherwise(pl.col("label"))
    )

    unit = panel_unit(wh, panel, granularity)
    if unit is None:
        market, market_unit = market_totals(wh, panel, granularity)
        left_out = None
        measure = COUNT
    else:  # levels (an index): their sum means nothing, their mean follows the market
        (market, left_out), market_unit = series_mean(wh, panel, granularity), f"mean {unit}"
        measure = Measure("count", f"{unit[:1].upper()}{unit[1:]} (per month)", 1.0, unit)
    forecast, info = _forecasts(wh, panel, granularity, series)
    stale = info.pop("stale", None)
    history = _history(wh, panel, granularity, series, measure)
    if partial is not None:  # a fraction of a month's ads would read as a fall
        market = market.filter(pl.col("month") < partial.month)
        history = history.filter(pl.col("month") < partial.month)
    months = (history["month"].min(), history["month"].max())
    n_skills = wh.query(
        "SELECT count(DISTINCT skill_id) AS n FROM demand WHERE panel = ? AND granularity = ?",
        params,
    )["n"][0]
    data = SeriesData(
        panel, granularity, measure, months, market, history, series, int(n_skills), n_total
    )
    data.market_unit, data.unit = market_unit, unit
    data.market_left_out = left_out
    if unit is not None and market.height:
        data.last_series = last_series(wh, panel, granularity, market["month"].max())
    data.partial = partial
    data.stale_forecast = stale
    if forecast is not None:
        data.forecast = forecast.with_columns(
            [pl.col(c) * measure.scale for c in ("yhat", "lo_80", "hi_80", "lo_95", "hi_95")]
        ).select("label", "ds", "yhat", "lo_80", "hi_80", "lo_95", "hi_95")
        data.forecast_info = info
        data.growth = _growth(history, data.forecast, series, min_recent_count)
    data.breaks, data.market_breaks, data.breaks_info = report_breaks(
        wh, panel, granularity, series
    )
    data.stale_breaks = data.breaks_info.pop("stale", None)
    return data


def _group_names(wh: Warehouse, granularity: str, group_ids: list[str]) -> dict[str, str]:
    if granularity == "occupation":
        return occupation_titles(wh, group_ids)
    return {}


def _history(wh, panel, granularity, series, measure: Measure) -> pl.DataFrame:
    keys = series.select("group_id", "skill_id", "label")
    raw = wh.query(
        "SELECT group_id, skill_id, month, count, share FROM demand"
        " WHERE panel = ? AND granularity = ?",
        [panel, granularity],
    )
    totals = wh.query(
        "SELECT group_id, month, ads FROM demand_totals WHERE panel = ? AND granularity = ?",
        [panel, granularity],
    )
    raw = raw.join(keys, on=["group_id", "skill_id"], how="inner")
    # Months without mentions are absent from demand: fill them with zero over each group's
    # months so lines drop to zero instead of bridging the gap.
    frame = (
        keys.join(totals, on="group_id", how="inner")
        .join(raw.drop("label"), on=["group_id", "skill_id", "month"], how="left")
        .with_columns(
            count=pl.col("count").fill_null(0.0),
            share=pl.col("share").fill_null(pl.col("count").fill_null(0.0) / pl.col("ads")),
        )
    )
    if frame.height == 0:
        frame = raw
    return frame.select("label", "month", (pl.col(measure.column) * measure.scale).alias("y")).sort(
        "label", "month"
    )


def _forecasts(wh, panel, granularity, series):
    if not wh.has_table("forecasts"):
        return None, {}
    latest = wh.query(
        "SELECT run_id, max(cutoff) AS cutoff FROM forecasts WHERE panel = ? AND granularity = ?"
        " GROUP BY run_id ORDER BY run_id DESC LIMIT 1",
        [panel, granularity],
    )
    if latest.height == 0:
        return None, {}
    run_id, cutoff = latest.row(0)
    stale = stale_run(wh, run_id, panel, granularity)
    if stale is not None:  # made before the demand was updated: not the current forecast
        return None, {"stale": {**stale, "cutoff": cutoff}}
    where = "run_id = ? AND panel = ? AND granularity = ? AND cutoff = ?"
    params = [run_id, panel, granularity, cutoff]
    per_series = wh.query(
        f"SELECT unique_id, count(DISTINCT model) AS n, any_value(model) AS model"
        f" FROM forecasts WHERE {where} GROUP BY unique_id",
        params,
    )
    models = sorted(per_series["model"].unique().to_list())
    if per_series["n"].max() == 1 and len(models) > 1:
        # One model per series: `auto` chose per series, so every row is the forecast to show.
        shares = per_series["model"].value_counts(sort=True, normalize=True)
        model = "auto"
        description = in_sentence(model_name(model))
        explanation = (
            "for each group of skills with a similar kind of demand, the method (or weighted "
            "mix of methods) that forecast months it had not seen best: "
            + ", ".join(f"{_chosen(name)} for {share:.0%}" for name, share in shares.rows())
            + " of series"
        )
        model_filter, model_params = "", []
    else:
        models = wh.query(
            f"SELECT DISTINCT model FROM forecasts WHERE {where} ORDER BY model", params
        )["model"].to_list()
        model = choose_model(wh, panel, granularity, models)
        description = in_sentence(model_name(model))
        explanation = model_explanation(model)
        model_filter, model_params = " AND model = ?", [model]
    rows = wh.query(
        "SELECT group_id, skill_id, ds, yhat, lo_80, hi_80, lo_95, hi_95 FROM forecasts"
        f" WHERE {where}{model_filter} ORDER BY ds",
        params + model_params,
    )
    rows = rows.join(
        series.select("group_id", "skill_id", "label"), on=["group_id", "skill_id"], how="inner"
    )
    if rows.height == 0:
        return None, {}
    horizon = rows["ds"].n_unique()
    info = {
        "run_id": run_id,
        "model": model,
        "description": description,  # the model's name, for a sentence
        "explanation": explanation,  # what it does, in plain words
        "models": models,
        "cutoff": cutoff,
        "horizon": horizon,
        "start": rows["ds"].min(),
        "end": rows["ds"].max(),
    }
    return rows, info


def _chosen(model: str) -> str:
    """What auto chose for a series, in a sentence about auto: its weighted mix
    (``auto:combination``) is not "automatic forecast" again."""
    if model.removeprefix("auto:") == "combination":
        return "a weighted mix of methods"
    return in_sentence(model_name(model))


def choose_model(wh: Warehouse, panel: str, granularity: str, models: list[str]) -> str:
    """The model to show: the best by backtest when several were forecast, else the only one."""
    if len(models) == 1:
        return models[0]
    if wh.has_table("backtests"):
        scores = wh.query(
            """SELECT model, metric, avg(value) AS v FROM backtests
               WHERE panel = ? AND granularity = ? AND metric IN ('mase', 'mae')
               GROUP BY ALL""",
            [panel, granularity],
        ).filter(pl.col("model").is_in(models))
        for metric in ("mase", "mae"):
            ranked = scores.filter(pl.col("metric") == metric).sort("v", "model")
            if ranked.height:
                return ranked["model"][0]
    for preferred in ("auto", "ensemble", "lgbm", "lightgbm"):
        if preferred in models:
            return preferred
    return models[0]


def _growth(history, forecast, series, min_recent_count) -> pl.DataFrame:
    """Growth from a base period to the forecast at the horizon end.

    Job-ad demand is seasonal, so the base is the same season a year earlier (the mean of the
    three months centred on the horizon end's month one year before) when the history covers
    it; otherwise the mean of the last observed months. ``basis`` says which, in words.
    """
    first_month, last_month = history["month"].min(), history["month"].max()
    end = forecast.sort("ds").group_by("label").last()
    horizon_end = end["ds"].max()
    start, stop = add_months(horizon_end, -13), add_months(horizon_end, -11)
    if start >= first_month and stop <= last_month:
        basis = f"the same season a year earlier ({start:%b}–{stop:%b %Y})"
    else:
        start, stop = add_months(last_month, 1 - RECENT_MONTHS), last_month
        basis = "the last three months"
    recent = history.group_by("label").agg(
        base=pl.col("y").filter(pl.col("month").is_between(start, stop)).mean()
    )
    frame = (
        end.join(recent, on="label")
        .join(series.select("label", "skill", "group", "recent_count"), on="label")
        .filter(pl.col("base") > 0, pl.col("recent_count") >= min_recent_count)
    )
    return frame.select(
        "label",
        "skill",
        "group",
        "base",
        "ds",
        end=pl.col("yhat"),
        growth=pl.col("yhat") / pl.col("base") - 1,
        lo=pl.col("lo_80") / pl.col("base") - 1,
        hi=pl.col("hi_80") / pl.col("base") - 1,
        basis=pl.lit(basis),
    ).sort("growth", "label", descending=[True, False])
