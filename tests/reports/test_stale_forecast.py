"""A forecast made before the demand was updated is not shown as the current one."""

from __future__ import annotations

import datetime as dt

from skilltide.reports import render_report
from skilltide.reports.series_data import load_series
from skilltide.store import Warehouse
from tests.ingest.helpers import add_vocab, small_vocab

HEADER = "id,posted_at,title,company,region,occupation,text\n"


def _ads(path, first: int, months: int) -> None:
    rows = []
    for k in range(first, first + months):
        month = dt.date(2023 + k // 12, k % 12 + 1, 1)
        for day in (5, 28):
            n = 3 if day == 5 else 2 + k % 3
            for i in range(n):
                text = "Uses SQL" if i % 2 else "Uses SQL and Python"
                title = f"Analyst {k} {day} {i}"  # not duplicates of each other
                rows.append(f"{k}-{day}-{i},{month:%Y-%m}-{day:02d},{title},Acme,North,,{text}")
    path.write_text(HEADER + "\n".join(rows) + "\n")


def test_a_forecast_older_than_the_demand_is_not_shown_as_current(cli, db, tmp_path):
    """`forecast run` on ads to 2024-06, then `ingest ads` to 2024-09: the report drew the
    old forecast (2024-07, 2024-08) over the new months as the current one. It now leaves it
    out and says why and what to run."""
    with Warehouse(db) as wh:
        add_vocab(wh, *small_vocab())
    _ads(tmp_path / "a.csv", 0, 18)
    _ads(tmp_path / "b.csv", 18, 3)
    assert cli("ingest", "ads", tmp_path / "a.csv", "--db", db).exit_code == 0
    forecast = cli("forecast", "run", "--db", db, "--model", "naive", "--horizon", 2)
    assert forecast.exit_code == 0, forecast.output
    with Warehouse(db) as wh:
        assert load_series(wh).forecast is not None  # current: shown
    assert cli("ingest", "ads", tmp_path / "b.csv", "--db", db).exit_code == 0
    with Warehouse(db) as wh:
        series = load_series(wh)
        html = render_report(wh, tmp_path / "r").read_text(encoding="utf-8")
    assert series.forecast is None and series.forecast_info == {}
    assert "was made before the demand was last updated" in html
    assert "No forecasts yet" not in html


def test_a_forecast_whose_demand_was_rewritten_with_the_same_values_is_current(cli, db, tmp_path):
    """A crosswalk loaded after the ads moves them between occupations: the months of those
    ads are rewritten under its run, the market's counts unchanged. The market forecast was
    reported stale; the occupation forecast is, rightly."""
    with Warehouse(db) as wh:
        add_vocab(wh, *small_vocab())
    _ads(tmp_path / "a.csv", 0, 18)
    ads = tmp_path / "a.csv"
    ads.write_text(ads.read_text().replace(",North,,", ",North,2211,"))  # ISCO-08 2211
    assert cli("ingest", "ads", ads, "--db", db).exit_code == 0
    for granularity in ("market", "occupation"):
        args = ["--model", "naive", "--horizon", 2, "--granularity", granularity]
        assert cli("forecast", "run", "--db", db, *args).exit_code == 0
    xwalk = tmp_path / "isco.csv"
    xwalk.write_text("ISCO-08 Code,2018 SOC Code\n2211,29-1215\n")
    assert cli("onet", "crosswalk", xwalk, "--db", db).exit_code == 0
    with Warehouse(db) as wh:
        assert wh.query("SELECT DISTINCT occupation FROM ads").rows() == [("29-1215.00",)]
        assert load_series(wh).forecast is not None  # market: the same counts
        assert load_series(wh, granularity="occupation").forecast is None  # moved
