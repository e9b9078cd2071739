"""The BLS ISCO-08 ↔ 2010 SOC crosswalk chained to 2018 SOC, and ads coded in ISCO-08 read
through it with the O*NET 30.1 title coder (real data; skipped without it)."""

from __future__ import annotations

import datetime as dt
import shutil

from skilltide.ingest.ads import ingest_ads
from skilltide.onet.coder import load_coder
from skilltide.onet.crosswalk import load_crosswalk
from skilltide.onet.esco import read_esco
from skilltide.store import Warehouse
from tests.conftest import shared_path


def test_bls_crosswalk_and_isco_coded_ads(built_db, tmp_path):
    isco = shared_path("soc", "bls", "isco_soc_crosswalk.xls")
    chain = shared_path("soc", "bls", "soc_2010_to_2018_crosswalk.xlsx")
    db = tmp_path / "w.duckdb"
    shutil.copy(built_db, db)  # the session's warehouse stays as it is
    ads = tmp_path / "ads.csv"
    ads.write_text(
        "posted_at,title,text,isco\n"
        "2024-01-05,Senior Java Developer (Remote),Java and SQL,2512\n"
        "2024-01-06,QA Test Engineer,Selenium,2512\n"
        "2024-01-07,ICU Nurse - Nights,Critical care,2221\n"
        "2024-01-08,GP,Family medicine,2211\n"
        "2024-01-09,Tax Accountant,Excel,2411\n"
    )
    with Warehouse(db) as wh:
        summary = load_crosswalk(wh, isco, chain)
        # 436 unit groups and 2 minor groups, each reaching 2018 SOC through the chain
        assert (summary["isco_codes"], summary["soc_codes"], summary["single"]) == (438, 867, 139)
        assert summary["soc_codes_in_onet"] == 867 and summary["unmapped_soc_2010"] == []
        ingest_ads(wh, [ads], mapping=["occupation=isco"], coder=load_coder(wh),
                   now=dt.datetime(2025, 1, 1))  # fmt: skip
        rows = wh.query("SELECT title, occupation FROM ads ORDER BY posted_at").rows()
    assert rows == [
        ("Senior Java Developer (Remote)", "15-1252.00"),  # 2512: 15-1252 or 15-1253
        ("QA Test Engineer", "15-1253.00"),
        ("ICU Nurse - Nights", "29-1141.00"),  # 2221: 29-1141, 29-1151 or 29-1171
        ("GP", "29-1215.00"),  # 2211: one of 11 physician occupations
        ("Tax Accountant", "13-2011.00"),  # 2411: 13-2011, 13-2031 or 13-2082
    ]


def test_esco_occupations_read_through_the_bls_crosswalk(built_db, tmp_path):
    isco = shared_path("soc", "bls", "isco_soc_crosswalk.xls")
    chain = shared_path("soc", "bls", "soc_2010_to_2018_crosswalk.xlsx")
    esco_file = shared_path("soc", "esco", "occupations_en.csv")
    uri = dict(read_esco(esco_file).select("label", "uri").iter_rows())
    db = tmp_path / "w.duckdb"
    shutil.copy(built_db, db)
    labels = ["software developer", "software tester", "nurse responsible for general care",
              "general practitioner", "accountant", "sales assistant"]  # fmt: skip
    ads = tmp_path / "ads.csv"
    ads.write_text(
        "posted_at,title,text,esco\n"
        + "".join(
            f"2024-01-0{i + 1},Vacancy {i},Uses Excel,{uri[x]}\n" for i, x in enumerate(labels)
        )
    )
    with Warehouse(db) as wh:
        summary = load_crosswalk(wh, isco, chain, esco_file)
        assert (summary["esco_occupations"], summary["esco_in_crosswalk"]) == (2942, 2942)
        ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=load_coder(wh),
                   now=dt.datetime(2025, 1, 1))  # fmt: skip
        rows = wh.query("SELECT occupation, occupation_source FROM ads ORDER BY posted_at").rows()
    assert rows == [
        ("15-1252.00", "mapped_esco"),  # 2512: Software Developers or QA Analysts and Testers
        ("15-1253.00", "mapped_esco"),
        ("29-1141.00", "mapped_esco"),  # 2221: Registered Nurses, not Nurse Practitioners
        ("29-1215.00", "mapped_esco"),  # 2211: Family Medicine Physicians, of 11
        ("13-2011.00", "mapped_esco"),  # 2411: Accountants and Auditors
        ("41-2031.00", "mapped_esco"),  # 5223: Retail Salespersons
    ]
