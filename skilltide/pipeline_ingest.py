"""``skilltide run``'s ingest stage for one source: each file in a transaction of its own, so
that a file that cannot be read is rejected (and remembered, :mod:`skilltide.rejected_files`)
while the others are stored.

The stage is redone when the source's files change (their fingerprint) and also when an
unchanged file has rows quarantined as ``future_date`` whose date the clock has now reached
(:func:`rechecks_due`): reading it again stores those ads.

Demand panel 'ads' is rebuilt once per run, after every source is ingested, by a stage of its
own (``demand:ads``, :func:`panel_stage`) that is redone when the stored files changed.

Example
-------
>>> import pathlib, tempfile
>>> from skilltide.pipeline_sources import Source
>>> from skilltide.store import Warehouse
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with Warehouse(folder / "w.duckdb") as wh:
...     rechecks_due(wh, Source("jobs", (str(folder),)))
[]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skilltide.errors import UserError, WarehouseWriteError
from skilltide.ingest import manifest
from skilltide.ingest.extract import MATCHING
from skilltide.ingest.progress import QUIET, IngestProgress, Numbered
from skilltide.logs import EventLog
from skilltide.pipeline_sources import Source
from skilltide.rejected_files import forget_rejected, readable_sha256, reject_file, rejected_files
from skilltide.store import Warehouse


def ingest_source(
    wh: Warehouse,
    source: Source,
    memory_limit: str | None,
    log: EventLog,
    others: tuple[Source, ...] = (),
    progress: IngestProgress = QUIET,
    coder: str | None = None,
) -> dict[str, Any]:
    """Ingest the source's files one by one; the stage's summary (``partial`` when rows were
    quarantined or files rejected).

    ``coder`` is the title coder's model (``[ingest] coder``; None: the warehouse's): when it
    is not the coder that coded the stored ads, they are coded again first, in a run of their
    own (:func:`skilltide.ingest.ads_coder.switch`); a coder that cannot be built fails the
    stage instead of rejecting every file.

    The memory limit is set once for the stage: a limit DuckDB cannot apply, or running out
    of memory under it, fails the stage (redone by the next run) instead of rejecting files
    that are not at fault. A file also in another of the ``others`` sources fails it too:
    each source would take the file's ads from the other whenever its stage ran.
    ``progress`` is shown while each file is read (not while the log writes)."""
    from skilltide.ingest.ads import MEMORY_LIMIT, NO_VOCABULARY, duckdb_memory_limit

    if not wh.con.execute("SELECT count(*) FROM skills").fetchone()[0]:
        raise UserError(f"{NO_VOCABULARY}; nothing was ingested")
    files = source.files()
    refuse_shared(source, files, others)
    with duckdb_memory_limit(wh.con, memory_limit or MEMORY_LIMIT):
        from skilltide.ingest.ads_coder import choose, switch

        chosen = choose(wh, coder)  # once for the stage, not once per file
        recoded = switch(wh, chosen)
        if recoded is not None:
            counts = recoded["recoded"] or {}
            log.event("ads.recoded", model=recoded["coder_model"], **counts)
        totals = _ingest_files(wh, source, files, log, progress, chosen)
        return totals if recoded is None else {**totals, "coder_switch": recoded}


def refuse_shared(source: Source, files: list[Path], others: tuple[Source, ...]) -> None:
    """Refuse a file of ``source`` (its ``files``) that is also in another of ``others``:
    each source would take the file's ads from the other whenever its stage ran."""
    for other in others:
        shared = sorted(set(files).intersection(other.files())) if other.name != source.name else []
        if shared:
            raise UserError(
                f"source {source.name!r}: {shared[0]} is also in source {other.name!r} "
                f"({len(shared)} file(s) in both); give each file to one source"
            )


def _ingest_files(
    wh: Warehouse,
    source: Source,
    files: list[Path],
    log: EventLog,
    progress: IngestProgress,
    coder: Any,
) -> dict[str, Any]:
    from skilltide.ingest.ads import EMPTY_FILE, ingest_ads

    # rows_read = ads_stored + duplicates + quarantined: the log accounts for every row
    counts = ("files", "rows_read", "ads_stored", "duplicates", "quarantined")
    totals: dict[str, Any] = {**dict.fromkeys(counts, 0), "unchanged": 0, "rejected": []}
    rejected = rejected_files(wh)
    stored = StoredVersions(wh, source)
    for index, path in enumerate(files, 1):
        shown = Numbered(progress, index, len(files))  # the file's place in the display
        # Files rejected before are hashed here (retried when they or the source's map
        # changed), and stored ones (an unchanged file is no run of its own); ingest_ads
        # hashes the rest itself.
        seen = rejected.get(str(path))
        how = (source.mapping, source.date_order, source.encoding)
        if seen is not None and seen == (_hashed(path, shown), *how):
            log.warning("file.still_rejected", file=str(path))
            totals["rejected"].append(str(path))
            continue
        if seen is None and stored.unchanged(path, shown):
            totals["files"] += 1
            totals["unchanged"] += 1
            continue
        try:  # the demand panel is rebuilt once, after every source (panel_stage)
            with shown:
                result = ingest_ads(
                    wh, [path], source.mapping, source.name, memory_limit=None,
                    refresh_panel=False, progress=shown, date_order=source.date_order,
                    encoding=source.encoding,
                    coder=coder, matcher=stored.matcher,
                )  # fmt: skip
        except WarehouseWriteError:
            raise  # a full disk is not the file's fault: the stage fails, the next run reads it
        except UserError as exc:
            reject_file(wh, path, str(exc), source.mapping, source.date_order, source.encoding)
            log.warning("file.rejected", file=str(path), reason=str(exc))
            totals["rejected"].append(str(path))
            continue
        if seen is not None:  # read at last: no longer rejected
            forget_rejected(wh, path)
        for empty in result["empty_files"]:
            log.warning("file.empty", file=empty, reason=EMPTY_FILE.format(path=empty))
        if result["rechecked_files"]:
            log.event("file.rechecked", file=str(path), reason="future-dated rows came due")
        if uncoded := result["uncoded_occupations"]:  # they count as unknown: say so
            log.warning("file.uncoded_occupations", file=str(path), **uncoded)
        totals["files"] += 1
        for key in counts[1:]:
            totals[key] += int(result.get(key, 0))
    totals["partial"] = bool(totals["quarantined"] or totals["rejected"])
    return totals


class StoredVersions:
    """Whether a source's file is stored as it would be read now (its bytes, mapping, skill
    vocabulary and reading) with no future-dated rows come due: ``ingest_ads`` would skip it,
    but in a run (a ``runs`` row) of its own and after work that grows with the warehouse."""

    def __init__(self, wh: Warehouse, source: Source) -> None:
        from skilltide.ingest.date_order import check_order
        from skilltide.ingest.encoding import check_encoding
        from skilltide.ingest.extract import SkillMatcher
        from skilltide.ingest.mapping import parse_mapping
        from skilltide.onet.taxonomy import refresh_if_stale

        refresh_if_stale(wh)  # as ingest_ads does first: the vocabulary it reads with
        self.con, self.source = wh.con, source
        self.matcher = SkillMatcher.from_warehouse(wh.con)  # given to ingest_ads, not rebuilt
        self.how = (
            parse_mapping(source.mapping),
            source.name,
            self.matcher.fingerprint,
            check_order(source.date_order),
            check_encoding(source.encoding),
        )
        self.now = manifest.utc_now()

    def unchanged(self, path: Path, shown: Numbered) -> bool:
        stored = manifest.stored_file(self.con, path)
        if stored is None or manifest.recheck_due(stored.earliest_future, self.now):
            return False
        sha = _hashed(path, shown)
        return bool(sha) and manifest.file_id(path, sha, *self.how) == stored.file_id


def _hashed(path: Path, shown: Numbered) -> str:
    """The sha256 of a file rejected before, with the status ingest_ads shows for its own."""
    with shown, shown.status(f"hashing {path.name}"):
        return readable_sha256(path)


def panel_fingerprint(wh: Warehouse) -> list[object]:
    """What demand panel 'ads' is built from: the stored file versions (every change to the
    ads goes through the manifest, ``ad_files``) and the ads' and their skills' counts."""
    files = wh.con.execute("SELECT file_id, run_id FROM ad_files ORDER BY ALL").fetchall()
    counts = wh.con.execute(
        "SELECT (SELECT count(*) FROM ads), (SELECT count(*) FROM ad_skills)"
    ).fetchall()[0]
    return ["ads panel", files, *counts]


def panel_stage(
    wh: Warehouse, memory_limit: str | None, progress: IngestProgress = QUIET
) -> dict[str, Any]:
    """Rebuild demand panel 'ads' once for the run's ingest stages."""
    from skilltide.ingest.ads import MEMORY_LIMIT, rebuild_panel

    with progress:
        rows = rebuild_panel(wh, memory_limit or MEMORY_LIMIT, progress)
    return {**rows, "rows": rows}


def panel_built(wh: Warehouse) -> bool:
    """False when ads are stored but the panel was never built from them."""
    from skilltide.ingest.ads import panel_missing

    return not panel_missing(wh.con)


def still_rejected(wh: Warehouse, source: Source) -> list[str]:
    """The source's files that a run rejected (for a skipped stage: none has changed)."""
    rejected = rejected_files(wh)
    return [str(path) for path in source.files() if str(path) in rejected]


def rechecks_due(wh: Warehouse, source: Source) -> list[str]:
    """The source's ingested files with future-dated rows that are due now."""
    return manifest.rechecks_due(wh.con, source.files(), manifest.utc_now())


def vocabulary_fingerprint(wh: Warehouse) -> list[object]:
    """What skill extraction matches (the aliases, their rules, the skills' names and the
    matching rules' version, :data:`.ingest.extract.MATCHING`): a change reads the source's
    files again (their versions include the matcher's fingerprint, :mod:`.ingest.manifest`)."""
    return [MATCHING] + [
        wh.con.execute(
            f"SELECT count(*), coalesce(sum(hash({columns})::HUGEINT), 0) FROM {table}"
        ).fetchall()[0]
        for table, columns in (
            ("skill_aliases", "alias, skill_id, case_sensitive, rule"),
            ("skills", "skill_id, name, ambiguous"),
        )
    ]
