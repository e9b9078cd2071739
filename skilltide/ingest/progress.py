"""How far an ad ingest is: one update per batch of the file being read, and a status line
for the steps without a position (hashing a file, rebuilding the demand panel).

:func:`~skilltide.ingest.ads.ingest_ads` reports to an :class:`IngestProgress`; the base
class shows nothing (the library default). ``skilltide ingest ads`` passes a
:class:`LiveProgress` (a rich display on stderr) when stderr is a terminal and ``--quiet`` is
not given (:func:`progress_for`). A file's position is the bytes of it consumed (for gzip the
compressed bytes, so it ends at the file's size) or, for Parquet, the rows read of the row
count its metadata gives; readers set it in a :class:`ReadPosition` before each batch.

Example
-------
>>> class Printed(IngestProgress):
...     def update(self, p):
...         print(p.path.name, f"{p.index}/{p.files}", p.position, p.total, p.unit, p.rows, p.done)
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> from skilltide.ingest.ads import ingest_ads
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> line = '{"posted_at": "2024-01-05", "text": "Uses SQL"}\\n'  # 48 bytes
>>> _ = (d / "ads.jsonl").write_text(line * 3)
>>> with Warehouse(d / "w.duckdb") as wh:
...     _ = ingest_ads(wh, [d / "ads.jsonl"], progress=Printed(), batch_rows=2)
ads.jsonl 1/1 96 144 bytes 2 False
ads.jsonl 1/1 144 144 bytes 3 False
ads.jsonl 1/1 144 144 bytes 3 True
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skilltide.config import Settings


@dataclass
class ReadPosition:
    """Where a reader is in its file: set by the reader before it yields each batch."""

    position: int = 0
    total: int | None = None  # the file's size, or its rows (Parquet); None: unknown
    unit: str = "bytes"  # or "rows"


@dataclass(frozen=True)
class FileProgress:
    """One update: the file (``index`` of ``files``), how far its reader is, rows read."""

    path: Path
    index: int
    files: int
    position: int
    total: int | None
    unit: str
    rows: int
    seconds: float  # since the file's reading began
    done: bool = False  # the file's last update (read to the end)


class IngestProgress:
    """Receives an ingest's progress; this one shows nothing. A context manager: the
    display (if any) is shown inside the ``with`` block."""

    def update(self, progress: FileProgress) -> None:
        """Called once per batch stored, then once with ``done`` when the file is read."""

    @contextmanager
    def status(self, message: str) -> Iterator[None]:
        """Around a step without a position (hashing a file, rebuilding the panel)."""
        yield

    def __enter__(self) -> IngestProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


QUIET = IngestProgress()


class Numbered(IngestProgress):
    """``progress`` shown only inside the ``with`` block, for file ``index`` of ``files``
    ingested one call at a time (``skilltide run`` logs between its files)."""

    def __init__(self, progress: IngestProgress, index: int, files: int) -> None:
        self.progress, self.index, self.files = progress, index, files

    def update(self, progress: FileProgress) -> None:
        self.progress.update(dataclasses.replace(progress, index=self.index, files=self.files))

    def status(self, message: str) -> AbstractContextManager[None]:
        where = f" ({self.index}/{self.files})" if self.files > 1 else ""
        return self.progress.status(message + where)

    def __enter__(self) -> Numbered:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)


class FileReport:
    """One file's updates to ``progress``: its place among the run's files and the reader's
    position (:attr:`where`), with the time since :meth:`start`."""

    def __init__(self, progress: IngestProgress, path: Path, index: int, files: int) -> None:
        self.progress, self.path, self.index, self.files = progress, path, index, files
        self.where = ReadPosition()
        self.started = time.perf_counter()
        self.label = label(path, index, files)

    def start(self, size: int) -> ReadPosition:
        """The file's reading begins: a position in bytes of ``size`` until the reader says
        otherwise."""
        self.where = ReadPosition(total=size)
        self.started = time.perf_counter()
        return self.where

    def positioned(self, batches: Iterable[Any]) -> Iterator[tuple[Any, int]]:
        """Each batch with the reader's position when it yielded it (batches are prepared
        ahead of the one stored, so the position is taken here, not when it is stored)."""
        try:
            for batch in batches:
                yield batch, self.where.position
        finally:
            getattr(batches, "close", lambda: None)()  # the reader releases its file

    def update(self, position: int, rows: int, done: bool = False) -> None:
        where = self.where
        seconds = time.perf_counter() - self.started
        self.progress.update(
            FileProgress(
                self.path, self.index, self.files, position, where.total, where.unit, rows,
                seconds, done,
            )
        )  # fmt: skip


def as_progress(progress: Any, files: list[Path]) -> tuple[IngestProgress, Iterable[Path]]:
    """``progress`` as an :class:`IngestProgress`, and the ``files`` to iterate.

    A ``track(items, description, total)`` callable, which ``ingest_ads`` took before this
    module, still wraps the files as it did (with a :class:`DeprecationWarning`); anything
    else is a :class:`TypeError` naming the class to pass.

    >>> as_progress(QUIET, [])[0] is QUIET
    True
    >>> as_progress("rich", [])
    Traceback (most recent call last):
    TypeError: progress must be a skilltide.ingest.progress.IngestProgress, not str
    """
    if isinstance(progress, IngestProgress):
        return progress, files
    if not callable(progress):
        raise TypeError(
            "progress must be a skilltide.ingest.progress.IngestProgress, "
            f"not {type(progress).__name__}"
        )
    warnings.warn(
        "ingest_ads(progress=...) takes a skilltide.ingest.progress.IngestProgress; a "
        "track(items, description, total) callable is deprecated (it sees files, not batches)",
        DeprecationWarning,
        stacklevel=3,  # the caller of ingest_ads
    )
    return QUIET, progress(files, "ingesting ads", total=len(files))


def label(path: Path, index: int, files: int) -> str:
    """The file's name, with its place among the run's files when there are several."""
    return path.name if files == 1 else f"{path.name} ({index}/{files})"


def progress_for(settings: Settings) -> IngestProgress:
    """A :class:`LiveProgress` when stderr is a terminal and not ``--quiet`` (the rule of
    :func:`skilltide.console.track`), else :data:`QUIET`."""
    from skilltide.console import shows_progress

    return LiveProgress() if shows_progress(settings) else QUIET


class LiveProgress(IngestProgress):
    """A rich display on stderr: the current file (i/n) with a bar of its bytes (or rows),
    rows read, ads/s and the time left; a spinner for the steps without a position."""

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

        self.display = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[line]}"),
            console=console or Console(stderr=True),
            transient=True,
            refresh_per_second=5,  # the spinner; the figures change once per batch
        )
        self.task: Any = None
        self.path: Path | None = None

    def __enter__(self) -> LiveProgress:
        self.display.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.task is not None:  # shown again from scratch if entered again
            self.display.remove_task(self.task)
            self.task, self.path = None, None
        self.display.stop()

    def update(self, progress: FileProgress) -> None:
        p = progress
        if p.path != self.path or self.task is None:
            self._show(f"reading {label(p.path, p.index, p.files)}", p.total)
            self.path = p.path
        self.display.update(self.task, completed=p.position, total=p.total, line=describe(p))
        self.display.refresh()  # once per batch: every state is drawn, however short

    @contextmanager
    def status(self, message: str) -> Iterator[None]:
        self._show(message, None)
        self.path = None
        self.display.refresh()
        try:
            yield
        finally:
            if self.task is not None and self.path is None:  # not replaced by a file's bar
                self.display.remove_task(self.task)
                self.task = None

    def _show(self, description: str, total: int | None) -> None:
        if self.task is not None:
            self.display.remove_task(self.task)
        self.task = self.display.add_task(description, total=total, line="")


def describe(p: FileProgress) -> str:
    """The text after the bar: ``3.1/26.0 GB  1,234,000 rows  15,210 ads/s  eta 0:07:12``.

    >>> describe(FileProgress(Path("a.csv"), 1, 1, 500_000, 2_000_000, "bytes", 300, 2.0))
    '0.5/2.0 MB  300 rows  150 ads/s  eta 0:00:06'
    >>> describe(FileProgress(Path("a.parquet"), 1, 1, 300, 1200, "rows", 300, 3.0, done=True))
    '300/1,200 rows  100 ads/s'
    """
    parts = []
    if p.unit == "bytes":
        parts.append(_bytes(p.position, p.total))
        parts.append(f"{p.rows:,} rows")
    else:
        parts.append(f"{p.rows:,}/{p.total:,} rows" if p.total else f"{p.rows:,} rows")
    if p.seconds > 0:
        parts.append(f"{p.rows / p.seconds:,.0f} ads/s")
    if p.total and 0 < p.position < p.total and not p.done:
        left = p.seconds * (p.total - p.position) / p.position
        parts.append(f"eta {int(left) // 3600}:{int(left) % 3600 // 60:02d}:{int(left) % 60:02d}")
    return "  ".join(parts)


def _bytes(position: int, total: int | None) -> str:
    """``3.1/26.0 GB`` in the unit of the total (decimal units, as ``ls -h --si``).

    >>> _bytes(3_100_000_000, 26_000_000_000), _bytes(12, 40), _bytes(5_000, None)
    ('3.1/26.0 GB', '12/40 B', '5.0 kB')
    """
    scale = total or position
    unit, size = next(((u, s) for u, s in _UNITS if scale >= s), ("B", 1))
    fmt = (lambda n: f"{n / size:.1f}") if size > 1 else str
    return f"{fmt(position)}/{fmt(total)} {unit}" if total else f"{fmt(position)} {unit}"


_UNITS = (("GB", 10**9), ("MB", 10**6), ("kB", 10**3))
