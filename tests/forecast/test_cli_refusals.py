"""Option values the forecast and breaks commands refuse up front (a usage error, exit 2) or
report as they took them."""

from __future__ import annotations

import pytest

GAP = "unique_id,ds,y\na,2020-01,1\na,2020-02,2\na,2020-04,3\na,2020-05,4\n" + "".join(
    f"a,2020-{m:02d},{m}\n" for m in range(6, 13)
)


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
@pytest.mark.parametrize(
    "command",
    [
        ("forecast", "panel", "-m", "naive", "--horizon", "1"),
        ("forecast", "backtest", "--models", "naive", "--horizon", "1"),
        ("breaks", "detect", "--min-size", "3"),
    ],
)
def test_a_fill_that_is_not_a_demand_value_is_refused(cli, tmp_path, command, value):
    # NaN or inf went into the series as data: forecasts came out of a panel with holes
    # in it, and breaks detect ran on NaN with numpy warnings, both exiting 0.
    src = tmp_path / "gap.csv"
    src.write_text(GAP)
    out = tmp_path / "out.csv"
    got = cli(command[0], command[1], src, *command[2:], "--fill", value, "--out", out)
    assert got.exit_code == 2, got.output
    assert "Invalid value for '--fill'" in got.output and "use a number >= 0" in got.output
    assert not out.exists()


def test_a_fill_of_zero_is_still_taken(cli, tmp_path):
    src = tmp_path / "gap.csv"
    src.write_text(GAP)
    got = cli(
        "forecast",
        "panel",
        src,
        "-m",
        "naive",
        "--horizon",
        "1",
        "--fill",
        "0",
        "--out",
        tmp_path / "f.csv",
    )
    assert got.exit_code == 0, got.output


@pytest.mark.parametrize("command", [("forecast", "panel"), ("forecast", "backtest")])
def test_a_horizon_past_the_calendar_is_a_usage_error_not_a_traceback(cli, tmp_path, command):
    # -h 100000 ran into the year 10000 and ended in "ValueError: year 10000 is out of range".
    src = tmp_path / "gap.csv"
    src.write_text(GAP)
    got = cli(*command, src, "--horizon", "100000", "--fill", "0", "--out", tmp_path / "f.csv")
    assert got.exit_code == 2, got.output
    assert "less than or equal to 1200" in got.output


def test_backtest_reports_the_origins_it_ran_not_the_ones_asked_for(cli, tmp_path):
    # 12 months, horizon 3: room for 8 origins; --windows 50 printed "50 rolling origins".
    src = tmp_path / "gap.csv"
    src.write_text(GAP)
    got = cli("forecast", "backtest", src, "--models", "naive", "--windows", "50", "--fill", "0")
    assert got.exit_code == 0, got.output
    assert "steps 1-3, 8 rolling origins" in got.output


@pytest.mark.parametrize(
    "names",
    [("--id-col", "ds"), ("--y-col", "ds"), ("--ds-col", "y")],
)
@pytest.mark.parametrize("command", [("forecast", "panel"), ("breaks", "detect")])
def test_one_column_named_for_two_fields_is_refused_as_such(cli, tmp_path, command, names):
    # --y-col ds read the month column as values: "field ds: '2020-01' is not a number".
    src = tmp_path / "gap.csv"
    src.write_text(GAP)
    got = cli(*command, src, *names, "--fill", "0", "--out", tmp_path / "f.csv")
    assert got.exit_code == 1, got.output
    assert "name three different columns" in got.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("FILE", "--value", "share"), "--value: only for a warehouse panel"),
        (("FILE", "--granularity", "region"), "--granularity: only for a warehouse panel"),
        (("--fill", "0"), "--fill: only for an INPUT file"),
        (("--y-col", "n"), "--y-col: only for an INPUT file"),
    ],
)
def test_breaks_detect_refuses_an_option_its_input_does_not_use(cli, tmp_path, db, args, message):
    # breaks detect FILE --value share tested the file's counts and said nothing.
    src = tmp_path / "gap.csv"
    src.write_text(GAP)
    args = tuple(src if a == "FILE" else a for a in args)
    got = cli("breaks", "detect", *args, "--db", db)
    assert got.exit_code == 1, got.output
    assert message in got.output
