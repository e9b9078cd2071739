"""Months an imported panel should not count: ones named missing, and ones that look so.

A source can hold a month that is no real month of demand: Hacker News' 2011-12 thread has 3
posts (most went to a competing thread; its SOURCE.md says to treat it as missing), beside
about 220 in the months around it. Imported as it is, every skill reads ~0 that month.
:func:`drop_months` removes the months a user names (``ingest demand --missing-months``),
which the panel reader then interpolates as months the source lacks;
:func:`low_months` finds candidates: a month whose ads (its total, else the sum of its
counts) are under :data:`LOW_SHARE` of the median of the months around it.

Example
-------
>>> import datetime as dt
>>> months = [dt.date(2024, m, 1) for m in range(1, 8)]
>>> long = pl.DataFrame({"granularity": "market", "group_id": "all", "month": months,
...                      "count": 1.0, "total": [200.0, 210, 190, 3, 205, 220, 198]})
>>> [m["month"] for m in low_months(long)]
['2024-04']
>>> drop_months(long, parse_months(["2024-04"]), "p.csv")[0].height
6
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from skilltide.errors import UserError

LOW_SHARE = 0.05  # a month with under a twentieth of the ads of the months around it
WINDOW = 13  # the months around it: six before and six after
MIN_TYPICAL = 20  # ads a month around it, so that small panels' noise is not flagged


def parse_months(texts: list[str]) -> list[dt.date]:
    """``--missing-months`` as first days of months; a :class:`UserError` for a month not
    written ``YYYY-MM``."""
    months = []
    for text in texts:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text.strip()):
            raise UserError(f"--missing-months {text!r}: write a month as YYYY-MM")
        months.append(dt.date(int(text.strip()[:4]), int(text.strip()[5:7]), 1))
    return months


def drop_months(
    long: pl.DataFrame, months: list[dt.date], path: object
) -> tuple[pl.DataFrame, int]:
    """``long`` without the rows of ``months``, and how many rows went; a
    :class:`UserError` naming a month the file does not hold (a typo drops nothing)."""
    held = set(long["month"].unique().to_list())
    absent = [m.strftime("%Y-%m") for m in months if m not in held]
    if absent:
        raise UserError(f"{path}: --missing-months {', '.join(absent)}: the file has no rows then")
    kept = long.filter(~pl.col("month").is_in(months))
    return kept, long.height - kept.height


def low_months(long: pl.DataFrame) -> list[dict]:
    """The group-months whose ads are under :data:`LOW_SHARE` of the median over the
    :data:`WINDOW` months around them (``granularity, group_id, month, ads, typical``)."""
    ads = pl.when(pl.col("total").is_not_null().any()).then(pl.col("total").max())
    per_month = (
        long.group_by("granularity", "group_id", "month")
        .agg(ads.otherwise(pl.col("count").sum()).alias("ads"))
        .sort("granularity", "group_id", "month")
    )
    typical = pl.col("ads").rolling_median(WINDOW, min_samples=1, center=True)
    low = (
        per_month.with_columns(typical.over("granularity", "group_id").alias("typical"))
        .filter(
            (pl.col("typical") >= MIN_TYPICAL) & (pl.col("ads") < LOW_SHARE * pl.col("typical"))
        )
        .with_columns(pl.col("month").dt.strftime("%Y-%m"))
    )
    return low.select("granularity", "group_id", "month", "ads", "typical").to_dicts()


def low_months_warning(low: list[dict], shown: int = 5) -> str | None:
    """What to tell the user of :func:`low_months`: which months, and the option that
    leaves them out."""
    if not low:
        return None
    where = [
        f"{m['month']}{'' if m['granularity'] == 'market' else ' in ' + m['group_id']}: "
        f"{m['ads']:,.0f} ads against a median of {m['typical']:,.0f} around it"
        for m in low[:shown]
    ]
    more = f"; and {len(low) - shown:,} more" if len(low) > shown else ""
    months = ",".join(sorted({m["month"] for m in low}))
    return (
        f"warning: {'; '.join(where)}{more}. If the source lacks such a month rather than "
        f"had few ads, import again with --missing-months {months}: it is then interpolated"
    )
