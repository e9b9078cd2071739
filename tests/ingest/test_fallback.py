"""An ad whose first posting's file changes falls back to its earliest remaining posting in
every field: the warehouse is then the one a fresh ingest of the same files gives."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.ingest.ads import ingest_ads
from skilltide.store import Warehouse, latest_version
from tests.ingest.helpers import add_vocab, small_vocab
from tests.ingest.test_ads import NOW, write_csv

# Three ads posted in both files, first in a.csv; b.csv's postings differ in every field an ad
# takes from its first posting that its id allows (title and company only in case).
A_ROWS = [
    "1,2024-01-05,Data Analyst,Acme,North,15-2051.00,Uses Python daily.",
    "2,2024-01-06,Nurse,Care Ltd,East,29-1141.00,Uses Excel.",
    "3,2024-01-07,Go Developer,Acme,West,,Builds services.",
]
B_ROWS = [
    "9,2024-02-01,DATA ANALYST,ACME,South,15-2051.01,Uses  Python  daily.",
    "10,2024-02-02,nurse,CARE LTD,East,,Uses Excel.",  # no mapped occupation: the coder's
    "11,2024-02-03,GO DEVELOPER,acme,West,,Builds services.",  # not Go in a list context
]
CHANGED_A = ["5,2024-03-01,Clerk,Acme,North,,Files papers."]  # a.csv's three ads are gone


class TitleCoder:
    """The title coder's contract (``predict(titles, top=1)``): one code for every title."""

    def predict(self, titles, top=1):
        return pl.DataFrame(
            {"input_index": list(range(len(titles))), "rank": 1, "onetsoc_code": "29-2099.00"}
        ).with_columns(title=pl.Series(titles, dtype=pl.String), score=pl.lit(0.7))


SOURCES = {"a.csv": "boards", "b.csv": "agency", "c.csv": None}


def ingest(wh: Warehouse, *paths: Path) -> None:
    for path in paths:  # each file with its own source, as two feeds would be
        ingest_ads(wh, [path], source=SOURCES[path.name], coder=TitleCoder(), now=NOW)


def tables(wh: Warehouse) -> dict[str, list[tuple]]:
    """Every stored row but run ids, in a fixed order."""
    return {
        "ads": wh.query("SELECT * EXCLUDE (run_id) FROM ads ORDER BY ad_id").rows(),
        "ad_skills": wh.query(
            "SELECT ad_id, skill_id, found_in FROM ad_skills ORDER BY ALL"
        ).rows(),
        "ad_postings": wh.query("SELECT * EXCLUDE (run_id) FROM ad_postings ORDER BY ALL").rows(),
    }


def fresh(tmp_path: Path, a: Path, b: Path) -> dict[str, list[tuple]]:
    with Warehouse(tmp_path / "fresh.duckdb") as wh:
        add_vocab(wh, *small_vocab())
        ingest(wh, a, b)
        return tables(wh)


def test_the_region_of_the_remaining_posting_as_a_fresh_ingest_has_it(wh, tmp_path):
    a = write_csv(tmp_path / "a.csv", ["1,2024-01-05,Analyst,Acme,North,,Uses SQL."])
    b = write_csv(tmp_path / "b.csv", ["2,2024-02-01,Analyst,Acme,South,,Uses SQL."])
    ingest_ads(wh, [a, b], now=NOW)
    write_csv(a, CHANGED_A)
    ingest_ads(wh, [a], now=NOW)
    with Warehouse(tmp_path / "fresh.duckdb") as other:
        add_vocab(other, *small_vocab())
        ingest_ads(other, [a, b], now=NOW)
        assert tables(wh)["ads"] == tables(other)["ads"]
    assert wh.query("SELECT region FROM ads WHERE title = 'Analyst'").rows() == [("South",)]


@pytest.mark.parametrize("order", ["a then b", "b then a"])
def test_of_two_files_with_the_same_bytes_the_ad_is_the_posting_of_the_first_path(
    wh, tmp_path, order
):
    # date, bytes and row tie: the path decides, not the order the files are read in (a
    # fallback chooses so too: both files then give the ads of a fresh ingest)
    a = write_csv(tmp_path / "a.csv", A_ROWS)
    b = write_csv(tmp_path / "b.csv", A_ROWS)
    for path in (a, b) if order == "a then b" else (b, a):
        ingest_ads(wh, [path], now=NOW)
    paths = wh.query("SELECT DISTINCT f.path FROM ads JOIN ad_files f USING (file_id)").rows()
    assert paths == [(str(a.resolve()),)]
    assert wh.query("SELECT count(*) AS n FROM ad_postings")["n"].item() == 6


@pytest.mark.parametrize("order", ["a then b", "b then a"])
def test_an_ad_falls_back_to_every_field_of_its_remaining_posting(wh, tmp_path, order):
    a = write_csv(tmp_path / "a.csv", A_ROWS)
    b = write_csv(tmp_path / "b.csv", B_ROWS)
    # b then a: a's earlier postings replace the ads stored from b (store_batch's path)
    ingest(wh, *((a, b) if order == "a then b" else (b, a)))
    write_csv(a, CHANGED_A)
    ingest(wh, a)
    incremental = tables(wh)
    assert incremental == fresh(tmp_path, a, b)
    ads = wh.query(
        "SELECT external_id, title, company, region, source, text_chars FROM ads"
        " ORDER BY external_id"
    ).rows()
    assert ads == [
        ("10", "nurse", "CARE LTD", "East", "agency", 11),
        ("11", "GO DEVELOPER", "acme", "West", "agency", 16),
        ("5", "Clerk", "Acme", "North", "boards", 13),
        ("9", "DATA ANALYST", "ACME", "South", "agency", 20),
    ]


def test_the_occupation_is_the_remaining_postings_mapped_value_else_its_coded_title(wh, tmp_path):
    a = write_csv(tmp_path / "a.csv", A_ROWS)
    b = write_csv(tmp_path / "b.csv", B_ROWS)
    ingest(wh, a, b)
    write_csv(a, CHANGED_A)
    ingest(wh, a)
    got = wh.query(
        "SELECT title, occupation, occupation_score, occupation_source FROM ads ORDER BY title"
    ).rows()
    assert got == [
        ("Clerk", "29-2099.00", 0.7, "coder"),
        ("DATA ANALYST", "15-2051.01", None, "mapped"),  # was a.csv's 15-2051.00
        ("GO DEVELOPER", "29-2099.00", 0.7, "coder"),
        ("nurse", "29-2099.00", 0.7, "coder"),  # was a.csv's mapped 29-1141.00
    ]


def test_the_title_skills_are_those_of_the_remaining_title(wh, tmp_path):
    a = write_csv(tmp_path / "a.csv", A_ROWS)
    b = write_csv(tmp_path / "b.csv", B_ROWS)
    ingest(wh, a, b)

    def skills() -> list[tuple]:
        return wh.query(
            "SELECT a.external_id, s.skill_id, s.found_in FROM ad_skills s JOIN ads a"
            " USING (ad_id) ORDER BY ALL"
        ).rows()

    assert ("3", "custom:go", "title") in skills()  # "Go Developer": Go names the skill
    write_csv(a, CHANGED_A)
    ingest(wh, a)
    # "GO DEVELOPER" does not (a guarded name needs its exact case); text skills are kept
    assert skills() == [("10", "custom:excel", "text"), ("9", "custom:python", "text")]


def test_a_posting_stored_before_migration_12_keeps_the_old_fallback(db, tmp_path):
    a = write_csv(tmp_path / "a.csv", A_ROWS[:1])
    b = write_csv(tmp_path / "b.csv", B_ROWS[:1])
    with Warehouse(db, target_version=11) as old:  # as skilltide left it before 0012
        add_vocab(old, *small_vocab())
        old.con.execute(
            "INSERT INTO ad_files VALUES ('fa', ?, 1, 'aa', 'csv', 'boards', 1, 1, 0, 0, 'r1',"
            " NULL), ('fb', ?, 1, 'bb', 'csv', 'agency', 1, 0, 1, 0, 'r1', NULL)",
            [str(a.resolve()), str(b.resolve())],
        )
        old.con.execute(
            "INSERT INTO ads VALUES ('ad:x', 'boards', '1', 'fa', 1, '2024-01-05', '2024-01-01',"
            " 'Data Analyst', 'Acme', 'North', '15-2051.00', NULL, 'mapped', 18, 'r1')"
        )
        old.con.execute(
            "INSERT INTO ad_postings VALUES"
            " ('ad:x', 'fa', 1, '1', '2024-01-05', '2024-01-01', 'r1'),"
            " ('ad:x', 'fb', 1, '9', '2024-02-01', '2024-02-01', 'r1')"
        )
        old.con.execute("INSERT INTO ad_skills VALUES ('ad:x', 'custom:python', 'text', 'r1')")
    with Warehouse(db) as wh:
        write_csv(a, CHANGED_A)
        assert ingest_ads(wh, [a], source="boards", now=NOW)["replaced_files"] == 1
        ad = wh.query("SELECT * EXCLUDE (ad_id) FROM ads WHERE ad_id = 'ad:x'").rows()
        # date, place and the file's source from b.csv's posting; the rest as it was
        assert ad == [
            (
                "agency",
                "9",
                "fb",
                1,
                dt.datetime(2024, 2, 1),
                dt.date(2024, 2, 1),
                "Data Analyst",
                "Acme",
                "North",
                "15-2051.00",
                None,
                "mapped",
                18,
                "r1",
            )
        ]
        skills = wh.query("SELECT skill_id, found_in, run_id FROM ad_skills WHERE ad_id = 'ad:x'")
        assert skills.rows() == [("custom:python", "text", "r1")]


def test_the_migration_adds_the_posting_fields_to_a_warehouse_of_the_previous_version(db, tmp_path):
    with Warehouse(db, target_version=11) as old:  # the version before 0012
        old.con.execute(
            "INSERT INTO ad_postings VALUES"
            " ('ad:x', 'fa', 1, '1', '2024-01-05', '2024-01-01', 'r1')"
        )
    with Warehouse(db) as wh:
        assert wh.schema_version == latest_version() >= 12
        postings = wh.query("SELECT * FROM ad_postings")
        assert postings.columns[-5:] == ["title", "company", "region", "occupation", "text_chars"]
        assert postings.rows() == [
            ("ad:x", "fa", 1, "1", dt.datetime(2024, 1, 5), dt.date(2024, 1, 1), "r1") + (None,) * 5
        ]
        assert wh.query("SELECT * FROM ad_reposts").columns == postings.columns
        add_vocab(wh, *small_vocab())
        ingest_ads(wh, [write_csv(tmp_path / "a.csv", A_ROWS[:1])], coder=None, now=NOW)
        stored = wh.query(
            "SELECT title, company, region, occupation, text_chars FROM ad_postings"
            " WHERE ad_id <> 'ad:x'"
        )
        assert stored.rows() == [("Data Analyst", "Acme", "North", "15-2051.00", 18)]


# Ads posted in several files with other casings, regions, occupations, dates (ties too) and
# spacing; files changed at random: the incremental warehouse must be the fresh one each time.
POOL = [
    ("Acme", "Data Analyst", "Uses Python and SQL daily."),
    ("Care", "Nurse", "Uses Excel at the ward."),
    ("Acme", "Go Developer", "Builds services with Docker."),
    ("Zed", "R Analyst", "Statistics with R, SQL and Python."),
]


def random_rows(rng: random.Random) -> list[str]:
    rows = []
    for company, title, text in POOL:
        if rng.random() < 0.6:
            title, company = (rng.choice([s, s.upper(), s.lower()]) for s in (title, company))
            rows.append(
                f"{rng.randint(1, 99)},2024-0{rng.randint(1, 3)}-01,{title},{company},"
                f"{rng.choice('NSE')},{rng.choice(['', '15-2051.00', '29-1141.00'])},"
                f'"{text.replace(" ", "  ", rng.randint(0, 1))}"'  # text_chars differ
            )
    return rows


def test_incremental_ingests_of_changing_files_equal_a_fresh_ingest(wh, tmp_path):
    rng = random.Random(7)
    files = [tmp_path / name for name in ("a.csv", "b.csv", "c.csv")]
    for path in files:
        write_csv(path, random_rows(rng))
    ingest(wh, *rng.sample(files, 3))
    for round_ in range(8):
        write_csv(rng.choice(files), random_rows(rng))
        ingest(wh, *rng.sample(files, 3))
        with Warehouse(tmp_path / f"fresh{round_}.duckdb") as other:
            add_vocab(other, *small_vocab())
            ingest(other, *files)
            assert tables(wh) == tables(other), f"round {round_}"


def test_a_run_failing_after_the_fallback_leaves_the_warehouse_as_it_was(wh, tmp_path):
    a = write_csv(tmp_path / "a.csv", A_ROWS)
    b = write_csv(tmp_path / "b.csv", B_ROWS)
    ingest(wh, a, b)
    before = tables(wh)
    write_csv(a, ['5,2024-03-01,Clerk,Acme,North,,"Files papers.'])  # a field never closed
    with pytest.raises(UserError, match="a quoted field is not closed"):
        ingest(wh, a)  # after a.csv's ads fell back to b.csv's postings
    assert tables(wh) == before
