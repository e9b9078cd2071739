"""A report's market line: ads (or skill mentions) per month of a panel of counts, the mean of
its series for a panel of levels (an index), and what the values measure.

Example
-------
>>> from skilltide.store import Warehouse
>>> with Warehouse("demo/skilltide.duckdb") as wh:  # doctest: +SKIP
...     panel_unit(wh, "ads", "market"), market_totals(wh, "ads", "market")[1]
(None, 'job ads')
"""

from __future__ import annotations

import polars as pl

from skilltide.ingest.demand_periods import DEFAULT_LEVEL_UNIT
from skilltide.store import Warehouse


def panel_unit(wh: Warehouse, panel: str, granularity: str) -> str | None:
    """What ``panel``'s values at ``granularity`` measure when they are no counts of ads
    (``ingest demand --unit``; ``index points``), else None."""
    rows = wh.query(
        "SELECT unit FROM demand_units WHERE panel = ? AND granularity = ?", [panel, granularity]
    )
    if not rows.height:
        return None
    unit = rows["unit"][0]
    return DEFAULT_LEVEL_UNIT if unit == "value" else unit  # the default as stored before


def series_mean(wh: Warehouse, panel: str, granularity: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The mean of the panel's series per month (in column ``ads``, as the market totals) over
    the months every series has, and the months left out with their ``n_series``: a mean of
    a changing set of series moves when series start or stop (Indeed US+GB: 105.7 in Aug 2024,
    115.4 in Sep 2024 when the 48 GB series have ended). When no month has every series the
    mean of all months is kept, and nothing is left out."""
    by_month = wh.query(
        "SELECT month, avg(count) AS ads, count(*) AS n_series FROM demand"
        " WHERE panel = ? AND granularity = ? GROUP BY month ORDER BY month",
        [panel, granularity],
    )
    n = wh.query(
        "SELECT count(*) AS n FROM (SELECT DISTINCT group_id, skill_id FROM demand"
        " WHERE panel = ? AND granularity = ?)",
        [panel, granularity],
    )["n"][0]
    full = by_month["n_series"] == n
    if not full.any():
        return by_month.drop("n_series"), by_month.clear().drop("ads")
    return by_month.filter(full).drop("n_series"), by_month.filter(~full).drop("ads")


def last_series(wh: Warehouse, panel: str, granularity: str, month) -> tuple[int, float | None]:
    """The series of a panel of levels in ``month`` and the mean of those same series a year
    earlier (None when none of them has that month): the mean of all series would compare
    other series when some end early (Indeed's GB sectors a month before the US ones)."""
    row = wh.query(
        "SELECT count(*) AS n, avg(b.count) AS before FROM demand a"
        " LEFT JOIN demand b ON b.panel = a.panel AND b.granularity = a.granularity"
        " AND b.group_id = a.group_id AND b.skill_id = a.skill_id"
        " AND b.month = a.month - INTERVAL 12 MONTH"
        " WHERE a.panel = ? AND a.granularity = ? AND a.month = ?",
        [panel, granularity, month],
    ).row(0)
    return int(row[0]), row[1]


def market_totals(wh: Warehouse, panel: str, granularity: str) -> tuple[pl.DataFrame, str]:
    """Ads per month and what they count: job ads, or skill mentions when an imported panel
    (e.g. Job-SDF's) carries no ad totals."""
    market = wh.query(
        "SELECT month, ads FROM demand_totals WHERE panel = ? AND granularity = 'market'"
        " AND group_id = 'all' ORDER BY month",
        [panel],
    )
    if market.height == 0:  # no market panel: groups partition the ads, so their sum is it
        market = wh.query(
            "SELECT month, sum(ads) AS ads FROM demand_totals WHERE panel = ? AND"
            " granularity = ? GROUP BY month ORDER BY month",
            [panel, granularity],
        )
    if market.height:
        return market, "job ads"
    mentions = wh.query(
        "SELECT month, sum(count) AS ads FROM demand WHERE panel = ? AND granularity = ?"
        " GROUP BY month ORDER BY month",
        [panel, granularity],
    )
    return mentions, "skill mentions"
