"""Mapped occupation values: SOC/O*NET-SOC codes in any common form are one occupation, and a
value that is no code is coded as a title (``mapped_title``)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import ClassVar

import polars as pl
import pytest

from skilltide.ingest.ad_occupations import occupations
from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.occupation_codes import soc_code
from skilltide.ingest.recode import recode_stored_ads
from skilltide.store import Warehouse

NOW = dt.datetime(2025, 1, 1)
ADS = (
    "id,posted_at,title,text,soc\n"
    "1,2024-01-05,Dev 1,Uses SQL daily,15-1252\n"
    "2,2024-01-06,Dev 2,Uses SQL weekly,151252\n"
    "3,2024-01-07,Dev 3,Uses SQL monthly,15-1252.00\n"
    "4,2024-01-08,Dev 4,Uses SQL hourly, 15 - 1252 \n"
    "5,2024-01-09,Dev 5,Uses SQL yearly,15-1252.01\n"
    "6,2024-01-10,Nurse on call,Uses SQL rarely,Software Developer\n"
    "7,2024-01-11,Nurse at night,Uses SQL never,\n"
)


class NameCoder:
    """A stand-in coder: "software …" is Software Developers, "nurse …" Registered Nurses."""

    codes: ClassVar = {"software": "15-1252.00", "nurse": "29-1141.00"}

    def __init__(self, score: float = 0.8) -> None:
        self.score = score

    def predict(self, titles: list[str], top: int = 1) -> pl.DataFrame:
        n = len(titles)
        return pl.DataFrame(
            {
                "input_index": list(range(n)),
                "rank": [1] * n,
                "onetsoc_code": [self.codes.get(t.split()[0].lower()) for t in titles],
                "score": [self.score] * n,
            }
        )


def _ads(wh: Warehouse) -> list[tuple]:
    return wh.query(
        "SELECT external_id, occupation, occupation_source FROM ads ORDER BY row_number"
    ).rows()


def _panel(wh: Warehouse, granularity: str) -> dict:
    rows = wh.query(
        "SELECT group_id, sum(ads)::INT AS ads FROM demand_totals"
        " WHERE panel = 'ads' AND granularity = ? GROUP BY 1",
        [granularity],
    )
    return dict(rows.rows())


def test_codes_in_every_form_are_one_occupation_and_a_name_is_coded_as_a_title(wh, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    ingest_ads(wh, [path], mapping=["occupation=soc"], coder=NameCoder(), now=NOW)
    assert _ads(wh) == [
        *[(str(i), "15-1252.00", "mapped") for i in range(1, 5)],
        ("5", "15-1252.01", "mapped"),  # the O*NET detail is kept
        ("6", "15-1252.00", "mapped_title"),  # the mapped name, not the title (a nurse)
        ("7", "29-1141.00", "coder"),  # no value: the title
    ]
    assert _panel(wh, "occupation") == {"15-1252.00": 5, "15-1252.01": 1, "29-1141.00": 1}
    assert _panel(wh, "major_group") == {"15-0000": 6, "29-0000": 1}
    again = ingest_ads(wh, [path], mapping=["occupation=soc"], coder=NameCoder(), now=NOW)
    assert again["file_details"][0]["status"] == "unchanged"


def test_without_a_coder_a_mapped_name_is_unknown(wh, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    ingest_ads(wh, [path], mapping=["occupation=soc"], coder=None, now=NOW)
    assert _ads(wh)[5:] == [("6", None, "mapped_title"), ("7", None, None)]
    assert _panel(wh, "major_group") == {"15-0000": 5, "unknown": 2}


def test_a_recode_codes_a_mapped_name_again_from_the_name_not_the_title(db, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    with Warehouse(db) as wh:
        ingest_ads(wh, [path], mapping=["occupation=soc"], coder=None, now=NOW)
        with wh.run("test recode") as run:
            counts = recode_stored_ads(run, NameCoder())
        assert counts == {"titles": 2, "ads": 2, "changed": 2}
        assert _ads(wh)[5:] == [
            ("6", "15-1252.00", "mapped_title"),
            ("7", "29-1141.00", "coder"),
        ]
        assert _ads(wh)[0] == ("1", "15-1252.00", "mapped")  # a mapped code is never recoded
        with wh.run("test recode again") as run:  # another score: both change again
            assert recode_stored_ads(run, NameCoder(0.5))["changed"] == 2
        assert _ads(wh)[5] == ("6", "15-1252.00", "mapped_title")


def test_an_ad_falling_back_to_another_posting_keeps_its_code_normalised(wh, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("posted_at,title,text,soc\n2024-01-05,Dev,Uses SQL,15-1252.00\n")
    second.write_text("posted_at,title,text,soc\n2024-02-05,Dev,Uses SQL,151252\n")
    ingest_ads(wh, [first, second], mapping=["occupation=soc"], coder=None, now=NOW)
    first.write_text("posted_at,title,text,soc\n2024-01-05,Clerk,Files papers,43-9061\n")
    ingest_ads(wh, [first, second], mapping=["occupation=soc"], coder=None, now=NOW)
    rows = wh.query("SELECT title, occupation, occupation_source FROM ads ORDER BY title").rows()
    assert rows == [("Clerk", "43-9061.00", "mapped"), ("Dev", "15-1252.00", "mapped")]


def test_a_new_way_of_reading_occupations_reads_stored_files_again(wh, tmp_path, monkeypatch):
    """Files stored before mapped codes were normalised kept "15-1252" beside "15-1252.00":
    the first ingest after the upgrade reads them again."""
    from skilltide.ingest import occupation_codes

    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    monkeypatch.setattr(occupation_codes, "READING", 0)
    ingest_ads(wh, [path], mapping=["occupation=soc"], coder=None, now=NOW)
    assert (
        ingest_ads(wh, [path], mapping=["occupation=soc"], coder=None, now=NOW)["file_details"][0][
            "status"
        ]
        == "unchanged"
    )
    monkeypatch.setattr(occupation_codes, "READING", 1)
    summary = ingest_ads(wh, [path], mapping=["occupation=soc"], coder=None, now=NOW)
    assert summary["file_details"][0]["status"] == "replaced"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("15-1252", "15-1252.00"),
        ("151252", "15-1252.00"),
        ("15-1252.00", "15-1252.00"),
        ("15-1252.01", "15-1252.01"),
        (" 15 - 1252 . 01 ", "15-1252.01"),
        ("15125201", "15-1252.01"),
        ("15-1252.00 - Software Developers", "15-1252.00"),
        ("151252.0", "15-1252.00"),  # a code read as a number (pandas, a spreadsheet)
        ("15125201.0", "15-1252.01"),
        ("151252.5", None),
        ("15-1252.1", None),
        ("1512520", None),
        ("Software Developer", None),
        ("2024-01", None),
        ("", None),
    ],
)
def test_soc_code(value, code):
    assert pl.select(soc_code(pl.lit(value))).item() == code


def test_occupations_of_a_batch_without_a_coder():
    new = pl.DataFrame(
        {"occupation": ["15-1252", "Nurse", None, " "], "title": ["a", "b", "c", None]}
    )
    out = occupations(new, None)
    assert out.rows() == [
        ("15-1252.00", None, "mapped"),
        (None, None, "mapped_title"),
        (None, None, None),
        (None, None, None),
    ]


def _as_before_the_upgrade(wh: Warehouse) -> None:
    """The stored ads as the code before 2026-12-07 left them: mapped values as written, and
    no coder reading recorded."""
    wh.con.execute(
        "UPDATE ads SET occupation = CASE WHEN title = 'Dev' THEN '15-1252'"
        " ELSE 'Software Developer' END, occupation_source = 'mapped', occupation_score = NULL"
    )
    wh.con.execute("DELETE FROM ads_coder")


def test_stored_ads_of_files_not_read_again_are_normalised_by_the_first_ingest(wh, tmp_path):
    """An upgraded warehouse given only a new file: the ads of its older files are read as
    now too, so a monthly series does not split into 15-1252 before the upgrade and
    15-1252.00 after it (nor a name into a group of its own)."""
    jan, feb = tmp_path / "jan.csv", tmp_path / "feb.csv"
    jan.write_text(
        "posted_at,title,text,soc\n"
        "2024-01-05,Dev,Uses SQL,15-1252\n"
        "2024-01-06,Nurse,Uses SQL at night,Software Developer\n"
    )
    feb.write_text("posted_at,title,text,soc\n2024-02-05,Dev,Uses SQL daily,15-1252\n")
    ingest_ads(wh, [jan], mapping=["occupation=soc"], now=NOW)
    _as_before_the_upgrade(wh)
    ingest_ads(wh, [feb], mapping=["occupation=soc"], now=NOW)  # no coder: none stored
    rows = wh.query("SELECT title, occupation, occupation_source FROM ads ORDER BY posted_at")
    assert rows.rows() == [
        ("Dev", "15-1252.00", "mapped"),
        ("Nurse", None, "mapped_title"),  # coded as a title once a coder is built
        ("Dev", "15-1252.00", "mapped"),
    ]
    assert _panel(wh, "occupation") == {"15-1252.00": 2, "unknown": 1}


def test_codes_stored_as_names_before_numbers_were_read_are_codes_after_any_ingest(wh, tmp_path):
    """151252.0 (pandas writes an integer column with gaps as floats) was no code before
    reading 2: the ad was unknown. An ingest of another file reads it as 15-1252.00."""
    jan, feb = tmp_path / "jan.csv", tmp_path / "feb.csv"
    jan.write_text("posted_at,title,text,soc\n2024-01-05,Dev,Uses SQL,151252.0\n")
    feb.write_text("posted_at,title,text,soc\n2024-02-05,Dev,Uses SQL daily,15-1252\n")
    ingest_ads(wh, [jan], mapping=["occupation=soc"], coder=None, now=NOW)
    wh.con.execute(  # as reading 1 stored it
        "UPDATE ads SET occupation = NULL, occupation_source = 'mapped_title'"
    )
    summary = ingest_ads(wh, [feb], mapping=["occupation=soc"], coder=None, now=NOW)
    rows = wh.query("SELECT occupation, occupation_source FROM ads ORDER BY posted_at").rows()
    assert rows == [("15-1252.00", "mapped"), ("15-1252.00", "mapped")]
    assert _panel(wh, "occupation") == {"15-1252.00": 2}
    assert summary["uncoded_occupations"] is None


def test_a_recode_normalises_stored_mapped_values_and_codes_the_names(db, tmp_path):
    """onet build-coder after an upgrade (it codes the stored ads again before any ingest)."""
    path = tmp_path / "jan.csv"
    path.write_text(
        "posted_at,title,text,soc\n"
        "2024-01-05,Dev,Uses SQL,15-1252\n"
        "2024-01-06,Nurse,Uses SQL at night,Software Developer\n"
    )
    with Warehouse(db) as wh:
        ingest_ads(wh, [path], mapping=["occupation=soc"], coder=None, now=NOW)
        _as_before_the_upgrade(wh)
        wh.con.execute("UPDATE ad_postings SET occupation = NULL")  # as before migration 0012
        with wh.run("test recode") as run:
            recode_stored_ads(run, NameCoder())
        rows = wh.query("SELECT title, occupation, occupation_source FROM ads ORDER BY title")
        assert rows.rows() == [
            ("Dev", "15-1252.00", "mapped"),
            ("Nurse", "15-1252.00", "mapped_title"),  # the mapped name, not the title
        ]
        assert _panel(wh, "occupation") == {"15-1252.00": 2}


def test_mapped_values_neither_codes_nor_codable_are_counted_and_warned_of(wh, tmp_path, cli):
    # found in review: an ISCO column ('2512') became unknown in silence
    path = tmp_path / "ads.csv"
    path.write_text(
        ADS + "8,2024-01-12,Dev 8,Uses SQL often,2512\n9,2024-01-13,Dev 9,Uses SQL,2512\n"
    )
    summary = ingest_ads(wh, [path], mapping=["occupation=soc"], coder=NameCoder(), now=NOW)
    assert summary["uncoded_occupations"] == {
        "ads": 2,
        "values": [["2512", 2]],
        "isco_crosswalk": False,  # the warning names `skilltide onet crosswalk`
        "esco_occupations": False,
        "esco_unknown": None,
        "isco_unchosen": 0,
    }
    clean = tmp_path / "clean.csv"
    clean.write_text(ADS.replace("Software Developer", "15-1252"))
    summary = ingest_ads(wh, [clean], mapping=["occupation=soc"], coder=NameCoder(), now=NOW)
    assert summary["uncoded_occupations"] is None  # this run's ads only
    # without O*NET, no coder: the name waits for one, and the warning says how
    result = cli("ingest", "ads", path, "--map", "occupation=soc", "--db", tmp_path / "new.duckdb")
    assert result.exit_code == 0, result.output
    assert (
        "warning: the mapped occupation values of 3 ads are no O*NET-SOC codes, and no title "
        "coder is stored to code them as titles, so they count as unknown (most: '2512' (2 ads), "
        "'Software Developer' (1 ad)); load O*NET"
    ) in result.stderr


def test_skilltide_run_logs_mapped_values_it_could_not_code(tmp_path):
    from skilltide.config import load_settings
    from skilltide.logs import EventLog
    from skilltide.pipeline import Pipeline, PipelineConfig
    from tests.test_pipeline import _seed_vocabulary

    (tmp_path / "ads").mkdir()
    (tmp_path / "ads" / "a.csv").write_text(ADS)
    config = tmp_path / "skilltide.toml"
    config.write_text(
        '[warehouse]\ndb = "w.duckdb"\n[[sources]]\npaths = ["ads"]\nmap = {occupation = "soc"}\n'
    )
    _seed_vocabulary(tmp_path / "w.duckdb")
    settings = load_settings(config=config, quiet=True)
    stream = io.StringIO()
    with Warehouse(settings.db) as wh:
        log = EventLog(as_json=True, quiet=True, stream=stream)
        assert Pipeline(wh, PipelineConfig.from_settings(settings), log).run().status == "success"
    warnings = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(w["event"], w["ads"], w["values"]) for w in warnings] == [
        ("file.uncoded_occupations", 1, [["Software Developer", 1]])
    ]
