"""Posting dates in common formats and time zones, normalised to UTC and a posting month.

Accepted: ISO 8601 with or without time, fraction and offset (``2024-03-05``,
``2024-03-05T10:00:00Z``, ``2024-03-05 10:00:00+08:00``), ``2024/03/05``, ``05.03.2024``,
US ``03/05/2024`` (then day-first ``25/03/2024`` when the month would exceed 12),
``5 Mar 2024``, ``March 5, 2024``, RFC 2822 ``Tue, 05 Mar 2024 10:00:00 +0000``, a bare
month ``2024-03`` and Unix epoch seconds. Years are written with four digits: ``3/5/24`` is
no date (it is not read as the year 24, which would count as a date before 1990). Times
with an offset are converted to UTC before the month is taken, so
``2024-03-31T23:30:00-02:00`` is April.

Example
-------
>>> import polars as pl
>>> s = pl.Series(["2024-03-31T23:30:00-02:00", "5 Mar 2024", "not a date"])
>>> pl.select(parse_dates(pl.lit(s)).dt.month()).to_series().to_list()
[4, 3, None]
"""

from __future__ import annotations

import polars as pl

# Formats with a UTC offset (%z) are parsed as aware times and converted to UTC.
_AWARE = [
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M%z",
    "%a, %d %b %Y %H:%M:%S %z",
]
_NAIVE_DATETIME = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
]
_DATES = [
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%Y%m%d",
]


def parse_dates(expr: pl.Expr) -> pl.Expr:
    """Parse date strings to naive UTC datetimes (NULL where no format fits)."""
    text = (
        expr.str.strip_chars()
        .str.replace(r"(?i)(\d)\s*(Z|UTC|GMT)$", "${1}+00:00")
        .str.replace(r"(:\d{2}(?:\.\d+)?)([+-]\d{2})$", "${1}${2}:00")
    )
    candidates = [
        text.str.to_datetime(f, strict=False, time_unit="us")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
        for f in _AWARE
    ]
    candidates += [text.str.to_datetime(f, strict=False, time_unit="us") for f in _NAIVE_DATETIME]
    candidates += [text.str.to_date(f, strict=False).cast(pl.Datetime("us")) for f in _DATES]
    candidates.append(
        pl.when(text.str.contains(r"^\d{4}-\d{2}$")).then(
            (text + "-01").str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us"))
        )
    )
    candidates.append(
        pl.when(text.str.contains(r"^\d{9,10}$")).then(
            pl.from_epoch(text.cast(pl.Int64, strict=False), time_unit="s").cast(pl.Datetime("us"))
        )
    )
    # A year has four digits: "3/5/24" or "March 2024" would otherwise read as the year 24.
    return pl.coalesce(pl.when(c.dt.year() >= 1000).then(c) for c in candidates)


def month_of(expr: pl.Expr) -> pl.Expr:
    """First day of the month of a datetime, as a Date."""
    return expr.dt.truncate("1mo").cast(pl.Date)
