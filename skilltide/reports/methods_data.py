"""Read the provenance of a report: sources, O*NET release, runs, backtest accuracy.

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     methods = load_methods(wh, panel="ads", granularity="market")
>>> methods.metric  # doctest: +SKIP
'mase'
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from skilltide.store import Warehouse

BASELINES = (
    "naive",
    "seasonal_naive",
    "snaive",
    "drift",
    "window_average",
    "mean",
    "last_value",
    "historic_average",
)
METRIC_ORDER = ("mase", "mae", "rmse", "smape", "rrmse", "smape_jobsdf", "rrmse_jobsdf")
METRIC_NAMES = {
    "mase": "MASE (scaled error: below 1 beats repeating the last month)",
    "mae": "MAE (mean absolute error)",
    "rmse": "RMSE (root mean squared error)",
    "smape": "sMAPE (symmetric mean absolute percentage error, %)",
    "rrmse": "RRMSE (root mean squared error relative to the mean, %)",
}


# what the metric measures, for the table under the backtest chart (its axis keeps the name)
METRIC_MEANINGS = {
    "mae": "the average size of a miss",
    "rmse": "the typical size of a miss, large misses counting more",
}


@dataclass
class MethodsData:
    runs: pl.DataFrame  # run_id, command, status, started, finished
    sources: pl.DataFrame  # source, ads, first_month, last_month (panel 'ads'; else empty)
    onet_releases: list[str]
    workbank_loaded: bool
    backtests: pl.DataFrame | None  # model, horizon, value, baseline
    metric: str | None
    scenario: str | None
    backtest_run: str | None
    coverage: pl.DataFrame | None = None  # model, coverage_80, coverage_95 (pooled horizons)
    imported: pl.DataFrame | None = None  # run_id, file, sha256: the panel's ingest demand runs


def load_methods(wh: Warehouse, panel: str = "ads", granularity: str = "market") -> MethodsData:
    """Runs, data sources and the backtest accuracy behind a report."""
    # Opening the warehouse marked every run a dead process left 'running' as interrupted,
    # so a run still 'running' is this process's own: the one writing this report.
    runs = wh.query(
        "SELECT run_id, command,"
        " CASE status WHEN 'running' THEN 'in progress (writing this report)' ELSE status END"
        " AS status, strftime(started, '%Y-%m-%d %H:%M') AS started_utc,"
        " coalesce(error, '') AS error FROM runs ORDER BY started DESC, run_id DESC LIMIT 30"
    )
    sources = pl.DataFrame(schema={"source": pl.String, "ads": pl.Int64})
    # the ads are the sources of panel 'ads' only ('ads' is reserved: no import writes it)
    if panel == "ads" and wh.has_table("ads"):
        sources = wh.query(
            "SELECT source, count(*) AS ads, strftime(min(month), '%Y-%m') AS first_month,"
            " strftime(max(month), '%Y-%m') AS last_month FROM ads GROUP BY source"
            " ORDER BY ads DESC"
        )
    # every release the report's data come from: titles, and the ratings and technology
    # skills a graph is built from (a graph on 29.3's Skills.xlsx beside 30.1's text files)
    views = [v for v in ("occupations", "onet_ratings", "technology_skills") if wh.has_table(v)]
    releases: list[str] = []
    if views:
        union = " UNION ".join(f"SELECT DISTINCT release FROM {v}" for v in views)
        releases = wh.query(
            f"SELECT release FROM ({union}) WHERE release IS NOT NULL ORDER BY release"
        )["release"].to_list()
    workbank = (
        wh.has_table("workbank_occupations")
        and wh.query("SELECT count(*) AS n FROM workbank_occupations")["n"][0] > 0
    )
    backtests, metric, scenario, run_id, coverage = _backtests(wh, panel, granularity)
    data = MethodsData(
        runs, sources, releases, bool(workbank), backtests, metric, scenario, run_id, coverage
    )
    data.imported = _imported(wh, panel, granularity)
    return data


def _imported(wh, panel: str, granularity: str | None = None) -> pl.DataFrame | None:
    """The ``ingest demand`` runs (with their files and the files' sha256) that wrote the
    panel (at ``granularity``; at any when None); None for a panel counted from ads."""
    where = "panel = ?" + ("" if granularity is None else " AND granularity = ?")
    params = [panel] if granularity is None else [panel, granularity]
    rows = wh.query(
        "SELECT r.run_id, json_extract_string(r.args, '$.file') AS file,"
        " json_extract_string(r.notes, '$.sha256') AS sha256 FROM runs r"
        " WHERE r.command = 'ingest demand' AND r.run_id IN (SELECT DISTINCT run_id FROM demand"
        f" WHERE {where}) ORDER BY r.run_id",
        params,
    )
    return rows if rows.height else None


def _backtests(wh, panel, granularity):
    if not wh.has_table("backtests"):
        return None, None, None, None, None
    run_id = wh.query(
        "SELECT max(run_id) AS r FROM backtests WHERE panel = ? AND granularity = ?",
        [panel, granularity],
    )["r"][0]
    if run_id is None:
        return None, None, None, None, None
    rows = wh.query(
        "SELECT model, horizon, scenario, lower(metric) AS metric, value FROM backtests"
        " WHERE run_id = ? AND panel = ? AND granularity = ?",
        [run_id, panel, granularity],
    )
    if rows.filter(pl.col("horizon") > 0).height:  # horizon 0 pools all steps
        pooled = rows.filter(pl.col("horizon") == 0)
        rows = rows.filter(pl.col("horizon") > 0)
    else:
        pooled = rows
    coverage = (
        pooled.filter(pl.col("metric").is_in(["coverage_80", "coverage_95"]))
        .group_by("model", "metric")
        .agg(pl.col("value").mean())
        .sort("model", "metric")
        .pivot("metric", index="model", values="value")
        .sort("model")
    )
    metrics = [m for m in rows["metric"].unique().to_list() if not m.startswith("coverage")]
    if not metrics:
        return None, None, None, run_id, coverage
    metric = next((m for m in METRIC_ORDER if m in metrics), sorted(metrics)[0])
    scenarios = rows["scenario"].unique().to_list()
    scenario = "all" if "all" in scenarios else sorted(map(str, scenarios))[0]
    chosen = (
        rows.filter(pl.col("metric") == metric, pl.col("scenario") == scenario)
        .group_by("model", "horizon")
        .agg(pl.col("value").mean())
        .with_columns(baseline=pl.col("model").str.to_lowercase().is_in(BASELINES))
        .sort("model", "horizon")
    )
    return chosen, metric, scenario, run_id, coverage


def shown_runs(wh: Warehouse, panel: str, forecast_info: dict, breaks_info: dict) -> dict:
    """The runs whose rows a report on ``panel`` shows, for its provenance record (None: not
    shown): the panel's demand runs, the forecast and breaks runs it read, and its graph."""
    from skilltide.reports.network_data import choose_graph

    demand = wh.query("SELECT DISTINCT run_id FROM demand WHERE panel = ? ORDER BY 1", [panel])
    graph = choose_graph(wh)
    imported = _imported(wh, panel)
    return {
        "demand_runs": demand["run_id"].to_list(),
        "forecast_run": forecast_info.get("run_id"),
        "breaks_run": breaks_info.get("run_id"),
        "graph": None if graph is None else {k: graph[k] for k in ("graph_id", "run_id")},
        # an imported panel's rows came from these bytes (the ads' files are in their runs)
        "imported_files": [] if imported is None else imported.to_dicts(),
    }
