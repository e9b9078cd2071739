"""Months an imported panel should not count: `ingest demand --missing-months`, and the
warning for months with too few ads to be whole."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.forecast.demand_panel import warehouse_panel
from skilltide.ingest.demand import import_demand
from skilltide.ingest.demand_gaps import low_months
from tests.conftest import shared_path

POSTS = [220, 231, 205, 198, 3, 240, 226, 215]  # the fifth month: a thread that drew no posts


def _panel(path, posts=POSTS) -> None:
    rows = []
    for k, total in enumerate(posts):
        month = f"2011-{k + 1:02d}"
        rows += [f"Python,{month},{total // 10},{total}", f"Java,{month},{total // 5},{total}"]
    path.write_text("skill,month,count,total\n" + "\n".join(rows) + "\n")


def test_a_month_of_almost_no_ads_is_named_with_the_option_that_leaves_it_out(cli, db, tmp_path):
    """Hacker News' 2011-12 (3 posts against ~220) was imported as a month of real demand,
    every skill near 0, without a word."""
    _panel(tmp_path / "hn.csv")
    result = cli("ingest", "demand", tmp_path / "hn.csv", "--panel", "hn", "--db", db)
    assert result.exit_code == 0, result.output
    assert "2011-05: 3 ads against a median of 218 around it" in result.stderr
    assert "import again with --missing-months 2011-05" in result.stderr


def test_missing_months_are_left_out_and_interpolated(wh, tmp_path):
    _panel(tmp_path / "hn.csv")
    summary = import_demand(wh, tmp_path / "hn.csv", panel="hn", missing_months=["2011-05"])
    assert summary["missing_months"] == ["2011-05"] and summary["missing_rows"] == 2
    assert summary["low_months"] == [] and summary["rows"] == 14
    months = wh.query("SELECT DISTINCT month FROM demand_totals WHERE panel = 'hn'")["month"]
    assert dt.date(2011, 5, 1) not in months.to_list()
    panel = warehouse_panel(wh, "hn", "market").filter(pl.col("skill_id").str.ends_with("python"))
    assert panel["y"].to_list() == [22, 23, 20, 19, 21.5, 24, 22, 21]  # 19 and 24 joined


def test_missing_months_a_user_got_wrong_are_refused(wh, tmp_path):
    _panel(tmp_path / "hn.csv")
    with pytest.raises(UserError, match=r"--missing-months '2011-13': write a month as YYYY-MM"):
        import_demand(wh, tmp_path / "hn.csv", panel="hn", missing_months=["2011-13"])
    ran = wh.query("SELECT count(*) AS n FROM runs WHERE command = 'ingest demand'")["n"]
    assert ran[0] == 0  # a usage mistake is no failed run
    with pytest.raises(UserError, match=r"hn\.csv: --missing-months 2012-05: the file has no"):
        import_demand(wh, tmp_path / "hn.csv", panel="hn", missing_months=["2012-05"])
    assert wh.query("SELECT count(*) AS n FROM demand")["n"][0] == 0


def test_only_months_far_below_their_neighbours_are_flagged():
    def low(posts, total=True):
        frame = pl.DataFrame(
            {
                "granularity": "market",
                "group_id": "all",
                "month": [dt.date(2020 + k // 12, k % 12 + 1, 1) for k in range(len(posts))],
                "count": [float(p) for p in posts],
                "total": [float(p) if total else None for p in posts],
            }
        )
        return [m["month"] for m in low_months(frame)]

    assert low(POSTS) == ["2020-05"]
    assert low(POSTS, total=False) == ["2020-05"]  # without totals: the counts' sum
    assert low([220, 231, 205, 198, 15, 240, 226]) == []  # 15 of ~220: a fall, not a gap
    assert low([12, 14, 11, 0, 13, 12]) == []  # too few ads around it to tell
    assert low([220, 231, 205, 198, 199, 3]) == ["2020-06"]  # the last month too


@pytest.mark.shared_data
def test_hacker_news_2011_12_is_the_one_month_flagged(wh):
    path = shared_path("jobads", "hn_whoishiring_terms", "hn_whoishiring_term_counts_monthly.csv")
    summary = import_demand(wh, path, panel="hn")
    assert [(m["month"], m["ads"]) for m in summary["low_months"]] == [("2011-12", 3.0)]
    again = import_demand(wh, path, panel="hn", missing_months=["2011-12"])
    assert again["low_months"] == [] and again["months"] == 156
