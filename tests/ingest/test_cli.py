"""CLI: `skilltide ingest ads|demand` output shapes, config mappings, errors, killed runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import duckdb

from skilltide.store import Warehouse
from tests.conftest import REPO, run_skilltide
from tests.ingest.helpers import add_vocab, small_vocab

HEADER = "id,posted_at,title,company,region,occupation,text\n"


def test_ads_json_summary_shape(cli, db, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(
        HEADER + "1,2024-01-05,Analyst,Acme,North,,Uses SQL\n"
        "2,2024-01-06,Analyst,Acme,North,,Uses SQL\n3,,Clerk,Acme,North,,Files\n"
    )
    result = cli("ingest", "ads", path, "--json", "--db", db)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    with Warehouse(db) as wh:
        runs = wh.query("SELECT run_id FROM runs WHERE command = 'ingest ads'")["run_id"]
        quarantined_by = wh.query("SELECT DISTINCT run_id FROM quarantine")["run_id"]
    assert summary == {
        "files": 1,
        "rows_read": 3,
        "ads_stored": 1,
        "duplicates": 1,
        "quarantined": 1,
        "skills_found": 0,
        "coder_model": "lexical",  # the model that codes the warehouse's ads (none built)
        "coder_run": None,
        "recoded": None,  # the stored ads were not coded again
        "run_id": runs[0],  # the output can be traced to its run and the rows it wrote
        "date_orders": {str(path): None},  # no slash dates
        "uncoded_occupations": None,  # no mapped occupation value left uncoded
    }
    assert quarantined_by.to_list() == [summary["run_id"]]
    again = json.loads(cli("ingest", "ads", path, "--json", "--db", db).stdout)
    assert again["ads_stored"] == 0 and again["files"] == 1
    assert again["run_id"] != summary["run_id"]


def test_ads_text_summary_counts_and_points_at_the_quarantined_rows(cli, db, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(
        HEADER + "1,2024-01-05,Analyst,Acme,North,,Uses SQL\n3,,Clerk,Acme,North,,Files\n"
        "4,2024-01-05,Clerk,Acme,North,,\n"
    )
    result = cli("ingest", "ads", path, "--db", db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "3 rows read: 1 ad stored, 0 duplicates, 2 quarantined" in lines[0]
    # the hint is a query that runs as printed and lists this run's reasons
    query = lines[1].removeprefix("see quarantined rows: ")
    assert query != lines[1]
    with Warehouse(db) as wh:
        assert sorted(wh.con.execute(query).fetchall()) == [("missing_date", 1), ("no_text", 1)]
    clean = tmp_path / "clean.csv"
    clean.write_text(HEADER + "5,2024-02-05,Analyst,Acme,North,,Uses SQL daily\n")
    assert "see quarantined rows" not in cli("ingest", "ads", clean, "--db", db).stdout


def test_ads_text_summary_names_each_quarantine_reason_with_its_first_row(db, tmp_path):
    # the reasons were behind a SQL query; a posted_at mapped to the wrong column put every
    # row in quarantine with exit 0 and the same two summary lines as two undated rows
    path = tmp_path / "ads.csv"
    path.write_text(
        HEADER + "1,2024-01-05,Analyst,Acme,North,,Uses SQL\n2,,Clerk,Acme,North,,Files\n"
        "3,soon,Clerk,Acme,North,,Files\n4,later,Clerk,Acme,North,,Files\n"
    )
    result = run_skilltide("ingest", "ads", path, "--db", db)
    assert result.returncode == 0, result.stderr
    assert "  bad_date  " in result.stdout
    assert "2  (first: ads.csv row 3, field posted_at: 'soon')" in result.stdout
    assert "1  (first: ads.csv row 2, field posted_at)" in result.stdout
    assert "every row was quarantined" not in result.stderr
    wrong = run_skilltide("ingest", "ads", path, "--map", "posted_at=title", "--db", db)
    assert "every row was quarantined, most as bad_date (field posted_at)" in wrong.stderr
    # with --json too, on stderr (it said nothing: the review's note)
    again = run_skilltide("ingest", "ads", path, "--map", "posted_at=id", "--json", "--db", db)
    assert json.loads(again.stdout)["quarantined"] == 4
    assert "every row was quarantined, most as bad_date (field posted_at)" in again.stderr


def test_a_missing_column_says_that_the_configs_sources_map_is_for_run_only(cli, db, tmp_path):
    # `skilltide init` writes the map into [[sources]]; `ingest ads` in that folder said
    # only "map it with --map text=COLUMN", as if the config's map had been read
    path = tmp_path / "ads.csv"
    path.write_text("id,created_at,body\n1,2024-01-05,Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    config.write_text(
        f'[[sources]]\nname = "ads"\npaths = ["{path}"]\n'
        'map = { posted_at = "created_at", text = "body" }\n'
    )
    result = cli("ingest", "ads", path, "--db", db, "--config", config)
    assert result.exit_code == 1
    assert "map it with --map" in result.output
    assert "[[sources]] map is read by `skilltide run` only" in result.output
    plain = cli("ingest", "ads", path, "--db", db)  # no config: the message as it was
    assert plain.exit_code == 1 and "[[sources]]" not in plain.output


def test_a_missing_column_mapped_by_the_configs_ingest_map_names_the_config(cli, db, tmp_path):
    # ./skilltide.toml's [ingest] map (text = "body") was read for a file with a text column:
    # "no column 'body' … map it with --map text=COLUMN" did not say where 'body' came from
    path = tmp_path / "ads.csv"
    path.write_text("id,posted_at,text\n1,2024-01-05,Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    config.write_text('[ingest]\nmap = { text = "body" }\n')
    result = cli("ingest", "ads", path, "--db", db, "--config", config)
    assert result.exit_code == 1
    assert "no column 'body'" in result.output
    assert f"text = 'body' is {config}'s [ingest] map" in result.output
    assert "--map text=COLUMN overrides it" in result.output
    fixed = cli("ingest", "ads", path, "--db", db, "--config", config, "--map", "text=text")
    assert fixed.exit_code == 0, fixed.output


def test_ads_without_a_skill_vocabulary_warn_how_to_load_one(cli, db, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(HEADER + "1,2024-01-05,Analyst,Acme,North,,Uses SQL\n")
    result = cli("ingest", "ads", path, "--db", db)
    assert result.exit_code == 0, result.output
    assert "warning: the warehouse has no skill vocabulary" in result.stderr
    assert "skilltide onet taxonomy add" in result.stderr
    path.write_text(HEADER + "3,2024-01-07,Analyst,Acme,North,,Uses SQL\n")
    as_json = cli("ingest", "ads", path, "--db", db, "--json")  # warned there too, on stderr
    assert json.loads(as_json.stdout)["ads_stored"] == 1
    assert "no skill vocabulary" in as_json.stderr
    with Warehouse(db) as wh:
        add_vocab(wh, *small_vocab())
    path.write_text(HEADER + "2,2024-01-06,Analyst,Acme,North,,Uses SQL daily\n")
    assert "no skill vocabulary" not in cli("ingest", "ads", path, "--db", db).output


def test_map_options_and_config_mapping(cli, db, tmp_path):
    path = tmp_path / "ads.jsonl"
    path.write_text(json.dumps({"when": "2024-03-01", "job": {"body": "SQL and Python"}}) + "\n")
    config = tmp_path / "skilltide.toml"
    config.write_text('[ingest.map]\nposted_at = "when"\n')
    result = cli(
        "ingest",
        "ads",
        path,
        "--map",
        "text=job.body",
        "--config",
        config,
        "--source",
        "feed",
        "--json",
        "--db",
        db,
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ads_stored"] == 1
    with Warehouse(db) as wh:
        assert wh.query("SELECT source FROM ads")["source"].to_list() == ["feed"]


def test_bad_map_and_malformed_file_are_one_line_errors(db, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(HEADER + "1,2024-01-05,Analyst,Acme,North,,Uses SQL\n")
    bad = run_skilltide("ingest", "ads", path, "--map", "colour=x", "--db", db)
    assert bad.returncode == 1 and "unknown field 'colour'" in bad.stderr
    assert "Traceback" not in bad.stderr
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\x01" * 100)
    out = run_skilltide("ingest", "ads", path, garbage, "--db", db)
    assert out.returncode == 1 and out.stderr.startswith("error: ") and "garbage.csv" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    with Warehouse(db) as wh:
        assert wh.query("SELECT count(*) AS n FROM ads")["n"][0] == 0


def test_demand_import_cli(cli, db, tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text("term,month,count,num_posts\nPython,2024-01,3,10\nPython,2024-02,5,10\n")
    result = cli("ingest", "demand", path, "--panel", "hn", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["panel"] == "hn" and summary["rows"] == 2 and summary["totals"] == 2
    with Warehouse(db) as wh:
        written_by = wh.query("SELECT DISTINCT run_id FROM demand")["run_id"].to_list()
    assert written_by == [summary["run_id"]]
    assert cli("ingest", "demand", "--help").output.count("Example:") == 1


KILLER = """
import sys, time
import skilltide.ingest.ads as ads
original = ads.store_batch
def slow(*args, **kwargs):
    original(*args, **kwargs)
    print("batch", flush=True)
    time.sleep(0.3)
ads.store_batch = slow
sys.argv = ["skilltide", *sys.argv[1:]]
from skilltide.cli import main
main()
"""


def test_process_killed_between_batches_leaves_no_partial_file(db, tmp_path):
    with Warehouse(db) as wh:
        add_vocab(wh, *small_vocab())
    path = tmp_path / "ads.csv"
    path.write_text(
        HEADER
        + "".join(f"{i},2024-01-05,Analyst {i},Acme,North,,Uses SQL {i}\n" for i in range(5000))
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLER,
            "ingest",
            "ads",
            str(path),
            "--batch-rows",
            "100",
            "--db",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    for _ in range(3):  # three batches stored inside the open transaction
        assert proc.stdout.readline().strip() == "batch"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    con = duckdb.connect(str(db))
    try:
        for table in ("ads", "ad_postings", "ad_skills", "quarantine", "ad_files"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchall() == [(0,)], table
    finally:
        con.close()
    with Warehouse(db) as wh:  # the next open marks the killed run interrupted
        statuses = wh.query("SELECT status FROM runs WHERE command = 'ingest ads'")["status"]
        assert statuses.to_list() == ["interrupted"]
    done = run_skilltide("ingest", "ads", path, "--json", "--db", db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ads_stored"] == 5000


def test_ingest_settings_of_the_wrong_type_are_one_line_errors(cli, db, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(HEADER + "1,2024-01-05,Analyst,Acme,North,,Uses SQL\n")
    config = tmp_path / "skilltide.toml"
    for setting, words in [
        ('map = "text=body"', "[ingest] map must be a table"),
        ("source = 5", "[ingest] source must be a string"),
        ("memory_limit = 2", "[ingest] memory_limit must be a string"),
        ('memory_limit = "lots"', "memory limit 'lots': "),
        ('mpa = {text = "body"}', "unknown setting in [ingest]: 'mpa' (did you mean 'map'?)"),
    ]:
        config.write_text(f"[ingest]\n{setting}\n")
        proc = run_skilltide("ingest", "ads", path, "--config", config, "--db", db)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert words in proc.stderr
    with Warehouse(db) as wh:
        assert wh.query("SELECT count(*) AS n FROM ads")["n"][0] == 0
