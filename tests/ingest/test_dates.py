"""Posting dates: formats, time zones, and what is no date."""

from __future__ import annotations

import datetime as dt

import polars as pl

from skilltide.ingest.dates import parse_dates


def parsed(*texts: str) -> list:
    return pl.select(parse_dates(pl.lit(pl.Series(texts)))).to_series().to_list()


def test_offsets_are_converted_to_utc():
    assert parsed("2024-03-31T23:30:00-02:00", "2024-03-05 10:00:00 +0800") == [
        dt.datetime(2024, 4, 1, 1, 30),
        dt.datetime(2024, 3, 5, 2, 0),
    ]


def test_a_year_that_is_not_four_digits_is_no_date():
    # Were the years 3 and 24 (quarantined as date_before_1990, not as bad_date).
    assert parsed("3/5/24", "March 2024", "1985-02-01") == [None, None, dt.datetime(1985, 2, 1)]
