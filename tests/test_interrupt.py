"""Ctrl-C and SIGTERM end a run as interrupted: the stage under way rolls back, the log and the
runs table say so, the exit status is 130 or 143, and the next run finishes the work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from skilltide.store import Warehouse
from tests.test_pipeline import _seed_vocabulary

# The signal arrives while the demand stage's transaction runs a query. DuckDB reports it as
# RuntimeError('Query interrupted') (it raised the handler's exception inside the query), which
# read as a bug (traceback, exit 1); SIGTERM (systemctl stop) ended Python at once, with no log
# line and the run left 'running'. (Waiting for DuckDB to notice a signal in a real query takes
# from a second to minutes, so the script raises what DuckDB raises.)
STOPPED = """
import os, signal, sys
import skilltide.ingest.ads as ads
from skilltide.cli import main

SIGNAL = getattr(signal, sys.argv[2])
signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it

def stopped_refresh(con, run_id):
    con.execute("DELETE FROM demand_totals WHERE panel = 'ads'")
    try:
        os.kill(os.getpid(), SIGNAL)  # the handler raises here
    except KeyboardInterrupt:
        raise RuntimeError("Query interrupted") from None

ads.refresh_ads_panel = stopped_refresh
sys.argv = ["skilltide", "run", "--config", sys.argv[1], "--log-json"]
main()
"""


@pytest.mark.parametrize(("signal_name", "exit_code"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_signal_mid_query_ends_the_run_interrupted(tmp_path, signal_name, exit_code):
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("posted_at,text\n2024-01-05,Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    config.write_text('[warehouse]\ndb = "w.duckdb"\n[[sources]]\nname = "jobs"\npaths = ["ads"]\n')
    _seed_vocabulary(tmp_path / "w.duckdb")
    script = tmp_path / "stopped.py"
    script.write_text(textwrap.dedent(STOPPED))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.run(
        [sys.executable, str(script), str(config), signal_name],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == exit_code, proc.stderr
    events = [json.loads(line) for line in proc.stderr.splitlines()]  # JSON lines only
    assert [e["event"] for e in events[-2:]] == ["stage.interrupted", "run.finish"]
    assert (events[-2]["stage"], events[-1]["status"]) == ("demand:ads", "interrupted")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        runs = dict(wh.query("SELECT command, status FROM runs").rows())
        assert (runs["run"], runs["ingest panel"]) == ("interrupted", "interrupted")
        assert wh.query("SELECT count(*) AS n FROM demand_totals")["n"][0] == 0
    rerun = subprocess.run(
        [sys.executable, "-m", "skilltide", "run", "--config", str(config), "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert rerun.returncode == 0, rerun.stderr
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.query("SELECT count(*) AS n FROM demand_totals")["n"][0] > 0


def test_duckdb_forms_of_an_interrupt():
    from skilltide.interrupt import Terminated, interrupt_of

    assert type(interrupt_of(RuntimeError("Query interrupted"))) is KeyboardInterrupt
    assert interrupt_of(RuntimeError("Query failed")) is None
    assert isinstance(Terminated("SIGTERM"), KeyboardInterrupt)
    assert Terminated.exit_code == 143


# Any command, not only `skilltide run`: here `ingest ads`, stopped inside its run.
STOPPED_COMMAND = """
import os, signal, sys
import skilltide.ingest.ads as ads
from skilltide.cli import main

SIGNAL = getattr(signal, sys.argv[2])
signal.signal(signal.SIGINT, signal.default_int_handler)

def stopped_refresh(con, run_id):
    os.kill(os.getpid(), SIGNAL)  # the handler raises here

ads.refresh_ads_panel = stopped_refresh
sys.argv = ["skilltide", "ingest", "ads", sys.argv[1], "--db", sys.argv[3]]
main()
"""


@pytest.mark.parametrize(("signal_name", "exit_code"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_any_command_stopped_by_a_signal_rolls_back_and_says_so(tmp_path, signal_name, exit_code):
    ads = tmp_path / "a.csv"
    ads.write_text("posted_at,text\n2024-01-05,Uses SQL\n")
    db = tmp_path / "w.duckdb"
    _seed_vocabulary(db)
    script = tmp_path / "stopped.py"
    script.write_text(textwrap.dedent(STOPPED_COMMAND))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.run(
        [sys.executable, str(script), str(ads), signal_name, str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == exit_code, proc.stderr
    what = "SIGTERM" if signal_name == "SIGTERM" else "Ctrl-C"
    assert proc.stderr.strip().splitlines()[-1].startswith(f"error: interrupted ({what})")
    assert "Traceback" not in proc.stderr
    with Warehouse(db) as wh:
        runs = dict(wh.query("SELECT command, status FROM runs").rows())
        assert runs["ingest ads"] == "interrupted"
        assert wh.query("SELECT count(*) AS n FROM ads")["n"][0] == 0


def test_ctrl_c_while_the_cli_loads_is_one_line(monkeypatch, capsys):
    # Found by `timeout -s INT 1.5 skilltide onet load ...`: the CLI's imports take 1.5-2 s,
    # and Ctrl-C in them printed a KeyboardInterrupt traceback through importlib.
    import importlib.abc
    import sys

    from skilltide.__main__ import main

    class Stopped(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "skilltide.cli":
                raise KeyboardInterrupt
            return None

    monkeypatch.delitem(sys.modules, "skilltide.cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Stopped(), *sys.meta_path])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "error: interrupted (Ctrl-C) before the command started\n"


@pytest.mark.parametrize("where", ["in a stage's run", "between runs"])
def test_skilltide_run_says_a_rollback_only_when_there_was_one(tmp_path, cli, monkeypatch, where):
    # Found in review: Ctrl-C while `skilltide run` hashed the next stage's inputs (outside any
    # transaction) said 'the stage under way rolled back'; nothing had, and the stages that
    # had finished were kept. (Warehouse.run marked its own logging-only run as rolled back.)
    import skilltide.ingest.ads as ads
    from skilltide.pipeline import Pipeline

    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text("posted_at,text\n2024-01-05,Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    config.write_text('[warehouse]\ndb = "w.duckdb"\n[[sources]]\nname = "jobs"\npaths = ["ads"]\n')
    _seed_vocabulary(tmp_path / "w.duckdb")

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    if where == "between runs":
        monkeypatch.setattr(Pipeline, "_last_fingerprint", stopped)
    else:
        monkeypatch.setattr(ads, "refresh_ads_panel", stopped)
    result = cli("run", "--config", config)
    assert result.exit_code == 130
    said = result.output.strip().splitlines()[-1]
    if where == "between runs":
        assert said == "error: interrupted between warehouse runs; finished ones are kept"
    else:
        assert said == "error: interrupted; the stage under way rolled back"
