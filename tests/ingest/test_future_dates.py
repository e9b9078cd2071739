"""Rows quarantined as future_date come back: an unchanged file is read again (replaced
atomically, as a changed file is) once the run's time reaches the earliest such date."""

from __future__ import annotations

import datetime as dt

from skilltide.ingest import manifest
from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.extract import SkillMatcher
from skilltide.ingest.mapping import parse_mapping
from skilltide.ingest.readers import sha256_file
from skilltide.store import Warehouse
from tests.ingest.helpers import add_vocab, small_vocab
from tests.ingest.test_ads import counts, write_csv

JUNE, JULY, SEPTEMBER = dt.datetime(2025, 6, 1), dt.datetime(2025, 7, 1), dt.datetime(2025, 9, 1)


def quarantine(wh: Warehouse) -> list[tuple]:
    return wh.query("SELECT row_number, reason, run_id FROM quarantine ORDER BY ALL").rows()


def earliest_future(wh: Warehouse) -> list:
    return wh.query("SELECT earliest_future FROM ad_files")["earliest_future"].to_list()


def test_a_future_dated_row_is_stored_once_its_date_has_come(wh, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            "1,2025-05-20,Analyst,Acme,North,,Uses Python.",
            "2,2025-08-15,Engineer,Acme,North,,Uses Docker and SQL.",  # after June and July
        ],
    )
    first = ingest_ads(wh, [path], now=JUNE)
    assert (first["ads_stored"], first["quarantined"]) == (1, 1)
    assert quarantine(wh) == [(2, "future_date", first["run_id"])]
    assert earliest_future(wh) == [dt.datetime(2025, 8, 15)]

    second = ingest_ads(wh, [path], now=JULY)  # still before the date: the file is skipped
    assert (second["unchanged_files"], second["rechecked_files"]) == (1, 0)
    assert (second["rows_read"], second["ads_stored"]) == (0, 0)
    assert quarantine(wh) == [(2, "future_date", first["run_id"])]  # still current

    third = ingest_ads(wh, [path], now=SEPTEMBER)
    assert (third["rechecked_files"], third["rows_read"], third["quarantined"]) == (1, 2, 0)
    assert third["file_details"][0]["status"] == "rechecked"
    ads = wh.query("SELECT title, month, run_id FROM ads ORDER BY title").rows()
    assert ads == [
        ("Analyst", dt.date(2025, 5, 1), third["run_id"]),
        ("Engineer", dt.date(2025, 8, 1), third["run_id"]),
    ]
    assert quarantine(wh) == []  # the earlier run's row went with the file's earlier rows
    assert earliest_future(wh) == [None]
    skills = wh.query("SELECT count(*) AS n FROM ad_skills")["n"][0]
    assert skills == 3  # python; docker and sql
    august = wh.query(
        "SELECT ads FROM demand_totals WHERE panel = 'ads' AND granularity = 'market'"
        " AND month = DATE '2025-08-01'"
    )
    assert august["ads"].to_list() == [1.0]  # the panel counts the ad
    before = counts(wh)
    fourth = ingest_ads(wh, [path], now=SEPTEMBER)
    assert fourth["unchanged_files"] == 1 and counts(wh) == before


def test_the_next_future_date_is_kept_after_a_recheck(wh, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            "1,2025-12-01,Analyst,Acme,North,,Uses Python.",
            "2,2025-08-15,Engineer,Acme,North,,Uses Docker.",
            "3,,Clerk,Acme,North,,Uses Excel.",  # missing_date: quarantined for good
        ],
    )
    ingest_ads(wh, [path], now=JUNE)
    assert earliest_future(wh) == [dt.datetime(2025, 8, 15)]
    third = ingest_ads(wh, [path], now=SEPTEMBER)
    assert third["rechecked_files"] == 1 and third["ads_stored"] == 1
    assert quarantine(wh) == [
        (1, "future_date", third["run_id"]),
        (3, "missing_date", third["run_id"]),
    ]
    assert earliest_future(wh) == [dt.datetime(2025, 12, 1)]
    assert ingest_ads(wh, [path], now=SEPTEMBER)["unchanged_files"] == 1


def test_a_recheck_is_due_within_the_day_validation_allows():
    date = dt.datetime(2025, 8, 15)
    assert not manifest.recheck_due(date, dt.datetime(2025, 8, 13, 23))
    assert manifest.recheck_due(date, dt.datetime(2025, 8, 14))  # the date is no longer future


def test_the_migration_marks_older_files_with_future_rows_for_a_recheck(db, tmp_path):
    path = write_csv(tmp_path / "a.csv", ["2,2025-08-15,Engineer,Acme,North,,Uses Docker."])
    other = write_csv(tmp_path / "b.csv", ["1,2025-05-20,Analyst,Acme,North,,Uses Python."])
    with Warehouse(tmp_path / "vocabulary.duckdb") as other_wh:  # the vocabulary read with
        add_vocab(other_wh, *small_vocab())
        vocabulary = SkillMatcher.from_warehouse(other_wh.con).fingerprint
    version = manifest.file_id(path, sha256_file(path), parse_mapping(None), None, vocabulary)
    with Warehouse(db, target_version=10) as old:  # as an earlier skilltide left it
        old.con.execute(
            "INSERT INTO ad_files VALUES (?, ?, 1, ?, 'csv', NULL, 1, 0, 0, 1, 'r1'),"
            " ('f2', ?, 1, 'x', 'csv', NULL, 1, 1, 0, 0, 'r1')",
            [version, str(path), sha256_file(path), str(other)],
        )
        old.con.execute(
            "INSERT INTO quarantine VALUES ('r1', ?, ?, 2, 'future_date', 'posted_at',"
            " '2025-08-15', '{}')",
            [str(path), version],
        )
    with Warehouse(db) as wh:
        marked = wh.query("SELECT path, earliest_future FROM ad_files ORDER BY path").rows()
        assert marked == [(str(path), dt.datetime(1990, 1, 1)), (str(other), None)]
        add_vocab(wh, *small_vocab())
        summary = ingest_ads(wh, [path], now=SEPTEMBER)  # read again, though unchanged
        assert (summary["rechecked_files"], summary["ads_stored"]) == (1, 1)
        assert quarantine(wh) == []
        assert earliest_future(wh) == [None, None]


def test_the_cli_says_when_a_file_is_read_again(cli, db, tmp_path, monkeypatch):
    clock = {"now": JUNE}
    monkeypatch.setattr(manifest, "utc_now", lambda: clock["now"])
    path = write_csv(tmp_path / "a.csv", ["2,2025-08-15,Engineer,Acme,North,,Uses Docker."])
    assert "1 file (0 unchanged), 1 row read" in cli("ingest", "ads", path, "--db", db).output
    clock["now"] = SEPTEMBER
    again = cli("ingest", "ads", path, "--db", db).output
    assert (
        "1 file (0 unchanged, 1 re-read as future-dated rows came due), 1 row read: 1 ad" in again
    )


def test_a_due_file_is_found_by_a_relative_path_too(wh, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", ["1,2025-08-15,Engineer,Acme,North,,Uses SQL."])
    ingest_ads(wh, [path], now=JUNE)
    monkeypatch.chdir(tmp_path)  # a config's paths are often relative to where it runs
    assert manifest.rechecks_due(wh.con, [path.relative_to(tmp_path)], SEPTEMBER) == [
        str(path.resolve())
    ]
