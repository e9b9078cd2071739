"""Progress within a file: one update per batch (never per row), positions that only move
forward and end at the file's size (Parquet: its row count), rows as ``rows_read`` counts
them; a status around hashing and the panel's rebuild; the rich display's content."""

from __future__ import annotations

import gzip
import io
import json
import random
from contextlib import contextmanager

import polars as pl
import pytest

from skilltide.ingest import readers
from skilltide.ingest.ads import COMMITTING, REFRESHING, ingest_ads, rebuild_panel
from skilltide.ingest.progress import IngestProgress, LiveProgress, Numbered, describe
from tests.ingest.test_ads import NOW

ROWS, BATCH = 2_500, 1_000  # three batches: 1,000 + 1,000 + 500 (CSV: blocks' rows more)


class Recorded(IngestProgress):
    """Every update and status, in order."""

    def __init__(self) -> None:
        self.events: list = []

    def update(self, progress):
        self.events.append(progress)

    @contextmanager
    def status(self, message):
        self.events.append(("start", message))
        yield
        self.events.append(("end", message))

    @property
    def updates(self):
        return [e for e in self.events if not isinstance(e, tuple)]


def ads(n: int = ROWS) -> list[dict]:
    # random words: gzip cannot squeeze the file into one read of its compressed bytes
    rng = random.Random(7)
    words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=6)) for _ in range(3_000)]
    return [
        {
            "id": str(i),
            "posted_at": "2024-01-05",
            "title": "Analyst",
            "company": f"Firm {i}",
            "text": "Uses SQL " + " ".join(rng.choices(words, k=40)),
        }
        for i in range(n)
    ]


def write(folder, fmt: str):
    frame = pl.DataFrame(ads())
    plain = folder / f"ads.{fmt.removesuffix('.gz')}"
    if fmt.startswith("csv"):
        frame.write_csv(plain)
    elif fmt.startswith("jsonl"):
        plain.write_text("".join(json.dumps(r) + "\n" for r in frame.iter_rows(named=True)))
    else:
        frame.write_parquet(plain)
    if not fmt.endswith(".gz"):
        return plain
    path = folder / f"ads.{fmt}"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    return path


@pytest.mark.parametrize("fmt", ["csv", "csv.gz", "jsonl", "jsonl.gz", "parquet"])
def test_one_update_per_batch_and_a_last_one_at_the_end_of_the_file(wh, tmp_path, fmt, monkeypatch):
    monkeypatch.setattr(readers, "CSV_BLOCK", 8 << 10)  # Arrow reads ahead: small blocks
    path = write(tmp_path, fmt)
    progress = Recorded()
    summary = ingest_ads(wh, [path], now=NOW, progress=progress, batch_rows=BATCH)
    updates = progress.updates
    assert summary["rows_read"] == ROWS
    assert [u.done for u in updates] == [False, False, False, True]  # per batch, not per row
    rows = [u.rows for u in updates]
    assert rows[0] >= BATCH and rows[0] < rows[1] < rows[2] == rows[3] == summary["rows_read"]
    positions = [u.position for u in updates]
    assert positions == sorted(positions)
    assert {(u.path, u.index, u.files) for u in updates} == {(path, 1, 1)}
    if fmt == "parquet":  # rows, of the exact total in the file's metadata
        assert {(u.unit, u.total) for u in updates} == {("rows", ROWS)}
        assert positions == [1_000, 2_000, 2_500, 2_500]
    else:  # bytes (gzip: compressed bytes) of the file's size
        size = path.stat().st_size
        assert {(u.unit, u.total) for u in updates} == {("bytes", size)}
        assert 0 < positions[0] < size and positions[-1] == size
    lines = path.read_bytes().splitlines(keepends=True) if "." not in fmt else []
    ends = [sum(map(len, lines[: n + (fmt == "csv")])) for n in rows[:2]]  # + the header
    if fmt == "jsonl":  # line by line: exactly the lines of the first two batches
        assert positions[:2] == ends
    if fmt == "csv":  # the end of the batch's last block, not how far Arrow read ahead
        ahead = [p - end for p, end in zip(positions[:2], ends, strict=True)]
        assert all(0 <= n < readers.CSV_BLOCK for n in ahead)
    if fmt.endswith(".gz"):  # compressed bytes, about as far into the file as the rows
        assert all(abs(p / size - n / ROWS) < 0.1 for p, n in zip(positions, rows, strict=True))


def test_statuses_around_hashing_and_the_panel_and_files_numbered(wh, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = write(tmp_path / "a", "csv"), write(tmp_path / "b", "jsonl")
    progress = Recorded()
    ingest_ads(wh, [first, second], now=NOW, progress=progress, batch_rows=BATCH)
    statuses = [e for e in progress.events if isinstance(e, tuple)]
    assert statuses == [
        ("start", "hashing ads.csv (1/2)"),
        ("end", "hashing ads.csv (1/2)"),
        ("start", "hashing ads.jsonl (2/2)"),
        ("end", "hashing ads.jsonl (2/2)"),
        ("start", REFRESHING),
        ("end", REFRESHING),
        ("start", COMMITTING),
        ("end", COMMITTING),
    ]
    assert progress.events[-1] == ("end", COMMITTING)  # after the files' last updates
    assert [(u.index, u.files) for u in progress.updates if u.done] == [(1, 2), (2, 2)]
    # read again unchanged: hashed, not read, and no panel to rebuild
    again = Recorded()
    ingest_ads(wh, [first, second], now=NOW, progress=again, batch_rows=BATCH)
    assert again.updates == [] and len(again.events) == 4


class Seen(Recorded):
    """Also what another connection sees of the ads when each status starts and ends."""

    def __init__(self, wh) -> None:
        super().__init__()
        self.other = wh.con.cursor()  # its own connection: sees committed rows only

    @contextmanager
    def status(self, message):
        self.events.append(("start", message, self.ads()))
        yield
        self.events.append(("end", message, self.ads()))

    def ads(self) -> int:
        return self.other.execute("SELECT count(*) FROM ads").fetchall()[0][0]


def test_a_status_around_the_commit_only_when_something_is_written(wh, tmp_path):
    path = write(tmp_path, "jsonl")
    progress = Seen(wh)
    ingest_ads(wh, [path], now=NOW, progress=progress, batch_rows=BATCH)
    commit = [e for e in progress.events if isinstance(e, tuple) and e[1] == COMMITTING]
    stored = wh.con.execute("SELECT count(*) FROM ads").fetchall()[0][0]
    assert stored > 0 and commit == [("start", COMMITTING, 0), ("end", COMMITTING, stored)]
    # unchanged: nothing to commit, no status; a panel rebuilt alone commits its rows
    again = Seen(wh)
    ingest_ads(wh, [path], now=NOW, progress=again, batch_rows=BATCH)
    assert all(e[1] != COMMITTING for e in again.events if isinstance(e, tuple))
    alone = Recorded()
    rebuild_panel(wh, progress=alone)
    assert alone.events[-2:] == [("start", COMMITTING), ("end", COMMITTING)]


@pytest.mark.parametrize("change", ["moved", "replaced"])
def test_a_status_while_the_earlier_version_of_a_file_is_removed(wh, tmp_path, change):
    path = write(tmp_path, "jsonl")
    ingest_ads(wh, [path], now=NOW, batch_rows=BATCH)
    if change == "moved":  # the same bytes under a new name: the old path's ads go first
        path = path.rename(tmp_path / "renamed.jsonl")
    else:
        path.write_text(path.read_text() + json.dumps(ads(1)[0] | {"id": "new"}) + "\n")
    progress = Recorded()
    summary = ingest_ads(wh, [path], now=NOW, progress=progress, batch_rows=BATCH)
    assert summary["file_details"][0]["status"] == change
    removing = f"removing the earlier version of {path.name}"
    events = progress.events
    assert ("start", removing) in events  # nothing was shown while the old ads went
    assert events.index(("end", removing)) < events.index(progress.updates[0])


def test_an_empty_file_has_one_update_at_its_end(wh, tmp_path):
    path = tmp_path / "blank.jsonl"
    path.write_text("\n  \n")
    progress = Recorded()
    ingest_ads(wh, [path], now=NOW, progress=progress)
    assert [(u.position, u.total, u.rows, u.done) for u in progress.updates] == [(4, 4, 0, True)]


@pytest.mark.parametrize("name", ["header.csv", "header.csv.gz", "header.tsv"])
def test_a_file_of_only_a_header_without_a_line_end_ends_at_its_size(wh, tmp_path, name):
    header = "id,posted_at,text" if ".csv" in name else "id\tposted_at\ttext"
    path = tmp_path / name
    path.write_bytes(gzip.compress(header.encode()) if name.endswith(".gz") else header.encode())
    progress = Recorded()
    ingest_ads(wh, [path], now=NOW, progress=progress)
    size = path.stat().st_size
    assert [(u.position, u.total, u.rows, u.done) for u in progress.updates] == [
        (size, size, 0, True)
    ]  # not 0 of its size: the bar was left empty for a file read whole


def test_numbered_gives_the_place_among_files_read_one_call_at_a_time(wh, tmp_path):
    path = write(tmp_path, "jsonl")
    progress = Recorded()
    with Numbered(progress, 3, 5) as shown:
        ingest_ads(wh, [path], now=NOW, progress=shown, batch_rows=BATCH)
    assert {(u.index, u.files) for u in progress.updates} == {(3, 5)}
    assert progress.events[0] == ("start", "hashing ads.jsonl (3/5)")


def test_a_track_callable_still_wraps_the_files_with_a_deprecation_warning(wh, tmp_path):
    path = write(tmp_path, "jsonl")
    calls = []

    def track(items, description, total):  # what ingest_ads(progress=...) took before
        calls.append((description, total))
        yield from items

    with pytest.warns(DeprecationWarning, match="IngestProgress") as caught:
        summary = ingest_ads(wh, [path], now=NOW, progress=track)
    assert summary["rows_read"] == ROWS and calls == [("ingesting ads", 1)]
    assert caught[0].filename == __file__  # points at the caller's line
    runs = wh.con.execute("SELECT count(*) FROM runs").fetchone()
    with pytest.raises(TypeError, match="IngestProgress, not bool"):
        ingest_ads(wh, [path], now=NOW, progress=True)
    assert wh.con.execute("SELECT count(*) FROM runs").fetchone() == runs  # refused up front


def test_the_live_display_shows_the_file_rows_rate_and_the_panel(wh, tmp_path):
    from rich.console import Console

    path = write(tmp_path, "jsonl")
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=140, color_system=None)
    with LiveProgress(console=console) as live:
        ingest_ads(wh, [path], now=NOW, progress=live, batch_rows=BATCH)
    shown = out.getvalue()
    size = path.stat().st_size / 1e3
    assert 1 < size < 1e3  # shown in kB
    for text in ("hashing ads.jsonl", "reading ads.jsonl", "1,000 rows", "ads/s", "eta "):
        assert text in shown
    assert f"{size:.1f}/{size:.1f} kB  2,500 rows" in shown
    assert REFRESHING in shown
    assert live.display.tasks == []  # nothing left for the next use


def test_describe_without_a_known_total():
    from pathlib import Path

    from skilltide.ingest.progress import FileProgress

    p = FileProgress(Path("a.parquet"), 2, 3, 40_000, None, "rows", 40_000, 4.0)
    assert describe(p) == "40,000 rows  10,000 ads/s"
    p = FileProgress(Path("a.csv"), 1, 1, 1_500, None, "bytes", 10, 0.0)
    assert describe(p) == "1.5 kB  10 rows"
