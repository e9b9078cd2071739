"""Validation of ad rows: which rows are stored, which go to quarantine and why.

Every row read ends up either stored (as an ad or a repost) or in ``quarantine`` with one
reason, checked in this order:

==================  =========================================================================
broken_encoding     a field's bytes are not valid in the file's encoding (UTF-8 unless given:
                    :mod:`skilltide.ingest.encoding`; ``field`` names it)
malformed_row       the record could not be parsed (a JSON Lines line that is not an object;
                    ``detail`` says why)
no_text             the ad text is missing or has no letters
missing_date        no posting date
bad_date            the posting date is in no known format (see :mod:`skilltide.ingest.dates`),
                    or a slash date impossible in the file's order (``02/25/2024`` day-first)
future_date         the posting date is more than one day after the run started (UTC)
date_before_1990    the posting date is before 1990-01-01
==================  =========================================================================

Example
-------
>>> import polars as pl, datetime as dt
>>> from skilltide.ingest.mapping import FIELDS
>>> rows = pl.DataFrame({"row_number": [1, 2], **{f: [None, None] for f in FIELDS},
...     "broken_field": [None, None], "malformed": [False, False], "raw": ["a", "b"]},
...     schema_overrides={f: pl.String for f in FIELDS})
>>> rows = rows.with_columns(text=pl.Series(["Uses SQL", ""]),
...                          posted_at=pl.Series(["2024-01-02", "2024-01-02"]))
>>> good, bad = validate(rows, now=dt.datetime(2025, 1, 1))
>>> good.height, bad["reason"].to_list()
(1, ['no_text'])
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from skilltide.ingest.dates import month_of, parse_dates

REASONS = (
    "broken_encoding",
    "malformed_row",
    "no_text",
    "missing_date",
    "bad_date",
    "future_date",
    "date_before_1990",
)
EARLIEST = dt.datetime(1990, 1, 1)
# A posting date up to this long after the run's time is accepted (time zones, clock skew).
FUTURE_TOLERANCE = dt.timedelta(days=1)


def validate(
    batch: pl.DataFrame, now: dt.datetime, dates: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split a standard batch into valid rows (with ``posted_at_utc`` and ``month``) and rejects.

    Returns ``(good, bad)``; ``bad`` has ``row_number, reason, field, detail, raw`` where ``raw``
    is still the reader's raw column (struct or string), and ``posted_at_utc`` (the parsed
    date, NULL where there is none: the manifest keeps the earliest ``future_date``).
    ``dates`` holds each distinct ``posted_at`` with its ``posted_at_utc`` (as
    :func:`skilltide.ingest.date_order.batch_dates` reads them in the file's order); by
    default slash dates are read month-first.
    """
    latest = now + FUTURE_TOLERANCE
    date = pl.col("posted_at").str.strip_chars()
    if dates is None:
        dates = batch.select(pl.col("posted_at").unique()).with_columns(
            parse_dates(pl.col("posted_at")).alias("posted_at_utc")
        )
    checked = batch.join(
        dates, on="posted_at", how="left", nulls_equal=True, maintain_order="left"
    ).with_columns(
        pl.when(pl.col("broken_field").is_not_null())
        .then(pl.lit("broken_encoding"))
        .when(pl.col("malformed"))
        .then(pl.lit("malformed_row"))
        .when(~pl.col("text").fill_null("").str.contains(r"\p{L}"))
        .then(pl.lit("no_text"))
        .when(date.is_null() | (date == ""))
        .then(pl.lit("missing_date"))
        .when(pl.col("posted_at_utc").is_null())
        .then(pl.lit("bad_date"))
        .when(pl.col("posted_at_utc") > latest)
        .then(pl.lit("future_date"))
        .when(pl.col("posted_at_utc") < EARLIEST)
        .then(pl.lit("date_before_1990"))
        .alias("reason")
    )
    good = (
        checked.filter(pl.col("reason").is_null())
        .drop("reason")
        .with_columns(month_of(pl.col("posted_at_utc")).alias("month"))
    )
    bad = checked.filter(pl.col("reason").is_not_null()).select(
        "row_number",
        "reason",
        pl.when(pl.col("reason") == "broken_encoding")
        .then(pl.col("broken_field"))
        .when(pl.col("reason") == "no_text")
        .then(pl.lit("text"))
        .when(pl.col("reason").is_in(["malformed_row"]))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.lit("posted_at"))
        .alias("field"),
        pl.when(pl.col("reason").is_in(["bad_date", "future_date", "date_before_1990"]))
        .then(pl.col("posted_at"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("detail"),
        "raw",
        "posted_at_utc",
    )
    if bad["reason"].eq("malformed_row").any():  # JSON Lines only: raw is the line
        bad = bad.with_columns(
            pl.when(pl.col("reason") == "malformed_row")
            .then(pl.col("raw").map_elements(json_problem, return_dtype=pl.String))
            .otherwise(pl.col("detail"))
            .alias("detail")
        )
    return good, bad


def json_problem(line: str) -> str:
    """Why a JSON Lines line is not an ad record: the parser's error, or what it holds instead.

    >>> json_problem('{"id": 1,}')
    'not valid JSON: Expecting property name enclosed in double quotes (column 10)'
    >>> json_problem("[1, 2]")
    'a JSON array, not an object'
    """
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} (column {exc.colno})"
    kind = {list: "array", str: "string", bool: "true/false", type(None): "null"}
    return f"a JSON {kind.get(type(value), 'number')}, not an object"
