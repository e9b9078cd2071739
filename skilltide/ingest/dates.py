"""Posting dates in common formats and time zones, normalised to UTC and a posting month.

Accepted: ISO 8601 with or without time, fraction and offset (``2024-03-05``,
``2024-03-05T10:00:00Z``, ``2024-03-05 10:00:00+08:00``), ``2024/03/05``, ``05.03.2024``
(day-first), slash dates with the year last (``05/02/2024``, in one order per file: below),
``5 Mar 2024``, ``March 5, 2024``, RFC 2822 ``Tue, 05 Mar 2024 10:00:00 +0000``, a bare
month ``2024-03`` and Unix epoch seconds. Years are written with four digits: ``3/5/24`` is
no date (it is not read as the year 24, which would count as a date before 1990). Times
with an offset are converted to UTC before the month is taken, so
``2024-03-31T23:30:00-02:00`` is April.

Slash dates are read in one order, ``"mdy"`` (US, month-first) or ``"dmy"`` (day-first), never
a mix: a value impossible in the order (``02/25/2024`` day-first) is no date. A file's order
is given (``skilltide ingest ads --date-order``) or decided from its values
(:mod:`skilltide.ingest.date_order`; :func:`slash_kind` says which orders a value allows).

Example
-------
>>> import polars as pl
>>> s = pl.Series(["2024-03-31T23:30:00-02:00", "5 Mar 2024", "not a date"])
>>> pl.select(parse_dates(pl.lit(s)).dt.month()).to_series().to_list()
[4, 3, None]
>>> uk = pl.Series(["05/02/2024", "25/02/2024"])
>>> pl.select(parse_dates(pl.lit(uk), "dmy").dt.month()).to_series().to_list()
[2, 2]
>>> pl.select(parse_dates(pl.lit(uk), "mdy").dt.month()).to_series().to_list()
[5, None]
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
    "%d.%m.%Y %H:%M:%S",
]
_DATES = [
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%Y%m%d",
]


# Slash dates with the year last, in each order: the only formats whose order is a choice.
_SLASH = {
    "mdy": ["%m/%d/%Y %H:%M:%S", "%m/%d/%Y"],
    "dmy": ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y"],
}
ORDERS = ("mdy", "dmy")


def parse_dates(expr: pl.Expr, order: str = "mdy") -> pl.Expr:
    """Parse date strings to naive UTC datetimes (NULL where no format fits), reading slash
    dates in ``order`` (``"mdy"`` or ``"dmy"``)."""
    readings = date_readings(expr)
    return pl.coalesce(readings["other"], readings[order])


def date_readings(expr: pl.Expr) -> dict[str, pl.Expr]:
    """``other``: the date in every format but slash dates; ``mdy`` and ``dmy``: it read as a
    slash date in that order (each NULL where it does not fit)."""
    text = _clean(expr)
    return {
        "other": _parse(text, _AWARE, _NAIVE_DATETIME, _DATES, bare=True),
        **{order: _parse(text, [], *_split(_SLASH[order])) for order in ORDERS},
    }


def slash_kind(mdy: pl.Expr, dmy: pl.Expr) -> pl.Expr:
    """Which order a value's two slash readings allow: ``"dmy"`` or ``"mdy"`` when only that
    one fits (25/02/2024, 02/25/2024), ``"ambiguous"`` when both fit and differ
    (05/02/2024), NULL otherwise (no slash date, or the same either way: 05/05/2024)."""
    return (
        pl.when(mdy.is_null() & dmy.is_not_null())
        .then(pl.lit("dmy"))
        .when(dmy.is_null() & mdy.is_not_null())
        .then(pl.lit("mdy"))
        .when(mdy != dmy)
        .then(pl.lit("ambiguous"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def _split(formats: list[str]) -> tuple[list[str], list[str]]:
    """Formats with a time, and without."""
    return [f for f in formats if "%H" in f], [f for f in formats if "%H" not in f]


def _clean(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.strip_chars()
        .str.replace(r"(?i)(\d)\s*(Z|UTC|GMT)$", "${1}+00:00")
        .str.replace(r"(:\d{2}(?:\.\d+)?)([+-]\d{2})$", "${1}${2}:00")
    )


def _parse(
    text: pl.Expr, aware: list[str], naive: list[str], dates: list[str], bare: bool = False
) -> pl.Expr:
    """The first of the formats that fits (``bare``: also ``2024-03`` and epoch seconds)."""
    candidates = [
        text.str.to_datetime(f, strict=False, time_unit="us")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
        for f in aware
    ]
    candidates += [text.str.to_datetime(f, strict=False, time_unit="us") for f in naive]
    candidates += [text.str.to_date(f, strict=False).cast(pl.Datetime("us")) for f in dates]
    if bare:
        candidates += _bare(text)
    # A year has four digits: "3/5/24" or "March 2024" would otherwise read as the year 24.
    return pl.coalesce(pl.when(c.dt.year() >= 1000).then(c) for c in candidates)


def _bare(text: pl.Expr) -> list[pl.Expr]:
    """A bare month (``2024-03``: its first day) and Unix epoch seconds."""
    candidates = []
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
    return candidates


def month_of(expr: pl.Expr) -> pl.Expr:
    """First day of the month of a datetime, as a Date."""
    return expr.dt.truncate("1mo").cast(pl.Date)
