"""``skilltide run``: no-op second run, SIGKILL at any stage then re-run, lock, bad files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from skilltide.errors import UserError
from skilltide.store import Warehouse
from tests.conftest import run_skilltide

# Columns that legitimately differ between two runs over the same inputs.
VOLATILE = {
    "run_id",
    "graph_id",  # a graph is named after the run that built it
    "started",
    "finished",
    "updated",
    "applied_at",
    "ingested_at",
    "rejected_at",
    "created",
    "created_at",
    "loaded_at",
    "built_at",
}
LOG_TABLES = {"runs", "schema_migrations", "pipeline_state"}

CONFIG = """\
[warehouse]
db = "w.duckdb"

[[sources]]
name = "synthetic"
paths = ["ads"]

[taxonomy]
files = ["market/skills.csv"]

[breaks]
granularities = ["market"]

[forecast]
granularities = ["market"]
horizon = 3
model = "seasonal_naive"

[graph]
source = "ads"
"""


@pytest.fixture(scope="module")
def market(tmp_path_factory) -> Path:
    """A small synthetic market, generated once for the module."""
    from skilltide.demo import generate

    out = tmp_path_factory.mktemp("market")
    generate(out, size="small", seed=3)
    return out


@pytest.fixture
def project(tmp_path, market) -> Path:
    """A folder with the config, the ads split in two files, and the taxonomy."""
    import polars as pl

    (tmp_path / "ads").mkdir()
    ads = pl.read_csv(market / "ads.csv", infer_schema=False)
    half = ads.height // 2
    ads.head(half).write_csv(tmp_path / "ads" / "part1.csv")
    ads.tail(ads.height - half).write_csv(tmp_path / "ads" / "part2.csv")
    (tmp_path / "market").mkdir()
    shutil.copy(market / "skills.csv", tmp_path / "market" / "skills.csv")
    (tmp_path / "skilltide.toml").write_text(CONFIG)
    return tmp_path


def _rounded(value):
    # Sums over hash-ordered sets may differ in the last bits between processes.
    return float(f"{value:.10g}") if isinstance(value, float) else value


def contents(db: Path) -> dict[str, list]:
    """Every non-log table's rows without run ids and timestamps, sorted."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            if table in LOG_TABLES:
                continue
            cols = [
                name
                for name, typ in con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns"
                    " WHERE table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if name not in VOLATILE and not typ.startswith("TIMESTAMP")
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f'SELECT {select} FROM "{table}"').fetchall()
            out[table] = sorted(repr(tuple(map(_rounded, row))) for row in rows)
        return out
    finally:
        con.close()


def run(project: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_skilltide("run", "--config", project / "skilltide.toml", "--log-json", *extra)


def events(proc: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]


def test_second_run_is_a_noop(project):
    first = run(project)
    assert first.returncode in (0, 3), first.stderr
    before = contents(project / "w.duckdb")
    assert len(before["ads"]) > 0 and len(before["forecasts"]) > 0
    second = run(project, "--json")
    assert second.returncode == first.returncode
    summary = json.loads(second.stdout)
    assert {s["status"] for s in summary["stages"]} == {"skipped"}
    assert contents(project / "w.duckdb") == before
    log = events(second)
    assert {e["event"] for e in log} >= {"run.start", "stage.skipped", "run.finish"}


def test_report_is_rendered_once_and_again_only_when_its_file_is_gone(project):
    config = project / "skilltide.toml"
    config.write_text(config.read_text() + '\n[report]\nout = "report"\n')

    def report_status(ingest: str | None = None) -> str:
        stages = {
            s["stage"]: s["status"] for s in json.loads(run(project, "--json").stdout)["stages"]
        }
        assert ingest is None or stages["ingest:synthetic"] == ingest
        return stages["report"]

    assert report_status() == "done"
    assert report_status() == "skipped"
    touched = project / "ads" / "part2.csv"  # same bytes, new time: read again, nothing new
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    assert report_status(ingest="done") == "skipped"
    for page in (project / "report").glob("*.html"):
        page.unlink()
    assert report_status() == "done"
    assert any((project / "report").glob("*.html"))


def test_new_file_recomputes_only_what_changed(project, market):
    assert run(project).returncode in (0, 3)
    ads = (project / "ads" / "part2.csv").read_text().splitlines()
    (project / "ads" / "part3.csv").write_text("\n".join([ads[0], *ads[1:]]) + "\n")
    again = run(project, "--json")
    stages = {s["stage"]: s["status"] for s in json.loads(again.stdout)["stages"]}
    assert stages["taxonomy"] == "skipped"
    assert stages["ingest:synthetic"] in ("done", "partial")


KILLER = """
import os, signal, sys
from contextlib import contextmanager
from skilltide.config import load_settings
from skilltide.store import Warehouse
from skilltide.pipeline import run_pipeline

target = sys.argv[2]
original = Warehouse.run

@contextmanager
def run(self, command, args=None, **kw):
    with original(self, command, args, **kw) as r:
        yield r
        if command.startswith(target):   # all of the stage's writes done, none committed
            os.kill(os.getpid(), signal.SIGKILL)

Warehouse.run = run

if target == "aggregation":  # die halfway through rebuilding the demand panel
    import skilltide.ingest.ads as ads

    def dying_refresh(con, run_id):
        con.execute("DELETE FROM demand WHERE panel = 'ads'")
        os.kill(os.getpid(), signal.SIGKILL)

    ads.refresh_ads_panel = dying_refresh

run_pipeline(load_settings(config=sys.argv[1]))
"""


@pytest.mark.parametrize("stage", ["ingest", "aggregation", "breaks", "forecast", "graph"])
def test_sigkill_mid_stage_then_rerun_equals_a_clean_run(project, tmp_path, stage):
    import os

    script = tmp_path / "killer.py"
    script.write_text(textwrap.dedent(KILLER))
    killed = subprocess.run(
        [sys.executable, str(script), str(project / "skilltide.toml"), stage],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert killed.returncode == -9, killed.stderr
    with Warehouse(project / "w.duckdb") as wh:
        statuses = wh.query("SELECT status FROM runs")["status"].to_list()
    assert "interrupted" in statuses

    assert run(project).returncode in (0, 3)
    recovered = contents(project / "w.duckdb")

    # A clean run over the same inputs, in the same folder (paths are part of the data).
    for leftover in project.glob("w.duckdb*"):
        leftover.unlink()
    assert run(project).returncode in (0, 3)
    assert recovered == contents(project / "w.duckdb")


def test_concurrent_run_is_refused_with_exit_75(project):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from skilltide.lock import RunLock; import time; "
            f"RunLock({str(project / 'w.duckdb')!r}).acquire(); print('ok', flush=True); "
            "time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        proc = run(project)
        assert proc.returncode == 75
        assert "another skilltide run holds this warehouse" in proc.stderr
    finally:
        holder.kill()
        holder.wait()


def test_corrupt_file_is_rejected_and_the_rest_proceeds(project):
    (project / "ads" / "broken.csv.gz").write_bytes(b"\x1f\x8b\x08\x00not really gzip")
    proc = run(project, "--json")
    assert proc.returncode == 3, proc.stderr
    with Warehouse(project / "w.duckdb") as wh:
        rejected = wh.query("SELECT path, reason FROM rejected_files")
        ads = wh.query("SELECT count(*) AS n FROM ads")["n"][0]
    assert rejected.height == 1 and rejected["path"][0].endswith("broken.csv.gz")
    assert ads > 0
    assert any(e["event"] == "file.rejected" for e in events(proc))
    # the rejected file is remembered, not retried, until it changes
    again = run(project, "--json")
    assert again.returncode == 3
    with Warehouse(project / "w.duckdb") as wh:
        assert wh.query("SELECT count(*) AS n FROM rejected_files")["n"][0] == 1


def test_the_ingest_memory_limit_applies_to_the_run(tmp_path, monkeypatch):
    import skilltide.ingest.ads
    from skilltide.config import load_settings
    from skilltide.pipeline import run_pipeline

    limits = []
    real = skilltide.ingest.ads.ingest_ads
    setting = "SELECT current_setting('memory_limit')"
    monkeypatch.setattr(
        skilltide.ingest.ads,
        "ingest_ads",
        lambda wh, *a, **kw: (
            limits.append(wh.con.execute(setting).fetchall()[0][0]) or real(wh, *a, **kw)
        ),
    )
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("posted_at,text\n2024-01-05,Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    config.write_text('[ingest]\nmemory_limit = "512MB"\n[[sources]]\npaths = ["ads"]\n')
    _seed_vocabulary(tmp_path / "w.duckdb")
    settings = load_settings(config=config, db=tmp_path / "w.duckdb", quiet=True)
    assert run_pipeline(settings).status == "success"
    assert limits == ["488.2 MiB"]  # 512 MB as DuckDB shows it
    config.write_text('[ingest]\nmemory_limit = "lots"\n[[sources]]\npaths = ["ads"]\n')
    with pytest.raises(UserError, match=r"\[ingest\] memory_limit 'lots': "):
        run_pipeline(load_settings(config=config, db=tmp_path / "w.duckdb"))


def test_run_without_config_is_a_user_error(tmp_path):
    proc = run_skilltide("run", "--db", tmp_path / "w.duckdb", cwd=tmp_path)
    assert proc.returncode == 1
    assert "no config file" in proc.stderr


def test_init_writes_a_config_that_points_at_the_ads(tmp_path, cli):
    out = tmp_path / "skilltide.toml"
    result = cli("init", "--ads", tmp_path / "incoming", "--out", out)
    assert result.exit_code == 0
    import tomllib

    config = tomllib.loads(out.read_text())
    assert config["sources"][0]["paths"] == [str((tmp_path / "incoming").resolve())]
    assert "warning: " in result.stderr and "no such folder yet" in result.stderr
    assert cli("init", "--out", out).exit_code == 1  # refuses to overwrite
    (tmp_path / "incoming").mkdir()  # a folder that exists: no warning
    quiet = cli("init", "--ads", tmp_path / "incoming", "--out", out, "--force")
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr


def test_init_says_the_run_needs_a_skill_vocabulary(tmp_path, cli):
    # A first run of the config as written failed its ingest stage ("the warehouse has no
    # skill vocabulary"): [onet] and [taxonomy] are commented out, and init did not say so.
    out = tmp_path / "skilltide.toml"
    result = cli("init", "--ads", tmp_path, "--out", out)
    assert result.exit_code == 0
    assert "next: " in result.stdout
    assert "[onet] dirs" in result.stdout and "[taxonomy] files" in result.stdout
    assert f"skilltide run --config {out}" in result.stdout
    text = out.read_text()
    assert "needs a skill vocabulary" in text  # the template says it where the sections are
    import tomllib

    config = tomllib.loads(text)
    assert "onet" not in config and "taxonomy" not in config  # still commented out


def _seed_vocabulary(db) -> None:
    """A one-skill vocabulary in the warehouse ``db`` (a run's ingest stage needs one)."""
    from skilltide.onet.taxonomy_custom import add_taxonomy_csv

    csv = db.parent / "skills.csv"
    csv.write_text("name\nSQL\n")
    with Warehouse(db) as wh:
        add_taxonomy_csv(wh, csv)


def test_a_run_without_a_skill_vocabulary_stops_before_ingesting(tmp_path):
    from skilltide.config import load_settings
    from skilltide.pipeline import run_pipeline

    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("posted_at,text\n2024-01-05,Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    config.write_text('[warehouse]\ndb = "w.duckdb"\n[[sources]]\npaths = ["ads"]\n')
    summary = run_pipeline(load_settings(config=config, quiet=True))
    assert summary.status == "failed"
    assert "no skill vocabulary" in summary.error and "[taxonomy] files" in summary.error
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.query("SELECT count(*) AS n FROM ads")["n"][0] == 0
    _seed_vocabulary(tmp_path / "w.duckdb")
    assert run_pipeline(load_settings(config=config, quiet=True)).status == "success"
