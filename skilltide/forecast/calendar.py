"""Working days per month: the calendar's share of month-to-month swings in job-ad counts.

Ads are posted on working days, so a month with a week-long holiday has fewer ads whatever
the demand. ``working_days`` counts Monday–Friday (``"weekdays"``), or, for a country, the
days its official calendar (the ``holidays`` library) makes working days: public holidays off,
and weekend make-up working days (China's 调休) on.

Example
-------
>>> import datetime as dt
>>> working_days([dt.date(2023, 9, 1), dt.date(2023, 10, 1)], "CN").tolist()
[20, 19]
>>> working_days([dt.date(2023, 10, 1)], "weekdays").tolist()
[22]
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

import holidays
import numpy as np

from skilltide.errors import UserError


def working_days(months: Sequence[date], workdays: str = "weekdays") -> np.ndarray:
    """Working days in each month (its first day given): Monday–Friday for ``"weekdays"``,
    else by that country's calendar (ISO 3166 code, e.g. ``"CN"``, ``"US"``, ``"DE"``)."""
    if workdays != "weekdays":
        _calendar(workdays)  # an unknown country fails even for no months
    return np.array([_count(m.year, m.month, workdays) for m in months], dtype=np.int64)


@lru_cache(maxsize=4096)
def _count(year: int, month: int, workdays: str) -> int:
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if workdays == "weekdays":
        return int(np.busday_count(first, last + timedelta(days=1)))
    return _calendar(workdays).get_working_days_count(first, last)


@lru_cache(maxsize=16)
def _calendar(country: str) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays(country.upper())
    except (NotImplementedError, AttributeError):
        raise UserError(
            f"workdays: no holiday calendar for {country!r}; use 'weekdays' or an ISO 3166 "
            f"code such as CN, US, GB or DE ({_n_countries()} "
            "countries supported)"
        ) from None


def _n_countries() -> int:
    """Countries with a calendar, each once (the listing also keys them by alpha-3 alias)."""
    return len(holidays.list_supported_countries(include_aliases=False))
