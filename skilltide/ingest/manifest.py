"""The manifest of ingested ad files (``ad_files``): which version of each file is stored,
when it must be read again, and how to take a version's rows out.

A file version is its path, its bytes (sha256) and how it was read (mapping, source and skill
vocabulary). A file moved or renamed replaces the version stored at its old path
(:func:`moved_from`). An unchanged version is skipped on the next run, unless some of its rows were
quarantined as ``future_date``: the manifest keeps the earliest such date
(``earliest_future``), and once the run's time reaches it (see
:data:`~skilltide.ingest.validate.FUTURE_TOLERANCE`) the file is read again, replacing its
rows as a changed file would.

Example
-------
>>> import datetime as dt
>>> recheck_due(dt.datetime(2025, 7, 1), now=dt.datetime(2025, 6, 1))
False
>>> recheck_due(dt.datetime(2025, 7, 1), now=dt.datetime(2025, 6, 30))  # within a day
True
>>> recheck_due(None, now=dt.datetime(2025, 6, 1))  # no future-dated rows
False
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skilltide.ingest.fallback import fall_back
from skilltide.ingest.validate import FUTURE_TOLERANCE
from skilltide.store import Run
from skilltide.store import utc_now as utc_now  # the time of a run (tests set it here)


@dataclass(frozen=True)
class StoredFile:
    """The version of a path the warehouse holds."""

    file_id: str
    earliest_future: dt.datetime | None  # earliest date of its future_date rows, if any


def file_id(
    path: Path,
    sha: str,
    fields: dict,
    source: str | None,
    vocabulary: str | None = None,
    date_order: str = "auto",
    encoding: str = "utf-8",
) -> str:
    """One version of one file, read one way: the same bytes with another mapping, source,
    skill vocabulary (a matcher's ``fingerprint``) or :func:`reading` give other rows, so they
    are another version (ads read before a taxonomy change would lack its new skills)."""
    how = [fields, source, *([vocabulary] if vocabulary else []), reading(date_order, encoding)]
    how = json.dumps(how, sort_keys=True)
    return hashlib.sha256(f"{path}\0{sha}\0{how}".encode()).hexdigest()[:16]


def reading(date_order: str = "auto", encoding: str = "utf-8") -> dict:
    """How a file's bytes become rows besides its mapping and the vocabulary: the order of its
    slash dates, how slash dates and mapped occupation values are read
    (:data:`~skilltide.ingest.date_order.READING`,
    :data:`~skilltide.ingest.occupation_codes.READING`) and the text encoding. A change of
    any reads the file again (:func:`file_id`; ``skilltide run``'s ingest fingerprint)."""
    from skilltide.ingest import occupation_codes
    from skilltide.ingest.date_order import READING

    return {
        "date_order": date_order,
        "slash_dates": READING,
        "occupations": occupation_codes.READING,
        "encoding": encoding,
    }


def stored_file(con, path: Path) -> StoredFile | None:
    """The stored version of ``path``, or None when it was never ingested."""
    rows = con.execute(
        "SELECT file_id, earliest_future FROM ad_files WHERE path = ?", [str(path)]
    ).fetchall()
    return StoredFile(*rows[0]) if rows else None


def moved_from(con, sha: str, source: str | None) -> list[str]:
    """Stored versions with these bytes, of the same source, whose path is gone: the file was
    moved or renamed (an ``incoming/`` file archived), so its rows must not be kept twice."""
    rows = con.execute(
        "SELECT file_id, path FROM ad_files WHERE sha256 = ? AND source IS NOT DISTINCT FROM ?",
        [sha, source],
    ).fetchall()
    return [version for version, path in rows if not Path(path).exists()]


def recheck_due(earliest_future: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a file's earliest future-dated row would no longer be future at ``now``."""
    return earliest_future is not None and earliest_future <= now + FUTURE_TOLERANCE


def rechecks_due(con, paths: Iterable[Path], now: dt.datetime) -> list[str]:
    """The paths among ``paths`` whose stored version is due to be read again at ``now``."""
    wanted = [str(Path(p).resolve()) for p in paths]  # ad_files holds resolved paths
    if not wanted:
        return []
    rows = con.execute(
        "SELECT path, earliest_future FROM ad_files"
        " WHERE earliest_future IS NOT NULL AND list_contains(?, path) ORDER BY path",
        [wanted],
    ).fetchall()
    return [path for path, earliest in rows if recheck_due(earliest, now)]


def record_file(
    con,
    version: str,
    path: Path,
    size: int,
    sha: str,
    fmt: str,
    source: str | None,
    stats: dict[str, Any],
    run_id: str,
    earliest_future: dt.datetime | None,
) -> None:
    """Add one file version to the manifest with its counts (``stats``) and the earliest date
    of its rows quarantined as ``future_date`` (None when there is none)."""
    con.execute(
        "INSERT INTO ad_files (file_id, path, size, sha256, format, source, rows_read,"
        " ads_stored, duplicates, quarantined, run_id, earliest_future)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            version,
            str(path),
            size,
            sha,
            fmt,
            source,
            stats["rows_read"],
            stats["ads_stored"],
            stats["duplicates"],
            stats["quarantined"],
            run_id,
            earliest_future,
        ],
    )


def remove_file(run: Run, version: str, matcher: Any, coder: Any) -> None:
    """Remove one file version's postings, ads and quarantine rows (before re-reading it).

    Ads whose first posting was in this file but that were also posted in other files fall
    back to their earliest remaining posting, taking its fields (:mod:`skilltide.ingest.fallback`;
    ``matcher`` and ``coder`` are the run's, for the title's skills and the occupation); the
    others are deleted with their skills.
    """
    con = run.con
    con.execute("DELETE FROM quarantine WHERE file_id = ?", [version])
    con.execute("DELETE FROM ad_postings WHERE file_id = ?", [version])
    fall_back(run, version, matcher, coder)
    con.execute(
        "DELETE FROM ad_skills WHERE ad_id IN (SELECT ad_id FROM ads WHERE file_id = ?)", [version]
    )
    con.execute("DELETE FROM ads WHERE file_id = ?", [version])
    con.execute("DELETE FROM ad_files WHERE file_id = ?", [version])
