"""Load O*NET release folders (text or Excel format) into the warehouse.

Every recognised file goes into its own typed table (``onet_<file>``, see
:mod:`skilltide.onet.registry`) with the release it came from; loading a release again
replaces that release's rows of the files whose bytes changed and skips the others, so a
repeated load changes nothing. The views other stages read (``occupations``,
``onet_ratings``, ``technology_skills``, ...) take, per file, the newest loaded release.
After a load that changed a file the taxonomy is built from (Technology Skills, Content
Model Reference, Task Statements, Occupation Data, DWA Reference) it is rebuilt.

Example
-------
>>> from skilltide.store import Warehouse
>>> summary = load_onet(Warehouse("w.duckdb"), ["onet/30.1"])  # doctest: +SKIP
>>> summary["files"][0]["table"]  # doctest: +SKIP
'onet_abilities_to_work_activities'
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from skilltide.console import quiet_progress
from skilltide.errors import UserError
from skilltide.onet.readers import read_file
from skilltide.onet.registry import OnetFile, by_stem
from skilltide.onet.release import Release, detect_release
from skilltide.onet.taxonomy import TAXONOMY_INPUTS, is_stale, rebuild_taxonomy
from skilltide.store import Warehouse, append

FORMATS = {".txt": "text", ".xlsx": "excel"}
NOT_DATA = {"read me.txt"}  # read for the release, not loaded


@dataclass(frozen=True)
class FoundFile:
    path: Path
    spec: OnetFile
    release: Release

    @property
    def format(self) -> str:
        return FORMATS[self.path.suffix.lower()]


def scan_folder(folder: Path, release: str | None = None) -> tuple[list[FoundFile], list[str]]:
    """The recognised files of one release folder and the names of the files skipped."""
    if not folder.is_dir():
        raise UserError(f"{folder}: not a folder (give an O*NET release folder)")
    specs = by_stem()
    found: dict[str, tuple[Path, OnetFile]] = {}
    skipped: list[str] = []
    for path in sorted(folder.iterdir(), key=lambda p: (p.suffix.lower() != ".txt", p.name)):
        if path.name.lower() in NOT_DATA or path.is_dir() or path.name.startswith("."):
            continue
        spec = specs.get(path.stem)
        if spec is None or path.suffix.lower() not in FORMATS:
            skipped.append(f"{path.name}: not an O*NET file skilltide knows")
        elif spec.stem in found:
            skipped.append(f"{path.name}: {found[spec.stem][0].name} of the same release is used")
        else:
            found[spec.stem] = (path, spec)
    if not found:  # before the release: a folder of other files has none to tell
        raise UserError(f"{folder}: no O*NET data files found (e.g. 'Occupation Data.txt')")
    found_release = detect_release(folder, release)
    return [FoundFile(path, spec, found_release) for path, spec in found.values()], skipped


def scan_folders(
    dirs: Iterable[str | Path], release: str | None = None
) -> tuple[list[Path], list[FoundFile], list[str]]:
    """The folders (each once), their recognised files and the files skipped; refuses what
    :func:`load_onet` would before it touches the warehouse (``skilltide run`` checks its
    ``[onet] dirs`` so, before its first stage)."""
    # a folder named twice ('30.1' and './30.1/', or a shell glob) is loaded once
    folders = list({Path(d).resolve(): Path(d) for d in dirs}.values())
    if not folders:
        raise UserError("give at least one O*NET release folder")
    files: list[FoundFile] = []
    skipped: list[str] = []
    for folder in folders:
        found, skip = scan_folder(folder, release)
        files += found
        skipped += [f"{folder / s}" for s in skip]
    seen: dict[tuple[str, str], Path] = {}
    for f in files:
        key = (f.release.release, f.spec.stem)
        if key in seen:
            raise UserError(f"{f.path}: {f.spec.stem} of release {key[0]} is also in {seen[key]}")
        seen[key] = f.path
    return folders, files, skipped


def load_onet(
    wh: Warehouse,
    dirs: Iterable[str | Path],
    release: str | None = None,
    progress: Callable[..., Iterable] = quiet_progress,
) -> dict[str, Any]:
    """Load O*NET release folders into the warehouse in one run; returns a JSON-able summary.

    Parameters
    ----------
    wh : the open warehouse.
    dirs : release folders, each in the official text (``.txt``) or Excel (``.xlsx``) format.
    release : the release of every folder (``'30.1'``), when ``Read Me.txt`` is missing.
    progress : ``progress(items, description, total)`` iterator wrapper (progress bar).
    """
    started = time.perf_counter()
    folders, files, skipped = scan_folders(dirs, release)
    report: list[dict[str, Any]] = []
    args = {"dirs": [str(Path(f).resolve()) for f in folders], "release": release}
    with wh.run("onet load", args) as run:
        for f in progress(files, "loading O*NET files", len(files)):
            report.append(_load_file(run, f))
        for rel in {f.release for f in files}:
            _record_release(run, rel)
        changed = [r for r in report if r["status"] == "loaded"]
        taxonomy = None
        if any(r["table"] in TAXONOMY_INPUTS for r in changed) or is_stale(run.con):
            with run.stage("taxonomy"):
                taxonomy = rebuild_taxonomy(run)
        notices = sorted({f.release.notice for f in files if f.release.notice})
        run.notes.update({"skipped": skipped, "notices": notices})
        summary = {
            "run_id": run.run_id,
            "releases": sorted({f.release.release for f in files}),
            "files": report,
            "loaded": len(changed),
            "unchanged": len(report) - len(changed),
            "skipped": skipped,
            "notices": notices,
            "taxonomy": taxonomy,
        }
    summary["seconds"] = round(time.perf_counter() - started, 2)
    return summary


def _record_release(run, rel: Release) -> None:
    """Add or update the release's row (left as it is when nothing about it changed)."""
    old = run.con.execute(
        "SELECT label, detected_from FROM onet_releases WHERE release = ?", [rel.release]
    ).fetchone()
    if old == (rel.label, rel.detected_from):
        return
    run.con.execute("DELETE FROM onet_releases WHERE release = ?", [rel.release])
    run.con.execute(
        "INSERT INTO onet_releases VALUES (?, ?, ?, ?, ?, ?)",
        [rel.release, *rel.key, rel.label, rel.detected_from, run.run_id],
    )


def _load_file(run, f: FoundFile) -> dict[str, Any]:
    digest = hashlib.sha256(f.path.read_bytes()).hexdigest()
    rel = f.release.release
    entry = {"file": f.path.name, "release": rel, "table": f.spec.table, "format": f.format}
    old = run.con.execute(
        "SELECT sha256, rows FROM onet_files WHERE release = ? AND file = ?", [rel, f.spec.stem]
    ).fetchone()
    if old and old[0] == digest:
        return {**entry, "rows": old[1], "status": "unchanged"}
    with run.stage(f.spec.table) as rec:
        frame = read_file(f.path, f.spec).with_columns(
            pl.lit(rel).alias("release"), pl.lit(run.run_id).alias("run_id")
        )
        run.con.execute(f"DELETE FROM {f.spec.table} WHERE release = ?", [rel])
        rows = append(run.con, f.spec.table, frame)
        rec["rows"] = rows
    run.con.execute("DELETE FROM onet_files WHERE release = ? AND file = ?", [rel, f.spec.stem])
    run.con.execute(
        "INSERT INTO onet_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            rel,
            *f.release.key,
            f.spec.stem,
            f.spec.table,
            f.format,
            str(f.path.resolve()),
            rows,
            digest,
            run.run_id,
        ],
    )
    run.count(f.spec.table, rows)
    return {**entry, "rows": rows, "status": "loaded"}
