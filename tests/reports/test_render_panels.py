"""``skilltide report`` on imported panels: skill mentions without ad totals, and panels of
levels (an index) worded in their unit, counted by series and compared on the same series."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import polars as pl

from skilltide.provenance import provenance_path
from skilltide.store import Warehouse


def test_panel_without_ad_totals_reports_skill_mentions(cli, db, tmp_path):
    """An imported Job-SDF-style panel has skill counts but no ad totals: the overview counts
    skill mentions (and says so) instead of failing on an empty market series."""
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    wide = pl.DataFrame(
        {"region_id": ["1", "1", "2"], "skill_id": ["10", "11", "10"]}
        | {m: [float(k + 1), 2.0, 3.0] for k, m in enumerate(months)}
    )
    wide.write_parquet(tmp_path / "region.parquet")
    imported = cli("ingest", "demand", tmp_path / "region.parquet", "--panel", "wide", "--db", db)
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "r"
    result = cli("report", "--db", db, "--out", out, "--panel", "wide", "--granularity", "region")
    assert result.exit_code == 0, result.output
    text = (out / "report.html").read_text()
    assert "skill mentions in the data" in text and "job ads in the data" not in text
    # the methods name the imported file and run, and do not claim skilltide counted ads
    assert "Demand is the &#x27;wide&#x27; panel, imported already aggregated from" in text
    assert "each ad counts once" not in text
    # ... and the bytes it came from (before, the file's path alone: another file of that
    # name would have read the same)
    sha = hashlib.sha256((tmp_path / "region.parquet").read_bytes()).hexdigest()
    assert f"region.parquet (sha256 {sha}, run " in text
    runs = json.loads(provenance_path(out / "report.html").read_text())["options"]["runs_read"]
    assert [(Path(f["file"]).name, f["sha256"]) for f in runs["imported_files"]] == [
        ("region.parquet", sha)
    ]
    assert f"{sum(range(1, 13)) + 12 * 5:,} skill mentions" in text
    # the market chart sums skill mentions, so it must not call them job ads
    assert "Skill mentions per month, whole market" in text
    assert "Job ads per month" not in text and "Ads per month" not in text


def test_panel_of_levels_is_worded_in_its_unit_and_never_summed(cli, db, tmp_path):
    """A daily index imported with --per-month mean --unit: the report called the sum of 46
    sector indexes '327,599 skill mentions' and their values 'ads a month'."""
    days = pl.date_range(pl.date(2022, 1, 1), pl.date(2023, 12, 31), eager=True)
    rows = [(d.isoformat(), sector, 100.0 + k + d.month) for d in days for k, sector in
            enumerate(["Nursing", "Retail"])]  # fmt: skip
    path = tmp_path / "index.csv"
    pl.DataFrame(rows, schema=["date", "sector", "index"], orient="row").write_csv(path)
    mapping = ["--map", "skill=sector", "--map", "month=date", "--map", "count=index"]
    imported = cli("ingest", "demand", path, *mapping, "--panel", "idx", "--per-month", "mean",
                   "--unit", "index points", "--db", db)  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert cli("forecast", "run", "--panel", "idx", "--horizon", 3, "--db", db).exit_code == 0
    out = tmp_path / "r"
    result = cli("report", "--db", db, "--out", out, "--panel", "idx")
    assert result.exit_code == 0, result.output
    text = (out / "report.html").read_text()
    assert "the panel holds 2 series in index points, not counts of ads" in text
    # December 2023: Nursing 112, Retail 113, as in December 2022
    assert "In Dec 2023 their mean was 112, 0% on a year earlier" in text
    assert "mean index points of the series in Dec 2023" in text
    assert "series tracked" in text and "skills tracked" not in text  # sectors, not skills
    assert "Mean index points per month, whole market" in text
    assert "skill mentions" not in text.lower() and "ads a month" not in text
    assert "Of 2 series with enough data" in text and "enough ads" not in text
    assert "Base level (index points)" in text
    assert "in the data" not in text  # no sum of levels


def test_a_panel_of_levels_by_group_counts_its_series_not_its_skills(cli, db, tmp_path):
    """Indeed's US and GB sector indexes imported by country: the report said 'the panel
    holds 49 series' and '49 series tracked' for 94 series (49 sectors, most in both)."""
    rows = [(f"2023-{m:02d}", country, sector, 100.0 + m) for m in range(1, 13)
            for country in ("US", "GB") for sector in ("Nursing", "Retail")]  # fmt: skip
    _import_index(cli, db, tmp_path, rows)
    text = _index_report(cli, db, tmp_path)
    assert "the panel holds 4 series in index points, not counts of ads, by group" in text
    assert '<span class="value">4</span><span class="label">series tracked' in text


def test_a_panel_of_levels_compares_a_year_on_the_same_series(cli, db, tmp_path):
    """Indeed's GB sectors end in 2024-08, the US ones in 2024-09: the headline compared the
    mean of the 46 US series in Sep 2024 with that of all 94 a year earlier, and called the
    mean of fewer series 'their mean'."""
    rows = [(f"{y}-{m:02d}", country, sector, (50.0 if country == "GB" else 90.0 + 10 * (y - 2021)))
            for y in (2022, 2023) for m in range(1, 13) for country in ("US", "GB")
            for sector in ("Nursing", "Retail")
            if not (country == "GB" and (y, m) == (2023, 12))]  # fmt: skip
    _import_index(cli, db, tmp_path, rows)
    text = _index_report(cli, db, tmp_path)
    # Nov 2023, the last month of all four: (110 + 110 + 50 + 50) / 4 = 80; Nov 2022: 75
    # (Dec 2023's 2 US series against all four a year earlier read +47%)
    assert "In Nov 2023 their mean was 80.0, +7% on a year earlier." in text


def test_the_market_line_of_a_panel_of_levels_keeps_the_same_series(cli, db, tmp_path):
    """Indeed US+GB by sector: the mean of the series rose from 105.7 in Aug 2024 to 115.4 in
    Sep 2024 only because the 48 GB series had ended. The line ends in the last month every
    series has and says which months it leaves out; the stats count every month."""
    from skilltide.reports.series_data import load_series

    rows = [(f"{y}-{m:02d}", country, sector, 50.0 if country == "GB" else 100.0)
            for y in (2022, 2023) for m in range(1, 13) for country in ("US", "GB")
            for sector in ("Nursing", "Retail")
            if not (country == "GB" and (y, m) >= (2023, 11))]  # fmt: skip
    _import_index(cli, db, tmp_path, rows)
    with Warehouse(db) as wh:
        data = load_series(wh, panel="idx", granularity="group")
    assert data.market["ads"].unique().to_list() == [75.0]  # not 100 in Nov and Dec 2023
    assert data.market["month"].max() == dt.date(2023, 10, 1)
    text = _index_report(cli, db, tmp_path)
    assert (
        "The market line is the mean of all 4 series over the months every one of them has: "
        "2 months (Nov 2023 to Dec 2023) hold only 2 and are left out" in text
    )
    assert '"value">24</span><span class="label">months of history' in text  # all months


def _import_index(cli, db, tmp_path, rows: list[tuple]) -> None:
    """Import ``rows`` (month, group, skill, value) as panel 'idx', in index points."""
    path = tmp_path / "index.csv"
    pl.DataFrame(rows, schema=["month", "group", "skill", "count"], orient="row").write_csv(path)
    args = ["--panel", "idx", "--unit", "index points", "--db", db]
    assert cli("ingest", "demand", path, *args).exit_code == 0


def _index_report(cli, db, tmp_path) -> str:
    """The report of panel 'idx' by group, as HTML text."""
    out = tmp_path / "r.html"
    result = cli("report", "--db", db, "--out", out, "--panel", "idx", "--granularity", "group")
    assert result.exit_code == 0, result.output
    return out.read_text()
