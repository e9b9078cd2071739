"""The "Methods and data" section: how demand is counted, models, breaks, sources and licences,
backtest accuracy against the baselines, interval coverage and the runs behind the report.

Example
-------
>>> from skilltide.store import Warehouse
>>> from skilltide.reports.series_data import load_series
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     section = methods_section(wh, "ads", "market", load_series(wh), {})
>>> section.title  # doctest: +SKIP
'Methods and data'
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from skilltide.reports import captions, charts, methods_captions
from skilltide.reports.html import Figure, Notice, Prose, Section, Table
from skilltide.reports.methods_data import METRIC_MEANINGS, METRIC_NAMES, load_methods
from skilltide.reports.names import in_sentence, model_explanation, model_name
from skilltide.reports.series_data import SeriesData
from skilltide.store import Warehouse

ONET_ATTRIBUTION = (
    "This report includes information from the O*NET {release} Database by the U.S. "
    "Department of Labor, Employment and Training Administration (USDOL/ETA). Used under the "
    "CC BY 4.0 license. O*NET® is a trademark of USDOL/ETA. skilltide has modified all or some "
    "of this information; USDOL/ETA has not approved, endorsed, or tested these modifications."
)
WORKBANK_CITATION = (
    "WORKBank: Shao, Y. et al. (2025), 'Future of Work with AI Agents: Auditing Automation and "
    "Augmentation Potential across the U.S. Workforce', arXiv:2506.06576. The data set declares "
    "no licence; it is loaded from the user's own copy and cited here."
)


def methods_section(
    wh: Warehouse, panel: str, granularity: str, s: SeriesData, how: dict
) -> Section:
    """Provenance and accuracy of everything the report shows."""
    sec = Section("methods", "Methods and data")
    m = load_methods(wh, panel=panel, granularity=granularity)
    counted = (
        "Demand is counted from job ads: each ad counts once, in the month it was first "
        "posted, for every skill it mentions."
    )
    if m.imported is not None:  # an aggregated panel: skilltide did not count the ads
        files = "; ".join(
            f"{row['file']} (sha256 {row['sha256']}, run {row['run_id']})"
            if row["sha256"]
            else f"{row['file']} (run {row['run_id']})"
            for row in m.imported.iter_rows(named=True)
        )
        counted = (
            f"Demand is the '{panel}' panel, imported already aggregated from {files} with "
            "`skilltide ingest demand`: the counts are the file's own."
        )
    paragraphs = [f"{counted} The charts show {s.measure.title.lower()}."]
    if s.forecast_info:
        i = s.forecast_info
        paragraphs.append(
            f"Forecasts: {i['description']}"
            + (f" ({i['explanation']})" if i.get("explanation") else "")
            + f", trained on data up to {captions.month_name(i['cutoff'])}, {i['horizon']} "
            f"months ahead, run {i['run_id']}. Intervals are 80% and 95% prediction "
            "intervals: ranges that should hold the outcome 80% and 95% of the time. "
            "Backtests (below) replay the past to measure each model's accuracy; the "
            "automatic forecast weights its methods by it. (Model as named "
            f"in the warehouse's forecasts table: {', '.join(i['models'])}.)"
        )
    if s.breaks_info:
        paragraphs.append(
            f"Structural breaks: run {s.breaks_info['run_id']}; a break is "
            "market-wide when a quarter or more of the series break within a month of it."
        )
    if m.onet_releases:
        paragraphs.append(ONET_ATTRIBUTION.format(release=", ".join(m.onet_releases)))
    else:
        paragraphs.append(
            "O*NET is not loaded in this warehouse (`skilltide onet load DIR`); "
            "occupation titles come from the data itself."
        )
    if m.workbank_loaded:
        paragraphs.append(WORKBANK_CITATION)
    sec.blocks.append(Prose(paragraphs))
    if m.sources.height:
        sec.blocks.append(Table("sources", "Job-ad sources", m.sources))
    if m.backtests is not None and m.backtests.height:
        metric_title = METRIC_NAMES.get(m.metric, m.metric.upper())
        named = m.backtests.with_columns(reader_names("model"))
        unit = f", in {s.measure.unit}" if m.metric in ("mae", "rmse") else ""
        horizons = named["horizon"].unique().sort().to_list()
        meaning = METRIC_MEANINGS.get(m.metric, "")
        meaning = f" {m.metric.upper()} is {meaning}." if meaning else ""
        sec.blocks += [
            Figure(
                "backtests",
                charts.finish(charts.backtest_chart(named, metric_title)),
                methods_captions.backtests(m.backtests, m.metric, s.measure.unit)
                + ("" if m.scenario == "all" else f" Scenario '{m.scenario}'.")
                + f" Backtest run {m.backtest_run}.",
                "Backtest error by model and horizon",
            ),
            Table(
                "backtest-accuracy",
                "Backtest accuracy",
                named.with_columns(
                    kind=pl.when("baseline").then(pl.lit("baseline")).otherwise(pl.lit("model"))
                )
                .pivot("horizon", index=["model", "kind"], values="value")
                .with_columns(pl.exclude("model", "kind").round(4)),
                f"{metric_title} per model (rows){unit}, by how many months ahead it forecast "
                f"(columns); lower is better.{meaning} {_baselines(m.backtests)}",
                headers={str(h): f"{h} month{'s' if h != 1 else ''} ahead" for h in horizons},
            ),
        ]
    else:
        sec.blocks.append(Notice(f"No backtests in the warehouse: {how['backtests']}."))
    if m.coverage is not None and m.coverage.height:
        sec.blocks.append(
            Table(
                "interval-coverage",
                "Prediction-interval coverage",
                m.coverage.select(
                    reader_names("model"),
                    **{
                        f"{c}_pct": (pl.col(c) * 100).round(1)
                        for c in m.coverage.columns
                        if c != "model"
                    },
                ),
                methods_captions.coverage(m.coverage),
                headers={
                    "coverage_80_pct": "Outcomes inside the 80% interval (%)",
                    "coverage_95_pct": "Outcomes inside the 95% interval (%)",
                },
            )
        )
    sec.blocks.append(
        Table(
            "runs",
            "Runs behind this report",
            m.runs,
            f"The most recent runs on the warehouse {Path(wh.path).resolve()}; every table "
            "row carries the run id that wrote it.",
            30,
        )
    )
    return sec


def reader_names(column: str) -> pl.Expr:
    """The stored model names of ``column`` as the reader's names."""
    return pl.col(column).map_elements(model_name, return_dtype=pl.String)


def _baselines(backtests: pl.DataFrame) -> str:
    """What each backtested baseline does, in words."""
    names = backtests.filter(pl.col("baseline"))["model"].unique().sort().to_list()
    rules = "; ".join(
        f"{in_sentence(model_name(n))}: {model_explanation(n)}"
        for n in names
        if model_explanation(n)
    )
    return "A baseline is a simple rule every model must beat" + (f" ({rules})." if rules else ".")
