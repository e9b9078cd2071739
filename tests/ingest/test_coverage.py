"""An incomplete last month of panel 'ads' is found from the posting days, and left out of
forecasting, break detection and the report instead of reading as a fall in demand."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from skilltide.forecast.panel import warehouse_panel
from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.coverage import partial_month
from skilltide.store import Warehouse, append
from tests.ingest.helpers import generate_ads


def _postings(wh, first: dt.date, last: dt.date, every: int = 1, reposts_from=None) -> None:
    """An ad posted on every ``every``-th day; from ``reposts_from`` on, reposts of the first."""
    days = pl.date_range(first, last, f"{every}d", eager=True)
    rows = pl.DataFrame(
        {
            "ad_id": [f"ad:{i}" for i in range(days.len())],
            "file_id": "f",
            "row_number": range(1, days.len() + 1),
            "posted_at": days.cast(pl.Datetime("us")) + dt.timedelta(hours=9),
            "month": days.dt.truncate("1mo"),
            "run_id": "seed",
        }
    )
    if reposts_from is not None:
        rows = rows.with_columns(
            pl.when(days >= reposts_from).then(pl.lit("ad:0")).otherwise("ad_id").alias("ad_id")
        )
    with wh.run("seed") as run:
        append(run.con, "ad_postings", rows)
        append(run.con, "ads", rows.unique("ad_id", keep="first", maintain_order=True))


def test_a_daily_feed_that_stops_on_the_19th_leaves_its_month_incomplete(wh):
    _postings(wh, dt.date(2025, 1, 1), dt.date(2025, 3, 19))
    partial = partial_month(wh)
    assert partial.month == dt.date(2025, 3, 1)
    assert partial.last_day == dt.date(2025, 3, 19)
    assert partial.missing_days == 12
    assert partial.describe() == (
        "March 2025 is incomplete: the ads stop on 19 Mar (12 of its 31 days missing)"
    )
    assert partial.as_dict()["month"] == "2025-03"


def test_a_feed_ending_a_day_or_two_early_is_complete(wh):
    _postings(wh, dt.date(2025, 1, 1), dt.date(2025, 3, 29))  # two days short
    assert partial_month(wh) is None


def test_a_weekly_feed_is_judged_by_its_own_rhythm(wh):
    _postings(wh, dt.date(2024, 1, 2), dt.date(2025, 3, 25), every=7)  # last post 25 Mar
    assert partial_month(wh) is None  # six days short: less than a week between posts


def test_a_weekly_feed_that_stops_weeks_early_is_incomplete(wh):
    _postings(wh, dt.date(2024, 1, 2), dt.date(2025, 3, 11), every=7)  # last post 11 Mar
    assert partial_month(wh).missing_days == 20


def test_a_last_month_of_reposts_only_leaves_the_panel_s_last_month_complete(wh):
    # the panel's months are first postings: its last is February; reposts in March until
    # the 10th show the feed went on past February (found in review)
    _postings(wh, dt.date(2025, 1, 1), dt.date(2025, 3, 10), reposts_from=dt.date(2025, 3, 1))
    assert wh.query("SELECT max(month) AS m FROM ads")["m"][0] == dt.date(2025, 2, 1)
    assert partial_month(wh) is None


def test_no_ads_one_month_or_an_imported_panel_is_never_partial(wh):
    assert partial_month(wh) is None
    _postings(wh, dt.date(2025, 3, 1), dt.date(2025, 3, 10))
    assert partial_month(wh) is None  # nothing complete to use instead
    assert partial_month(wh, "jobsdf") is None


def _ingest_until(wh, tmp_path, last: dt.date):
    ads, _ = generate_ads(400, ["Python", "SQL", "Docker"], seed=3, min_bytes=150, max_bytes=300)
    days = pl.date_range(dt.date(2023, 1, 1), last, "1d", eager=True)
    posted = [str(days[i * days.len() // ads.height]) for i in range(ads.height - 1)]
    ads = ads.with_columns(posted_at=pl.Series([*posted, str(last)]))
    ads.write_csv(tmp_path / "ads.csv")
    ingest_ads(wh, [tmp_path / "ads.csv"], coder=None, now=dt.datetime(2026, 1, 1))


def test_the_incomplete_month_is_left_out_of_the_forecasting_panel(wh, tmp_path):
    _ingest_until(wh, tmp_path, dt.date(2025, 3, 12))
    months = wh.query("SELECT max(month) AS m FROM demand WHERE panel = 'ads'")["m"][0]
    assert months == dt.date(2025, 3, 1)  # the panel itself holds March
    assert warehouse_panel(wh)["ds"].max() == dt.date(2025, 2, 1)
    assert warehouse_panel(wh, complete_months=False)["ds"].max() == dt.date(2025, 3, 1)


def test_forecast_and_breaks_say_they_left_the_month_out(cli, db, wh, tmp_path):
    _ingest_until(wh, tmp_path, dt.date(2025, 3, 12))
    wh.close()
    result = cli("forecast", "run", "--db", db, "--horizon", 2, "--model", "window_average")
    assert result.exit_code == 0, result.output
    assert "note: 2025-03 is incomplete (the ads stop on 2025-03-12" in result.stderr
    assert "2025-03 to 2025-04 from data to 2025-02" in result.stdout  # starts with March
    result = cli("breaks", "detect", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    assert "left out of the detection" in result.stderr
    assert json.loads(result.stdout)["partial_month"]["last_day"] == "2025-03-12"


def test_the_report_says_the_month_is_incomplete_and_ends_before_it(cli, wh, tmp_path):
    from skilltide.reports.series_data import load_series

    _ingest_until(wh, tmp_path, dt.date(2025, 3, 12))
    data = load_series(wh)
    assert data.months[1] == dt.date(2025, 2, 1)
    assert data.market["month"].max() == dt.date(2025, 2, 1)
    assert data.history["month"].max() == dt.date(2025, 2, 1)
    assert data.partial.month == dt.date(2025, 3, 1)
    wh.close()
    out = tmp_path / "report"
    result = cli("report", "--db", wh.path, "--out", out)
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    assert "March 2025 is incomplete: the ads stop on 12 Mar" in page
    assert "left out of the charts and figures" in page


def test_the_incomplete_month_ranks_no_series_in_the_report(wh, tmp_path):
    """The report's series are chosen, and kept for growth, by their mean count over the last
    three months shown (Dec-Feb here), not over the incomplete March's fraction of a month."""
    from skilltide.reports.series_data import load_series

    _ingest_until(wh, tmp_path, dt.date(2025, 3, 12))
    expected = wh.query(
        "SELECT skill_id, sum(count) / 3 AS n FROM demand WHERE panel = 'ads'"
        " AND granularity = 'market' AND month BETWEEN '2024-12-01' AND '2025-02-01' GROUP BY 1"
    )
    found = load_series(wh).series.select("skill_id", "recent_count")
    assert dict(found.iter_rows()) == pytest.approx(dict(expected.iter_rows()))


def test_skilltide_run_warns_that_its_forecast_and_breaks_left_the_month_out(tmp_path):
    from skilltide.onet.taxonomy_custom import add_taxonomy_csv
    from tests.conftest import run_skilltide

    (tmp_path / "ads").mkdir()
    (tmp_path / "skills.csv").write_text("name\nPython\nSQL\nDocker\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        add_taxonomy_csv(wh, tmp_path / "skills.csv")
        _ingest_until(wh, tmp_path / "ads", dt.date(2025, 3, 12))  # writes ads/ads.csv
    (tmp_path / "skilltide.toml").write_text(
        '[warehouse]\ndb = "w.duckdb"\n[[sources]]\npaths = ["ads"]\n'
        '[breaks]\ngranularities = ["market"]\n'
        '[forecast]\ngranularities = ["market"]\nhorizon = 2\nmodel = "window_average"\n'
    )
    proc = run_skilltide("run", "--config", tmp_path / "skilltide.toml", "--log-json")
    warned = [
        json.loads(line) for line in proc.stderr.splitlines() if '"stage.partial_month"' in line
    ]
    assert {w["stage"] for w in warned} == {"breaks:market", "forecast:market"}, proc.stderr
    assert {(w["month"], w["last_day"]) for w in warned} == {("2025-03", "2025-03-12")}


def test_a_month_missing_a_tenth_or_less_is_complete(wh):
    # a generator drawing days 1-28 (benchmarks/ingest.py's): its December is whole
    _postings(wh, dt.date(2023, 1, 1), dt.date(2023, 12, 28))
    assert partial_month(wh) is None
