"""Demand panel 'ads' is refreshed month by month: only months whose ads or skills changed are
recomputed, and the result is always the panel a full rebuild gives."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.demand import refresh_ads_panel
from tests.ingest.helpers import generate_ads

NOW = dt.datetime(2026, 1, 1)
NAMES = ["Python", "SQL", "Docker", "Java", "Microsoft Excel"]


def _ads(n: int, seed: int) -> pl.DataFrame:
    return generate_ads(n, NAMES, seed=seed, min_bytes=150, max_bytes=400)[0]


def _panel(wh) -> tuple[list, list]:
    # every row, sorted: a month's rows written twice must not compare equal to a rebuild
    demand = wh.query(
        "SELECT granularity, group_id, skill_id, month, count, total, share FROM demand"
        " WHERE panel = 'ads' ORDER BY ALL"
    )
    totals = wh.query(
        "SELECT granularity, group_id, month, ads FROM demand_totals WHERE panel = 'ads'"
        " ORDER BY ALL"
    )
    return demand.rows(), totals.rows()


def _panel_stage(wh, run_id: str) -> dict:
    stages = json.loads(wh.query("SELECT stages FROM runs WHERE run_id = ?", [run_id])["stages"][0])
    return next(s for s in stages if s["stage"] == "demand panel 'ads'")


def _full_rebuild(wh) -> tuple[list, list]:
    with wh.run("test full rebuild") as run:
        refresh_ads_panel(run.con, run.run_id, full=True)
    return _panel(wh)


def test_a_new_month_recomputes_only_that_month(wh, tmp_path):
    old = _ads(200, seed=1)  # months 2023-01 .. 2024-12
    old.write_csv(tmp_path / "old.csv")
    first = ingest_ads(wh, [tmp_path / "old.csv"], now=NOW)
    months = wh.query("SELECT count(DISTINCT month) AS n FROM ads")["n"][0]
    new = _ads(30, seed=2).with_columns(
        pl.lit("2025-03-15").alias("posted_at"), ("new" + pl.col("id")).alias("id")
    )
    new.write_csv(tmp_path / "new.csv")
    second = ingest_ads(wh, [tmp_path / "new.csv"], now=NOW)
    stage = _panel_stage(wh, second["run_id"])
    assert (stage["months_rebuilt"], stage["months_kept"]) == (1, months)
    runs = wh.query(
        "SELECT month = DATE '2025-03-01' AS new_month, list(DISTINCT run_id) AS runs"
        " FROM demand WHERE panel = 'ads' GROUP BY 1 ORDER BY 1"
    ).rows()
    assert runs == [(False, [first["run_id"]]), (True, [second["run_id"]])]
    assert _panel(wh) == _full_rebuild(wh)


def test_the_refreshed_panel_equals_a_full_rebuild(wh, tmp_path):
    # Reposts at earlier dates move ads to earlier months; a changed file removes and adds ads;
    # a recoded occupation changes the groups of one ad: each month touched must be recomputed.
    a = _ads(150, seed=3)
    a.write_csv(tmp_path / "a.csv")
    ingest_ads(wh, [tmp_path / "a.csv"], now=NOW)
    reposts = a.head(40).with_columns(
        pl.lit("2022-06-01").alias("posted_at"), ("b" + pl.col("id")).alias("id")
    )
    pl.concat([reposts, _ads(20, seed=4)]).write_csv(tmp_path / "b.csv")
    ingest_ads(wh, [tmp_path / "a.csv", tmp_path / "b.csv"], now=NOW)
    assert _panel(wh) == _full_rebuild(wh)

    a.slice(60).with_columns(pl.col("region").str.to_uppercase()).write_csv(tmp_path / "a.csv")
    ingest_ads(wh, [tmp_path / "a.csv", tmp_path / "b.csv"], now=NOW)
    incremental = _panel(wh)
    assert incremental == _full_rebuild(wh)

    for change in (  # a recoded occupation; skills found again (another vocabulary)
        "UPDATE ads SET occupation = '29-1141.00'"
        " WHERE ad_id = (SELECT min(ad_id) FROM ads WHERE month = DATE '2023-05-01')",
        "DELETE FROM ad_skills"
        " WHERE ad_id = (SELECT min(ad_id) FROM ads WHERE month = DATE '2023-07-01')",
    ):
        with wh.run("test change") as run:
            run.con.execute(change)
            stage = refresh_ads_panel(run.con, run.run_id)
        assert stage["months_rebuilt"] == 1, change
        assert _panel(wh) == _full_rebuild(wh) != incremental


def test_a_month_left_without_ads_loses_its_rows(wh, tmp_path):
    lone = _ads(10, seed=8).with_columns(pl.lit("2021-02-10").alias("posted_at"))
    pl.concat([lone, _ads(40, seed=9)]).write_csv(tmp_path / "a.csv")
    ingest_ads(wh, [tmp_path / "a.csv"], now=NOW)
    _ads(40, seed=9).write_csv(tmp_path / "a.csv")  # the file changes: its 2021-02 ads go
    run = ingest_ads(wh, [tmp_path / "a.csv"], now=NOW)
    stage = _panel_stage(wh, run["run_id"])
    months = wh.query("SELECT count(DISTINCT month) AS n FROM ads")["n"][0]
    # the emptied month is the one recomputed; every month still holding ads is kept
    assert (stage["months_rebuilt"], stage["months_kept"]) == (1, months)
    for table in ("demand", "demand_totals", "demand_months"):
        gone = wh.query(f"SELECT count(*) AS n FROM {table} WHERE month = DATE '2021-02-01'")
        assert gone["n"][0] == 0, table
    assert _panel(wh) == _full_rebuild(wh)


def test_a_run_that_stores_no_ad_recomputes_nothing(wh, tmp_path):
    _ads(100, seed=5).write_csv(tmp_path / "ads.csv")
    ingest_ads(wh, [tmp_path / "ads.csv"], now=NOW)
    before = wh.query("SELECT * FROM demand WHERE panel = 'ads' ORDER BY ALL")
    future = _ads(5, seed=6).with_columns(pl.lit("2030-01-01").alias("posted_at"))
    future.write_csv(tmp_path / "future.csv")  # every row quarantined: a new file, no new ad
    run = ingest_ads(wh, [tmp_path / "future.csv"], now=NOW)
    assert run["quarantined"] == 5
    assert _panel_stage(wh, run["run_id"])["months_rebuilt"] == 0
    assert wh.query("SELECT * FROM demand WHERE panel = 'ads' ORDER BY ALL").equals(before)


def test_a_panel_without_month_fingerprints_is_rebuilt_whole(wh, tmp_path):
    # A warehouse refreshed before demand_months existed (or another panel definition): every
    # month is recomputed and stale rows of months without ads go.
    _ads(100, seed=7).write_csv(tmp_path / "ads.csv")
    ingest_ads(wh, [tmp_path / "ads.csv"], now=NOW)
    expected = _panel(wh)
    months = wh.query("SELECT count(DISTINCT month) AS n FROM ads")["n"][0]
    for change in (
        "DELETE FROM demand_months",
        "UPDATE demand_months SET definition = 'an older one'",
    ):
        with wh.run("test stale") as run:
            run.con.execute(change)
            run.con.execute(
                "INSERT INTO demand_totals (panel, granularity, group_id, month, ads, run_id)"
                " VALUES ('ads', 'market', 'all', DATE '1999-01-01', 7, 'stale')"
            )
            stage = refresh_ads_panel(run.con, run.run_id)
        assert (stage["months_rebuilt"], stage["months_kept"]) == (months, 0), change
        assert _panel(wh) == expected
