"""Batches prepared in worker threads: same tables as one-at-a-time, order kept, errors raised."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.batches import pipelined
from skilltide.store import Warehouse
from tests.ingest.helpers import add_vocab, small_vocab
from tests.ingest.test_ads import NOW, write_csv

TABLES = {
    "ads": "ad_id, external_id, row_number, posted_at, month, title, company, text_chars",
    "ad_postings": "ad_id, row_number, external_id, posted_at, month",
    "ad_skills": "ad_id, skill_id, found_in",
    "quarantine": "row_number, reason, field, detail, raw",
    "demand": "granularity, group_id, skill_id, month, count, total, share",
}


def test_pipelined_keeps_order_and_uses_threads():
    names = set()

    def work(x):
        names.add(threading.current_thread().name)
        time.sleep(0.02 * (x % 3))  # later items finish first
        return x * 10

    assert list(pipelined(range(12), work, workers=2, lookahead=3)) == list(range(0, 120, 10))
    assert all(n.startswith("skilltide-ingest") for n in names)
    assert list(pipelined(range(5), work, workers=0)) == [0, 10, 20, 30, 40]


def test_pipelined_raises_at_the_failing_item_and_stops_reading():
    read = []

    def items():
        for i in range(100):
            read.append(i)
            yield i

    def work(x):
        if x == 3:
            raise ValueError("bad item 3")
        return x

    got = []
    with pytest.raises(ValueError, match="bad item 3"):
        for x in pipelined(items(), work, workers=2, lookahead=2):
            got.append(x)
    assert got == [0, 1, 2]
    assert len(read) <= 6  # bounded look-ahead, nothing read after the failure surfaced


@pytest.mark.parametrize("workers", [0, 2])
def test_pipelined_raises_the_first_failure_in_order_and_closes_the_reader(workers):
    """A read error further ahead does not overtake an earlier batch's error, and the reader
    (a generator holding an open file) is closed when the pipeline stops."""
    closed = []

    def items():
        try:
            yield from range(3)
            raise OSError("truncated file after item 2")
        finally:
            closed.append(True)

    def work(x):
        if x == 1:
            raise ValueError("bad item 1")
        return x

    with pytest.raises(ValueError, match="bad item 1"):
        list(pipelined(items(), work, workers=workers, lookahead=3))
    assert closed == [True]
    with pytest.raises(OSError, match="truncated"):
        list(pipelined(items(), lambda x: x, workers=workers, lookahead=3))


def test_threaded_ingest_writes_the_same_tables_as_sequential(tmp_path):
    rows = []
    for i in range(60):
        day = f"2024-{i % 12 + 1:02d}-{i % 27 + 1:02d}"
        text = f'"Uses Python and SQL {i % 7}. Excel, R and Go."'
        rows.append(f"{i},{day},Analyst {i % 9},Acme {i % 4},North,,{text}")
    rows += ["x1,,Analyst,Acme,North,,No date here", "x2,2024-01-01,Analyst,Acme,North,,"]
    rows += [r.replace(",2024-", ",2023-", 1) for r in rows[:10]]  # earlier reposts, later rows
    path = write_csv(tmp_path / "ads.csv", rows)
    tables = []
    for workers in (0, 2):
        with Warehouse(tmp_path / f"w{workers}.duckdb") as wh:
            add_vocab(wh, *small_vocab())
            summary = ingest_ads(wh, [path], now=NOW, batch_rows=7, workers=workers)
            assert summary["ads_stored"] == 60 and summary["duplicates"] == 10
            assert summary["quarantined"] == 2
            # the reposts in later batches were posted earlier: their ads moved to 2023
            moved = wh.query("SELECT count(*) AS n FROM ads WHERE year(month) = 2023")["n"][0]
            assert moved == 10
            tables.append(
                {t: wh.query(f"SELECT {c} FROM {t} ORDER BY ALL").rows() for t, c in TABLES.items()}
            )
    assert tables[0] == tables[1]
    assert all(tables[0][t] for t in TABLES)


def test_failed_store_rolls_back_and_stops_the_workers(tmp_path, monkeypatch):
    import skilltide.ingest.ads as ads

    rows = [f"{i},2024-01-05,Analyst {i},Acme,North,,Uses Python {i}" for i in range(50)]
    path = write_csv(tmp_path / "ads.csv", rows)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return store(*args, **kwargs)

    store = ads.store_batch
    monkeypatch.setattr(ads, "store_batch", failing)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        add_vocab(wh, *small_vocab())
        with pytest.raises(RuntimeError, match="disk full") as failure:
            ingest_ads(wh, [path], now=NOW, batch_rows=5, workers=2)
        # while the exception (and its traceback's frames) is still held:
        alive = [t for t in threading.enumerate() if t.name.startswith("skilltide-ingest")]
        assert alive == [], failure
        assert wh.query("SELECT count(*) AS n FROM ads")["n"][0] == 0
        assert wh.query("SELECT status FROM runs")["status"].to_list()[-1] == "failed"


def _ad_rows(wh: Warehouse) -> dict[str, list]:
    """The ads (their file by name, not by path-derived id), skills and regional demand."""
    return {
        "ads": wh.query(
            "SELECT a.ad_id, a.external_id, parse_filename(f.path) AS file, a.row_number,"
            " a.posted_at, a.title, a.company, a.region, a.text_chars FROM ads a"
            " JOIN ad_files f USING (file_id) ORDER BY ALL"
        ).rows(),
        "skills": wh.query("SELECT ad_id, skill_id FROM ad_skills ORDER BY ALL").rows(),
        "demand": wh.query(
            "SELECT group_id, skill_id, month, count FROM demand"
            " WHERE granularity = 'region' ORDER BY ALL"
        ).rows(),
    }


def test_an_ad_is_its_first_posting_whatever_order_its_files_are_read_in(tmp_path):
    """Two postings of one ad: every field of the ad (and its skills and region) comes from
    the earliest one, and from the same one on a tie, in whatever order the files are given.
    Found by ingesting three files in two orders: the ad kept the title, region and skills of
    the posting read first, and only the date, file and row of the earliest."""
    a = write_csv(
        tmp_path / "a.csv",
        [
            "a1,2024-03-10,Data Analyst,Acme,North,,Uses Go and SQL.",
            "a2,2024-03-11T09:00:00,Nurse,Beta,East,,Patient care and Excel.",
        ],
    )
    b = write_csv(
        tmp_path / "b.csv",
        [
            "b1,2024-02-05,DATA ANALYST,ACME,South,,uses go and sql",  # the same ad, earlier
            "b2,2024-03-11T09:00:00,nurse,beta,West,,patient care and excel",  # a tie
        ],
    )
    seen = []
    for order in ([a, b], [b, a]):
        for one_run in (True, False):
            with Warehouse(tmp_path / f"w{len(seen)}.duckdb") as wh:
                add_vocab(wh, *small_vocab())
                if one_run:
                    ingest_ads(wh, order, now=NOW)
                else:
                    for path in order:
                        ingest_ads(wh, [path], now=NOW)
                seen.append(_ad_rows(wh))
    assert all(rows == seen[0] for rows in seen[1:])
    analyst = next(r for r in seen[0]["ads"] if r[1] == "b1")
    assert analyst[2:] == ("b.csv", 1, dt.datetime(2024, 2, 5), "DATA ANALYST", "ACME", "South", 15)
    assert ("South", "custom:sql") in {(g, s) for g, s, _, _ in seen[0]["demand"]}
    assert len(seen[0]["ads"]) == 2


def test_file_counts_do_not_depend_on_the_order_files_are_given(tmp_path):
    """``ad_files``' new ads and duplicates per file: the same whichever order one command
    lists the files in (they differed with ``ingest ads b a`` vs ``a b``)."""
    a = write_csv(tmp_path / "a.csv", ["1,2024-03-10,Analyst,Acme,North,,Uses Python."])
    b = write_csv(
        tmp_path / "b.csv",
        ["9,2024-03-10,Analyst,Acme,North,,Uses Python.", "10,2024-02-01,Clerk,Acme,,,SQL"],
    )
    seen = []
    for i, order in enumerate(([a, b], [b, a])):
        with Warehouse(tmp_path / f"w{i}.duckdb") as wh:
            add_vocab(wh, *small_vocab())
            summary = ingest_ads(wh, order, now=NOW)
            seen.append(
                (
                    [
                        (d["path"], d["ads_stored"], d["duplicates"])
                        for d in summary["file_details"]
                    ],
                    wh.query(
                        "SELECT parse_filename(path), ads_stored, duplicates FROM ad_files"
                        " ORDER BY ALL"
                    ).rows(),
                )
            )
    assert seen[0] == seen[1]
    assert seen[0][1] == [("a.csv", 1, 0), ("b.csv", 1, 1)]
