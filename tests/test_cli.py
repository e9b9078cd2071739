"""The CLI contract: help with examples, version, exit codes, one-line errors, status JSON."""

from __future__ import annotations

import json

import pytest

from skilltide import __version__
from skilltide.cli import app
from skilltide.errors import UserError
from skilltide.store import Warehouse, latest_version
from tests.conftest import run_skilltide


def _commands(group, prefix=()):
    import typer.main

    click_group = typer.main.get_command(group)
    stack = [(prefix, click_group)]
    while stack:
        path, cmd = stack.pop()
        if hasattr(cmd, "commands"):
            stack.extend(((*path, name), sub) for name, sub in cmd.commands.items())
        else:
            yield path, cmd


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"skilltide {__version__}"


def test_every_command_has_help_with_an_example_and_the_common_options(cli):
    commands = list(_commands(app))
    assert len(commands) >= 2
    for path, _ in commands:
        result = cli(*path, "--help")
        assert result.exit_code == 0, path
        assert "Example:" in result.stdout, f"skilltide {' '.join(path)} --help has no example"
        # demo and init use no warehouse or config file: they take only --quiet/--verbose
        common = ("--quiet", "--verbose")
        if path not in (("demo",), ("init",)):
            common = ("--db", "--config", *common)
        for option in common:
            assert option in result.stdout, f"skilltide {' '.join(path)} lacks {option}"


def test_run_help_lists_every_exit_status_it_can_end_with(cli):
    # for cron: it listed 0, 3, 1 and 75, not 2 (usage) or 130/143 (Ctrl-C, SIGTERM)
    text = " ".join(cli("run", "--help").stdout.split())
    for status in ("0 success", "3 partial success", "1 failure", "2 usage error", "75 another"):
        assert status in text
    assert "130 or 143 stopped by Ctrl-C or SIGTERM" in text


def test_command_listings_do_not_cut_a_sentence_inside_parentheses():
    # click cuts a listing's help at the first full stop: 'Load WORKBank (Shao et al.'
    import typer.main

    root = typer.main.get_command(app)
    for name, cmd in root.commands.items():
        subcommands = getattr(cmd, "commands", {})
        for shown in [cmd, *subcommands.values()]:
            short = shown.get_short_help_str(limit=1000)
            assert short.count("(") == short.count(")"), f"{name}: {short}"


@pytest.mark.parametrize("group", ["onet", "workbank", "ingest", "graph", "forecast", "breaks"])
def test_stage_names_are_reserved(cli, group):
    assert cli(group, "--help").exit_code == 0


def test_status_json_shape(cli, db):
    with Warehouse(db) as wh, wh.run("example"):
        pass
    result = cli("status", "--json", "--db", db)
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["schema_version"] == latest_version()
    assert report["tables"]["runs"] == 1
    assert report["runs"][0]["command"] == "example"
    assert set(report["runs"][0]) >= {"run_id", "command", "status", "started", "finished"}


def test_status_last_limits_the_runs_listed_newest_first(cli, db):
    with Warehouse(db) as wh:
        for name in ("first", "second", "third"):
            with wh.run(name):
                pass
    report = json.loads(cli("status", "--json", "--last", "2", "--db", db).stdout)
    assert [r["command"] for r in report["runs"]] == ["third", "second"]


def test_status_human_readable_shows_a_failed_runs_error(cli, db):
    from skilltide.errors import UserError

    with Warehouse(db) as wh, pytest.raises(UserError), wh.run("example"):
        raise UserError("ads.csv, row 3, field posted_at: bad")
    lines = cli("status", "--db", db).stdout.splitlines()
    line = next(x for x in lines if x.endswith("(ads.csv, row 3, field posted_at: bad)"))
    assert " failed " in line and " example " in line


def test_status_human_readable(cli, db):
    Warehouse(db).close()
    result = cli("status", "--db", db)
    assert result.exit_code == 0
    assert "schema version" in result.stdout and "  schema_migrations " in result.stdout
    assert "  runs " not in result.stdout  # empty tables are counted, not listed
    assert "empty tables (--json lists every table)" in result.stdout


def test_quiet_prints_the_results_of_a_query_command(cli, db):
    # --quiet: "Print only results"; what status was asked for is its result
    Warehouse(db).close()
    assert cli("status", "--db", db).stdout == cli("status", "-q", "--db", db).stdout != ""


def test_db_from_environment_and_config_file(cli, tmp_path, monkeypatch):
    env_db = tmp_path / "env.duckdb"
    Warehouse(env_db).close()
    monkeypatch.setenv("SKILLTIDE_DB", str(env_db))
    assert cli("status", "--json").exit_code == 0
    monkeypatch.delenv("SKILLTIDE_DB")
    config = tmp_path / "conf" / "skilltide.toml"
    config.parent.mkdir()
    config.write_text('[warehouse]\ndb = "../env.duckdb"\n')
    assert cli("status", "--json", "--config", config).exit_code == 0


def test_missing_warehouse_is_exit_1_with_one_line_and_no_traceback(tmp_path):
    proc = run_skilltide("status", "--db", tmp_path / "nope.duckdb")
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith("error: ") and "nope.duckdb" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_config_file_is_exit_1(tmp_path):
    proc = run_skilltide("status", "--config", tmp_path / "missing.toml")
    assert proc.returncode == 1
    assert "missing.toml: config file not found" in proc.stderr


def test_bad_config_names_the_file(tmp_path, cli):
    bad = tmp_path / "bad.toml"
    bad.write_text("[warehouse\n")
    result = cli("status", "--config", bad)
    assert result.exit_code == 1
    assert "bad.toml: not valid TOML" in result.stderr


def test_unknown_option_is_a_usage_error_exit_2(tmp_path):
    proc = run_skilltide("status", "--bogus")
    assert proc.returncode == 2
    assert "No such option" in proc.stderr


def test_bad_option_value_is_exit_2():
    proc = run_skilltide("status", "--last", "zero")
    assert proc.returncode == 2


def test_newer_warehouse_is_exit_1(db, cli):
    import duckdb

    Warehouse(db).close()
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now(), '9.9')")
    result = cli("status", "--db", db)
    assert result.exit_code == 1
    assert "newer skilltide" in result.stderr


def test_run_log_json_writes_json_lines_only(tmp_path):
    """As cron and systemd log it (stdout and stderr to one file): every line is JSON."""

    def lines(config: str, *extra: str) -> tuple[int, list[dict]]:
        (tmp_path / "skilltide.toml").write_text(config)
        proc = run_skilltide(
            "run", "--config", tmp_path / "skilltide.toml", "--log-json", "--db", tmp_path / "w",
            *extra,
        )  # fmt: skip
        return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()] + [
            json.loads(line) for line in proc.stderr.splitlines()
        ]

    code, records = lines("[forecast]\nmodel = 'naive'\n")  # no demand: the stage fails
    assert code == 1
    failed = [r for r in records if r["event"] == "stage.failed"]
    assert len(failed) == 1 and "no demand panel 'ads'" in failed[0]["error"]
    assert records[-1]["event"] == "run.finish" and records[-1]["status"] == "failed"
    code, records = lines("[forcast]\n")  # refused before any stage
    assert code == 1
    assert [(r["level"], r["event"]) for r in records] == [("error", "run.refused")]
    assert "unknown section 'forcast'" in records[0]["error"]
    code, records = lines("[forecast\n")  # not TOML: refused while the settings load
    assert code == 1 and [r["event"] for r in records] == ["run.refused"]
    assert "not valid TOML" in records[0]["error"]
    moved = run_skilltide("run", "--config", tmp_path / "moved.toml", "--log-json")
    assert moved.returncode == 1 and moved.stdout == ""
    assert json.loads(moved.stderr)["event"] == "run.refused"
    code, records = lines("[forecast]\nmodel = 'naive'\n", "--json")  # the summary: one line
    assert code == 1 and records[0]["status"] == "failed" and "stages" in records[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--generate-only", "{file}"), "is a file; give a folder"),
        (("--out", "{file}", "--size", "small"), "is a file; give a folder"),
        (("--generate-only", "{folder}", "--seed", "-1"), "--seed must be a whole number >= 0"),
        (("--out", "{folder}", "--size", "huge"), "--size must be one of small"),
    ],
)
def test_demo_refuses_bad_arguments_in_one_line_before_writing(tmp_path, args, message):
    file, folder = tmp_path / "skilltide.toml", tmp_path / "market"
    file.write_text("")
    proc = run_skilltide("demo", *(a.format(file=file, folder=folder) for a in args))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ") and message in proc.stderr
    assert not folder.exists()


def test_demo_and_init_ignore_a_broken_config_and_refuse_db(tmp_path):
    """Neither uses the warehouse or a config file: a broken ./skilltide.toml (which
    ``init --force`` is there to replace) does not stop them, and ``--db`` is a usage error
    instead of being silently ignored."""
    (tmp_path / "skilltide.toml").write_text("[ingest\n")
    init = run_skilltide("init", "--force", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert "[warehouse]" in (tmp_path / "skilltide.toml").read_text()
    market = run_skilltide("demo", "--generate-only", "market", "--size", "small", cwd=tmp_path)
    assert market.returncode == 0, market.stderr
    assert (tmp_path / "market").is_dir()
    for command in ("demo", "init"):
        proc = run_skilltide(command, "--db", "x.duckdb", cwd=tmp_path)
        assert proc.returncode == 2 and "No such option: --db" in proc.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_demo_on_a_full_disk_or_read_only_folder_is_one_line(cli, tmp_path, monkeypatch):
    # Found on a 300 KB tmpfs and a read-only one: an OSError traceback from the writer.
    import errno
    from pathlib import Path

    import skilltide.synthetic as synthetic

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(synthetic, "write_market", full)
    result = cli("demo", "--generate-only", tmp_path / "market", "--size", "small")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"error: {tmp_path / 'market'}: cannot write it (No space left on device)"
    )

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "mkdir", read_only)
    result = cli("demo", "--out", tmp_path / "demo", "--size", "small")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"error: {tmp_path / 'demo'}: cannot create the folder (Read-only file system)"
    )


def test_demo_generate_only_follows_its_seed(cli, tmp_path):
    """The same --seed writes the same market; another seed another one (and the manifest
    says which)."""
    import hashlib

    def market(name: str, seed: int) -> dict[str, str]:
        folder = tmp_path / name
        result = cli("demo", "--generate-only", folder, "--size", "small", "--seed", seed)
        assert result.exit_code == 0, result.output
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    first, again, other = market("a", 3), market("b", 3), market("c", 4)
    assert first == again
    assert first.keys() == other.keys()
    assert first["ads.csv"] != other["ads.csv"]
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert manifest["seed"] == 4


@pytest.mark.parametrize("own", ["skilltide.toml", "skilltide.duckdb", "data/ads.csv"])
def test_demo_refuses_a_folder_holding_a_users_config_warehouse_or_data(cli, tmp_path, own):
    # `skilltide demo --out .` in a project folder overwrote its skilltide.toml and ran the
    # synthetic market into its warehouse, silently.
    mine = tmp_path / own
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_bytes(b"# my production config\n")
    result = cli("demo", "--out", tmp_path, "--size", "small")
    assert result.exit_code == 1
    assert "that `skilltide demo` did not write" in result.output
    assert mine.read_bytes() == b"# my production config\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == sorted(
        {own, *(["data"] if own.startswith("data/") else [])}
    )


def test_demo_runs_again_in_its_own_folder(tmp_path):
    from skilltide.demo import DEMO_CONFIG, _refuse_foreign

    (tmp_path / "skilltide.toml").write_text(DEMO_CONFIG)
    (tmp_path / "skilltide.duckdb").write_bytes(b"")
    (tmp_path / "data").mkdir()
    _refuse_foreign(tmp_path)  # no error: the demo's own config, warehouse and data


def test_demo_keeps_an_edited_copy_of_its_config_and_says_how_to_run_it(cli, tmp_path):
    # A rerun of the demo overwrote the user's edits to its skilltide.toml, silently.
    from skilltide.demo import DEMO_CONFIG

    config = tmp_path / "skilltide.toml"
    edited = DEMO_CONFIG.replace("horizon = 6", "horizon = 12")
    config.write_text(edited)
    result = cli("demo", "--out", tmp_path, "--size", "small")
    assert result.exit_code == 1
    assert f"{config}: is not the config `skilltide demo` writes (edited since?)" in result.output
    assert f"skilltide run --config {config}" in result.output
    assert config.read_text() == edited and [p.name for p in tmp_path.iterdir()] == [config.name]


def test_demo_replaces_the_config_an_earlier_version_wrote(cli, tmp_path, monkeypatch):
    # A release that changes DEMO_CONFIG must run an earlier demo folder again, not refuse its
    # unedited config as "edited since?".
    import hashlib

    from skilltide import demo, pipeline

    assert hashlib.sha256(demo.DEMO_CONFIG.encode()).hexdigest() in demo.WRITTEN_CONFIGS
    config = tmp_path / "skilltide.toml"
    config.write_text(demo.DEMO_CONFIG)  # this version's, now an earlier one's
    upgraded = demo.DEMO_CONFIG.replace("horizon = 6", "horizon = 12")
    monkeypatch.setattr(demo, "DEMO_CONFIG", upgraded)

    def stop(settings, log):  # the pipeline is tested elsewhere: stop before it runs
        raise UserError(f"stopped with {settings.config_path.read_text() == upgraded}")

    monkeypatch.setattr(pipeline, "run_pipeline", stop)
    result = cli("demo", "--out", tmp_path, "--size", "small")
    assert result.exit_code == 1 and "stopped with True" in result.output, result.output
    assert config.read_text() == upgraded


def test_demo_accepts_a_folder_with_an_empty_data_folder(tmp_path):
    from skilltide.demo import _refuse_foreign

    (tmp_path / "data").mkdir()  # e.g. made ready for the demo: nothing to overwrite
    _refuse_foreign(tmp_path)
    (tmp_path / "data" / "ads.csv").write_text("mine\n")
    with pytest.raises(UserError, match="holds data/ that `skilltide demo` did not write"):
        _refuse_foreign(tmp_path)


def test_demo_generate_only_refuses_a_folder_of_other_files(cli, tmp_path):
    # --generate-only into a folder of the user's own ads.csv overwrote it.
    (tmp_path / "ads.csv").write_text("mine\n")
    result = cli("demo", "--generate-only", tmp_path, "--size", "small")
    assert result.exit_code == 1 and "no synthetic market (manifest.json)" in result.output
    assert (tmp_path / "ads.csv").read_text() == "mine\n"


@pytest.mark.parametrize(
    ("command", "first"),
    [
        (("onet", "code-titles", "Nurse"), "skilltide onet load DIR"),
        (("onet", "build-coder"), "skilltide onet load DIR"),
        (("workbank", "summary"), "skilltide workbank load DIR"),
        # status said only "run a command that writes first": which one, or a wrong path?
        (("status",), "skilltide demo` or `skilltide ingest ads FILE…"),
    ],
)
def test_a_mistyped_db_leaves_no_empty_warehouse_behind(cli, tmp_path, command, first):
    # code-titles, build-coder and workbank summary created an empty warehouse at the typo
    db = tmp_path / "typo.duckdb"
    result = cli(*command, "--db", db)
    assert result.exit_code == 1
    assert f"no warehouse here (give --db the warehouse's path, or run `{first}` first)" in (
        result.output
    )
    assert not db.exists()
