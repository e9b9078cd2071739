"""``breaks detect`` from the CLI, and the forecast options that use breaks."""

from __future__ import annotations

import json

from tests.forecast._panels import known_panel
from tests.forecast.test_cli import _write


def test_breaks_detect_refuses_an_output_it_cannot_write_before_any_work(cli, tmp_path):
    src = _write(known_panel(copies=1), tmp_path / "in.csv")
    result = cli("breaks", "detect", src, "--out", tmp_path / "b.txt")
    assert result.exit_code != 0 and "must end in .csv or .parquet" in result.output
    assert not (tmp_path / "b.txt").exists()
    result = cli("breaks", "detect", src, "--out", tmp_path / "missing" / "b.csv")
    assert result.exit_code != 0 and "does not exist" in result.output


def test_breaks_detect_names_the_file_and_month_of_a_gap(cli, tmp_path):
    src = tmp_path / "gap.csv"
    months = [f"{y}-{m:02d}" for y in (2020, 2021) for m in range(1, 13) if (y, m) != (2020, 11)]
    src.write_text("unique_id,ds,y\n" + "".join(f"s,{m},{i % 3}\n" for i, m in enumerate(months)))
    refused = cli("breaks", "detect", src)
    assert refused.exit_code == 1
    assert "gap.csv: series 's' has no row for 2020-11" in refused.output
    assert "fill_gaps" not in refused.output  # a Python function is no advice for the CLI
    assert cli("breaks", "detect", src, "--fill", 0).exit_code == 0


def test_a_breaks_file_of_another_panel_is_refused_not_ignored(cli, tmp_path):
    """Breaks whose ids match no series changed nothing, silently (the warehouse's
    'all/hn:.NET Core' against a file's '.NET Core')."""
    src = _write(known_panel(copies=1), tmp_path / "in.csv")
    foreign = tmp_path / "breaks.csv"
    foreign.write_text("unique_id,break_ds\nall/hn:elsewhere,2021-01-01\n")
    for command in (("panel", "--out", tmp_path / "f.csv"), ("backtest",)):
        result = cli("forecast", command[0], src, "--horizon", 2, "--breaks", foreign, *command[1:])
        assert result.exit_code == 1, result.output
        assert "breaks.csv: none of its 1 series (such as 'all/hn:elsewhere') is a series of" in (
            result.output
        )
    assert not (tmp_path / "f.csv").exists()


def test_market_break_months_print_as_ranges():
    """HN counts: twelve months were listed one by one for four market events."""
    from skilltide.forecast.breaks_cli import month_runs

    months = ["2018-05", "2018-06", "2018-07", "2020-08", "2020-12", "2021-01"]
    assert month_runs(months) == "2018-05..2018-07, 2020-08, 2020-12..2021-01"


def test_post_break_without_breaks_says_what_it_forecast(tmp_path, db):
    """post_break with no breaks is the 12-month mean: said on stderr, by forecast panel and
    forecast run alike, and not when it has breaks (--breaks detect)."""
    from skilltide.store import Warehouse
    from tests.conftest import run_skilltide
    from tests.forecast.test_warehouse import _load_demand

    path = _write(known_panel(copies=2), tmp_path / "p.csv")
    warning = "warning: post_break had no breaks to use"
    bare = run_skilltide(
        "forecast", "panel", path, "--horizon", 2, "-m", "post_break", "-o", tmp_path / "a.csv"
    )
    assert bare.returncode == 0 and warning in bare.stderr
    aware = run_skilltide(
        "forecast",
        "panel",
        path,
        "--horizon",
        2,
        "-m",
        "post_break",
        "--breaks",
        "detect",
        "-o",
        tmp_path / "b.csv",
    )
    assert aware.returncode == 0 and "warning" not in aware.stderr
    with Warehouse(db) as wh:
        _load_demand(wh)
    run = run_skilltide("forecast", "run", "--db", db, "--horizon", 2, "-m", "post_break", "--json")
    assert run.returncode == 0 and warning in run.stderr
    assert json.loads(run.stdout)["breaks"] == "none"


def test_breaks_detect_takes_g_for_its_granularity_as_forecast_run_does(cli, db, tmp_path):
    # `forecast run -g r1` worked, `breaks detect -g r1` was "No such option: -g" (exit 2)
    path = tmp_path / "r1.csv"
    path.write_text(
        "group,skill,month,count\n" + "".join(f"a,Python,2022-{m:02d},{m}\n" for m in range(1, 13))
    )
    assert cli("ingest", "demand", path, "--panel", "p", "--db", db).exit_code == 0
    result = cli("breaks", "detect", "--panel", "p", "-g", "group", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["granularity"] == "group"


def test_shares_of_a_panel_without_totals_are_refused_in_the_cli_words(cli, db, tmp_path):
    # the error told a command-line user to "use value='count'", the Python argument
    path = tmp_path / "p.csv"
    path.write_text("skill,month,count\n" + "".join(f"Python,2022-{m:02d},{m}\n" for m in (1, 2)))
    assert cli("ingest", "demand", path, "--panel", "p", "--db", db).exit_code == 0
    result = cli("breaks", "detect", "--panel", "p", "--value", "share", "--db", db)
    assert result.exit_code == 1
    assert (
        "demand panel 'p' (market): shares are unknown (no totals); use counts (--value count)"
        in (result.output)
    )
