"""Build the report's sections from the warehouse: data → charts, captions and tables.

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     page = build_page(wh, granularity="market")
>>> [s.section_id for s in page.sections]  # doctest: +SKIP
['overview', 'explorer', 'occupations', 'network', 'methods']
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl

from skilltide import __version__
from skilltide.reports import captions, charts
from skilltide.reports.html import (
    Figure,
    Findings,
    Notice,
    Page,
    Section,
    Stats,
    Table,
)
from skilltide.reports.methods_data import shown_runs
from skilltide.reports.methods_section import methods_section
from skilltide.reports.network_data import how_to
from skilltide.reports.series_data import SeriesData, load_series
from skilltide.reports.structure_sections import network_section, occupations_section
from skilltide.store import Warehouse


def build_page(
    wh: Warehouse,
    panel: str = "ads",
    granularity: str = "market",
    title: str | None = None,
    max_series: int = 200,
) -> Page:
    """Read the warehouse and lay out every section of the report."""
    # Specs embed their data; the default 5,000-row guard is for notebooks, not files.
    with alt.data_transformers.enable("default", max_rows=None):
        return _build(wh, panel, granularity, title, max_series)


def _build(wh, panel, granularity, title, max_series) -> Page:
    series = load_series(wh, panel=panel, granularity=granularity, max_series=max_series)
    how = how_to(panel, granularity)
    today = dt.datetime.now(dt.UTC).strftime("%d %b %Y %H:%M UTC")
    scope = "whole market" if granularity == "market" else f"by {granularity}"
    subtitle = (
        f"Skill demand{' in job ads' if series.market_unit == 'job ads' else ''} "
        f"({panel} panel, {scope}), "
        f"{captions.month_name(series.months[0])} – "
        f"{captions.month_name(series.months[1])}. Generated {today} by skilltide "
        f"{__version__}."
    )
    sections = [
        _overview(series, how),
        _explorer(series, how),
        occupations_section(wh, panel, how),
        network_section(wh, how),
        methods_section(wh, panel, granularity, series, how),
    ]
    return Page(
        title or "Skill demand report",
        subtitle,
        sections,
        shown_runs(wh, panel, series.forecast_info, series.breaks_info),
    )


def _overview(s: SeriesData, how: dict) -> Section:
    sec = Section("overview", "Overview")
    last = s.market.sort("month").row(-1, named=True)
    unit = s.market_unit[:1].upper() + s.market_unit[1:]  # Job ads, or Skill mentions
    month = captions.month_name(last["month"])
    if s.unit is None:
        items = [
            (f"{s.market_unit} in the data", f"{s.market['ads'].sum():,.0f}"),
            (f"{s.market_unit} in {month}", f"{last['ads']:,.0f}"),
        ]
    else:  # levels: their sum means nothing
        items = [(f"{s.market_unit} of the series in {month}", captions.number(last["ads"]))]
    items += [
        # a panel of levels by group: its series are group × skill (a sector in each country)
        ("skills tracked", f"{s.n_skills:,}")
        if s.unit is None
        else ("series tracked", f"{s.n_series_total:,}"),
        ("months of history", f"{s.market.height + _n_left_out(s):,}"),
    ]
    if s.forecast_info:
        items.append(("months forecast ahead", str(s.forecast_info["horizon"])))
    if s.breaks_info:
        items.append(("structural breaks found", f"{s.breaks_info['n_breaks']:,}"))
    findings = [
        captions.overview(
            s.market,
            s.months,
            s.n_skills if s.unit is None else s.n_series_total,
            s.granularity,
            s.market_unit,
            s.unit,
            s.last_series,
        )
    ]
    if s.partial is not None:
        findings.append(f"{s.partial.describe()}, so it is left out of the charts and figures.")
    left_out = captions.left_out(s.market_left_out, s.n_series_total) if _n_left_out(s) else ""
    if left_out:
        findings.append(left_out)
    has_growth = s.growth is not None and s.growth.height > 0
    if has_growth:
        end = s.forecast_info["end"]
        info = s.forecast_info
        findings.append(
            captions.growth(
                s.growth,
                info["description"],
                end,
                info.get("explanation", ""),
                "ads" if s.unit is None else "data",
            )
        )
    if s.breaks_info and s.market_breaks is not None and s.market_breaks.height:
        findings.append(captions.market_breaks(s.market_breaks))
    sec.blocks += [Findings(findings), Stats(items)]
    if has_growth:
        sec.blocks.append(
            Figure(
                "growth",
                charts.finish(
                    charts.growth_chart(s.growth, captions.month_name(end), unit=s.measure.unit)
                ),
                captions.GROWTH_GUIDE,
                "Skills with the largest forecast rises and falls, with 80% intervals",
            )
        )
        table = s.growth.select(
            series="label",
            base_level=pl.col("base").round(3),
            forecast=pl.col("end").round(3),
            forecast_month=pl.col("ds").dt.strftime("%Y-%m"),
            change_pct=(pl.col("growth") * 100).round(1),
            lo80_pct=(pl.col("lo") * 100).round(1),
            hi80_pct=(pl.col("hi") * 100).round(1),
        )
        sec.blocks.append(
            Table(
                "forecast-growth",
                "Forecast change of every series",
                table,
                f"Base level: the mean over {s.growth['basis'][0]}, in {s.measure.unit}; "
                "forecast: in the forecast month, same unit; change and its 80% interval in "
                "%. Sorted from the largest rise to the largest fall.",
                15,
                {
                    "base_level": f"Base level ({s.measure.unit})",
                    "forecast": f"Forecast ({s.measure.unit})",
                    "lo80_pct": "80% interval: low (%)",
                    "hi80_pct": "80% interval: high (%)",
                },
            )
        )
    elif s.stale_forecast:
        sec.blocks.append(Notice(_stale_notice(s.stale_forecast, how)))
    else:
        sec.blocks.append(
            Notice(
                f"No forecasts in the warehouse for this panel and "
                f"granularity: {how['forecasts']} to see rising and falling "
                "skills."
            )
        )
    sec.blocks.append(
        Figure(
            "market",
            charts.finish(charts.market_chart(s.market, s.market_breaks, s.market_unit)),
            (
                captions.market_breaks(s.market_breaks)
                if s.breaks_info
                else f"{unit} per month. "
                + (
                    _stale_breaks_notice(s.stale_breaks, how)
                    if s.stale_breaks
                    else f"Structural breaks are not shown: {how['breaks']}."
                )
            )
            + (f" {left_out}" if left_out else ""),
            f"{unit} per month in the whole market",
        )
    )
    if s.market_breaks is not None and s.market_breaks.height:
        sec.blocks.append(
            Table(
                "market-breaks",
                "Market-wide breaks",
                s.market_breaks.select(
                    month=pl.col("break_ds").dt.strftime("%Y-%m"),
                    kind="kind",
                    series_affected="n_series",
                    share_of_series_pct=(pl.col("share_series") * 100).round(1),
                    median_size=pl.col("size").round(3),
                    max_p_value="p_value",
                ),
                captions.BREAK_TERMS.format(unit=_break_unit(s)),
                headers={"max_p_value": "Largest p value"},
            )
        )
    return sec


def _break_unit(s: SeriesData) -> str:
    return (
        s.measure.unit
        if s.breaks_info.get("value", "count") == "count"
        else "share of ads (0.01 = one point)"
    )


def _explorer(s: SeriesData, how: dict) -> Section:
    sec = Section("explorer", "Skill explorer")
    labels = s.series.sort("label")["label"].to_list()
    default = (
        s.growth["label"][0] if s.growth is not None and s.growth.height else s.series["label"][0]
    )
    breaks = None
    if s.breaks is not None and s.breaks.height:
        breaks = s.breaks.with_columns(
            explanation=pl.struct("kind", "size", "p_value", "scope", "break_ds").map_elements(
                lambda r: captions.explain_break(
                    r["kind"],
                    r["size"],
                    r["p_value"],
                    r["scope"],
                    r["break_ds"],
                    s.breaks_info.get("value", "count"),
                    s.measure.unit,
                ),
                return_dtype=pl.String,
            )
        )
    history = s.history.with_columns(pl.col("y").round(3))
    forecast = None
    if s.forecast is not None:
        # Start each forecast at the last observation so the line joins the history.
        anchor = (
            history.sort("month")
            .group_by("label")
            .last()
            .filter(pl.col("label").is_in(s.forecast["label"].unique().implode()))
            .select(
                "label",
                ds="month",
                **{c: pl.col("y") for c in ("yhat", "lo_80", "hi_80", "lo_95", "hi_95")},
            )
        )
        forecast = pl.concat(
            [anchor, s.forecast.with_columns(pl.exclude("label", "ds").round(3))]
        ).sort("label", "ds")
    notes = None
    if breaks is not None:
        quiet = s.series.filter(~pl.col("label").is_in(breaks["label"].unique().implode()))
        notes = pl.concat(
            [
                breaks.sort("label", "break_ds").select("label", "explanation"),
                quiet.select(
                    "label", explanation=pl.lit("No structural break detected in this series.")
                ),
            ]
        )
    info = s.forecast_info
    sec.blocks.append(
        Figure(
            "skill-history",  # not "explorer": that is the section's id
            charts.finish(
                charts.explorer_chart(
                    history,
                    forecast,
                    None if breaks is None else breaks.select("label", "break_ds", "explanation"),
                    notes,
                    s.measure.title,
                    labels,
                    default,
                )
            ),
            captions.explorer(
                info.get("description"),
                info.get("start"),
                info.get("end"),
                breaks is not None,
                s.measure.unit,
                s.series.height,
                s.n_series_total,
                s.forecast is not None and s.forecast["lo_80"].null_count() < s.forecast.height,
            ),
            "Demand history and forecast of the chosen skill",
        )
    )
    if s.stale_forecast:
        sec.blocks.append(Notice(_stale_notice(s.stale_forecast, how)))
    elif not info:
        sec.blocks.append(Notice(f"No forecasts yet: {how['forecasts']}."))
    if s.stale_breaks:
        sec.blocks.append(Notice(_stale_breaks_notice(s.stale_breaks, how)))
    elif not s.breaks_info:
        sec.blocks.append(Notice(f"No structural breaks in the warehouse: {how['breaks']}."))
    elif breaks is None:
        sec.blocks.append(
            Notice(f"The breaks run {s.breaks_info['run_id']} found no breaks in these series.")
        )
    else:
        sec.blocks.append(
            Table(
                "series-breaks",
                "Detected breaks",
                breaks.select(
                    series="label",
                    month=pl.col("break_ds").dt.strftime("%Y-%m"),
                    kind="kind",
                    scope="scope",
                    size=pl.col("size").round(3),
                    p_value="p_value",
                    method="method",
                    explanation="explanation",
                ),
                "Every detected break in every series; the chart above lists the chosen "
                "series' breaks under it. "
                + captions.BREAK_TERMS.format(unit=_break_unit(s))
                + captions.BREAK_METHODS,
            )
        )
    return sec


def _stale_notice(stale: dict, how: dict) -> str:
    """Why the newest forecast is not shown: the demand changed after it was made."""
    return (
        f"The newest forecast (run {stale['run_id']}, from the data up to "
        f"{captions.month_name(stale['cutoff'])}) was made before the demand was last "
        f"updated (run {stale['demand_run']}), so it is not shown: {how['forecasts']} again."
    )


def _stale_breaks_notice(stale: dict, how: dict) -> str:
    """Why the newest breaks are not shown: the demand changed after they were detected."""
    return (
        f"The newest structural breaks (run {stale['run_id']}) were detected before the "
        f"demand was last updated (run {stale['demand_run']}), so they are not shown: "
        f"{how['breaks']} again."
    )


def _n_left_out(s: SeriesData) -> int:
    """The months a panel of levels' market line leaves out (fewer series than the panel)."""
    return 0 if s.market_left_out is None else s.market_left_out.height
