"""One batch of ads: prepared off the warehouse (in worker threads), then stored in order.

:func:`prepare_batch` does everything that needs no warehouse — validation, normalisation,
ad ids, dedup within the batch and skill extraction — and :func:`store_batch` does the rest
inside the run's transaction: quarantine rows, postings, dedup against the ads already
stored, occupation, and the new ads with their skills. :func:`pipelined` prepares the next
batches in a small thread pool while the current one is stored (polars and DuckDB release
the GIL, so reading, preparing and storing use both cores); batches are stored strictly in
file order, so the result is the same as a sequential run.

Step timings (seconds summed over batches; preparation runs in parallel with storing, so they
add up to more than the file's wall time) are kept in ``stats["_steps"]`` and end up in the
run's stage record (``runs.stages``).

Example
-------
>>> import datetime as dt, polars as pl
>>> from skilltide.ingest.mapping import FIELDS
>>> from skilltide.ingest.extract import SkillMatcher
>>> m = SkillMatcher(pl.DataFrame({"alias": ["SQL"], "skill_id": ["sql"],
...     "case_sensitive": [False], "ambiguous": [False]}))
>>> rows = pl.DataFrame({"row_number": [1, 2], **{f: ["x", "x"] for f in FIELDS},
...     "broken_field": [None, None], "malformed": [False, False], "raw": ["a", "b"]},
...     schema_overrides={"broken_field": pl.String})
>>> rows = rows.with_columns(text=pl.lit("Uses SQL"), posted_at=pl.lit("2024-01-02"))
>>> p = prepare_batch(rows, dt.datetime(2025, 1, 1), m)
>>> p.candidates.height, p.skills["skill_id"].to_list()  # the two rows are one ad
(1, ['sql'])
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from skilltide.ingest.ad_occupations import occupations
from skilltide.ingest.date_order import BatchDates, batch_dates
from skilltide.ingest.dedup import ad_ids
from skilltide.ingest.extract import SkillMatcher, normalise
from skilltide.ingest.occupation_esco import esco_table
from skilltide.ingest.occupation_isco import crosswalk
from skilltide.ingest.readers import raw_json
from skilltide.ingest.validate import validate
from skilltide.store import Run, append

# Threads preparing batches, and batches read ahead of the one being stored: two and two keep
# both cores busy (one batch extracted while another is normalised or stored) and bound memory
# to three batches in flight.
WORKERS = 2
LOOKAHEAD = 2
# What ``ad_postings`` keeps of each posting beyond its date and place (migration 0012): the
# fields an ad takes from its first posting (the source is the file's, ``ad_files.source``).
POSTING_FIELDS = ("title", "company", "region", "occupation", "text_chars")
# An ad is its first posting in this order: the earliest date, then the file's bytes (sha256),
# row and path, so that the order files are read in does not choose it (the fallback to a
# remaining posting, ingest.fallback, orders them the same way).
FIRST_POSTING = ("posted_at", "sha256", "row_number", "path")


@dataclass
class PreparedBatch:
    """A batch ready to store: rejects, every posting, the batch's unique ads and their skills."""

    rows_read: int
    bad: pl.DataFrame  # validate()'s rejects, raw still as read
    postings: pl.DataFrame  # ad_id, row_number, external_id, posted_at, month, POSTING_FIELDS
    candidates: pl.DataFrame  # one row per ad id (earliest posting), without the text
    skills: pl.DataFrame  # ad_id, skill_id, found_in for every candidate
    steps: dict[str, float] = field(default_factory=dict)
    dates: BatchDates | None = None  # the order its slash dates were read in, and their kinds


@contextmanager
def timed(steps: dict[str, float], name: str) -> Iterator[None]:
    """Add the block's wall seconds to ``steps[name]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        steps[name] = steps.get(name, 0.0) + time.perf_counter() - start


def prepare_batch(
    batch: pl.DataFrame, now: dt.datetime, matcher: SkillMatcher, date_order: str = "auto"
) -> PreparedBatch:
    """Validate, normalise, identify, dedup within the batch and extract skills (no warehouse);
    slash dates are read in ``date_order`` (:mod:`skilltide.ingest.date_order`)."""
    steps: dict[str, float] = {}
    with timed(steps, "validate"):
        dates, seen = batch_dates(batch, date_order)
        good, bad = validate(batch, now, dates)
    with timed(steps, "normalise"):
        good = good.with_columns(
            normalise(pl.col("title"), sentence_start=False).alias("title_norm"),
            normalise(pl.col("text")).alias("text_norm"),
        ).with_columns(  # lowercased once, for dedup and the case-insensitive automaton
            pl.col("title_norm").str.to_lowercase().alias("title_lower"),
            pl.col("text_norm").str.to_lowercase().alias("text_lower"),
        )
    with timed(steps, "dedup"):
        good = good.with_columns(
            ad_ids(good), pl.col("text").str.len_chars().cast(pl.Int32).alias("text_chars")
        )
        # Each posting with the fields its ad takes from it when it is the first one (an ad
        # falls back to another posting when its first one is removed: ingest.fallback).
        postings = good.select(
            "ad_id",
            "row_number",
            pl.col("id").alias("external_id"),
            pl.col("posted_at_utc").alias("posted_at"),
            "month",
            *POSTING_FIELDS,
        )
        unique = good.sort("posted_at_utc", "row_number").unique(
            "ad_id", keep="first", maintain_order=True
        )
    with timed(steps, "extract"):
        skills = matcher.extract_normalised(
            unique.select("ad_id", "title_norm", "text_norm", "title_lower", "text_lower")
        )
    candidates = unique.select(
        "ad_id",
        "id",
        "row_number",
        "posted_at_utc",
        "month",
        "title",
        "company",
        "region",
        "occupation",
        "text_chars",
    )
    return PreparedBatch(batch.height, bad, postings, candidates, skills, steps, seen)


def store_batch(
    run: Run,
    prepared: PreparedBatch,
    path: str,
    file_id: str,
    source: str | None,
    coder: Any,
    stats: dict,
    sha: str,
) -> None:
    """Store a prepared batch of the file ``path`` (``file_id``, bytes ``sha``) in the run's
    transaction and update the file's ``stats``."""
    con = run.con
    steps = stats.setdefault("_steps", {})
    for name, seconds in prepared.steps.items():
        steps[name] = steps.get(name, 0.0) + seconds
    stats["rows_read"] += prepared.rows_read
    bad = prepared.bad
    with timed(steps, "store"):
        if bad.height:
            q = bad.with_columns(raw_json(bad).alias("raw")).select(
                pl.lit(run.run_id).alias("run_id"),
                pl.lit(path).alias("file"),
                pl.lit(file_id).alias("file_id"),
                "row_number",
                "reason",
                "field",
                "detail",
                "raw",
            )
            stats["quarantined"] += append(con, "quarantine", q)
            # The manifest keeps the earliest future date: the file is read again then.
            future = bad.filter(pl.col("reason") == "future_date")["posted_at_utc"].min()
            if future is not None:
                earlier = stats.get("_earliest_future")
                stats["_earliest_future"] = future if earlier is None else min(earlier, future)
        if prepared.postings.height == 0:
            return
        postings = prepared.postings.select(
            "ad_id",
            pl.lit(file_id).alias("file_id"),
            "row_number",
            "external_id",
            "posted_at",
            "month",
            *POSTING_FIELDS,
            pl.lit(run.run_id).alias("run_id"),
        )
        # Scanned by name (DuckDB's replacement scan of this local), not con.register(): see
        # skilltide.store.append for why a registered view would hold the batch until commit.
        _batch_postings = postings.to_arrow()  # read by name in the SQL below
        con.complete()
        existing = con.sql(
            "SELECT a.ad_id, a.posted_at, f.sha256, a.row_number, f.path FROM ads a"
            " SEMI JOIN _batch_postings b ON a.ad_id = b.ad_id"
            " LEFT JOIN ad_files f ON f.file_id = a.file_id"
        ).pl()
        stats["_ad_postings"] = stats.get("_ad_postings", 0) + append(con, "ad_postings", postings)
        del _batch_postings
        # A stored ad this batch posted first (FIRST_POSTING) is stored again from this batch
        # (title, company, region, skills, occupation and all) in place of the one stored
        # (rare; a stored ad of this same file has no manifest row yet, and its rows come
        # first in the file).
        candidates = prepared.candidates
        ours = [pl.col("posted_at_utc"), pl.lit(sha), pl.col("row_number"), pl.lit(path)]
        stored = [pl.col(c) for c in ("posted_at", "sha256", "row_number_stored", "path")]
        first = (
            candidates.select("ad_id", "posted_at_utc", "row_number")
            .join(existing, on="ad_id", how="inner", suffix="_stored")
            .filter(_precedes(ours, stored))["ad_id"]
        )
        if first.len():
            _first = first.to_frame().to_arrow()  # read by name in the SQL below
            con.execute("DELETE FROM ad_skills WHERE ad_id IN (SELECT ad_id FROM _first)")
            con.execute("DELETE FROM ads WHERE ad_id IN (SELECT ad_id FROM _first)")
            del _first
        known = existing.select("ad_id").filter(~pl.col("ad_id").is_in(first.implode()))
        new = candidates.join(known, on="ad_id", how="anti", maintain_order="left")
        stats["duplicates"] += postings.height - (new.height - first.len())
        stats["ads_stored"] -= first.len()  # stored already: counted by the file first read
        if new.height == 0:
            return
        skills = prepared.skills
        if new.height < candidates.height:
            skills = skills.join(new.select("ad_id"), on="ad_id", how="semi", maintain_order="left")
    with timed(steps, "occupation"):
        occupation = occupations(new, coder, crosswalk(con), esco_table(con))
    with timed(steps, "store"):
        ads = new.select(
            "ad_id",
            pl.lit(source, dtype=pl.String).alias("source"),
            pl.col("id").alias("external_id"),
            pl.lit(file_id).alias("file_id"),
            "row_number",
            pl.col("posted_at_utc").alias("posted_at"),
            "month",
            "title",
            "company",
            "region",
            "text_chars",
            pl.lit(run.run_id).alias("run_id"),
        ).hstack(occupation)
        stats["ads_stored"] += append(con, "ads", ads)
        stats["_ads"] = stats.get("_ads", 0) + ads.height
        n_skills = append(con, "ad_skills", skills.with_columns(pl.lit(run.run_id).alias("run_id")))
        stats["skills_found"] += n_skills
        stats["_ad_skills"] = stats.get("_ad_skills", 0) + n_skills


def _precedes(ours: list[pl.Expr], theirs: list[pl.Expr]) -> pl.Expr:
    """``ours < theirs`` compared element by element, as tuples compare (null: not before)."""
    before = pl.lit(False)
    for mine, other in reversed(list(zip(ours, theirs, strict=True))):
        before = (mine < other) | ((mine == other) & before)
    return before


def pipelined(
    items: Iterable[Any],
    work: Callable[[Any], Any],
    workers: int = WORKERS,
    lookahead: int = LOOKAHEAD,
    steps: dict[str, float] | None = None,
) -> Iterator[Any]:
    """``work(item)`` for each item, computed up to ``lookahead`` items ahead in ``workers``
    threads, yielded in input order (``workers=0``: one after the other in this thread, for
    profiling). The first exception is raised in order, at its item; leaving early cancels
    what was not started. ``steps["read"]`` gets the time spent pulling items (reading).

    >>> list(pipelined(range(5), lambda x: x * x))
    [0, 1, 4, 9, 16]
    """
    steps = {} if steps is None else steps
    source = iter(items)
    if workers == 0:
        try:
            while (item := _timed_next(source, steps)) is not _END:
                yield work(item)
        finally:
            getattr(source, "close", lambda: None)()
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="skilltide-ingest")
    pending: deque = deque()

    def fill() -> None:
        while len(pending) < lookahead:
            try:
                item = _timed_next(source, steps)
            except Exception as error:  # raised in order, after the batches before it
                failed: Future = Future()
                failed.set_exception(error)
                pending.append(failed)
                return
            if item is _END:
                return
            pending.append(pool.submit(work, item))

    try:
        fill()
        while pending:
            current = pending.popleft()
            fill()  # the next batches are read and start while this one is awaited and stored
            yield current.result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        getattr(source, "close", lambda: None)()  # a reader generator releases its file


_END = object()


def _timed_next(source: Iterator[Any], steps: dict[str, float]) -> Any:
    """The next item (``_END`` when done), its reading time added to ``steps["read"]``."""
    with timed(steps, "read"):
        return next(source, _END)
