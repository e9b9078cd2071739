"""breaks in the warehouse and the ``skilltide breaks detect`` command."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import polars as pl
import pytest

from skilltide.forecast.breaks_store import detect_breaks_warehouse
from skilltide.forecast.demand_panel import demand_rows
from skilltide.store import Warehouse, append
from tests.conftest import run_skilltide

MONTHS = pl.date_range(date(2020, 1, 1), date(2023, 12, 1), "1mo", eager=True)


def seed_demand(wh: Warehouse, jump_at: int = 24) -> None:
    """Eight skills in two regions; 'tech:python' in 'north' doubles at ``jump_at``."""
    rng = np.random.default_rng(0)
    rows = []
    for group in ("north", "south"):
        for s in range(8):
            y = rng.poisson(60, size=MONTHS.len()).astype(float)
            if group == "north" and s == 0:
                y[jump_at:] *= 2
            skill = "tech:python" if s == 0 else f"tech:skill-{s}"
            rows.append(
                pl.DataFrame({"group_id": group, "skill_id": skill, "month": MONTHS, "count": y})
            )
    demand = pl.concat(rows).filter(pl.col("count") > 0)
    with wh.run("test seed") as run:
        append(
            run.con,
            "demand",
            demand.with_columns(
                panel=pl.lit("ads"),
                granularity=pl.lit("region"),
                total=pl.lit(None, pl.Float64),
                share=pl.lit(None, pl.Float64),
                run_id=pl.lit(run.run_id),
            ),
        )


def test_detect_breaks_warehouse_writes_the_breaks_table(db):
    with Warehouse(db) as wh:
        seed_demand(wh)
        summary = detect_breaks_warehouse(wh, "ads", "region")
        rows = wh.query("SELECT * FROM breaks ORDER BY unique_id, break_ds")
        again = detect_breaks_warehouse(wh, "ads", "region")
        after = wh.query("SELECT * FROM breaks")
        run = wh.query("SELECT status, rows, notes FROM runs WHERE run_id = ?", [summary["run_id"]])
        seeded = wh.query("SELECT run_id FROM runs WHERE command = 'test seed'")["run_id"]
        held = demand_rows(wh, "ads", "region")
    assert summary["tested"] == 16 and summary["breaks"] == rows.height
    # the run names the demand it read (it did not: traceability QA pass)
    inputs = json.loads(run["notes"][0])["inputs"]
    assert inputs["demand_runs"] == seeded.to_list()
    assert inputs["demand_rows"] == held and held[0] > 0  # what the rows held
    python = rows.filter(pl.col("unique_id") == "north/tech:python")
    assert python.height >= 1
    assert python.filter(pl.col("break_ds").is_between(date(2021, 11, 1), date(2022, 3, 1)))[
        "kind"
    ].to_list() == ["level"]
    assert set(rows["run_id"]) == {summary["run_id"]}
    assert (rows["group_id"] + "/" + rows["skill_id"] == rows["unique_id"]).all()
    # a re-run replaces the panel's rows
    assert after.height == again["breaks"] and set(after["run_id"]) == {again["run_id"]}
    assert run["status"][0] == "success" and json.loads(run["rows"][0])["breaks"] == rows.height


@pytest.mark.parametrize("options", [{"method": "nope"}, {"alpha": 1.5}, {"min_size": 2}])
def test_a_usage_mistake_is_refused_before_a_run_is_recorded(db, options):
    """`breaks detect --method nope` was a failed run in `runs`, listed among the report's
    runs beside real failures; a mistake in the options is now refused before the run."""
    from skilltide.errors import UserError

    with Warehouse(db) as wh:
        seed_demand(wh)
        with pytest.raises(UserError):
            detect_breaks_warehouse(wh, "ads", "region", **options)
        n = wh.query("SELECT count(*) AS n FROM runs WHERE command = 'breaks detect'")["n"]
    assert n.item() == 0


def test_a_failed_run_leaves_the_breaks_as_they_were(db, monkeypatch):
    from skilltide.forecast import breaks_store

    with Warehouse(db) as wh:
        seed_demand(wh)
        detect_breaks_warehouse(wh, "ads", "region")
        before = wh.query("SELECT * FROM breaks ORDER BY ALL")

        def broken(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(breaks_store, "append", broken)
        with pytest.raises(RuntimeError):
            detect_breaks_warehouse(wh, "ads", "region")
        assert wh.query("SELECT * FROM breaks ORDER BY ALL").equals(before)


def write_panel(path, jump=True):
    rng = np.random.default_rng(1)
    frames = []
    for i in range(6):
        y = 100 + 5 * rng.standard_normal(MONTHS.len())
        if jump and i < 2:
            y[30:] += 60
        frames.append(
            pl.DataFrame({"skill": f"k{i}", "month": MONTHS.dt.strftime("%Y-%m"), "ads": y})
        )
    pl.concat(frames).write_csv(path)


def test_cli_detect_on_a_file_writes_the_columns(cli, tmp_path):
    panel, out = tmp_path / "panel.csv", tmp_path / "breaks.csv"
    write_panel(panel)
    result = cli(
        "breaks",
        "detect",
        panel,
        "--out",
        out,
        "--id-col",
        "skill",
        "--ds-col",
        "month",
        "--y-col",
        "ads",
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    found = pl.read_csv(out, try_parse_dates=True)
    assert found.columns[:7] == [
        "unique_id",
        "break_ds",
        "kind",
        "size",
        "statistic",
        "p_value",
        "scope",
    ]
    hits = found.filter(pl.col("break_ds") == date(2022, 7, 1))
    assert sorted(hits["unique_id"]) == ["k0", "k1"] and summary["breaks"] == found.height


def test_cli_detect_on_the_warehouse(cli, db, tmp_path):
    with Warehouse(db) as wh:
        seed_demand(wh)
    out = tmp_path / "b.parquet"
    result = cli("breaks", "detect", "--granularity", "region", "--db", db, "--out", out)
    assert result.exit_code == 0, result.output
    assert "series tested" in result.output
    assert pl.read_parquet(out)["unique_id"].str.contains("/").all()
    options = json.loads((tmp_path / "b.parquet.provenance.json").read_text())["options"]
    assert options["granularity"] == "region" and "y_col" not in options  # file-only option
    # the options only: a module the command imports is not one (it was recorded as
    # "<module 'skilltide.forecast.breaks_store' from '/…/breaks_store.py'>")
    assert not [k for k, v in options.items() if "<module" in str(v)]


def test_cli_refuses_a_bad_panel_on_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("unique_id,ds,y\na,2024-01,1\na,2024-01,2\n")
    result = run_skilltide("breaks", "detect", bad)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "duplicate unique_id 'a'" in result.stderr
    assert "Traceback" not in result.stderr
    gappy = tmp_path / "gap.csv"
    gappy.write_text(
        "unique_id,ds,y\n"
        + "".join(f"a,{d},{i}\n" for i, d in enumerate(MONTHS.dt.strftime("%Y-%m")) if i != 5)
    )
    result = run_skilltide("breaks", "detect", gappy)
    assert result.returncode == 1 and "gap.csv: series 'a' has no row for" in result.stderr
    result = run_skilltide("breaks", "detect", gappy, "--fill", "0", "--quiet")
    assert result.returncode == 0, result.stderr


def test_cli_sidecar_names_the_warehouse_by_its_full_path(cli, db, tmp_path, monkeypatch):
    """``--db`` given relative to the working folder: the sidecar must still say which
    warehouse (it said ``"db": "w.duckdb"``, found in the determinism QA runs)."""
    with Warehouse(db) as wh:
        seed_demand(wh)
    monkeypatch.chdir(tmp_path)
    args = ("--granularity", "region", "--db", db.name, "--out", "b.csv", "--json")
    result = cli("breaks", "detect", *args)
    assert result.exit_code == 0, result.output
    options = json.loads((tmp_path / "b.csv.provenance.json").read_text())["options"]
    assert options["db"] == str(db.resolve())
    assert options["run_id"] == json.loads(result.output)["run_id"]
