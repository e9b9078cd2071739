"""The DuckDB warehouse: connect, migrate, run every write in one logged transaction.

Every stage reads its inputs from the warehouse and writes its outputs back inside
:meth:`Warehouse.run`, which opens one transaction, records the command in the
``runs`` table and rolls everything back if the command fails. The schema lives in
numbered SQL files in ``skilltide/migrations`` (``0001_core.sql``, ``0002_onet.sql``,
...); opening an older file applies the missing ones, opening a file written by a
newer skilltide is refused.

Example
-------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "w.duckdb"
>>> with Warehouse(path) as wh:
...     with wh.run("example", {"n": 1}) as run:
...         _ = run.con.execute("CREATE TABLE t AS SELECT 42 AS x")
...         run.count("t", 1)
...     wh.con.execute("SELECT x FROM t").fetchone()
(42,)
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from skilltide import __version__
from skilltide.errors import UserError, WarehouseLocked, WarehouseWriteError
from skilltide.interrupt import interrupt_of
from skilltide.migrations import has_statements, latest_version, migrations

DEFAULT_DB = Path("skilltide.duckdb")


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus random suffix, e.g. ``20261123T101500-3fa9c1``."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


@dataclass
class Run:
    """One logged command: its connection (inside the open transaction) and what it did."""

    run_id: str
    command: str
    con: duckdb.DuckDBPyConnection
    rows: dict[str, int] = field(default_factory=dict)
    stages: list[dict[str, Any]] = field(default_factory=list)
    status: str = "success"
    notes: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # set by commands that end 'failed' without raising
    # entered around the run's COMMIT (a progress display's status: seconds after a big ingest)
    committing: Callable[[], AbstractContextManager[Any]] = nullcontext

    def count(self, table: str, n: int) -> None:
        """Record that this run wrote ``n`` rows to ``table`` (added to earlier counts)."""
        self.rows[table] = self.rows.get(table, 0) + int(n)

    @contextmanager
    def stage(self, name: str) -> Iterator[dict[str, Any]]:
        """Time a named stage; the yielded dict can carry the stage's own counts."""
        record: dict[str, Any] = {"stage": name}
        start = time.perf_counter()
        try:
            yield record
        finally:
            record["seconds"] = round(time.perf_counter() - start, 3)
            self.stages.append(record)


class Warehouse:
    """An open skilltide warehouse (one DuckDB file), migrated to this version's schema."""

    def __init__(
        self, path: str | os.PathLike = DEFAULT_DB, *, target_version: int | None = None
    ) -> None:
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise UserError(f"{self.path}: is a directory, not a warehouse file")
        if not self.path.parent.exists():
            raise UserError(f"{self.path}: folder {self.path.parent} does not exist")
        self._new = not self.path.exists()
        self.con = _connect(self.path)
        try:
            self._migrate(latest_version() if target_version is None else target_version)
            self._mark_interrupted_runs()
        except BaseException:  # a disk full or Ctrl-C while a new file is set up
            self.con.close()
            if self._new:  # as __exit__: a failure on a new file leaves no warehouse behind
                self._remove_files()
            raise

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        # A command that failed on a new file leaves no warehouse behind, unless a run of it
        # succeeded (``skilltide run``'s earlier stages) or its runs cannot be read.
        remove = exc_type is not None and self._new and not self._has_results()
        self.close()
        if remove:
            self._remove_files()

    def _remove_files(self) -> None:
        for leftover in (self.path, self.path.with_name(self.path.name + ".wal")):
            leftover.unlink(missing_ok=True)

    def _has_results(self) -> bool:
        sql = "SELECT count(*) FROM runs WHERE status IN ('success', 'partial')"
        try:
            return bool(self.con.execute(sql).fetchall()[0][0])
        except duckdb.Error:
            return True

    def close(self) -> None:
        self.con.close()

    # -- schema -------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        row = self.con.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def _migrate(self, target: int) -> None:
        # ours: skilltide's schema_migrations, not another migration tool's table of that name
        found, ours = self.con.execute(
            "SELECT string_agg(DISTINCT table_name, ', ' ORDER BY table_name),"
            " bool_or(table_name = 'schema_migrations' AND column_name = 'skilltide_version')"
            " FROM information_schema.columns WHERE table_catalog = current_database()"
        ).fetchone()
        if found and not ours:  # another application's DuckDB database: leave it alone
            names = found.split(", ")
            more = f" and {len(names) - 3:,} more" if len(names) > 3 else ""
            raise UserError(
                f"{self.path}: not a skilltide warehouse (a DuckDB database with other tables: "
                f"{', '.join(names[:3])}{more}); give the warehouse file, or a new file name, "
                "with --db"
            )
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL, skilltide_version VARCHAR NOT NULL)"
        )
        current = self.schema_version
        known = latest_version()
        if current > known:
            raise UserError(
                f"{self.path}: written by a newer skilltide (schema version {current}, this "
                f"version knows up to {known}); upgrade skilltide to open it"
            )
        for migration in migrations():
            if current < migration.version <= target:
                self.con.begin()
                try:
                    if has_statements(migration.sql):
                        self.con.execute(migration.sql)
                    self.con.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?, ?)",
                        [migration.version, migration.name, utc_now(), __version__],
                    )
                    self.con.commit()
                except Exception as exc:
                    self.con.rollback()
                    raise RuntimeError(
                        f"migration {migration.version:04d}_{migration.name} failed: {exc}"
                    ) from exc

    def _mark_interrupted_runs(self) -> None:
        # DuckDB's file lock means no other process holds this file, so any run still
        # marked 'running' died without finishing (killed, power loss).
        self.con.execute(
            "UPDATE runs SET status = 'interrupted',"
            " error = 'process ended before the run finished'"
            " WHERE status = 'running'"
        )

    # -- runs ---------------------------------------------------------------------------
    @contextmanager
    def run(
        self, command: str, args: dict[str, Any] | None = None, *, transaction: bool = True
    ) -> Iterator[Run]:
        """Run ``command`` in one transaction, logged in ``runs``; roll back on any error.

        ``transaction=False`` only logs: for a command made of stages that each open their
        own run (``skilltide run``).
        """
        run = Run(new_run_id(), command, self.con)
        try:
            self.con.execute(
                "INSERT INTO runs (run_id, command, args, started, status, skilltide_version)"
                " VALUES (?, ?, ?, ?, 'running', ?)",
                [
                    run.run_id,
                    command,
                    json.dumps(args or {}, default=str, sort_keys=True),
                    utc_now(),
                    __version__,
                ],
            )
            if transaction:
                self.con.begin()
            yield run
            if transaction:
                # The run's final row is part of its transaction: it says 'success' exactly
                # when the rows it wrote are committed, even if Ctrl-C lands as COMMIT returns.
                with run.committing():
                    self._finish(run, run.status, error=run.error)
                    self.con.commit()
        except BaseException as exc:
            if transaction:  # a COMMIT that failed has ended the transaction already
                with suppress(duckdb.Error):
                    self.con.rollback()
            full = _write_failure(self.path, exc)  # a full disk: one line, not a traceback
            try:
                if isinstance(exc, duckdb.FatalException):  # DuckDB invalidated the database
                    self._reopen()
                status = self._run_status(run) if transaction else None
            except (duckdb.Error, UserError):
                if full is None:
                    raise
                raise full from None
            interrupted = interrupt_of(exc)  # Ctrl-C or SIGTERM
            if status not in (None, "running"):  # committed before the error surfaced
                if interrupted is None:
                    return  # the run stands
                if interrupted is exc:
                    raise
                raise interrupted from None
            if interrupted is None:
                if full is None:
                    self._finish(run, "failed", error=_one_line(exc))
                    raise
                with suppress(duckdb.Error):  # the disk may still be full: then the next
                    self._finish(run, "failed", error=_one_line(exc))  # open marks it
                raise full from None
            self._finish(run, "interrupted", error=f"interrupted ({_one_line(interrupted)})")
            if transaction:  # for the CLI; a run that only logs (skilltide run) rolls nothing back
                interrupted.rolled_back = run.run_id  # type: ignore[attr-defined]
            if interrupted is exc:
                raise
            raise interrupted from None
        if not transaction:
            self._finish(run, run.status, error=run.error)

    def _reopen(self) -> None:
        """A new connection after DuckDB invalidated this one (a checkpoint that could not be
        written): the file holds the last commit."""
        with suppress(duckdb.Error):
            self.con.close()
        self.con = _connect(self.path)

    def _run_status(self, run: Run) -> str | None:
        row = self.con.execute("SELECT status FROM runs WHERE run_id = ?", [run.run_id])
        found = row.fetchone()
        return found[0] if found else None

    def _finish(self, run: Run, status: str, error: str | None = None) -> None:
        self.con.execute(
            "UPDATE runs SET finished = ?, status = ?, rows = ?, stages = ?, notes = ?, error = ?"
            " WHERE run_id = ?",
            [
                utc_now(),
                status,
                json.dumps(run.rows, sort_keys=True),
                json.dumps(run.stages),
                json.dumps(run.notes, default=str, sort_keys=True),
                error,
                run.run_id,
            ],
        )

    # -- reading ------------------------------------------------------------------------
    def query(self, sql: str, params: list | dict | None = None) -> pl.DataFrame:
        """Run a read query and return a polars DataFrame."""
        return frame(self.con, sql, params)

    def has_table(self, name: str) -> bool:
        return name in relations(self.con)

    def row_counts(self) -> dict[str, int]:
        return {
            name: self.con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in sorted(relations(self.con))
        }


def relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables and views in the main schema."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return {r[0] for r in rows}


def frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None
) -> pl.DataFrame:
    """Run a query on ``con`` (inside or outside a run) and return a polars DataFrame."""
    con.complete()  # DuckDB 2 refuses new work while an earlier execute() result is unread
    return con.sql(sql, params=params or None).pl()


def append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Insert a polars frame into ``table`` matching columns by name; returns the row count."""
    if frame.height == 0:
        return 0
    # Read through DuckDB's replacement scan of this local variable, not con.register(): a
    # registered view dropped inside an open transaction stays in the catalog, holding its
    # Arrow data, until the transaction ends, so a run appending in batches grew by the size
    # of everything it inserted (≈ 2 GB for 1M ads), outside DuckDB's memory_limit.
    _skilltide_append = frame.to_arrow()  # read by name in the SQL below
    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _skilltide_append')
    return frame.height


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            holder = re.search(r"PID (\d+)", text)
            who = f" (process {holder[1]})" if holder else ""
            raise WarehouseLocked(
                f"{path}: the warehouse is in use by another process{who} (a skilltide run "
                "or a DuckDB client); wait for it to finish"
            ) from None
        raise UserError(f"{path}: cannot open the warehouse: {_one_line(exc)}") from None
    except duckdb.Error as exc:
        raise UserError(f"{path}: not a skilltide warehouse: {_one_line(exc)}") from None
    # DuckDB opens an existing CSV, JSON or Parquet file as an in-memory database with the
    # file as a view: every write would be lost when the command ends.
    opened = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    if not opened or opened[0][0] is None:
        con.close()
        raise UserError(
            f"{path}: not a skilltide warehouse (a data file, not a DuckDB database); "
            "give the warehouse file with --db"
        )
    return con


def _write_failure(path: Path, exc: BaseException) -> WarehouseWriteError | None:
    """The one-line error of a warehouse write that failed for want of space (or a file gone
    read-only): DuckDB raises it as an IO, transaction or fatal error."""
    found = re.search(r'Could not write file "([^"]+)": ([^"\n]+)', str(exc))
    if not isinstance(exc, duckdb.Error) or found is None:
        return None
    return WarehouseWriteError(
        f"{path}: cannot write the warehouse ({found[2].strip()}: {found[1]}); the run rolled "
        "back, the warehouse is as it was before it"
    )


def utc_now() -> datetime:
    """Now as naive UTC: every time the warehouse stores is UTC without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
