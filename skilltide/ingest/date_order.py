"""Which order a file's slash dates are in: one order per file, given or decided from its values.

``05/02/2024`` is 5 February in the UK and May 2 in the US. With ``date_order="mdy"`` or
``"dmy"`` every slash date of the file is read in that order (a value impossible in it is a
``bad_date``). With ``"auto"`` (the default) the file's values decide: a value whose first
number exceeds 12 (``25/02/2024``) can only be day-first, one whose second does
(``02/25/2024``) only month-first, and one with both at most 12 and different is ambiguous.
A file with day-first-only values and no month-first-only ones is read day-first; otherwise
month-first (US, also for a file with only ambiguous values). A file with both kinds is
malformed: the run stops with a :class:`~skilltide.errors.UserError` naming a row of each,
and nothing of the run is stored.

Files are read in batches (:mod:`skilltide.ingest.batches`), each prepared with the order
known so far, and checked in file order by :class:`FileDates` before it is stored. A batch
read month-first whose ambiguous values turn out day-first (the file's order was decided
while it was being prepared) is prepared again. When day-first-only evidence first comes
after batches with ambiguous values were stored month-first, those rows were read in the
wrong order: that is an error too, naming both rows and saying to pass ``--date-order dmy``
(no second pass over the file).

Example
-------
>>> import polars as pl
>>> batch = pl.DataFrame({"row_number": [1, 2, 3],
...                       "posted_at": ["05/02/2024", "25/02/2024", "2024-03-01"]})
>>> dates, seen = batch_dates(batch, "auto")
>>> seen.order, sorted(seen.first), dates.sort("posted_at")["posted_at_utc"].dt.month().to_list()
('dmy', ['ambiguous', 'dmy'], [2, 3, 2])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from skilltide.errors import UserError
from skilltide.ingest.dates import date_readings, slash_kind

ORDERS = ("auto", "mdy", "dmy")
# How slash dates are read, part of every stored file's version (manifest.file_id): 2 since
# 2026-12-07, one order per file. Before, each value was read month-first where it could be,
# so a day-first file mixed both orders; the new version reads every file once again.
READING = 2
# how each order is written for people
SHOWN = {"mdy": "month-first (MM/DD/YYYY)", "dmy": "day-first (DD/MM/YYYY)"}
HINT = (
    "pass --date-order dmy or --date-order mdy (in a config: [ingest] date_order, or "
    "date_order in the file's [[sources]]); rows impossible in that order are quarantined "
    "as bad_date"
)


def check_order(value: object, where: str = "date order") -> str:
    """``value`` if it is one of :data:`ORDERS`, else a :class:`UserError` naming ``where``.

    >>> check_order("ymd", "[ingest] date_order")
    Traceback (most recent call last):
    skilltide.errors.UserError: [ingest] date_order must be one of auto, mdy, dmy, not 'ymd'
    """
    if value not in ORDERS:
        raise UserError(f"{where} must be one of {', '.join(ORDERS)}, not {value!r}")
    return str(value)


@dataclass
class BatchDates:
    """A batch's slash dates: the order they were read in, whether there were any, and the
    first row (``row_number, value``) of each kind (``dmy``, ``mdy``, ``ambiguous``)."""

    order: str
    slash: bool = False
    first: dict[str, tuple[int, str]] = field(default_factory=dict)


def batch_dates(batch: pl.DataFrame, order: str) -> tuple[pl.DataFrame, BatchDates]:
    """Each distinct ``posted_at`` of the batch with its ``posted_at_utc`` (slash dates read in
    ``order``; ``"auto"``: day-first when the batch has day-first-only values and no
    month-first-only ones, else month-first), and what the batch's values say."""
    readings = date_readings(pl.col("posted_at"))
    # Each distinct date string is parsed once (a batch holds few: ~1k days, or timestamps)
    # and joined back; trying every format on every row cost more than the rest of validation.
    parsed = batch.select(pl.col("posted_at").unique()).with_columns(
        readings["other"].alias("_other"),
        readings["mdy"].alias("_mdy"),
        readings["dmy"].alias("_dmy"),
    )
    seen = BatchDates(order)
    slash = parsed.filter(pl.col("_mdy").is_not_null() | pl.col("_dmy").is_not_null())
    if slash.height:
        seen.slash = True
        kinds = slash.select("posted_at", slash_kind(pl.col("_mdy"), pl.col("_dmy")).alias("kind"))
        kinds = kinds.filter(pl.col("kind").is_not_null())
        if kinds.height:
            first = (
                batch.select("row_number", "posted_at")
                .join(kinds, on="posted_at", how="inner")
                .group_by("kind")
                .agg(pl.all().sort_by("row_number").first())
            )
            seen.first = {k: (row, value) for k, row, value in first.iter_rows()}
    if order == "auto":
        seen.order = "dmy" if "dmy" in seen.first and "mdy" not in seen.first else "mdy"
    dates = parsed.select(
        "posted_at", pl.coalesce("_other", f"_{seen.order}").alias("posted_at_utc")
    )
    return dates, seen


class FileDates:
    """One file's slash-date order (``given``: ``auto``, ``mdy`` or ``dmy``), checked batch by
    batch in file order (:meth:`check`); :attr:`used` is the order its slash dates were read
    in (None when it has none)."""

    def __init__(self, path: object, given: str = "auto") -> None:
        self.path = path
        self.given = check_order(given)
        self.order: str | None = None if given == "auto" else given  # known for the file
        self.first: dict[str, tuple[int, str]] = {}
        self.slash = False

    def batch_order(self) -> str:
        """The order to prepare the next batch in (``auto`` while the file's is not known)."""
        return self.order or "auto"

    @property
    def used(self) -> str | None:
        return (self.order or "mdy") if self.slash else None

    def check(self, seen: BatchDates) -> bool:
        """Take the next batch's dates; True when it must be prepared again in :attr:`order`
        (read month-first, its ambiguous values are day-first). A file with values of both
        orders, or whose ambiguous values were stored month-first before its first
        day-first-only one, is a :class:`UserError`."""
        self.slash |= seen.slash
        if self.given != "auto":
            return False
        earlier = self.first.get("ambiguous")
        for kind, where in seen.first.items():
            self.first.setdefault(kind, where)
        dmy, mdy = self.first.get("dmy"), self.first.get("mdy")
        if dmy and mdy:
            raise UserError(
                f"{self.path}: slash dates in both orders: {_row(dmy)} can only be "
                f"{SHOWN['dmy']} and {_row(mdy)} only {SHOWN['mdy']}; {HINT}"
            )
        if dmy and self.order is None and earlier:
            raise UserError(
                f"{self.path}: {_row(dmy)} can only be {SHOWN['dmy']}, but earlier rows such "
                f"as {_row(earlier)} were read {SHOWN['mdy']} (no value before it could only "
                f"be day-first); {HINT}"
            )
        if dmy or mdy:
            self.order = "dmy" if dmy else "mdy"
        return self.order is not None and seen.order != self.order and "ambiguous" in seen.first


def _row(where: tuple[int, str]) -> str:
    return f"row {where[0]}, field posted_at: {where[1]!r}"
