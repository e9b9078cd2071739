"""Ingest ad files into the warehouse: read, validate, dedup, extract skills, store, aggregate.

:func:`ingest_ads` is the pipeline entry point (``skilltide ingest ads`` and ``skilltide run``
call it). All files are ingested in ONE run (one transaction): if any file is malformed, or
the process dies between batches, nothing of the run is committed. A manifest (``ad_files``)
makes re-runs incremental: an unchanged file (same path and sha256, read with the same
mapping and source) is skipped; a changed file (or one read another way) first has its
earlier postings, ads and quarantine rows removed (ads also posted in other files fall back
to their earliest remaining posting, in every field: :mod:`skilltide.ingest.fallback`), then
is read again. An unchanged file is read again the same way once the run's time reaches the
earliest date of its rows quarantined as ``future_date`` (:mod:`skilltide.ingest.manifest`).

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "ads.csv").write_text(
...     "id,posted_at,title,company,text\\n1,2024-01-05,Analyst,Acme,Uses SQL daily\\n"
...     "2,2024-02-01,Analyst,Acme,Uses SQL daily\\n3,,Clerk,Acme,Files papers\\n")
>>> with Warehouse(d / "w.duckdb") as wh:
...     s = ingest_ads(wh, [d / "ads.csv"])
>>> s["rows_read"], s["ads_stored"], s["duplicates"], s["quarantined"]
(3, 1, 1, 1)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import duckdb

from skilltide.errors import UserError
from skilltide.ingest import ads_coder, manifest, occupation_codes
from skilltide.ingest.batches import WORKERS, pipelined, prepare_batch, store_batch
from skilltide.ingest.date_order import FileDates, check_order
from skilltide.ingest.demand import refresh_ads_panel
from skilltide.ingest.encoding import DEFAULT as DEFAULT_ENCODING
from skilltide.ingest.encoding import check_encoding
from skilltide.ingest.extract import SkillMatcher
from skilltide.ingest.mapping import parse_mapping
from skilltide.ingest.occupation_stored import read_stored
from skilltide.ingest.progress import QUIET, FileReport, IngestProgress, as_progress
from skilltide.ingest.readers import (
    BATCH_ROWS,
    FORMATS,
    file_format,
    is_ad_file,
    is_empty,
    read_batches,
    sha256_file,
)
from skilltide.onet.taxonomy import refresh_if_stale
from skilltide.store import Run, Warehouse

# DuckDB's buffer pool during an ingest run (the run is one transaction): without a cap DuckDB
# caches up to 80% of RAM, and the demand panel's aggregation takes what it is allowed (its old
# GROUPING SETS form ≈ 2 GB at 1M ads under a 2 GB cap); beyond the cap it spills to
# ``<db>.tmp``.
# ``None`` keeps the connection's setting.
MEMORY_LIMIT = "1GB"
# why an ingest finds no skills at all, and what to do about it
NO_VOCABULARY = (
    "the warehouse has no skill vocabulary, so no skills are extracted and the demand panels "
    "stay empty: load one first (skilltide onet load DIR, or skilltide onet taxonomy add "
    "FILE.csv; in a config, [onet] dirs or [taxonomy] files)"
)
# the warning for each file in a summary's empty_files (the CLI and skilltide run print it)
EMPTY_FILE = "{path}: empty file, read as 0 rows (it is read again once it changes)"
# the status shown while the panel is refreshed (20+ s when 1M new ads change every month)
REFRESHING = "refreshing demand panel 'ads'…"
# and while the run's rows are committed (a few seconds at a million new ads)
COMMITTING = "committing to the warehouse…"
SUMMARY_KEYS = ("files", "rows_read", "ads_stored", "duplicates", "quarantined", "skills_found")
# what `skilltide ingest ads --json` prints: the counts, the title coder (and its recode of the
# stored ads, null when none), the run they belong to and each file's order of slash dates
JSON_KEYS = (
    *SUMMARY_KEYS,
    "coder_model",
    "coder_run",
    "recoded",
    "run_id",
    "date_orders",
    "uncoded_occupations",
)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, plus the supported files under named folders (recursive, not hidden),
    once each, sorted by path."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            # Hidden files (macOS' ._ads.csv resource forks) are not ads, as in skilltide run.
            found = sorted(
                f for f in p.rglob("*") if f.is_file() and is_ad_file(f) and f.name[0] != "."
            )
            if not found:
                raise UserError(f"{p}: folder has no ad files ({', '.join(sorted(FORMATS))})")
            files.extend(found)
        elif p.is_file():
            file_format(p)
            files.append(p)
        else:
            raise UserError(f"{p}: file not found")
    # Read in path order, not the order given: a file's counts of new ads and duplicates
    # (``ad_files``) depend on which files were read before it.
    return sorted(set(f.resolve() for f in files))


def ingest_ads(
    wh: Warehouse,
    paths: Iterable[str | Path],
    mapping: dict[str, str] | list[str] | None = None,
    source: str | None = None,
    progress: IngestProgress = QUIET,
    batch_rows: int = BATCH_ROWS,
    coder: Any = "auto",
    coder_model: str | None = None,
    now: dt.datetime | None = None,
    matcher: SkillMatcher | None = None,
    memory_limit: str | None = MEMORY_LIMIT,
    workers: int = WORKERS,
    refresh_panel: bool = True,
    date_order: str = "auto",
    encoding: str = DEFAULT_ENCODING,
) -> dict[str, Any]:
    """Ingest ad files; refresh demand panel 'ads'; return the run summary (JSON-able).

    ``mapping`` maps fields (``id, posted_at, title, text, company, region, occupation``) to
    columns or dotted paths; unmapped fields default to the column of the same name.
    ``coder`` is a title coder (``predict(titles, top=1)``), ``None`` for none, or ``"auto"``:
    the coder of the warehouse's ads (:mod:`skilltide.ingest.ads_coder`), of ``coder_model``
    when given (``lexical``, ``static``, ``embed``; default: the model recorded for the ads,
    else lexical), built first when it is not stored (or the ``AdsCoder`` that
    :func:`~skilltide.ingest.ads_coder.choose` returned); when it is not the coder that coded
    the stored ads, the run codes them again before it reads the files. ``matcher`` replaces
    the taxonomy matcher (benchmarks compare extractors this way). ``memory_limit`` caps
    DuckDB's memory during the run (restored afterwards). ``workers`` threads prepare the
    next batches while one is stored (0: all in this thread, one batch at a time).
    ``refresh_panel=False`` leaves the panel to the caller (:func:`rebuild_panel` once after
    several calls, as ``skilltide run`` does). ``now``
    is the run's time (naive UTC; default the clock): dates after it are ``future_date``.
    ``progress`` receives one update per batch and a status around hashing and the panel's
    rebuild (:mod:`skilltide.ingest.progress`; the default shows nothing); a
    ``track(items, description, total)`` callable, the earlier form, is deprecated.

    An empty CSV/TSV/JSON Lines file (0 bytes or only white space, plain or gzip) is read as
    0 rows, recorded in the manifest and listed in the summary's ``empty_files``; an empty
    Parquet file is an error (it is not a Parquet file).

    ``date_order`` is the order of slash dates (``05/02/2024``): ``"mdy"``, ``"dmy"``, or
    ``"auto"`` to decide it per file from its values (:mod:`skilltide.ingest.date_order`);
    each file's ``date_order`` in ``file_details`` and the run's notes (``date_orders``) says
    which was used (None: no slash dates, or the file was not read).

    ``encoding`` is the text encoding of CSV/TSV and JSON Lines files (``utf-8``, ``cp1252``,
    …: :mod:`skilltide.ingest.encoding`; Parquet is always UTF-8); another than UTF-8 is part
    of each file's stored version and of the run's arguments.
    """
    date_order = check_order(date_order)
    encoding = check_encoding(encoding)
    if coder_model is not None:  # before anything is read, built or stored
        from skilltide.onet.coder import check_coder_model

        check_coder_model(coder_model)
    files = expand_paths(paths)
    progress, tracked = as_progress(progress, files)
    fields = parse_mapping(mapping)
    now = now or manifest.utc_now()
    if matcher is None:
        refresh_if_stale(wh)  # a taxonomy derived by older rules: as this version derives it
        matcher = SkillMatcher.from_warehouse(wh.con)
    chosen = coder if isinstance(coder, ads_coder.AdsCoder) else None  # chosen by the caller
    if isinstance(coder, str) and coder == "auto":
        chosen = ads_coder.choose(wh, coder_model)
    title_coder = chosen.coder if chosen is not None else coder
    totals = dict.fromkeys(SUMMARY_KEYS, 0)
    per_file = []
    args = {"paths": [str(f) for f in files], "map": fields, "source": source}
    if date_order != "auto":
        args["date_order"] = date_order
    if encoding != DEFAULT_ENCODING:
        args["encoding"] = encoding
    # The limit is set before the run's transaction begins and restored after it ends: a
    # statement that fails inside it aborts the transaction, and restoring the setting there
    # would replace the failure's own message with "Current transaction is aborted".
    with duckdb_memory_limit(wh.con, memory_limit), wh.run("ingest ads", args) as run:
        # another coder than the one that coded the stored ads: they are coded again first
        recoded = ads_coder.apply(run, chosen) if chosen is not None else None
        # stored ads of files not read again: mapped values read as now (after an upgrade)
        normalised = occupation_codes.normalise_stored(run.con)
        if normalised:  # some may now read through the stored crosswalk
            normalised += read_stored(run, title_coder)
        for index, path in enumerate(tracked, 1):
            report = FileReport(progress, path, index, len(files))
            with run.stage(f"file {path.name}") as record:
                stats = _ingest_file(
                    run, report, fields, source, matcher, title_coder, now, batch_rows, workers,
                    date_order, encoding,
                )  # fmt: skip
                record.update(stats)
            per_file.append({"path": str(path), **stats})
            totals["files"] += 1
            for key in SUMMARY_KEYS[1:]:
                totals[key] += stats[key]
        changed = any(s["status"] != "unchanged" for s in per_file)
        if changed:
            run.committing = functools.partial(progress.status, COMMITTING)
        if refresh_panel and (changed or normalised or panel_missing(run.con)):
            with run.stage("demand panel 'ads'") as record, progress.status(REFRESHING):
                record.update(refresh_ads_panel(run.con, run.run_id))
        for table in ("ads", "ad_postings", "ad_skills", "quarantine"):
            run.count(table, sum(s.get(f"_{table}", 0) for s in per_file))
        if totals["quarantined"]:
            run.status = "partial"
        notes = {
            "unchanged_files": sum(1 for s in per_file if s["status"] == "unchanged"),
            "replaced_files": sum(1 for s in per_file if s["status"] == "replaced"),
            "rechecked_files": sum(1 for s in per_file if s["status"] == "rechecked"),
            "taxonomy_aliases": matcher.n_aliases,
            "coder": title_coder is not None,
            # which build coded the titles (a coder rebuilt later codes them otherwise)
            "coder_run": getattr(title_coder, "run_id", None),
            "coder_model": chosen.model if chosen is not None else None,
            "recoded": recoded,
            # the order each file's slash dates were read in (mdy, dmy; None: none)
            "date_orders": {s["path"]: s["date_order"] for s in per_file},
            # mapped occupation values that are no code and the coder could not code
            "uncoded_occupations": occupation_codes.uncoded(run.con, run.run_id),
        }
        run.notes.update(notes)
        summary = {
            **totals,
            **notes,
            "run_id": run.run_id,
            "empty_files": [s["path"] for s in per_file if s["empty"]],
            "file_details": [
                {k: v for k, v in s.items() if not k.startswith("_")} for s in per_file
            ],
        }
    return summary


@contextmanager
def duckdb_memory_limit(con, limit: str | None):
    """DuckDB's ``memory_limit`` set to ``limit`` for the block (``None``: left as it is);
    running out of memory under it is a :class:`UserError` that says to raise it."""
    if limit is None:
        yield
        return

    def current() -> str:
        return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]

    before = current()
    con.execute("RESET memory_limit")
    # The setting reads back rounded (18.8 GiB): restore the default exactly with RESET.
    restore = "RESET memory_limit" if current() == before else f"SET memory_limit = '{before}'"
    try:
        con.execute(f"SET memory_limit = '{limit}'")
    except duckdb.Error as exc:
        raise UserError(f"memory limit {limit!r}: {str(exc).splitlines()[0]}") from None
    try:
        yield
    except duckdb.OutOfMemoryException as exc:
        raise UserError(
            f"out of memory under the memory limit {limit!r} ({str(exc).splitlines()[0]}); "
            "raise it ([ingest] memory_limit in the config)"
        ) from None
    finally:
        con.execute(restore)


def rebuild_panel(
    wh: Warehouse, memory_limit: str | None = MEMORY_LIMIT, progress: IngestProgress = QUIET
) -> dict[str, int]:
    """Refresh demand panel 'ads' from the stored ads, in a run of its own (for callers that
    ingest with ``refresh_panel=False``); returns the rows written and months recomputed."""
    with duckdb_memory_limit(wh.con, memory_limit), wh.run("ingest panel") as run:
        run.committing = functools.partial(progress.status, COMMITTING)
        with run.stage("demand panel 'ads'") as record, progress.status(REFRESHING):
            rows = refresh_ads_panel(run.con, run.run_id)
            record.update(rows)
        for table in ("demand", "demand_totals"):
            run.count(table, rows[table])
    return rows


def panel_missing(con) -> bool:
    """Whether ads are stored but demand panel 'ads' was never built from them."""
    rows = con.execute(
        "SELECT (SELECT count(*) FROM ads) > 0"
        " AND (SELECT count(*) FROM demand_totals WHERE panel = 'ads') = 0"
    ).fetchall()
    return bool(rows[0][0])


def _ingest_file(
    run: Run,
    report: FileReport,
    fields: dict,
    source: str | None,
    matcher: SkillMatcher,
    coder: Any,
    now: dt.datetime,
    batch_rows: int,
    workers: int,
    date_order: str = "auto",
    encoding: str = DEFAULT_ENCODING,
) -> dict[str, Any]:
    con, path = run.con, report.path
    size = path.stat().st_size
    try:
        with report.progress.status(f"hashing {report.label}"):
            sha = sha256_file(path)
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    # the vocabulary is part of the version (a stand-in matcher may not say what it finds)
    vocabulary = getattr(matcher, "fingerprint", None)
    file_id = manifest.file_id(path, sha, fields, source, vocabulary, date_order, encoding)
    fmt, gz = file_format(path)
    stats: dict[str, Any] = {
        "status": "new",
        **dict.fromkeys(SUMMARY_KEYS[1:], 0),
        "empty": False,
        "date_order": None,
    }
    previous = manifest.stored_file(con, path)
    if previous is None:  # a new path; the same bytes gone from another are that file moved
        earlier = manifest.moved_from(con, sha, source)
        if earlier:
            stats["status"] = "moved"
    else:
        if previous.file_id != file_id:
            stats["status"] = "replaced"
        elif manifest.recheck_due(previous.earliest_future, now):
            # Rows once dated after the run are not any more: read the file again.
            stats["status"] = "rechecked"
        else:
            stats["status"] = "unchanged"
            when = previous.earliest_future
            stats["earliest_future"] = None if when is None else when.isoformat()
            return stats
        earlier = [previous.file_id]
    for version in earlier:  # its rows go before the file's own are stored
        with report.progress.status(f"removing the earlier version of {report.label}"):
            manifest.remove_file(run, version, matcher, coder)
    steps = stats.setdefault("_steps", {})
    # An empty text file (0 bytes, or only white space) is 0 rows, not a malformed file, in
    # every text format; it is recorded like any other so that it is not read again.
    stats["empty"] = is_empty(path)
    where = report.start(size)
    if stats["empty"]:
        where.position, batches = size, iter(())  # read to its end by is_empty
    else:
        batches = read_batches(path, fields, batch_rows, where, encoding)
    dates = FileDates(path, date_order)  # one order for the file's slash dates
    prepared = pipelined(
        report.positioned(batches),
        functools.partial(_prepare, now=now, matcher=matcher, dates=dates),
        workers=workers,
        steps=steps,
    )
    with closing(prepared):  # a failed store stops the workers at once, not at garbage collection
        for batch, position, rows in prepared:
            if dates.check(batch.dates):  # prepared before the file's order was known
                batch = prepare_batch(rows, now, matcher, dates.order)
            store_batch(run, batch, str(path), file_id, source, coder, stats, sha)
            report.update(position, stats["rows_read"])
    stats["date_order"] = dates.used
    stats["_steps"] = {k: round(v, 3) for k, v in steps.items()}
    stats["_quarantine"] = stats["quarantined"]
    fmt += ".gz" if gz else ""
    future = stats.pop("_earliest_future", None)
    manifest.record_file(con, file_id, path, size, sha, fmt, source, stats, run.run_id, future)
    stats["earliest_future"] = None if future is None else future.isoformat()
    report.update(where.position, stats["rows_read"], done=True)
    return stats


def _prepare(
    item: tuple[Any, int], now: dt.datetime, matcher: SkillMatcher, dates: FileDates
) -> tuple[Any, int, Any]:
    batch, position = item  # the position travels with its batch (FileReport.positioned)
    # the rows too: prepared again should the file's date order differ (FileDates.check)
    return prepare_batch(batch, now, matcher, dates.batch_order()), position, batch
