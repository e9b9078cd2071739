"""Importing a panel again replaces its rows, and the results computed from the old rows."""

from __future__ import annotations

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.forecast.breaks_store import detect_breaks_warehouse
from skilltide.forecast.warehouse import forecast_warehouse
from skilltide.ingest.demand import import_demand


def _write(path, months: int, jump_at: int) -> None:
    """Two skills over ``months`` months from 2020-01, both stepping up at ``jump_at``."""
    ds = pl.date_range(pl.date(2020, 1, 1), pl.date(2030, 1, 1), "1mo", eager=True)[:months]
    rows = [
        {"skill": skill, "month": d.strftime("%Y-%m"), "count": base * (3 if i >= jump_at else 1)}
        for skill, base in (("Python", 20), ("SQL", 30))
        for i, d in enumerate(ds)
    ]
    pl.DataFrame(rows).write_csv(path)


def _results(wh, panel: str) -> dict[str, int]:
    return {
        table: wh.query(f"SELECT count(*) AS n FROM {table} WHERE panel = ?", [panel])["n"][0]
        for table in ("breaks", "forecasts", "backtests")
    }


def test_a_new_import_clears_the_breaks_and_forecasts_of_the_rows_it_replaces(wh, tmp_path):
    # Re-importing hn to 2019 kept the breaks and forecasts of the file to 2024-05: the report
    # headlined "By Nov 2024 … Hybrid +658% on the last three months" (of 2019), drew breaks
    # after the data's end, and `forecast run --breaks stored` used the old file's breaks.
    full, short = tmp_path / "full.csv", tmp_path / "short.csv"
    _write(full, 48, jump_at=24)
    _write(short, 30, jump_at=12)
    import_demand(wh, full, panel="p")
    import_demand(wh, full, panel="other")
    for panel in ("p", "other"):
        detect_breaks_warehouse(wh, panel=panel)
        forecast_warehouse(wh, panel=panel, model="naive", horizon=3, breaks="none")
    before = _results(wh, "p")
    assert min(before.values()) > 0
    # a refused file changes nothing
    bad = tmp_path / "bad.csv"
    bad.write_text("skill,month,count\nPython,2024-01,x\n")
    with pytest.raises(UserError):
        import_demand(wh, bad, panel="p")
    assert _results(wh, "p") == before
    s = import_demand(wh, short, panel="p")
    assert s["cleared"] == before
    assert _results(wh, "p") == {"breaks": 0, "forecasts": 0, "backtests": 0}
    assert min(_results(wh, "other").values()) > 0  # another panel keeps its own


def test_the_cli_says_which_results_the_import_cleared(cli, db, tmp_path):
    path = tmp_path / "p.csv"
    _write(path, 36, jump_at=18)
    assert cli("ingest", "demand", path, "--db", db).exit_code == 0
    assert cli("breaks", "detect", "--panel", "p", "--db", db).exit_code == 0
    result = cli("ingest", "demand", path, "--db", db)
    assert result.exit_code == 0, result.output
    assert "warning: cleared 2 breaks" in result.stderr
    assert "run `skilltide breaks detect --panel p` and `skilltide forecast run" in result.stderr
