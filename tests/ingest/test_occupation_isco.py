"""ISCO-08 occupation codes read through the stored crosswalk (``skilltide onet crosswalk``):
one SOC occupation is its code, several are chosen among by the title coder."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import numpy as np
import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.ingest.ad_occupations import occupations
from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.occupation_isco import isco_key
from skilltide.ingest.recode import recode_stored_ads
from skilltide.onet.crosswalk import load_crosswalk

NOW = dt.datetime(2025, 1, 1)
# ISCO-08 → 2018 SOC: 2512 and 2221 map to several occupations, 2211 and 0110 to one
CROSSWALK = (
    "ISCO-08 Code,ISCO-08 Title EN,2018 SOC Code\n"
    "2512,Software developers,15-1252\n"
    "2512,Software developers,15-1253\n"
    "2221,Nursing professionals,29-1141\n"
    "2221,Nursing professionals,29-1171\n"
    "2211,Generalist medical practitioners,29-1215\n"
    "0110,Commissioned armed forces officers,55-1019\n"
)
ADS = (
    "id,posted_at,title,text,isco\n"
    "1,2024-01-05,Java Developer,Uses SQL daily,2512\n"
    "2,2024-01-06,QA Tester,Uses SQL weekly,2512\n"
    "3,2024-01-07,Family doctor,Uses SQL monthly,2211.0\n"
    "4,2024-01-08,Officer,Uses SQL hourly,110\n"
    "5,2024-01-09,Nurse practitioner,Uses SQL yearly,2221\n"
    "6,2024-01-10,,Uses SQL never,2512\n"
    "7,2024-01-11,Clerk,Uses SQL rarely,4110\n"
)


class WordCoder:
    """A stand-in coder with probabilities over six occupations: a title word it knows puts
    most of the probability on one of them."""

    codes = np.array(
        ["11-1011.00", "15-1252.00", "15-1253.00", "29-1141.00", "29-1141.01", "29-1171.00"]
    )
    words: ClassVar = {"developer": 1, "tester": 2, "nurse": 3, "practitioner": 5, "doctor": 0}

    def __init__(self, weight: float = 5.0) -> None:
        self.weight = weight

    def predict_proba(self, titles: list[str]) -> np.ndarray:
        out = np.ones((len(titles), len(self.codes)))
        for i, title in enumerate(titles):
            for word in (title or "").lower().split():
                if word in self.words:
                    out[i, self.words[word]] += self.weight
        return out / out.sum(axis=1, keepdims=True)

    def predict(self, titles: list[str], top: int = 1) -> pl.DataFrame:
        probs = self.predict_proba(titles)
        order = np.argsort(-probs, axis=1, kind="stable")[:, :top]
        return pl.DataFrame(
            {
                "input_index": np.repeat(np.arange(len(titles)), top),
                "rank": np.tile(np.arange(1, top + 1), len(titles)),
                "onetsoc_code": self.codes[order].ravel(),
                "score": np.take_along_axis(probs, order, axis=1).ravel(),
            }
        )


def _ads(wh) -> list[tuple]:
    return wh.query(
        "SELECT external_id, occupation, round(occupation_score, 3), occupation_source FROM ads"
        " ORDER BY row_number"
    ).rows()


def _crosswalk(tmp_path, text: str = CROSSWALK):
    path = tmp_path / "isco.csv"
    path.write_text(text)
    return path


def test_isco_codes_read_through_the_crosswalk(wh, tmp_path):
    load_crosswalk(wh, _crosswalk(tmp_path))
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    summary = ingest_ads(wh, [path], mapping=["occupation=isco"], coder=WordCoder(), now=NOW)
    assert _ads(wh) == [
        ("1", "15-1252.00", 0.857, "mapped_isco"),  # the coder's choice of 2512's two
        ("2", "15-1253.00", 0.857, "mapped_isco"),
        ("3", "29-1215.00", None, "mapped_isco"),  # one occupation: no coder needed
        ("4", "55-1019.00", None, "mapped_isco"),  # 0110 with its zero lost
        ("5", "29-1141.00", 0.538, "mapped_isco"),  # its two O*NET codes summed beat 29-1171
        ("6", None, None, "mapped_isco"),  # no title to choose by
        ("7", None, None, "mapped_title"),  # not in the crosswalk
    ]
    assert summary["uncoded_occupations"] == {
        "ads": 2,
        "values": [["2512", 1], ["4110", 1]],
        "isco_crosswalk": True,
        "esco_occupations": False,
        "esco_unknown": None,
        "isco_unchosen": 1,  # ad 6, without a title
    }


def test_without_a_coder_only_codes_with_one_occupation_are_read(wh, tmp_path):
    load_crosswalk(wh, _crosswalk(tmp_path))
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    ingest_ads(wh, [path], mapping=["occupation=isco"], coder=None, now=NOW)
    assert [r[1] for r in _ads(wh)] == [None, None, "29-1215.00", "55-1019.00", None, None, None]


def test_a_crosswalk_loaded_later_reads_the_stored_ads_and_their_panel_again(wh, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    summary = ingest_ads(wh, [path], mapping=["occupation=isco"], coder=None, now=NOW)
    assert summary["uncoded_occupations"]["isco_crosswalk"] is False
    assert {r[3] for r in _ads(wh)} == {"mapped_title"}
    loaded = load_crosswalk(wh, _crosswalk(tmp_path))
    assert loaded["ads_read_again"] == 6
    assert _ads(wh)[2] == ("3", "29-1215.00", None, "mapped_isco")
    panel = wh.query(
        "SELECT group_id, ads FROM demand_totals WHERE panel = 'ads'"
        " AND granularity = 'major_group' ORDER BY 1"
    ).rows()
    assert panel == [("29-0000", 1), ("55-0000", 1), ("unknown", 5)]
    # the same file again changes nothing; a crosswalk without 2211 gives its ad back
    assert load_crosswalk(wh, _crosswalk(tmp_path))["unchanged"] is True
    fewer = CROSSWALK.replace("2211,Generalist medical practitioners,29-1215\n", "")
    again = load_crosswalk(wh, _crosswalk(tmp_path, fewer))
    assert again["unchanged"] is False and again["ads_read_again"] == 1
    assert _ads(wh)[2] == ("3", None, None, "mapped_title")


def test_a_new_coder_chooses_again(wh, tmp_path):
    load_crosswalk(wh, _crosswalk(tmp_path))
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    ingest_ads(wh, [path], mapping=["occupation=isco"], coder=None, now=NOW)
    with wh.run("test recode") as run:
        counts = recode_stored_ads(run, WordCoder())
    assert counts["changed"] == 3  # ads 1, 2 and 5 (3 and 4 had their one code)
    assert _ads(wh)[0] == ("1", "15-1252.00", 0.857, "mapped_isco")
    with wh.run("test recode again") as run:
        assert recode_stored_ads(run, WordCoder(weight=1.0))["changed"] == 3  # other scores
    assert _ads(wh)[0] == ("1", "15-1252.00", 0.667, "mapped_isco")


def test_a_code_whose_occupations_the_coder_does_not_know_gets_none(wh, tmp_path):
    """Before: ingest stopped with numpy's 'attempt to get argmax of an empty sequence'
    (a crosswalk with SOC codes the loaded O*NET release has no occupation for)."""
    load_crosswalk(wh, _crosswalk(tmp_path, CROSSWALK + "9629,Elementary workers,11-9998\n"
                                  "9629,Elementary workers,11-9997\n"))  # fmt: skip
    path = tmp_path / "ads.csv"
    path.write_text(ADS + "8,2024-01-12,Helper,Uses SQL often,9629\n")
    ingest_ads(wh, [path], mapping=["occupation=isco"], coder=WordCoder(), now=NOW)
    assert _ads(wh)[0] == ("1", "15-1252.00", 0.857, "mapped_isco")
    assert _ads(wh)[-1] == ("8", None, None, "mapped_isco")


def test_a_value_without_a_letter_is_no_name_to_code(wh, tmp_path):
    """The title coder gave '2411.0' (an ISCO-08 code) Physical Scientists at 0.001."""
    path = tmp_path / "ads.csv"
    path.write_text("posted_at,title,text,occ\n2024-01-05,Accountant,Uses SQL,2411.0\n")
    ingest_ads(wh, [path], mapping=["occupation=occ"], coder=WordCoder(), now=NOW)
    assert _ads(wh) == [(None, None, None, "mapped_title")]
    # stored so before: the next ingest's normalisation takes the code away
    wh.con.execute("UPDATE ads SET occupation = '11-1011.00', occupation_score = 0.001")
    other = tmp_path / "other.csv"
    other.write_text("posted_at,title,text\n2024-01-06,Developer,Uses SQL\n")
    ingest_ads(wh, [other], coder=WordCoder(), now=NOW)
    assert _ads(wh)[0] == (None, None, None, "mapped_title")


def test_isco_key_reads_spreadsheet_numbers_and_lost_zeros():
    xwalk = {"0110": ["55-1019"], "2512": ["15-1252"], "211": ["19-2099"]}
    values = pl.Series(["0110", "110", "110.0", " 2512 ", "2512.00", "211", "25120", "x2512"])
    assert isco_key(values, xwalk).to_list() == [
        "0110", "0110", "0110", "2512", "2512", "211", None, None
    ]  # fmt: skip
    assert isco_key(values, {}).to_list() == [None] * 8
    # an ESCO occupation's code under its unit group, and a code with its name (review: both
    # were unknown, the second coded as a title)
    named = pl.Series(["2512.4", "2512.4.1", "2512 Software developers", "2512 - Software",
                       "2512: developers", "2512.4x", "2512 15"])  # fmt: skip
    assert isco_key(named, xwalk).to_list() == ["2512"] * 5 + [None, None]


def test_occupations_of_a_batch_prefer_a_soc_code_to_the_crosswalk():
    new = pl.DataFrame({"occupation": ["151252", "2211"], "title": ["Dev", "GP"]})
    out = occupations(new, None, {"2211": ["29-1215"], "151252": ["99-9999"]})
    assert out.rows() == [("15-1252.00", None, "mapped"), ("29-1215.00", None, "mapped_isco")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ISCO-08 Code,2010 SOC Code\n2512,15-1132\n", "its SOC codes are 2010 SOC; give"),
        ("ISCO-08 Code,2018 SOC Code\n2512,15-1252\n25X2,15-1253\n", "line 3, column 'ISCO-08"),
        ("ISCO-08 Code,2018 SOC Code\n2512,151252\n", "'151252' is not a SOC code written NN-NNNN"),
        # before: the columns named by their regular expressions ('isco(-08)? code')
        ("ISCO,SOC\n2512,15-1252\n", "no header row with the columns 'ISCO-08 Code' and "
         r"'2010 SOC Code' or '2018 SOC Code' \(found ISCO, SOC\)"),
        ("ISCO-08 Code,2018 SOC Code\n", "no rows under its header"),
        # a title over two lines: the bad code is on line 4 (before: 'line 3')
        ('ISCO-08 Code,ISCO-08 Title EN,2018 SOC Code\n2512,"Software\ndevelopers",15-1252\n'
         "2512,Software developers,151253\n", "line 4, column '2018 SOC Code'"),
        # before: polars' 'found more fields than defined in Schema' and its advice, no line
        ("ISCO-08 Code,2018 SOC Code\n2512,15-1252\n2512,15-1253,x\n", "line 3: 3 fields where"),
        # before: polars' 'could not parse ... increasing infer_schema_length'
        ('ISCO-08 Code,2018 SOC Code\n2512,"15-1252\n2512,15-1253\n', r"row 1 \(line 2\): a quo"),
        # a short row: before, "None is not a SOC code"
        ("ISCO-08 Code,ISCO-08 Title EN,2018 SOC Code\n2512,Software developers\n",
         "line 2, column '2018 SOC Code': empty"),
    ],
)  # fmt: skip
def test_a_crosswalk_file_it_cannot_read_is_refused_naming_the_row(wh, tmp_path, text, message):
    with pytest.raises(UserError, match=message):
        load_crosswalk(wh, _crosswalk(tmp_path, text))
    assert wh.query("SELECT count(*) AS n FROM isco_soc")["n"][0] == 0


def test_a_crosswalk_csv_saved_with_semicolons_is_read(wh, tmp_path):
    """Excel in much of Europe saves CSV with ';' (ingest ads reads such files); before: 'no
    header row with the columns …'."""
    summary = load_crosswalk(wh, _crosswalk(tmp_path, CROSSWALK.replace(",", ";")))
    assert (summary["isco_codes"], summary["pairs"]) == (4, 6)


def test_the_same_crosswalk_again_reports_as_the_first_load(wh, tmp_path):
    first = load_crosswalk(wh, _crosswalk(tmp_path))
    again = load_crosswalk(wh, _crosswalk(tmp_path))
    assert again["unchanged"] is True and again["run_id"] == first["run_id"]
    assert set(again) == set(first)  # before: no unmapped_soc_2010, ads_read_again
    assert again["ads_read_again"] == 0


class RerankedCoder(WordCoder):
    """A re-ranked coder: its probabilities reach only its best two candidates; its first
    stage scores every occupation."""

    reranker = True

    def predict_proba(self, titles: list[str], rerank: bool = True) -> np.ndarray:
        probs = super().predict_proba(titles)
        if not rerank:  # the first stage
            return probs
        others = np.argsort(-probs, axis=1, kind="stable")[:, 2:]
        np.put_along_axis(probs, others, 0.0, axis=1)
        return probs / probs.sum(axis=1, keepdims=True)


def test_a_reranked_coder_chooses_by_its_first_stage_what_its_candidates_miss(wh, tmp_path):
    """A re-ranked coder scores only its 30 candidates: 21.6% of JobBERT ISCO-08 ads were left
    without an occupation (review). Here the stand-in's candidates are its best two codes."""
    load_crosswalk(wh, _crosswalk(tmp_path))
    path = tmp_path / "ads.csv"
    path.write_text(ADS.replace("QA Tester,Uses SQL weekly,2512", "Doctor,Uses SQL weekly,2221"))
    ingest_ads(wh, [path], mapping=["occupation=isco"], coder=RerankedCoder(), now=NOW)
    # 'Doctor': the re-ranker's two candidates are 11-1011 and 15-1252, none a nurse's; the
    # first stage spreads evenly over 29-1141's two codes and 29-1171's one
    assert _ads(wh)[1] == ("2", "29-1141.00", 0.667, "mapped_isco")
    assert _ads(wh)[4] == ("5", "29-1141.00", 0.5, "mapped_isco")  # from the candidates


def test_a_choice_is_kept_when_no_coder_can_choose_again(wh, tmp_path):
    """Review: a new crosswalk read with no coder (one that cannot be read) dropped the
    occupations chosen before for codes with several."""
    load_crosswalk(wh, _crosswalk(tmp_path))
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    ingest_ads(wh, [path], mapping=["occupation=isco"], coder=WordCoder(), now=NOW)
    before = _ads(wh)
    with wh.run("test: a new crosswalk, no coder") as run:
        from skilltide.ingest.occupation_stored import read_stored

        run.con.execute("INSERT INTO isco_soc VALUES ('2221', '29-1151', NULL, NULL)")
        read_stored(run, None)
    after = _ads(wh)
    assert after[1] == before[1] == ("2", "15-1253.00", 0.857, "mapped_isco")  # kept
    assert after[4] == before[4] == ("5", "29-1141.00", 0.538, "mapped_isco")  # still allowed


def test_a_crosswalk_csv_not_in_utf8_is_refused_naming_the_line(wh, tmp_path):
    """Before: 'not a readable CSV file (invalid utf-8 sequence)', with no line."""
    path = tmp_path / "isco.csv"
    path.write_bytes(CROSSWALK.replace("Nursing", "Infirmi\xe8res", 1).encode("cp1252"))
    with pytest.raises(UserError, match=r"isco\.csv, line 4: not valid UTF-8 text"):
        load_crosswalk(wh, path)


def test_a_crosswalk_with_codes_saved_as_numbers_reads_0110(wh, tmp_path):
    """A workbook saved with its ISCO-08 codes as numbers has 110 for 0110 (no minor group
    ends in 0). Before: stored as '110', and an ad's '0110' was no code of it (unknown)."""
    load_crosswalk(wh, _crosswalk(tmp_path, CROSSWALK.replace("0110,", "110,")))
    assert wh.query("SELECT isco FROM isco_soc WHERE soc_code = '55-1019'").rows() == [("0110",)]
    path = tmp_path / "ads.csv"
    path.write_text(ADS.replace("Uses SQL hourly,110", "Uses SQL hourly,0110"))
    ingest_ads(wh, [path], mapping=["occupation=isco"], coder=None, now=NOW)
    assert _ads(wh)[3] == ("4", "55-1019.00", None, "mapped_isco")


def test_a_2010_crosswalk_chained_to_2018_from_excel_with_banner_rows(wh, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    isco, chain = tmp_path / "isco.xlsx", tmp_path / "chain.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (
        ["Bureau of Labor Statistics"],
        [],
        ["ISCO-08 Code", "ISCO-08 Title EN", "part", "2010 SOC Code", "2010 SOC Title"],
        ["2512", "Software developers", "*", "15-1132 ", "Software Developers, Applications"],
        ["2512", "Software developers", "*", "15-1133", "Software Developers, Systems"],
        ["2211", "Generalist medical practitioners", "*", "29-1062", "Family Physicians"],
    ):
        sheet.append(row)
    book.save(isco)
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (
        ["November 2017"],
        ["2010 SOC Code", "2010 SOC Title", "2018 SOC Code", "2018 SOC Title"],
        ["15-1132", "Software Developers, Applications", "15-1252", "Software Developers"],
        ["15-1133", "Software Developers, Systems", "15-1252", "Software Developers"],
        ["15-1133", "Software Developers, Systems", "15-1253", "Software QA"],
    ):
        sheet.append(row)
    book.save(chain)
    summary = load_crosswalk(wh, isco, chain)
    assert (summary["isco_codes"], summary["pairs"], summary["single"]) == (1, 2, 0)
    assert summary["unmapped_soc_2010"] == ["29-1062"]  # not in the chain file
    assert wh.query("SELECT isco, soc_code FROM isco_soc ORDER BY ALL").rows() == [
        ("2512", "15-1252"),
        ("2512", "15-1253"),
    ]
    sheet.cell(row=4, column=3, value="1512-53")
    book.save(chain)
    with pytest.raises(UserError, match=r"chain\.xlsx: sheet 'Sheet' row 4, column '2018 SOC"):
        load_crosswalk(wh, isco, chain)
    sheet.insert_rows(1, amount=2)  # empty rows above the banner (before: named row 4 again)
    book.save(chain)
    with pytest.raises(UserError, match=r"chain\.xlsx: sheet 'Sheet' row 6, column '2018 SOC"):
        load_crosswalk(wh, isco, chain)


def test_cli_warns_of_isco_codes_and_loads_the_crosswalk(cli, db, tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text(ADS)
    result = cli("ingest", "ads", path, "--map", "occupation=isco", "--db", db)
    assert result.exit_code == 0, result.output
    assert "'2512' looks like an ISCO-08 code: `skilltide onet crosswalk`" in result.stderr
    # no coder: values without a letter are no names that loading O*NET would code
    assert "they are coded as titles" not in result.stderr  # before: so advised
    loaded = cli("onet", "crosswalk", _crosswalk(tmp_path), "--db", db)
    assert loaded.exit_code == 0, loaded.output
    assert "4 ISCO-08 codes → 6 SOC 2018 occupations, 2 codes with one" in loaded.stdout
    assert "stored ads read again through it: 6 changed" in loaded.stdout  # all but 4110
    again = cli("ingest", "ads", path, "--map", "occupation=isco", "--db", db)
    assert "looks like an ISCO-08 code" not in again.stderr
    # codes of the crosswalk no coder could choose for (none here): said so, not "map SOC
    # codes" (review)
    new = tmp_path / "new.csv"
    new.write_text(ADS.replace("Uses SQL", "Needs SQL"))
    result = cli("ingest", "ads", new, "--map", "occupation=isco", "--db", db)
    assert (
        "count as unknown (most: '2512' (3 ads), '2221' (1 ad), '4110' (1 ad)): 4 ads with "
        "an ISCO-08 code or ESCO occupation whose SOC occupation the title coder could not "
        "choose" in result.stderr
    )
    assert "; the others are no O*NET-SOC codes" in result.stderr  # 4110


def test_escos_uri_of_an_isco_group_is_read_as_its_code(wh, tmp_path):
    """ESCO names ISCO-08 groups by URI (…/esco/isco/C2211): read as the code, loaded before
    or after the ads (before: unknown, with a generic warning)."""
    path = tmp_path / "ads.csv"
    path.write_text(
        "id,posted_at,title,text,isco\n"
        "1,2024-01-05,Family doctor,Uses SQL daily,http://data.europa.eu/esco/isco/C2211\n"
        "2,2024-01-06,QA Tester,Uses SQL weekly,https://data.europa.eu/esco/isco/c2512/\n"
    )
    summary = ingest_ads(wh, [path], mapping=["occupation=isco"], coder=WordCoder(), now=NOW)
    assert summary["uncoded_occupations"]["ads"] == 2  # no crosswalk yet: unknown, not titles
    assert {r[1] for r in _ads(wh)} == {None}
    assert load_crosswalk(wh, _crosswalk(tmp_path))["ads_read_again"] == 2
    with wh.run("test: recode") as run:
        recode_stored_ads(run, WordCoder())
    assert _ads(wh) == [
        ("1", "29-1215.00", None, "mapped_isco"),
        ("2", "15-1253.00", 0.857, "mapped_isco"),
    ]


def test_the_warning_names_the_crosswalk_for_escos_uri_of_an_isco_group():
    from skilltide.ingest.uncoded_warning import uncoded_warning

    uri = "http://data.europa.eu/esco/isco/C2512"
    text = uncoded_warning({"ads": 1, "values": [[uri, 1]], "isco_crosswalk": False}, True)
    assert f"{uri!r} looks like an ISCO-08 code: `skilltide onet crosswalk`" in text
