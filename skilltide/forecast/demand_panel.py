"""The demand panels of the warehouse as long forecasting panels (``unique_id, ds, y``).

:func:`warehouse_panel` reads one ``demand`` panel and granularity with its gaps filled as
the totals say (no row in a month with ads is no mention; a month the source lacks is
interpolated); :func:`require_demand` refuses a panel the warehouse does not hold.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
>>> warehouse_panel(wh).height
0
"""

from __future__ import annotations

from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.forecast.panel import PANEL_SCHEMA, fill_gaps
from skilltide.ingest.coverage import partial_month

__all__ = ["demand_rows", "require_demand", "warehouse_panel"]


def demand_rows(wh: Any, panel: str, granularity: str) -> list[int]:
    """What ``panel`` holds at ``granularity``: its row count and a sum of its rows' hashes
    (group, skill, month, count, total). Rows rewritten with the same values (a recode that
    moved ads between occupations, not months) give the same pair."""
    row = wh.con.execute(
        "SELECT count(*), coalesce(sum(hash(group_id, skill_id, month, count, total)"
        "::HUGEINT), 0) FROM demand WHERE panel = ? AND granularity = ?",
        [panel, granularity],
    ).fetchall()[0]
    return [int(row[0]), int(row[1])]


def require_demand(wh: Any, panel: str, granularity: str) -> None:
    """Refuse a ``(panel, granularity)`` that has no rows in ``demand``, naming what exists
    (a misspelt ``--panel`` would otherwise find nothing to work on and succeed)."""
    available = wh.query(
        "SELECT DISTINCT panel, granularity FROM demand ORDER BY ALL"
    ).with_columns(name=pl.col("panel") + " (" + pl.col("granularity") + ")")
    if available.filter(panel=panel, granularity=granularity).height:
        return
    have = ", ".join(available["name"]) or "none: run `skilltide ingest …` first"
    raise UserError(
        f"{wh.path}: no demand panel {panel!r} at granularity {granularity!r}; "
        f"panels in the warehouse: {have}"
    )


def warehouse_panel(
    wh: Any,
    panel: str = "ads",
    granularity: str = "market",
    value: str = "count",
    complete_months: bool = True,
) -> pl.DataFrame:
    """The long panel of one ``demand`` panel and granularity, gaps filled.

    ``unique_id`` is ``<group_id>/<skill_id>``; ``group_id`` and ``skill_id`` are kept.
    ``value='count'`` gives ads mentioning the skill, ``value='share'`` the share of the
    group-month's ads. A skill with no row in a month of its group (listed in
    ``demand_totals``) had no mentions: it gets 0 over the group's months, and so does a
    month where its group had no ads but other groups had. A month missing from the totals
    of every group is a month the source has no data for (Hacker News' 2011-07 thread, say),
    not a month without demand: it is interpolated linearly between its neighbours. Without
    totals, the months from a series' first to the panel's last are filled with 0, except a
    month no series has (interpolated); a panel of levels (``demand_units``) is interpolated
    between each series' first and last month. A last
    month the ads stop early in (:func:`~skilltide.ingest.coverage.partial_month`) is left
    out unless ``complete_months=False``: its counts are a fraction of a month's.

    ``wh`` is a :class:`~skilltide.store.Warehouse` or an open DuckDB connection (e.g.
    ``run.con`` inside a run).

    Example
    -------
    >>> import tempfile, pathlib
    >>> from skilltide.store import Warehouse
    >>> wh = Warehouse(pathlib.Path(tempfile.mkdtemp()) / "w.duckdb")
    >>> warehouse_panel(wh).columns
    ['unique_id', 'ds', 'y', 'group_id', 'skill_id']
    """
    from skilltide.store import frame as sql_frame

    if value not in ("count", "share"):
        raise UserError(f"value must be 'count' or 'share', not {value!r}")
    con = getattr(wh, "con", wh)
    rows = sql_frame(
        con,
        f"SELECT group_id, skill_id, month AS ds, {value} AS y, total FROM demand"
        " WHERE panel = ? AND granularity = ?",
        [panel, granularity],
    )
    totals = sql_frame(
        con,
        "SELECT group_id, month AS ds FROM demand_totals WHERE panel = ? AND granularity = ?",
        [panel, granularity],
    )
    columns = ["unique_id", "ds", "y", "group_id", "skill_id"]
    if rows.height == 0:
        return pl.DataFrame(schema={**PANEL_SCHEMA, "group_id": pl.Utf8, "skill_id": pl.Utf8})
    if value == "share" and rows["y"].null_count() == rows.height:
        raise UserError(
            f"demand panel {panel!r} ({granularity}): shares are unknown (no totals); "
            "use counts (--value count)"
        )
    rows = rows.with_columns(
        pl.col("ds").cast(pl.Date),
        pl.col("y").cast(pl.Float64),
        (pl.col("group_id") + "/" + pl.col("skill_id")).alias("unique_id"),
    )
    series = rows.select("unique_id", "group_id", "skill_id").unique()
    if totals.height:
        # every month of the group where ads exist: no row means no mention (0)
        grid = series.join(totals.with_columns(pl.col("ds").cast(pl.Date)), on="group_id")
        long = grid.join(rows.select("unique_id", "ds", "y"), on=["unique_id", "ds"], how="left")
        long = long.with_columns(pl.col("y").fill_null(0.0))
        # months with rows but no totals (should not happen) are kept as well
        extra = rows.join(grid, on=["unique_id", "ds"], how="anti").select(columns)
        # a month inside the series' span without totals for its group: the group had no
        # ads (0) if any group of the panel has that month, else the source lacks the month
        panel_months = totals["ds"].cast(pl.Date).unique()
        long = fill_gaps(pl.concat([long.select(columns), extra]), value=None)
        long = long.with_columns(
            pl.when(pl.col("y").is_null() & pl.col("ds").is_in(panel_months.implode()))
            .then(0.0)
            .otherwise(pl.col("y"))
            .alias("y")
        ).with_columns(pl.col("y").interpolate().over("unique_id"))
    else:
        # no totals: a month no series has is one the source lacks (interpolated, as above);
        # in a panel of counts another missing month had no mentions (0), while a panel of
        # levels (--unit: an index) has no such zero and is interpolated throughout
        levels = sql_frame(
            con,
            "SELECT 1 FROM demand_units WHERE panel = ? AND granularity = ?",
            [panel, granularity],
        ).height
        panel_months = rows["ds"].unique().implode()
        long = fill_gaps(rows.select(columns), value=None, to_panel_end=not levels)
        if not levels:
            long = long.with_columns(
                pl.when(pl.col("y").is_null() & pl.col("ds").is_in(panel_months))
                .then(0.0)
                .otherwise(pl.col("y"))
                .alias("y")
            )
        long = long.with_columns(pl.col("y").interpolate().over("unique_id"))
    partial = partial_month(con, panel) if complete_months else None
    if partial is not None:
        long = long.filter(pl.col("ds") < partial.month)
    return long.select(columns).sort("unique_id", "ds")
