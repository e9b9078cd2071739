"""The warehouse: migrations, transactions, run log, locking."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import duckdb
import pytest

from skilltide.errors import UserError, WarehouseLocked, WarehouseWriteError
from skilltide.store import Warehouse, append, frame, latest_version, migrations
from skilltide.warehouse_status import status


def table_contents(path) -> dict[str, list]:
    """Every table's rows except the run log, for before/after comparisons."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema='main' AND table_name <> 'runs' ORDER BY 1"
            ).fetchall()
        ]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}
    finally:
        con.close()


def test_new_file_gets_every_migration(db):
    with Warehouse(db) as wh:
        assert wh.schema_version == latest_version() == len(migrations())
        applied = wh.query("SELECT version FROM schema_migrations ORDER BY 1")["version"].to_list()
    assert applied == list(range(1, latest_version() + 1))


def test_older_file_is_upgraded(db):
    Warehouse(db, target_version=1).close()
    with duckdb.connect(str(db)) as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == 1
        assert "skills" not in {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    with Warehouse(db) as wh:
        assert wh.schema_version == latest_version()
        assert wh.has_table("skills")


def test_newer_file_is_refused_with_both_versions(db):
    Warehouse(db).close()
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now(), '9.9')")
    with pytest.raises(UserError, match=r"newer skilltide \(schema version 999"):
        Warehouse(db)


def test_run_commits_and_logs_rows_and_stages(db):
    with Warehouse(db) as wh:
        with wh.run("example write", {"n": 3}) as run:
            with run.stage("make") as rec:
                run.con.execute("CREATE TABLE t AS SELECT range AS x FROM range(3)")
                rec["rows"] = 3
            run.count("t", 3)
        assert wh.query("SELECT count(*) AS n FROM t")["n"][0] == 3
        row = wh.query("SELECT * FROM runs").row(0, named=True)
    assert row["command"] == "example write"
    assert row["status"] == "success"
    assert json.loads(row["args"]) == {"n": 3}
    assert json.loads(row["rows"]) == {"t": 3}
    assert json.loads(row["stages"])[0]["stage"] == "make"
    assert row["finished"] >= row["started"]


def test_failure_mid_write_leaves_every_table_unchanged(db):
    with Warehouse(db) as wh, wh.run("seed") as run:
        run.con.execute(
            "INSERT INTO demand_totals VALUES ('ads','market','all','2024-01-01',5,'r0')"
        )
    before = table_contents(db)
    with Warehouse(db) as wh:
        with pytest.raises(RuntimeError, match="injected"), wh.run("failing write") as run:
            run.con.execute("DELETE FROM demand_totals")
            run.con.execute("CREATE TABLE half_written AS SELECT 1 AS x")
            append(run.con, "skills", _skill_frame())
            raise RuntimeError("injected failure after writing")
        failed = wh.query("SELECT status, error FROM runs WHERE command = 'failing write'")
    assert table_contents(db) == before
    assert failed.row(0) == ("failed", "injected failure after writing")


class _CommitThenCtrlC:
    """A connection whose COMMIT goes through and then Ctrl-C surfaces: the signal landed
    while DuckDB committed, and Python raises it as the call returns."""

    def __init__(self, con):
        self._con = con

    def commit(self):
        self._con.commit()
        raise KeyboardInterrupt

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_ctrl_c_as_the_commit_returns_leaves_a_run_that_says_what_it_kept(db):
    # Found by sending SIGINT to 'onet load' at many delays: one run said 'interrupted' (and
    # the CLI 'rolled back') while its rows were committed.
    with Warehouse(db) as wh:
        real = wh.con
        wh.con = _CommitThenCtrlC(real)
        with pytest.raises(KeyboardInterrupt) as caught, wh.run("seed") as run:
            run.con.execute(
                "INSERT INTO demand_totals VALUES ('ads','market','all','2024-01-01',5,'r0')"
            )
        wh.con = real
        kept = wh.query("SELECT count(*) AS n FROM demand_totals")["n"][0]
        logged = wh.query("SELECT status, error FROM runs WHERE command = 'seed'").row(0)
    assert (kept, logged) == (1, ("success", None))
    assert getattr(caught.value, "rolled_back", None) is None  # the CLI must not say so


def test_ctrl_c_inside_a_run_rolls_back_and_marks_the_interrupt(db):
    with Warehouse(db) as wh:
        with pytest.raises(KeyboardInterrupt) as caught, wh.run("stopped") as run:
            run.con.execute(
                "INSERT INTO demand_totals VALUES ('ads','market','all','2024-01-01',5,'r0')"
            )
            raise KeyboardInterrupt
        kept = wh.query("SELECT count(*) AS n FROM demand_totals")["n"][0]
        logged = wh.query("SELECT run_id, status FROM runs").row(0)
    assert (kept, logged[1]) == (0, "interrupted")
    assert caught.value.rolled_back == logged[0]


class _FullDisk:
    """A connection on a full disk: COMMIT fails as DuckDB's does (a fatal error invalidates
    the database, after which every call fails)."""

    def __init__(self, con, error):
        self._con, self._error, self._dead = con, error, False

    def commit(self):
        self._dead = isinstance(self._error, duckdb.FatalException)
        raise self._error

    def close(self):
        self._con.close()

    def __getattr__(self, name):
        if self._dead:
            raise duckdb.FatalException("database has been invalidated")
        return getattr(self._con, name)


@pytest.mark.parametrize(
    "error",
    [
        duckdb.TransactionException(
            'Failed to commit: Could not write file "w.duckdb.wal": No space left on device'
        ),
        duckdb.FatalException(
            "Failed to create checkpoint because of error: Could not write file "
            '"w.duckdb": No space left on device'
        ),
    ],
)
def test_a_full_disk_at_commit_is_one_line_and_rolls_back(db, error):
    # Found with the warehouse on a nearly full tmpfs: onet load and ingest demand ended in
    # DuckDB tracebacks (the fatal one twice: the run log could not be read after it).
    Warehouse(db).close()
    before = table_contents(db)
    with Warehouse(db) as wh:
        wh.con = _FullDisk(wh.con, error)
        with pytest.raises(WarehouseWriteError) as caught, wh.run("load") as run:
            run.con.execute(
                "INSERT INTO demand_totals VALUES ('ads','market','all','2024-01-01',5,'r0')"
            )
        assert wh.query("SELECT status FROM runs")["status"].to_list() == ["failed"]
    assert str(caught.value).startswith(f"{db}: cannot write the warehouse (No space left")
    assert "the run rolled back" in str(caught.value)
    assert table_contents(db) == before


def test_killed_run_is_marked_interrupted_and_leaves_no_trace(db, tmp_path):
    Warehouse(db).close()
    before = table_contents(db)
    script = tmp_path / "kill.py"
    script.write_text(
        textwrap.dedent(f"""
        import os, signal
        from skilltide.store import Warehouse
        wh = Warehouse({str(db)!r})
        with wh.run("doomed") as run:
            run.con.execute("CREATE TABLE partial AS SELECT range AS x FROM range(1000)")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, env=_env())
    assert proc.returncode == -9
    assert table_contents(db) == before
    with Warehouse(db) as wh:
        assert wh.query("SELECT status FROM runs WHERE command='doomed'")["status"][0] == (
            "interrupted"
        )


def test_second_process_is_refused_with_a_clear_message(db, tmp_path):
    Warehouse(db).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from skilltide.store import Warehouse; import time; w=Warehouse({str(db)!r}); "
            "print('open', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(WarehouseLocked, match="in use by another process"):
            Warehouse(db)
    finally:
        holder.kill()
        holder.wait()


def test_status_shape(db):
    with Warehouse(db) as wh:
        with wh.run("one"):
            pass
        with wh.run("two"):
            pass
        report = status(wh)
    assert set(report) == {"schema_version", "tables", "panels", "runs"}
    assert report["tables"]["runs"] == 2
    assert [r["command"] for r in report["runs"]] == ["two", "one"]
    assert {"run_id", "command", "status", "started", "finished"} <= set(report["runs"][0])


def test_frame_and_append_round_trip(db):
    with Warehouse(db) as wh:
        with wh.run("skills") as run:
            assert append(run.con, "skills", _skill_frame()) == 1
        got = frame(wh.con, "SELECT skill_id, ambiguous FROM skills")
    assert got.rows() == [("custom:r", True)]


def test_path_that_is_a_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="is a directory"):
        Warehouse(tmp_path)


def _skill_frame():
    import polars as pl

    return pl.DataFrame(
        {
            "skill_id": ["custom:r"],
            "name": ["R"],
            "kind": ["custom"],
            "source": ["test"],
            "ambiguous": [True],
            "run_id": ["r0"],
        }
    )


def _env() -> dict:
    """Subprocesses import this checkout's skilltide, not another installed copy."""
    import os
    from pathlib import Path

    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


@pytest.mark.parametrize("name", ["ads.csv", "ads.jsonl", "ads.parquet"])
def test_a_data_file_given_as_the_warehouse_is_refused(tmp_path, name):
    import polars as pl

    path = tmp_path / name
    ads = pl.DataFrame({"id": ["1"], "text": ["Uses SQL"]})
    {"csv": ads.write_csv, "jsonl": ads.write_ndjson, "parquet": ads.write_parquet}[
        path.suffix[1:]
    ](path)
    before = path.read_bytes()
    with pytest.raises(UserError, match=f"{name}: not a skilltide warehouse"):
        Warehouse(path)
    assert path.read_bytes() == before


def test_another_applications_duckdb_database_is_refused_and_left_alone(tmp_path):
    # --db pointed at a DuckDB file of another application: even `status` added skilltide's
    # 80-odd tables to it, and ingest wrote ads into it.
    path = tmp_path / "sales.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE sales AS SELECT 1 AS x")
    with pytest.raises(UserError, match=r"sales.duckdb: not a skilltide warehouse .*tables: sales"):
        Warehouse(path)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SHOW TABLES").fetchall() == [("sales",)]


def test_a_foreign_database_names_three_whole_tables_and_counts_the_rest(tmp_path):
    # the list was cut at 60 characters, splitting a name in the middle
    path = tmp_path / "crm.duckdb"
    with duckdb.connect(str(path)) as con:
        for name in ("customer_accounts_2024", "customer_contacts_2024", "invoices", "orders"):
            con.execute(f"CREATE TABLE {name} AS SELECT 1 AS x")
    with pytest.raises(UserError) as err:
        Warehouse(path)
    assert "tables: customer_accounts_2024, customer_contacts_2024, invoices and 1 more)" in str(
        err.value
    )


def test_an_empty_duckdb_database_becomes_a_warehouse(tmp_path):
    path = tmp_path / "new.duckdb"
    duckdb.connect(str(path)).close()
    with Warehouse(path) as wh:
        assert wh.schema_version == latest_version()


def test_another_tools_schema_migrations_table_is_not_taken_for_skilltides(tmp_path):
    # dbmate, golang-migrate and Rails keep a `schema_migrations` table too: its timestamp
    # versions read as "written by a newer skilltide", small ones failed the first migration.
    path = tmp_path / "app.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE schema_migrations (version VARCHAR PRIMARY KEY)")
        con.execute("INSERT INTO schema_migrations VALUES ('20240101120000')")
    with pytest.raises(UserError, match=r"app.duckdb: not a skilltide warehouse"):
        Warehouse(path)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SHOW TABLES").fetchall() == [("schema_migrations",)]


def test_a_command_failing_on_a_new_file_leaves_no_warehouse_behind(cli, db, tmp_path):
    result = cli("ingest", "ads", tmp_path / "missing.csv", "--db", db)
    assert result.exit_code == 1 and "file not found" in result.output
    assert not db.exists() and not db.with_name(db.name + ".wal").exists()
    wh = Warehouse(db)
    with pytest.raises(RuntimeError), wh, wh.run("first"):  # a failed run: nothing kept
        raise RuntimeError("boom")
    assert not db.exists()


def test_a_failure_keeps_an_existing_warehouse_and_a_new_one_with_results(db):
    with pytest.raises(RuntimeError), Warehouse(db) as wh:
        with wh.run("first"):
            pass
        raise RuntimeError("a later stage failed")
    assert db.exists()  # the first run's results stay
    with pytest.raises(RuntimeError), Warehouse(db):
        raise RuntimeError("boom")
    with Warehouse(db) as wh:
        assert wh.query("SELECT command FROM runs")["command"].to_list() == ["first"]


def test_a_new_file_whose_setup_fails_leaves_no_warehouse_behind(db, monkeypatch):
    def interrupted(self):  # Ctrl-C (or a full disk) while the new file is migrated
        raise KeyboardInterrupt

    monkeypatch.setattr(Warehouse, "_mark_interrupted_runs", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Warehouse(db)
    assert not db.exists() and not db.with_name(db.name + ".wal").exists()
    monkeypatch.undo()
    Warehouse(db).close()  # an existing file whose setup fails is kept
    monkeypatch.setattr(Warehouse, "_mark_interrupted_runs", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Warehouse(db)
    assert db.exists()
