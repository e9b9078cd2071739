"""Stored ads are coded again when a title coder is built after them (or rebuilt)."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
import pytest

from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.recode import recode_stored_ads
from skilltide.store import Warehouse
from tests.conftest import shared_path

ADS = (
    "id,posted_at,title,text,company,region,occupation\n"
    "1,2024-01-05,Registered Nurse - ICU Nights,Care for patients,A,north,\n"
    "2,2024-01-09,Sr. Java Developer (Remote),Build services,B,south,\n"
    "3,2024-02-02,Accountant,Close the books,C,north,13-2011.01\n"
    "4,2024-02-03,,No title given,D,north,\n"
)


class FirstWordCoder:
    """A stand-in coder: a code per first word of the title (``predict(titles, top=1)``)."""

    codes: ClassVar = {"registered": "29-1141.00", "sr.": "15-1252.00"}

    def predict(self, titles: list[str], top: int = 1) -> pl.DataFrame:
        words = [t.split()[0].lower() for t in titles]
        return pl.DataFrame(
            {
                "input_index": list(range(len(titles))),
                "rank": [1] * len(titles),
                "onetsoc_code": [self.codes.get(w) for w in words],
                "score": [0.8] * len(titles),
            }
        )


def _occupations(wh: Warehouse) -> dict:
    ads = wh.query("SELECT external_id, occupation, occupation_source FROM ads")
    return {r[0]: (r[1], r[2]) for r in ads.iter_rows()}


def _occupation_panel(wh: Warehouse) -> dict:
    rows = wh.query(
        "SELECT group_id, sum(ads)::INT AS ads FROM demand_totals"
        " WHERE panel = 'ads' AND granularity = 'occupation' GROUP BY group_id"
    )
    return dict(rows.iter_rows())


def test_ads_ingested_without_a_coder_are_coded_and_their_panel_rebuilt(db, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    with Warehouse(db) as wh:
        ingest_ads(wh, [path], coder=None)
        assert _occupation_panel(wh) == {"unknown": 3, "13-2011.01": 1}
        with wh.run("test recode") as run:
            counts = recode_stored_ads(run, FirstWordCoder())
        assert counts == {"titles": 2, "ads": 2, "changed": 2}
        assert _occupations(wh) == {
            "1": ("29-1141.00", "coder"),
            "2": ("15-1252.00", "coder"),
            "3": ("13-2011.01", "mapped"),  # a mapped occupation is never recoded
            "4": (None, None),  # no title: nothing to code
        }
        assert _occupation_panel(wh) == {
            "29-1141.00": 1,
            "15-1252.00": 1,
            "13-2011.01": 1,
            "unknown": 1,
        }
        with wh.run("test recode again") as run:  # the same coder changes nothing
            assert recode_stored_ads(run, FirstWordCoder())["changed"] == 0


@pytest.mark.shared_data
def test_building_the_coder_after_ingest_codes_the_stored_ads(db, tmp_path, cli):
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    with Warehouse(db) as wh:
        ingest_ads(wh, [path])  # no O*NET yet: no coder, no codes
        assert _occupations(wh)["1"] == (None, None)
    assert cli("onet", "load", shared_path("onet", "30.1"), "--db", db).exit_code == 0
    result = cli("onet", "build-coder", "--db", db)
    assert result.exit_code == 0, result.output
    with Warehouse(db) as wh:
        occupations = _occupations(wh)
        panel = _occupation_panel(wh)
        stages = wh.query("SELECT stages FROM runs WHERE command = 'onet build-coder'")
    nurse, source = occupations["1"]  # "Registered Nurse - ICU Nights": an RN (critical care)
    assert nurse.startswith("29-1141") and source == "coder"
    assert occupations["2"][0].startswith("15-12") and occupations["3"][1] == "mapped"
    assert panel[nurse] == 1 and "unknown" in panel  # the ad without a title
    assert "recode ads" in stages["stages"][0] and "demand panel" in stages["stages"][0]
