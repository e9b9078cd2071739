"""``skilltide run`` refuses, before its first stage, every input it can check up front.

Found in the run-check audit: a bad ``[report] out`` (a file where its folder goes, a PDF
name, a read-only folder) failed the run at its last stage, after the ingest, breaks and
forecasts had run and committed; a missing ``[[sources]]`` path, ``[taxonomy]`` file,
``[onet]`` or ``[workbank]`` folder failed after the stages before it, and a ``[graph]``
combination (element knowledge of an ads network) after every stage but the report. Each
is now refused at the start with the stage's own message after the config file, section
and key; the warehouse is left as it was, with no ``runs`` row (as any config error).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pytest

from skilltide.config import load_settings
from skilltide.errors import UserError
from skilltide.pipeline import run_pipeline
from skilltide.store import Warehouse
from tests.conftest import run_skilltide

GOOD = """\
[warehouse]
db = "w.duckdb"
[[sources]]
name = "jobs"
paths = ["ads"]
[taxonomy]
files = ["skills.csv"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Ads, a taxonomy and a config; an existing warehouse with one earlier run in it."""
    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text(
        "posted_at,text\n2024-01-05,Uses SQL\n2024-02-07,SQL and Python\n"
    )
    (tmp_path / "skills.csv").write_text("name\nSQL\nPython\n")
    with Warehouse(tmp_path / "w.duckdb") as wh, wh.run("earlier", {}):
        pass
    return tmp_path


def state(db: Path) -> dict[str, object]:
    """The warehouse's runs and the row count of every table."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SHOW TABLES").fetchall()]
        counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        runs = con.execute("SELECT run_id, command, status FROM runs ORDER BY run_id").fetchall()
        return {"counts": counts, "runs": runs}
    finally:
        con.close()


def refused(project: Path, extra: str, base: str = GOOD) -> str:
    """Run with ``base + extra``: the UserError's message; the warehouse must be unchanged."""
    (project / "skilltide.toml").write_text(base + extra)
    before = state(project / "w.duckdb")
    with pytest.raises(UserError) as err:
        run_pipeline(load_settings(config=project / "skilltide.toml", quiet=True))
    assert state(project / "w.duckdb") == before  # no stage ran, no run was logged
    message = str(err.value)
    assert message.startswith(f"{project / 'skilltide.toml'}: ")
    return message


def test_a_valid_config_runs(project):
    (project / "skilltide.toml").write_text(GOOD + '[report]\nout = "report"\n')
    summary = run_pipeline(load_settings(config=project / "skilltide.toml", quiet=True))
    assert summary.status == "success", summary.error
    assert (project / "report" / "report.html").is_file()


@pytest.mark.parametrize(
    ("out", "setup", "message"),
    [
        ("f.txt/report", "file f.txt", "f.txt/report: cannot create the folder (Not a directory)"),
        ("f.txt/a/b", "file f.txt", "f.txt/a/b: cannot create the folder (Not a directory)"),
        ("notes", "file notes", "notes: exists and is not a folder"),
        ("q4.pdf", "", "q4.pdf: the report is an HTML page; give a folder or an .html file"),
        ("r", "folder r/report.html", "r/report.html: is a folder, where the report page goes"),
    ],
)
def test_an_unusable_report_out_is_refused_first(project, out, setup, message):
    kind, _, name = setup.partition(" ")
    if kind == "file":
        (project / name).write_text("a user's file\n")
    elif kind == "folder":
        (project / name).mkdir(parents=True)
    got = refused(project, f'[report]\nout = "{out}"\n')
    assert f"[report] out: {project}/{message}" in got


@pytest.mark.parametrize("exists", [True, False])
def test_a_report_out_in_a_read_only_folder_is_refused_first(project, monkeypatch, exists):
    import os

    locked = project / "shared"
    locked.mkdir()
    real_access = os.access
    # as a read-only folder is to a user other than root (the tests may run as root)
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != locked and real_access(p, mode))
    out = locked if exists else locked / "q4"
    got = refused(project, f'[report]\nout = "{out}"\n')
    if exists:
        assert f"[report] out: {locked / 'report.html'}: cannot write it (Permission denied)" in got
    else:
        assert f"[report] out: {locked / 'q4'}: cannot create the folder (Permission denied)" in got
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize(
    ("base", "extra", "message"),
    [
        (
            GOOD.replace('["ads"]', '["incoming"]'),
            "",
            "[[sources]] paths: source 'jobs': {p}/incoming: no such file or folder",
        ),
        (
            GOOD.replace('["ads"]', '["ads", "incoming/*.csv"]'),
            "",
            "[[sources]] paths: source 'jobs': {p}/incoming/*.csv: no such folder {p}/incoming",
        ),
        (
            GOOD.replace("skills.csv", "skils.csv"),
            "",
            "[taxonomy] files: {p}/skils.csv: file not found",
        ),
        (GOOD, '[onet]\ndirs = ["onet"]\n', "[onet] dirs: {p}/onet: not a folder"),
        (GOOD, '[workbank]\ndir = "wb"\n', "[workbank] dir: {p}/wb: not a folder"),
    ],
    ids=["source", "source-pattern", "taxonomy", "onet", "workbank"],
)
def test_a_missing_input_is_refused_first(project, base, extra, message):
    assert message.format(p=project) in refused(project, extra, base)


def test_a_bad_taxonomy_file_is_refused_first(project):
    # the stage's whole check of the file, not only that it is there
    (project / "skills.csv").write_text("skill\nSQL\n")
    assert "[taxonomy] files: " in refused(project, "")
    assert "skills.csv: column 'name' is missing" in refused(project, "")


def test_a_workbank_folder_without_its_files_is_refused_first(project):
    (project / "wb").mkdir()
    got = refused(project, '[workbank]\ndir = "wb"\n')
    assert f"[workbank] dir: {project / 'wb'}: " in got and " is missing (a WORKBank folder" in got


def test_an_onet_folder_without_onet_files_is_refused_first(project):
    (project / "onet").mkdir()
    (project / "onet" / "notes.txt").write_text("not O*NET\n")
    got = refused(project, '[onet]\ndirs = ["onet"]\n')
    assert f"[onet] dirs: {project / 'onet'}: " in got


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        ('element = "knowledge"', "[graph] element knowledge is an O*NET domain"),
        ('weight = "level"', "[graph] weight level needs O*NET ratings"),
        ('source = "onet"\nweight = "count"', "[graph] weight count is for technology or ads"),
        (
            'source = "onet"\nelement = "technology"\nweight = "level"',
            "O*NET technology skills have no ratings: use [graph] weight presence or rca",
        ),
    ],
    ids=["ads-knowledge", "ads-level", "onet-count", "technology-level"],
)
def test_a_graph_option_the_others_rule_out_is_refused_first(project, graph, message):
    assert message in refused(project, f"[graph]\n{graph}\n")


def test_the_cli_refuses_in_one_line_with_exit_1_and_logs_no_stage(project):
    (project / "notes").write_text("a user's file\n")
    (project / "skilltide.toml").write_text(GOOD + '[report]\nout = "notes"\n')
    before = state(project / "w.duckdb")
    proc = run_skilltide("run", "--config", project / "skilltide.toml", "--log-json")
    assert proc.returncode == 1
    events = [json.loads(line) for line in proc.stderr.splitlines()]
    assert [e["event"] for e in events] == ["run.refused"]
    assert (
        "[report] out: " in events[0]["error"] and "notes: exists and is not" in events[0]["error"]
    )
    plain = run_skilltide("run", "--config", project / "skilltide.toml")
    assert plain.returncode == 1 and plain.stderr.count("\n") == 1
    assert plain.stderr.startswith(f"error: {project / 'skilltide.toml'}: [report] out: ")
    assert state(project / "w.duckdb") == before


@pytest.mark.parametrize(
    ("base", "graph", "message"),
    [
        # the config's own remedy first (the message named the command alone)
        (
            GOOD,
            'source = "onet"',
            "warehouse has no onet_ratings: set [onet] dirs, or load O*NET first",
        ),
        (
            GOOD,
            'source = "onet"\nelement = "technology"',
            "warehouse has no technology_skills: set [onet] dirs, or load O*NET first",
        ),
        (
            GOOD.split("[[sources]]")[0],
            "",
            "warehouse has no ads, ad_skills: add [[sources]], or ingest ads first",
        ),
    ],
    ids=["onet", "onet-technology", "ads"],
)
def test_a_graph_input_no_stage_of_the_run_loads_is_refused_first(project, base, graph, message):
    # found after the ingest, breaks and forecasts: neither is in the warehouse, and no
    # [onet] dirs (no [[sources]]) would load it
    got = refused(project, f"[graph]\n{graph}\n", base)
    assert f"[graph] source: {message}" in got


def test_a_graph_input_a_stage_of_the_run_loads_is_left_to_it(project):
    from skilltide.pipeline_checks import check_warehouse
    from skilltide.pipeline_config import PipelineConfig
    from tests.onet._helpers import FIXTURE_RELEASE

    config = project / "skilltide.toml"
    config.write_text(GOOD + f'[onet]\ndirs = ["{FIXTURE_RELEASE}"]\n[graph]\nsource = "onet"\n')
    with Warehouse(project / "w.duckdb") as wh:  # no O*NET yet: the onet stage loads it
        check_warehouse(wh, PipelineConfig.from_settings(load_settings(config=config)), config)
    config.write_text(GOOD + '[graph]\nsource = "ads"\n')  # ads: the ingest stage's
    with Warehouse(project / "w.duckdb") as wh:
        check_warehouse(wh, PipelineConfig.from_settings(load_settings(config=config)), config)


@pytest.mark.parametrize("model", ["static", "embed"])
def test_a_coder_of_the_ads_this_machine_cannot_build_is_refused_first(project, monkeypatch, model):
    # found in review: the O*NET or ingest stage failed on it, after the stages before it
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # the extra is missing
    got = refused(project, f'[ingest]\ncoder = "{model}"\n')
    assert "[ingest] coder: " in got and "needs the optional extra" in got


def test_a_coder_of_the_warehouse_s_ads_this_machine_cannot_load_is_named_so(project, monkeypatch):
    from skilltide.ingest.ads_coder import record

    with Warehouse(project / "w.duckdb") as wh, wh.run("earlier coder") as run:
        record(run, "embed", None)  # the ads were coded with the embedding coder
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    got = refused(project, "")  # no [ingest] coder in the config
    assert "[ingest] coder (left out: the warehouse's): " in got
    assert "needs the optional extra" in got


def test_a_coder_of_the_ads_this_machine_can_build_is_left_to_its_stage(project, monkeypatch):
    from skilltide.pipeline_checks import check_warehouse
    from skilltide.pipeline_config import PipelineConfig

    config = project / "skilltide.toml"
    config.write_text(GOOD + '[ingest]\ncoder = "static"\n')
    monkeypatch.setattr("skilltide.onet.coder_embed.require_embed_extra", lambda **_: None)
    with Warehouse(project / "w.duckdb") as wh:  # the O*NET or ingest stage builds it
        check_warehouse(wh, PipelineConfig.from_settings(load_settings(config=config)), config)
    config.write_text(GOOD)  # lexical: nothing to check
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with Warehouse(project / "w.duckdb") as wh:
        check_warehouse(wh, PipelineConfig.from_settings(load_settings(config=config)), config)
