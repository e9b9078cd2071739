"""Daily or weekly rows of an imported panel combined into months (``--per-month``).

An aggregated panel has one row per skill, group and month. Daily or weekly data (a job
postings index, daily ad counts) has several; :func:`to_months` combines them, as asked:

- ``sum``: counts and totals add up (daily or weekly ad counts). A first or last month the
  data covers only in part would be a fall in demand that did not happen, so it is left out
  and named (:func:`partial_months`). Weekly rows fall 4 or 5 to a month, so their sums
  differ by a quarter from the calendar alone: the import warns (:func:`uneven_months`);
- ``mean``: the month's average (an index or a level, such as Indeed's postings index);
- ``last``: the month's latest value (a stock: open vacancies at the period's end).

The dates must be ISO (``2024-01-31``), so that their order is their text's order. Two rows
of one skill and group on the same date are refused before anything is combined (by the
import's checks), as two rows of one month are without ``--per-month``.

Example
-------
>>> import polars as pl
>>> rows = pl.DataFrame({"row": [1, 2, 3], "granularity": "market", "group_id": "all",
...     "skill": "Python", "period": ["2024-01-30", "2024-01-31", "2024-02-01"],
...     "count": [2.0, 4.0, 5.0], "total": None}).with_columns(
...     pl.col("period").str.slice(0, 7).str.to_date("%Y-%m").alias("month"))
>>> combined, partial = to_months(rows, "mean")
>>> combined.select("month", "count").rows()
[(datetime.date(2024, 1, 1), 3.0), (datetime.date(2024, 2, 1), 5.0)]
>>> to_months(rows, "sum")[1]  # daily data from 30 January to 1 February covers neither month
['2024-01', '2024-02']
"""

from __future__ import annotations

import datetime as dt

import polars as pl

PER_MONTH = ("sum", "mean", "last")
# the unit of a mean or last value when --unit is not given ("value" before 2026-12-07)
DEFAULT_LEVEL_UNIT = "units"
_KEY = ["granularity", "group_id", "skill", "month"]


def to_months(long: pl.DataFrame, how: str) -> tuple[pl.DataFrame, list[str]]:
    """One row per granularity, group, skill and month of ``long`` (columns ``row``, ``period``
    — the date as written —, ``month``, ``count``, ``total`` and the key), its counts and
    totals combined by ``how``; with the months left out as partial (``sum`` only, ``YYYY-MM``).
    A month's total is null when any of its rows has none. ``row`` is the month's first row."""
    if how not in PER_MONTH:
        raise ValueError(f"to_months: {how!r} is not one of {', '.join(PER_MONTH)}")
    partial = partial_months(long["period"]) if how == "sum" else []

    def combined(name: str) -> pl.Expr:
        value = {"sum": pl.col(name).sum(), "mean": pl.col(name).mean()}.get(
            how, pl.col(name).last()
        )
        return pl.when(pl.col(name).null_count() == 0).then(value).alias(name)

    out = (
        long.sort("period")
        .group_by(_KEY, maintain_order=True)
        .agg(pl.col("row").min(), combined("count"), combined("total"))
        .filter(~pl.col("month").dt.strftime("%Y-%m").is_in(partial))
        .sort("row")
    )
    return out.select(long.drop("period").columns), partial


def partial_months(periods: pl.Series) -> list[str]:
    """The first and last months (``YYYY-MM``) that the dates cover only in part: the step
    between dates (the commonest gap: a day, a week) would fit another date in the month
    before the first date or after the last one. Empty when the periods are no dates.

    >>> partial_months(pl.Series(["2024-09-02", "2024-09-09", "2024-09-30"]))  # weekly
    []
    >>> partial_months(pl.Series(["2024-08-31", "2024-09-01", "2024-09-02"]))  # daily
    ['2024-08', '2024-09']
    """
    dates = _dates(periods)
    if dates is None:
        return []
    step = _step(dates)
    first, last = dates[0], dates[-1]
    partial = []
    if (first - step).month == first.month:
        partial.append(f"{first:%Y-%m}")
    if (last + step).month == last.month:
        partial.append(f"{last:%Y-%m}")
    return sorted(set(partial))


def uneven_months(periods: pl.Series, partial: list[str]) -> list[int]:
    """``[fewest, most]`` dates in a month (the ``partial`` ones aside) when the dates are
    further apart than a day and months hold different numbers of them (weekly: 4 or 5, so
    a month's sum is up to 25 % higher for the calendar alone); else empty.

    >>> uneven_months(pl.Series(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22",
    ...     "2024-01-29", "2024-02-05", "2024-02-12", "2024-02-19", "2024-02-26"]), [])
    [4, 5]
    """
    dates = _dates(periods)
    if dates is None or _step(dates) <= dt.timedelta(days=1):
        return []
    per_month = (
        pl.DataFrame({"m": dates.dt.strftime("%Y-%m")})
        .filter(~pl.col("m").is_in(partial))
        .group_by("m")
        .len()["len"]
    )
    if per_month.len() == 0 or per_month.min() == per_month.max():
        return []
    return [per_month.min(), per_month.max()]


def _dates(periods: pl.Series) -> pl.Series | None:
    """The distinct days of ``periods``, sorted (one day whatever its time: 2024-09-01T00:00);
    None when fewer than two, or when some periods are no dates."""
    days = periods.str.slice(0, 10)
    dates = days.str.to_date("%Y-%m-%d", strict=False).drop_nulls().unique().sort()
    return None if dates.len() < 2 or dates.len() < days.n_unique() else dates


def _step(dates: pl.Series) -> dt.timedelta:
    """The commonest gap between consecutive dates (the smallest of equally common ones)."""
    return dates.diff().drop_nulls().mode().min()
