"""A forecast or breaks run made before the demand was updated is not shown as current."""

from __future__ import annotations

import datetime as dt
import json

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


def _shifted_ads(path, first: int, months: int) -> None:
    """Ads of SQL: 4 a month before 2024, 16 a month from January 2024 (a level shift)."""
    rows = []
    for k in range(first, first + months):
        month = dt.date(2023 + k // 12, k % 12 + 1, 1)
        for i in range(4 if k < 12 else 16):
            rows.append(f"{k}-{i},{month:%Y-%m}-{i + 1:02d},Analyst {k} {i},Acme,North,,Uses SQL")
    path.write_text(HEADER + "\n".join(rows) + "\n")


def breaks_on_2024(cli, db, tmp_path) -> None:
    """A warehouse of the shifted ads to 2024-12 with their breaks detected, and the file of
    the three months after them (``b.csv``) not yet ingested."""
    with Warehouse(db) as wh:
        add_vocab(wh, *small_vocab())
    _shifted_ads(tmp_path / "a.csv", 0, 24)
    _shifted_ads(tmp_path / "b.csv", 24, 3)
    assert cli("ingest", "ads", tmp_path / "a.csv", "--db", db).exit_code == 0
    detect = cli("breaks", "detect", "--db", db)
    assert detect.exit_code == 0, detect.output


def test_breaks_older_than_the_demand_are_not_shown_as_current(cli, db, tmp_path):
    """`breaks detect` on ads to 2024-12, then `ingest ads` to 2025-03: the report showed
    the old run's breaks (and its market-wide months) as those of the new demand. It now
    leaves them out and says why and what to run."""
    breaks_on_2024(cli, db, tmp_path)
    with Warehouse(db) as wh:
        series = load_series(wh)
    assert series.breaks.height and series.stale_breaks is None  # current: shown
    assert cli("ingest", "ads", tmp_path / "b.csv", "--db", db).exit_code == 0
    with Warehouse(db) as wh:
        series = load_series(wh)
        html = render_report(wh, tmp_path / "r").read_text(encoding="utf-8")
    assert series.breaks is None and series.market_breaks is None and series.breaks_info == {}
    assert series.stale_breaks["run_id"] == detect_run(db)
    assert "were detected before the demand was last updated" in html
    assert "No structural breaks in the warehouse" not in html


def test_forecast_run_warns_when_its_stored_breaks_are_older_than_the_demand(cli, db, tmp_path):
    """`forecast run` used breaks detected before `ingest ads` added months, and said nothing."""
    breaks_on_2024(cli, db, tmp_path)
    args = ["forecast", "run", "--db", db, "--model", "post_break", "--horizon", 2, "--json"]
    current = cli(*args)
    assert current.exit_code == 0 and "warning" not in current.stderr
    assert json.loads(current.stdout)["breaks_stale"] is None
    assert cli("ingest", "ads", tmp_path / "b.csv", "--db", db).exit_code == 0
    stale = cli(*args)
    assert stale.exit_code == 0, stale.output
    assert json.loads(stale.stdout)["breaks_stale"]["run_id"] == detect_run(db)
    assert f"the stored breaks (run {detect_run(db)}) were detected before" in stale.stderr
    assert "skilltide breaks detect --granularity market` again" in stale.stderr


def test_a_breaks_run_that_found_none_is_not_reported_as_never_run(cli, db, tmp_path):
    """A `breaks detect` run that found no breaks writes no rows: the report said "No
    structural breaks in the warehouse: run `skilltide breaks detect`", as if never run."""
    with Warehouse(db) as wh:
        add_vocab(wh, *small_vocab())
    _ads(tmp_path / "a.csv", 0, 18)
    assert cli("ingest", "ads", tmp_path / "a.csv", "--db", db).exit_code == 0
    assert cli("breaks", "detect", "--db", db).exit_code == 0
    with Warehouse(db) as wh:
        series = load_series(wh)
        html = render_report(wh, tmp_path / "r").read_text(encoding="utf-8")
    assert series.breaks_info["run_id"] == detect_run(db)
    assert series.breaks_info["n_breaks"] == 0
    assert f"The breaks run {detect_run(db)} found no breaks in these series" in html
    assert "No structural breaks in the warehouse" not in html


def detect_run(db) -> str:
    with Warehouse(db) as wh:
        return wh.query("SELECT run_id FROM runs WHERE command = 'breaks detect'")["run_id"][0]
