"""``ingest demand --per-month``: daily or weekly rows of an imported panel combined into months."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.ingest.demand import import_demand
from skilltide.ingest.demand_periods import partial_months
from tests.conftest import shared_path

INDEED_US = ("jobads", "indeed_hiring_lab", "by_sector", "job_postings_by_sector_US.csv")
INDEED_MAP = {"skill": "display_name", "month": "date", "count": "indeed_job_postings_index"}


def _daily(tmp_path, days: list[str], skills=("Widgets",), total: bool = True):
    """A daily panel: count = day of month, total = 10 × that."""
    rows = [
        f"{s},{d},{int(d[8:])}" + (f",{10 * int(d[8:])}" if total else "")
        for d in days
        for s in skills
    ]
    path = tmp_path / "daily.csv"
    path.write_text(
        ("skill,date,count,total\n" if total else "skill,date,count\n") + "\n".join(rows)
    )
    return path


def _panel(wh, panel: str = "p") -> list[tuple]:
    return wh.query(
        "SELECT skill_id, strftime(month, '%Y-%m') AS m, count, total, share FROM demand"
        f" WHERE panel = '{panel}' ORDER BY ALL"
    ).rows()


def _days(start: str, end: str) -> list[str]:
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return [str(first + dt.timedelta(n)) for n in range((last - first).days + 1)]


def test_sum_adds_up_days_and_leaves_out_a_partial_last_month(wh, tmp_path):
    path = _daily(tmp_path, _days("2024-01-01", "2024-03-10"))
    s = import_demand(wh, path, panel="p", per_month="sum")
    january, february = sum(range(1, 32)), sum(range(1, 30))
    assert _panel(wh) == [
        ("p:Widgets", "2024-01", january, 10 * january, 0.1),
        ("p:Widgets", "2024-02", february, 10 * february, 0.1),
    ]
    assert (s["per_month"], s["rows_read"], s["rows"], s["partial_months"]) == (
        "sum",
        70,
        2,
        ["2024-03"],
    )
    totals = wh.query("SELECT strftime(month, '%Y-%m') AS m, ads FROM demand_totals ORDER BY 1")
    assert totals.rows() == [("2024-01", 10 * january), ("2024-02", 10 * february)]


def test_mean_and_last_keep_every_month(wh, tmp_path):
    path = _daily(tmp_path, _days("2024-01-30", "2024-02-03"), total=False)
    import_demand(wh, path, panel="p", per_month="mean")
    assert _panel(wh) == [
        ("p:Widgets", "2024-01", 30.5, None, None),
        ("p:Widgets", "2024-02", 2.0, None, None),
    ]
    import_demand(wh, path, panel="p", per_month="last")
    assert [r[2] for r in _panel(wh)] == [31.0, 3.0]


def test_last_takes_the_latest_date_whatever_the_row_order(wh, tmp_path):
    path = tmp_path / "weekly.csv"
    path.write_text(
        "skill,date,count\nGadgets,2024-01-29,7\nGadgets,2024-01-01,1\nGadgets,2024-01-15,3\n"
    )
    s = import_demand(wh, path, panel="p", per_month="last")
    assert _panel(wh) == [("p:Gadgets", "2024-01", 7.0, None, None)] and s["partial_months"] == []


def test_a_month_total_is_missing_when_one_of_its_rows_has_none(wh, tmp_path):
    path = tmp_path / "daily.csv"
    path.write_text("skill,date,count,total\nGadgets,2024-01-01,1,10\nGadgets,2024-01-02,2,\n")
    import_demand(wh, path, panel="p", per_month="mean")
    assert _panel(wh) == [("p:Gadgets", "2024-01", 1.5, None, None)]


def test_daily_rows_without_the_option_are_refused_naming_it(wh, tmp_path):
    path = _daily(tmp_path, _days("2024-01-01", "2024-01-03"))
    with pytest.raises(
        UserError,
        match=r"rows 1, 2, 3: .* or combine daily or weekly rows with --per-month sum\|mean\|last",
    ):
        import_demand(wh, path, panel="p")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # one date twice would be counted twice
        (
            "Gadgets,2024-01-01,1\nGadgets,2024-01-02,2\nGadgets,2024-01-01,3",
            r"rows 1, 3: skill 'Gadgets', group 'all' appears more than once on '2024-01-01'; "
            "give one row per skill, group and date",
        ),
        # months as written give no dates to combine
        ("Gadgets,2024-01,1\nGadgets,2024-01,2", r"rows 1, 2: .* on '2024-01'"),
        ("Gadgets,2024-01-01,1\nGadgets,2024-01-02,x", r"row 2, field count"),
        # one date written two ways is still one date
        (
            "Gadgets,2024-01-05,1\nGadgets,2024-01-05T00:00,2",
            r"rows 1, 2: .* more than once on '2024-01-05'",
        ),
        # not ISO: '2024-01-5' sorts after '2024-01-10', so 'last' took the 5th
        ("Gadgets,2024-01-10,1\nGadgets,2024-01-5,2", r"row 2, field month: '2024-01-5' is not"),
        ("Gadgets,2024-01-10,1\nGadgets,2024-01-32,2", r"row 2, field month: '2024-01-32'"),
        # daily data inside one month: nothing left to import with sum
        ("Gadgets,2024-01-10,1\nGadgets,2024-01-11,2", r"every month is partial \(2024-01\)"),
    ],
)
def test_per_month_refuses_what_it_cannot_combine(wh, tmp_path, rows, message):
    path = tmp_path / "daily.csv"
    path.write_text("skill,date,count\n" + rows + "\n")
    with pytest.raises(UserError, match=message):
        import_demand(wh, path, panel="p", per_month="sum")
    assert wh.query("SELECT count(*) AS n FROM demand")["n"][0] == 0


def test_the_unit_of_a_panel_of_levels_is_kept_until_it_is_imported_again(wh, tmp_path):
    def unit() -> list:
        return wh.query("SELECT panel, granularity, unit FROM demand_units ORDER BY ALL").rows()

    path = _daily(tmp_path, _days("2024-01-01", "2024-02-29"), total=False)
    s = import_demand(wh, path, panel="p", per_month="mean", unit=" index points ")
    assert s["unit"] == "index points" and unit() == [("p", "market", "index points")]
    import_demand(wh, path, panel="p", per_month="last")  # a mean or a last value: no count
    assert unit() == [("p", "market", "units")]
    # counts of another granularity of the panel: the market's index keeps its unit (the
    # review's find: it was dropped, and the report summed the index again)
    groups = tmp_path / "groups.csv"
    groups.write_text("skill,month,count,group\nWidgets,2024-01,3,north\n")
    import_demand(wh, groups, panel="p")
    assert unit() == [("p", "market", "units")]
    import_demand(wh, path, panel="p", per_month="sum")  # counts again
    assert unit() == []
    with pytest.raises(UserError, match="--unit: give what the values measure"):
        import_demand(wh, path, panel="p", unit=" ")


def test_a_panel_stored_with_the_old_default_unit_reads_as_units(wh, tmp_path):
    """The default was 'value', which the report wrote as '... in value'."""
    from skilltide.reports.market_line import panel_unit

    path = _daily(tmp_path, _days("2024-01-01", "2024-02-29"), total=False)
    import_demand(wh, path, panel="p", per_month="mean", unit="value")  # as stored before
    assert panel_unit(wh, "p", "market") == "units"
    import_demand(wh, path, panel="p", per_month="mean", unit="index points")
    assert panel_unit(wh, "p", "market") == "index points"
    assert panel_unit(wh, "p", "occupation") is None


@pytest.mark.parametrize(
    ("dates", "partial"),
    [
        (["2024-01-01", "2024-01-02", "2024-02-29"], []),  # daily, whole months
        (["2024-01-02", "2024-01-03", "2024-01-31"], ["2024-01"]),  # starts a day late
        (["2024-01-01", "2024-01-08", "2024-01-15"], ["2024-01"]),  # weekly, ends mid-month
        (["2024-01-01", "2024-01-08", "2024-01-29"], []),  # weekly: one more would be February
        (["2024-01", "2024-02"], []),  # no dates: nothing to judge
        # one day written with and without its time (two skills' rows) is one date
        (["2024-01-02", "2024-01-02 00:00:00", "2024-01-03", "2024-01-31"], ["2024-01"]),
    ],
)
def test_partial_months_are_judged_by_the_step_between_dates(dates, partial):
    assert partial_months(pl.Series(dates)) == partial


def test_the_cli_combines_warns_and_records_the_option(cli, db, tmp_path):
    path = _daily(tmp_path, _days("2024-01-01", "2024-02-10"))
    bad = cli("ingest", "demand", path, "--per-month", "median", "--db", db)
    assert bad.exit_code == 2 and "'median' is not one of sum, mean, last" in bad.output
    result = cli("ingest", "demand", path, "--per-month", "sum", "--db", db)
    assert result.exit_code == 0, result.output
    assert "1 rows from 41 rows by month (sum)" in result.stdout
    assert "warning: left out 2024-02: the dates cover only part of the month" in result.stderr
    result = cli("ingest", "demand", path, "--per-month", "mean", "--json", "--db", db)
    summary = json.loads(result.stdout)
    assert summary["per_month"] == "mean" and summary["partial_months"] == []
    from skilltide.store import Warehouse

    with Warehouse(db) as wh:
        args = wh.query("SELECT args FROM runs WHERE run_id = ?", [summary["run_id"]])["args"][0]
    assert json.loads(args)["per_month"] == "mean"


@pytest.mark.shared_data
def test_indeed_daily_postings_index_by_sector(wh):
    path = shared_path(*INDEED_US)
    s = import_demand(wh, path, mapping=INDEED_MAP, panel="indeed", per_month="mean")
    assert (s["skills"], s["months"], s["rows_read"]) == (46, 56, 78_246)
    # the month's mean, computed here from the file
    raw = pl.read_csv(path).filter(
        (pl.col("display_name") == "Software Development")
        & pl.col("date").str.starts_with("2022-02")
    )
    stored = wh.query(
        "SELECT count FROM demand WHERE panel = 'indeed' AND month = DATE '2022-02-01'"
        " AND skill_id = 'indeed:Software Development'"
    )["count"][0]
    assert stored == pytest.approx(raw["indeed_job_postings_index"].mean())
    # the index ends on 27 September 2024: a sum would leave that month out
    summed = import_demand(wh, path, mapping=INDEED_MAP, panel="indeed_sum", per_month="sum")
    assert summed["partial_months"] == ["2024-09"] and summed["months"] == 55


@pytest.mark.shared_data
def test_indeed_software_postings_turn_in_2022_is_a_break(cli, db):
    # US software development postings peaked in early 2022 and fell by two thirds
    path = shared_path(*INDEED_US)
    mapping = [a for field, column in INDEED_MAP.items() for a in ("--map", f"{field}={column}")]
    imported = cli(
        "ingest", "demand", path, *mapping, "--panel", "indeed", "--per-month", "mean", "--db", db
    )
    assert imported.exit_code == 0, imported.output
    detected = cli("breaks", "detect", "--panel", "indeed", "--db", db)
    assert detected.exit_code == 0, detected.output
    from skilltide.store import Warehouse

    with Warehouse(db) as wh:
        turns = wh.query(
            "SELECT strftime(break_ds, '%Y-%m') AS m FROM breaks WHERE kind = 'trend'"
            " AND size < 0 AND skill_id = 'indeed:Software Development'"
        )["m"].to_list()
    assert any("2022-01" <= m <= "2022-07" for m in turns), turns


def test_weekly_sums_warn_that_months_hold_four_or_five_weeks(cli, db, tmp_path):
    weeks = [str(dt.date(2024, 1, 1) + dt.timedelta(7 * n)) for n in range(26)]  # to 24 June
    path = tmp_path / "weekly.csv"
    path.write_text("skill,date,count\n" + "".join(f"Widgets,{d},100\n" for d in weeks))
    result = cli("ingest", "demand", path, "--per-month", "sum", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    assert "months hold 4 to 5 dates each" in result.stderr and "up to 25%" in result.stderr
    assert json.loads(result.stdout)["dates_per_month"] == [4, 5]
    daily = _daily(tmp_path, _days("2024-01-01", "2024-02-29"))
    result = cli("ingest", "demand", daily, "--per-month", "sum", "--json", "--db", db)
    assert json.loads(result.stdout)["dates_per_month"] == [] and "dates each" not in result.stderr
