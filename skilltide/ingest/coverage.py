"""Whether the last month of demand panel 'ads' is complete, or the ads stop early in it.

A feed read on the 19th of March holds 19 days of March: the panel's March counts are about
60% of a full month's, which forecasting, break detection and the report would read as a
fall. :func:`partial_month` finds such a month from the ads' posting days: the last month is
partial when more days of it are missing after the last posting day than the feed usually
leaves between two posting days (the 95th percentile of the gaps over its last year), and
more than :data:`TOLERATED_SHARE` of the month. A weekly feed whose last post is on the 24th
of a 31-day month is complete; a daily one that stops on the 19th is not. A month with only
reposts after the panel's last month shows the feed went on: that last month is complete.
Imported panels (Job-SDF's, say) carry no posting days and are taken as they are.

Example
-------
>>> import datetime as dt
>>> PartialMonth(dt.date(2026, 3, 1), dt.date(2026, 3, 19), 12, 1.0).describe()
'March 2026 is incomplete: the ads stop on 19 Mar (12 of its 31 days missing)'
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

# A feed may well end a few days before the month does (a weekend, the holidays, a generator
# that draws days 1-28): up to a tenth of the month missing still counts as the whole month.
TOLERATED_SHARE = 0.1


@dataclass(frozen=True)
class PartialMonth:
    """The panel's last month, the feed's last posting day, and the days missing after it."""

    month: dt.date
    last_day: dt.date
    missing_days: int
    usual_gap: float  # days between posting days, 95th percentile over the last year

    def describe(self) -> str:
        days = calendar.monthrange(self.month.year, self.month.month)[1]
        return (
            f"{self.month:%B %Y} is incomplete: the ads stop on {self.last_day.day} "
            f"{self.last_day:%b} ({self.missing_days} of its {days} days missing)"
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, for run notes and ``--json`` summaries."""
        return {
            "month": f"{self.month:%Y-%m}",
            "last_day": self.last_day.isoformat(),
            "missing_days": self.missing_days,
            "usual_gap_days": round(self.usual_gap, 1),
        }


def partial_month(wh: Any, panel: str = "ads") -> PartialMonth | None:
    """The last month of ``panel`` when its ads stop early in it, else None.

    Only panel 'ads' (built from stored ads) has posting days; a panel with a single month
    is never partial (there is nothing complete to use instead). ``wh`` is a warehouse or an
    open DuckDB connection.
    """
    if panel != "ads":
        return None
    con = getattr(wh, "con", wh)
    # Reposts are postings too (the feed was read on their days), but the panel's months are
    # the months ads were first posted in: a last month of reposts only is not in the panel.
    row = con.execute(
        """
        WITH days AS (SELECT DISTINCT CAST(posted_at AS DATE) AS d FROM ad_postings),
        last AS (SELECT max(d) AS d FROM days),
        gaps AS (SELECT d - lag(d) OVER (ORDER BY d) AS gap FROM days
                 WHERE d > (SELECT d FROM last) - INTERVAL 365 DAY)
        SELECT (SELECT d FROM last),
               (SELECT max(month) FROM ads), (SELECT count(DISTINCT month) FROM ads),
               (SELECT coalesce(quantile_cont(gap, 0.95), 0) FROM gaps)
        """
    ).fetchall()[0]  # fetched whole: an unfinished result would block the connection
    last_day, last_month, months, usual_gap = row
    if last_day is None or months < 2 or last_day.replace(day=1) != last_month:
        return None  # no ads, nothing complete to use instead, or the feed went on after it
    month_end = last_day.replace(day=calendar.monthrange(last_day.year, last_day.month)[1])
    missing = (month_end - last_day).days
    if missing <= max(TOLERATED_SHARE * month_end.day, usual_gap):
        return None
    return PartialMonth(last_day.replace(day=1), last_day, missing, float(usual_gap))
