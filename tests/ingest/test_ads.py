"""The ads pipeline: quarantine reasons, dedup, manifest, idempotence, atomic replacement."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.ingest.ads import ingest_ads
from skilltide.store import Warehouse

HEADER = "id,posted_at,title,company,region,occupation,text\n"
NOW = dt.datetime(2025, 6, 1)


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def counts(wh: Warehouse) -> dict[str, int]:
    return {
        t: wh.query(f"SELECT count(*) AS n FROM {t}")["n"][0]
        for t in ("ads", "ad_postings", "ad_skills", "quarantine", "ad_files")
    }


def test_every_quarantine_reason(wh, tmp_path):
    path = tmp_path / "ads.csv"
    lines = [
        "1,2024-01-05,Analyst,Acme,North,15-2051.00,Uses Python and SQL",
        "2,2024-01-05,Analyst,Acme,North,,   ",  # no_text
        "3,2024-01-05,Analyst,Acme,North,,1234 !!",  # no letters: no_text
        "4,,Analyst,Acme,North,,Uses SQL",  # missing_date
        "5,yesterday-ish,Analyst,Acme,North,,Uses SQL",  # bad_date
        "6,2031-01-01,Analyst,Acme,North,,Uses SQL",  # future_date
        "7,1989-12-31,Analyst,Acme,North,,Uses SQL",  # date_before_1990
    ]
    data = (HEADER + "\n".join(lines) + "\n").encode()
    data += b"8,2024-01-05,Analyst,Acme,North,,Uses \xff\xfe SQL\n"  # broken_encoding
    path.write_bytes(data)
    summary = ingest_ads(wh, [path], now=NOW)
    assert summary["rows_read"] == 8 and summary["ads_stored"] == 1
    assert summary["quarantined"] == 7
    q = wh.query(
        "SELECT row_number, reason, field, detail, raw, file FROM quarantine ORDER BY row_number"
    )
    assert q.select("row_number", "reason", "field").rows() == [
        (2, "no_text", "text"),
        (3, "no_text", "text"),
        (4, "missing_date", "posted_at"),
        (5, "bad_date", "posted_at"),
        (6, "future_date", "posted_at"),
        (7, "date_before_1990", "posted_at"),
        (8, "broken_encoding", "text"),
    ]
    # the date a row was refused for is kept (bad, future or too early)
    assert q["detail"].to_list() == [
        None,
        None,
        None,
        "yesterday-ish",
        "2031-01-01",
        "1989-12-31",
        None,
    ]
    assert json.loads(q["raw"][0])["id"] == "2" and q["file"][0] == str(path.resolve())
    status = wh.query("SELECT status FROM runs WHERE command = 'ingest ads'")["status"][0]
    assert status == "partial"


def test_malformed_jsonl_line_is_quarantined(wh, tmp_path):
    path = tmp_path / "ads.jsonl"
    path.write_text(
        json.dumps({"posted_at": "2024-02-01", "text": "Python"})
        + "\n"
        + '{"posted_at": "2024-02-01", "text": \n'
        + '["2024-02-01", "Python"]\n'
    )
    summary = ingest_ads(wh, [path], now=NOW)
    assert (summary["ads_stored"], summary["quarantined"]) == (1, 2)
    # the detail says what is wrong with the line (it was NULL)
    assert wh.query("SELECT reason, row_number, detail FROM quarantine ORDER BY 2").rows() == [
        ("malformed_row", 2, "not valid JSON: Expecting value (column 37)"),
        ("malformed_row", 3, "a JSON array, not an object"),
    ]


def test_dedup_within_file_keeps_reposts_and_counts_first_month(wh, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            "1,2024-03-10,Data Analyst,Acme,North,,Uses Python and SQL.",
            "2,2024-01-10,data analyst ,ACME,North,,uses  python and sql",  # same ad, earlier
            "3,2024-02-10,Data Analyst,Other,North,,Uses Python and SQL.",  # other company
        ],
    )
    summary = ingest_ads(wh, [path], now=NOW)
    assert (summary["ads_stored"], summary["duplicates"]) == (2, 1)
    acme = wh.query("SELECT month, external_id FROM ads WHERE company ILIKE 'acme'")
    assert acme.rows() == [(dt.date(2024, 1, 1), "2")]
    reposts = wh.query("SELECT external_id, month FROM ad_reposts")
    assert reposts.rows() == [("1", dt.date(2024, 3, 1))]
    market = wh.query(
        "SELECT month, ads FROM demand_totals WHERE granularity = 'market' ORDER BY month"
    )
    assert market.rows() == [(dt.date(2024, 1, 1), 1.0), (dt.date(2024, 2, 1), 1.0)]


def test_dedup_across_files_and_runs(wh, tmp_path):
    a = write_csv(tmp_path / "a.csv", ["1,2024-03-10,Analyst,Acme,North,,Uses Python."])
    b = write_csv(
        tmp_path / "b.csv",
        [
            "9,2024-02-01,Analyst,Acme,South,,Uses Python.",
            "10,2024-02-01,Clerk,Acme,South,,Uses Excel.",
        ],
    )
    first = ingest_ads(wh, [a], now=NOW)
    second = ingest_ads(wh, [b], now=NOW)
    assert (first["ads_stored"], second["ads_stored"], second["duplicates"]) == (1, 1, 1)
    # The repost in b is earlier: the ad now counts in February, posted in file b.
    ad = wh.query("SELECT month, external_id FROM ads WHERE title = 'Analyst'")
    assert ad.rows() == [(dt.date(2024, 2, 1), "9")]
    assert counts(wh)["ad_postings"] == 3
    c = write_csv(tmp_path / "c.csv", ["1,2024-03-10,Analyst,Acme,North,,Uses Python."])
    assert ingest_ads(wh, [c, a], now=NOW)["duplicates"] == 1  # a unchanged, c repeats it


def test_unchanged_file_changes_nothing(wh, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        ["1,2024-03-10,Analyst,Acme,North,,Uses Python.", "2,,Analyst,Acme,North,,No date"],
    )
    ingest_ads(wh, [path], now=NOW)
    before = counts(wh)
    demand_before = wh.query("SELECT * FROM demand ORDER BY ALL")
    again = ingest_ads(wh, [tmp_path], now=NOW)
    assert again["ads_stored"] == 0 and again["rows_read"] == 0 and again["quarantined"] == 0
    assert again["unchanged_files"] == 1
    assert counts(wh) == before
    assert wh.query("SELECT * FROM demand ORDER BY ALL").equals(demand_before)


def test_the_same_file_read_with_another_mapping_or_source_replaces_its_rows(wh, tmp_path):
    path = write_csv(tmp_path / "a.csv", ["1,2024-03-10,Analyst,Acme,North,,Uses Python."])
    ingest_ads(wh, [path], mapping={"title": "company"}, now=NOW)
    again = ingest_ads(wh, [path], now=NOW)
    assert (again["replaced_files"], again["ads_stored"]) == (1, 1)
    assert wh.query("SELECT title, source FROM ads").rows() == [("Analyst", None)]
    assert ingest_ads(wh, [path], source="jobs", now=NOW)["replaced_files"] == 1
    assert wh.query("SELECT title, source FROM ads").rows() == [("Analyst", "jobs")]
    assert ingest_ads(wh, [path], source="jobs", now=NOW)["unchanged_files"] == 1
    assert counts(wh)["ad_files"] == 1


def test_a_folder_yields_its_ad_files_but_not_hidden_ones(wh, tmp_path):
    write_csv(tmp_path / "a.csv", ["1,2024-03-10,Analyst,Acme,North,,Uses Python."])
    (tmp_path / "._a.csv").write_bytes(b"\x00\x05\x16\x07\x00\x02Mac OS X")  # a resource fork
    (tmp_path / "README.md").write_text("# ads\n")
    summary = ingest_ads(wh, [tmp_path], now=NOW)
    assert (summary["files"], summary["ads_stored"]) == (1, 1)


def test_changed_file_replaces_its_rows(wh, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            "1,2024-03-10,Analyst,Acme,North,,Uses Python.",
            "2,2024-03-11,Clerk,Acme,North,,Uses Excel.",
            "3,bad,Clerk,Acme,North,,Uses Excel.",
        ],
    )
    other = write_csv(tmp_path / "b.csv", ["7,2024-04-01,Clerk,Acme,North,,Uses Excel."])
    ingest_ads(wh, [path, other], now=NOW)
    assert counts(wh)["ads"] == 2
    write_csv(
        path,
        [
            "1,2024-03-10,Analyst,Acme,North,,Uses Python and SQL.",
            "5,2024-05-01,Manager,Acme,North,,Uses Docker.",
        ],
    )
    summary = ingest_ads(wh, [path, other], now=NOW)
    assert summary["replaced_files"] == 1 and summary["ads_stored"] == 2
    ads = wh.query("SELECT title, external_id, month FROM ads ORDER BY title")
    # Clerk survives through its posting in b.csv; old Analyst text is gone; Manager is new.
    assert ads.rows() == [
        ("Analyst", "1", dt.date(2024, 3, 1)),
        ("Clerk", "7", dt.date(2024, 4, 1)),
        ("Manager", "5", dt.date(2024, 5, 1)),
    ]
    assert counts(wh)["quarantine"] == 0  # old quarantine rows of the file are gone
    assert counts(wh)["ad_files"] == 2
    skills = wh.query(
        "SELECT a.title, s.skill_id FROM ad_skills s JOIN ads a USING (ad_id) ORDER BY ALL"
    ).rows()
    assert skills == [
        ("Analyst", "custom:python"),
        ("Analyst", "custom:sql"),
        ("Clerk", "custom:excel"),
        ("Manager", "custom:docker"),
    ]
    orphans = wh.query(
        "SELECT count(*) AS n FROM ad_skills WHERE ad_id NOT IN (SELECT ad_id FROM ads)"
    )["n"][0]
    assert orphans == 0


def test_malformed_files_commit_nothing(wh, tmp_path):
    good = write_csv(tmp_path / "a.csv", ["1,2024-03-10,Analyst,Acme,North,,Uses Python."])
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x00\x01\x02garbage\xff" * 50)
    ragged = tmp_path / "c.csv"
    ragged.write_text(HEADER + "1,2024-01-01,x\n" + "2,2024-01-01,a,b,c,d,e,f,g,h\n")
    truncated = tmp_path / "d.csv.gz"
    data = gzip.compress((HEADER + "1,2024-03-10,Analyst,Acme,North,,Uses SQL.\n" * 2000).encode())
    truncated.write_bytes(data[: len(data) // 2])
    not_gzip = tmp_path / "e.jsonl.gz"
    not_gzip.write_text("{}\n")
    gz_parquet = tmp_path / "g.parquet.gz"
    gz_parquet.write_bytes(gzip.compress(b"PAR1 not really parquet PAR1"))
    no_text = tmp_path / "f.csv"
    no_text.write_text("id,posted_at,body\n1,2024-01-01,hello\n")
    before = counts(wh)
    for bad, words in [
        (binary, "not a text file"),
        (ragged, "not a valid CSV"),
        (truncated, "gzip"),
        (not_gzip, "gzip"),
        (no_text, "field text"),
        (gz_parquet, "a gzipped Parquet file"),
    ]:
        with pytest.raises(UserError, match=words) as err:
            ingest_ads(wh, [good, bad], now=NOW)
        assert bad.name in str(err.value)
        assert counts(wh) == before
    failed = wh.query("SELECT count(*) AS n FROM runs WHERE status = 'failed'")["n"][0]
    assert failed == 6


def test_a_file_that_cannot_be_read_is_a_user_error(wh, tmp_path, monkeypatch):
    import skilltide.ingest.ads as ads

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    write_csv(tmp_path / "a.csv", ["1,2024-03-10,Analyst,Acme,North,,Uses Python."])
    monkeypatch.setattr(ads, "sha256_file", denied)  # as chmod 000 does for a non-root user
    with pytest.raises(UserError, match=r"a\.csv: cannot read it \(Permission denied\)"):
        ingest_ads(wh, [tmp_path], now=NOW)


def test_formats_gzip_and_nested_paths(wh, tmp_path):
    records = [
        {
            "post_id": "p1",
            "created_at": "2024-01-02T23:30:00-05:00",
            "positions": [{"title": "Go Engineer"}],
            "location": ["Berlin"],
            "body": "We use Python, Go and Docker.",
        },
        {
            "post_id": "p2",
            "created_at": "2024-02-02",
            "positions": [],
            "location": None,
            "body": "SQL and Excel",
        },
    ]
    jl = tmp_path / "ads.jsonl.gz"
    jl.write_bytes(gzip.compress("\n".join(json.dumps(r) for r in records).encode()))
    mapping = {
        "id": "post_id",
        "posted_at": "created_at",
        "title": "positions.0.title",
        "region": "location.0",
        "text": "body",
    }
    s = ingest_ads(wh, [jl], mapping=mapping, source="test", now=NOW)
    assert s["ads_stored"] == 2
    ads = wh.query("SELECT external_id, title, region, month, source FROM ads ORDER BY 1")
    assert ads.rows() == [
        ("p1", "Go Engineer", "Berlin", dt.date(2024, 1, 1), "test"),
        ("p2", None, None, dt.date(2024, 2, 1), "test"),
    ]
    # The same ads as Parquet with nested structs, and as TSV: all duplicates.
    pq = tmp_path / "ads.parquet"
    pl.DataFrame(records).write_parquet(pq)
    tsv = tmp_path / "ads.tsv"
    pl.DataFrame(
        {
            "post_id": ["p1"],
            "created_at": ["2024-01-03"],
            "title": ["Go Engineer"],
            "location": ["Berlin"],
            "body": ["We use Python, Go and Docker."],
        }
    ).write_csv(tsv, separator="\t")
    mapping_tsv = {**mapping, "title": "title", "region": "location"}
    assert ingest_ads(wh, [pq], mapping=mapping, now=NOW)["duplicates"] == 2
    assert ingest_ads(wh, [tsv], mapping=mapping_tsv, now=NOW)["duplicates"] == 1
    skills = wh.query(
        "SELECT skill_id, found_in FROM ad_skills WHERE ad_id IN"
        " (SELECT ad_id FROM ads WHERE external_id = 'p1') ORDER BY 1"
    ).rows()
    assert skills == [("custom:docker", "text"), ("custom:go", "both"), ("custom:python", "text")]


def test_bounded_batches_number_rows_across_batches(wh, tmp_path):
    rows = [
        f"{i},2024-01-{1 + i % 28:02d},Analyst {i},Acme,North,,Uses Python {i}"
        for i in range(1, 1001)
    ]
    rows[776] = "777,,Analyst,Acme,North,,Uses Python"
    path = write_csv(tmp_path / "a.csv", rows)
    s = ingest_ads(wh, [path], batch_rows=100, now=NOW)
    assert (s["rows_read"], s["ads_stored"], s["quarantined"]) == (1000, 999, 1)
    assert wh.query("SELECT row_number FROM quarantine")["row_number"].to_list() == [777]
    assert wh.query("SELECT max(row_number) AS m FROM ads")["m"][0] == 1000


def test_occupation_from_mapping_else_coder(wh, tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            "1,2024-03-10,Data Analyst,Acme,North,15-2051.00,Uses Python.",
            "2,2024-03-10,Nurse,Acme,North,,Uses Excel.",
        ],
    )

    class FakeCoder:  # the title coder's contract: predict(titles, top=1) -> polars frame
        def predict(self, titles, top=1):
            return pl.DataFrame(
                {
                    "input_index": list(range(len(titles))),
                    "rank": 1,
                    "onetsoc_code": "29-1141.00",
                    "title": titles,
                    "score": 0.8,
                }
            )

    ingest_ads(wh, [path], coder=FakeCoder(), now=NOW)
    got = wh.query(
        "SELECT title, occupation, occupation_score, occupation_source FROM ads ORDER BY 1"
    ).rows()
    assert got == [
        ("Data Analyst", "15-2051.00", None, "mapped"),
        ("Nurse", "29-1141.00", 0.8, "coder"),
    ]


def test_without_coder_occupation_is_null(wh, tmp_path):
    path = write_csv(tmp_path / "a.csv", ["1,2024-03-10,Nurse,Acme,North,,Uses Excel."])
    ingest_ads(wh, [path], coder=None, now=NOW)
    assert wh.query("SELECT occupation, occupation_source FROM ads").rows() == [(None, None)]


def test_a_moved_file_replaces_its_old_path_instead_of_reposting_every_ad(wh, tmp_path):
    # Archiving incoming/a.csv to archive/a.csv (or renaming it) read it as a new file: every
    # ad counted as a duplicate and showed as reposted, and the manifest listed both paths.
    rows = [f"{i},2024-01-0{i},Analyst {i},Acme,North,,Uses Python" for i in range(1, 4)]
    (tmp_path / "incoming").mkdir()
    path = write_csv(tmp_path / "incoming" / "a.csv", rows)
    ingest_ads(wh, [path], now=NOW)
    before = counts(wh)
    (tmp_path / "archive").mkdir()
    moved = path.rename(tmp_path / "archive" / "a.csv")
    s = ingest_ads(wh, [moved], now=NOW)
    assert (s["ads_stored"], s["duplicates"], s["file_details"][0]["status"]) == (3, 0, "moved")
    assert counts(wh) == before
    assert wh.query("SELECT path FROM ad_files")["path"].to_list() == [str(moved.resolve())]
    assert wh.query("SELECT count(*) AS n FROM ad_reposts")["n"][0] == 0
    copy = write_csv(tmp_path / "copy.csv", rows)  # a copy beside the original is another file
    assert ingest_ads(wh, [copy], now=NOW)["duplicates"] == 3
