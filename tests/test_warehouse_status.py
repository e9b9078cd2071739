"""`skilltide status` lists the demand panels, and whether their breaks and forecast are
current."""

from __future__ import annotations

import json

from tests.reports.test_stale_runs import breaks_on_2024


def test_status_lists_each_panel_with_its_breaks_and_forecast(cli, db, tmp_path):
    """Before, status listed every table (most of them empty) and no panel: nothing said
    which panels there are, over which months, or that a forecast was made from older data."""
    breaks_on_2024(cli, db, tmp_path)
    assert cli("forecast", "run", "--db", db, "--model", "naive", "--horizon", 2).exit_code == 0
    panels = {(p["panel"], p["granularity"]): p for p in _status(cli, db)["panels"]}
    market = panels["ads", "market"]
    assert (market["first_month"], market["last_month"], market["groups"]) == (
        "2023-01",
        "2024-12",
        1,
    )
    assert market["unit"] is None and market["breaks"]["breaks"] >= 1
    assert market["breaks"]["current"] and market["forecast"]["current"]
    # the last month is partial (ads to the 16th): left out of the forecast
    assert market["forecast"]["cutoff"] == "2024-11" and market["forecast"]["last"] == "2025-01"
    assert panels["ads", "region"]["breaks"] is None and panels["ads", "region"]["forecast"] is None
    text = cli("status", "--db", db).stdout
    assert "ads (market): " in text and "2023-01 to 2024-12" in text
    assert "older demand" not in text
    assert "empty tables (--json lists every table)" in text and "  esco_occupations " not in text

    assert cli("ingest", "ads", tmp_path / "b.csv", "--db", db).exit_code == 0
    market = next(p for p in _status(cli, db)["panels"] if p["granularity"] == "market")
    assert market["last_month"] == "2025-03"
    assert not market["breaks"]["current"] and not market["forecast"]["current"]
    line = next(x for x in cli("status", "--db", db).stdout.splitlines() if "ads (market)" in x)
    assert "older demand: `skilltide breaks detect --granularity market`" in line
    assert "older demand: `skilltide forecast run --granularity market`" in line


def test_status_gives_an_imported_panels_unit(cli, db, tmp_path):
    panel = tmp_path / "index.csv"
    rows = [f"software,2024-{m:02d}-01,{100 + m}" for m in range(1, 13)]
    panel.write_text("skill,month,count\n" + "\n".join(rows) + "\n")
    args = ["ingest", "demand", panel, "--panel", "idx", "--unit", "index points", "--db", db]
    assert cli(*args).exit_code == 0
    (idx,) = _status(cli, db)["panels"]
    assert (idx["panel"], idx["unit"], idx["skills"], idx["rows"]) == ("idx", "index points", 1, 12)
    text = cli("status", "--db", db).stdout
    assert "idx (market): 1 skill in 1 group in index points, 2024-01 to 2024-12, 12 rows" in text


def _status(cli, db) -> dict:
    result = cli("status", "--json", "--db", db)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
