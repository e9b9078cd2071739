"""The structural breaks a report shows, from the latest ``breaks detect`` run of a panel.

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     shown, market, info = report_breaks(wh, "ads", "market", series)
"""

from __future__ import annotations

import json

import polars as pl

from skilltide.forecast.breaks_store import latest_breaks_run
from skilltide.forecast.freshness import stale_run
from skilltide.store import Warehouse


def report_breaks(wh: Warehouse, panel: str, granularity: str, series: pl.DataFrame):
    """The latest breaks run of a panel: the shown series' breaks, the market-wide break
    months (with the share of series breaking) and facts about the run; ``None`` when absent,
    and when the run read other demand than the panel holds now (then the facts are
    ``{"stale": …}``, :func:`~skilltide.forecast.freshness.stale_run`)."""
    latest = latest_breaks_run(wh, panel, granularity)
    if latest is None:
        return None, None, {}
    stale = stale_run(wh, latest, panel, granularity)
    if stale is not None:  # found in older data: their months may say nothing of these
        return None, None, {"stale": stale}
    rows = wh.query(
        """SELECT group_id, skill_id, break_ds, kind, size, statistic, p_value, scope, method
           FROM breaks WHERE run_id = ? AND panel = ? AND granularity = ? ORDER BY break_ds""",
        [latest, panel, granularity],
    )
    n_series = wh.query(
        "SELECT count(*) AS n FROM (SELECT DISTINCT group_id, skill_id FROM demand"
        " WHERE panel = ? AND granularity = ?)",
        [panel, granularity],
    )["n"][0]
    market = (
        rows.filter(pl.col("scope") == "market")
        .group_by("break_ds", "kind")
        .agg(n_series=pl.len(), size=pl.col("size").median(), p_value=pl.col("p_value").max())
        .with_columns(share_series=pl.col("n_series") / max(int(n_series), 1))
        .sort("break_ds", "kind")
    )
    shown = rows.join(
        series.select("group_id", "skill_id", "label"), on=["group_id", "skill_id"], how="inner"
    )
    info = {
        "run_id": latest,
        "n_breaks": rows.height,
        "n_series_with_breaks": rows.select("group_id", "skill_id").unique().height,
        "n_market": market.height,
        "value": _run_arg(wh, latest, "value") or "count",
    }
    return (
        shown.select(
            "label", "break_ds", "kind", "size", "statistic", "p_value", "scope", "method"
        ),
        market,
        info,
    )


def _run_arg(wh: Warehouse, run_id: str, name: str):
    """One argument a run was called with (from ``runs.args``), or None."""
    row = wh.con.execute("SELECT args FROM runs WHERE run_id = ?", [run_id]).fetchone()
    try:
        return json.loads(row[0]).get(name) if row and row[0] else None
    except (ValueError, AttributeError):
        return None
