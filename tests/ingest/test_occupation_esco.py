"""ESCO occupation URIs read through their ISCO-08 group (``skilltide onet crosswalk --esco``):
the title coder chooses among the group's SOC occupations from the ESCO labels."""

from __future__ import annotations

import pytest

from skilltide.errors import UserError
from skilltide.ingest.ads import ingest_ads
from skilltide.ingest.occupation_codes import normalise_stored
from skilltide.ingest.recode import recode_stored_ads
from skilltide.onet.crosswalk import load_crosswalk, stored
from skilltide.onet.esco import read_esco
from skilltide.store import Warehouse
from tests.ingest.test_occupation_isco import CROSSWALK, NOW, RerankedCoder, WordCoder

URI = "http://data.europa.eu/esco/occupation/"
TESTER = "a1b2c3d4-0000-4000-8000-000000000001"
DEVELOPER = "a1b2c3d4-0000-4000-8000-000000000002"
DOCTOR = "37442765-f7bb-4ccd-9de1-4790296f3d37"  # eight digits first: no SOC code 37-4427.65
CLERK = "a1b2c3d4-0000-4000-8000-000000000004"  # ISCO-08 4110: not in the crosswalk
ESCO = (
    "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels\n"
    f'Occupation,{URI}{TESTER},2512,software tester,"qa tester\ntest analyst"\n'
    f'Occupation,{URI}{DEVELOPER},2512,software developer,"java developer\napp developer"\n'
    f"Occupation,{URI}{DOCTOR},2211,general practitioner,\n"
    f"Occupation,{URI}{CLERK},4110,general office clerk,office clerk\n"
)
# the titles say otherwise than the ESCO occupations: the occupations' labels choose
ADS = (
    "id,posted_at,title,text,esco\n"
    f"1,2024-01-05,Developer,Uses SQL daily,{URI}{TESTER}\n"
    f"2,2024-01-06,Tester,Uses SQL weekly,{DEVELOPER.upper()}\n"
    f"3,2024-01-07,Nurse,Uses SQL monthly,https://data.europa.eu/esco/occupation/{DOCTOR}\n"
    f"4,2024-01-08,,Uses SQL hourly,{DOCTOR}\n"
    f"5,2024-01-09,Clerk,Uses SQL yearly,{URI}{CLERK}\n"
    f"6,2024-01-10,Developer,Uses SQL never,{URI}a1b2c3d4-0000-4000-8000-00000000beef\n"
)


def _files(tmp_path):
    (tmp_path / "isco.csv").write_text(CROSSWALK)
    (tmp_path / "esco.csv").write_text(ESCO)
    (tmp_path / "ads.csv").write_text(ADS)
    return tmp_path / "isco.csv", tmp_path / "esco.csv", tmp_path / "ads.csv"


def _ads(wh) -> list[tuple]:
    return wh.query(
        "SELECT external_id, occupation, round(occupation_score, 3), occupation_source FROM ads"
        " ORDER BY row_number"
    ).rows()


READ = [
    ("1", "15-1253.00", 0.783, "mapped_esco"),  # 'software tester', 'qa tester', 'test …'
    ("2", "15-1252.00", 0.857, "mapped_esco"),  # the bare UUID, in capitals
    ("3", "29-1215.00", None, "mapped_esco"),  # 2211 has one occupation: no coder needed
    ("4", "29-1215.00", None, "mapped_esco"),  # the UUID alone, no title needed
    ("5", None, None, "mapped_esco"),  # 4110: not in the crosswalk
    ("6", None, None, "mapped_title"),  # no ESCO occupation stored: unknown, and no title
]


def test_esco_occupations_read_through_their_isco_group_chosen_by_their_labels(wh, tmp_path):
    isco, esco, ads = _files(tmp_path)
    assert stored(wh) is None  # for `skilltide status`
    loaded = load_crosswalk(wh, isco, esco_file=esco)
    assert (loaded["esco_occupations"], loaded["esco_in_crosswalk"]) == (4, 3)
    summary = ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=WordCoder(), now=NOW)
    assert _ads(wh) == READ
    assert summary["uncoded_occupations"]["isco_unchosen"] == 1  # ad 5
    assert summary["uncoded_occupations"]["esco_occupations"] is True


def test_esco_loaded_later_reads_the_stored_ads_as_if_loaded_first(wh, tmp_path):
    isco, esco, ads = _files(tmp_path)
    load_crosswalk(wh, isco)
    summary = ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=WordCoder(), now=NOW)
    # a URI is no occupation's name: not coded as a title ("Developer" → 15-1252 before)
    assert {r[1:] for r in _ads(wh)} == {(None, None, "mapped_title")}
    assert summary["uncoded_occupations"]["esco_occupations"] is False
    loaded = load_crosswalk(wh, isco, esco_file=esco)  # no coder stored: one occupation read
    assert loaded["ads_read_again"] == 5
    assert [r[1] for r in _ads(wh)] == [None, None, "29-1215.00", "29-1215.00", None, None]
    with wh.run("test: a coder is built") as run:
        recode_stored_ads(run, WordCoder())
    assert _ads(wh) == READ
    assert load_crosswalk(wh, isco, esco_file=esco)["unchanged"] is True
    # the crosswalk alone again: the ESCO occupations go, and their ads' occupations
    assert load_crosswalk(wh, isco)["ads_read_again"] == 5
    assert {r[1:] for r in _ads(wh)} == {(None, None, "mapped_title")}


def test_without_a_coder_groups_of_several_wait_for_one(wh, tmp_path):
    isco, esco, ads = _files(tmp_path)
    load_crosswalk(wh, isco, esco_file=esco)
    ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=None, now=NOW)
    assert [r[1] for r in _ads(wh)] == [None, None, "29-1215.00", "29-1215.00", None, None]
    with wh.run("test: a coder is built") as run:
        recode_stored_ads(run, WordCoder())
    assert _ads(wh) == READ


def test_a_reranked_coder_chooses_by_its_first_stage_what_its_candidates_miss(wh, tmp_path):
    isco, esco, ads = _files(tmp_path)
    # the re-ranker's two candidates for 'registered nurse' and 'nurse' are no software
    # occupation: its first stage chooses, evenly (the lower code)
    esco.write_text(
        ESCO.replace('software tester,"qa tester\ntest analyst"', "registered nurse,nurse")
    )
    load_crosswalk(wh, isco, esco_file=esco)
    ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=RerankedCoder(), now=NOW)
    assert _ads(wh)[0][1:] == ("15-1252.00", 0.5, "mapped_esco")  # before: none


def test_a_uuid_read_as_a_soc_code_before_is_read_as_esco(wh, tmp_path):
    isco, esco, ads = _files(tmp_path)
    load_crosswalk(wh, isco, esco_file=esco)
    ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=WordCoder(), now=NOW)
    wh.con.execute(  # as stored before 2026-12-07
        "UPDATE ads SET occupation = '37-4427.65', occupation_score = NULL,"
        " occupation_source = 'mapped' WHERE external_id = '4'"
    )
    assert normalise_stored(wh.con) == 1
    assert _ads(wh)[3] == ("4", None, None, "mapped_title")
    with wh.run("test: recode") as run:
        recode_stored_ads(run, WordCoder())
    assert _ads(wh)[3] == READ[3]


def test_read_esco_keeps_labels_across_lines_and_lost_zeros(tmp_path):
    path = tmp_path / "esco.csv"
    path.write_text(ESCO.replace(",4110,", ",110,"))
    table = read_esco(path)
    assert table["isco"].to_list() == ["2512", "2512", "2211", "0110"]
    assert table["alt_labels"].to_list()[:3] == [
        ["qa tester", "test analyst"], ["java developer", "app developer"], []
    ]  # fmt: skip
    assert table["esco_id"][2] == DOCTOR


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (",2211,", ",22x1,", r"esco\.csv: line 6, column 'iscoGroup': '22x1' is not an ISCO"),
        (f"{URI}{DOCTOR}", "doctor", r"line 6, column 'conceptUri': 'doctor' is not an ESCO"),
        ("general practitioner", "", r"line 6, column 'preferredLabel': empty"),
        (f"{URI}{CLERK}", f"{URI}{DOCTOR}", rf"line 7: occupation {URI}{DOCTOR} is listed twice"),
        ("iscoGroup", "isco", r"no column 'iscoGroup': not ESCO's occupations CSV"),
        # polars named no line: 'found more fields than defined in Schema'
        ("general practitioner,\n", "general practitioner,,x\n", r"esco\.csv: line 6: 6 fields"),
    ],
)
def test_an_esco_file_it_cannot_read_is_refused_naming_the_line(wh, tmp_path, old, new, message):
    isco, esco, _ = _files(tmp_path)
    esco.write_text(ESCO.replace(old, new))  # lines 2-5 hold the first two occupations
    with pytest.raises(UserError, match=message):
        load_crosswalk(wh, isco, esco_file=esco)
    assert wh.query("SELECT count(*) FROM isco_soc").item() == 0  # nothing stored


def test_cli_loads_esco_and_warns_of_uris_without_it(cli, db, tmp_path):
    isco, esco, ads = _files(tmp_path)
    assert cli("onet", "crosswalk", isco, "--db", db).exit_code == 0
    result = cli("ingest", "ads", ads, "--map", "occupation=esco", "--db", db)
    assert result.exit_code == 0, result.output
    assert "is an ESCO occupation: `skilltide onet crosswalk … --esco" in result.stderr
    loaded = cli("onet", "crosswalk", isco, "--esco", esco, "--db", db, "--json")
    assert loaded.exit_code == 0, loaded.output
    assert '"esco_occupations": 4' in loaded.stdout
    text = cli("onet", "crosswalk", isco, "--esco", esco, "--db", db)
    assert "ESCO occupations: 4, 3 of them in an ISCO-08 group of the crosswalk" in text.stdout
    status = cli("status", "--db", db)
    assert (
        "ISCO-08 crosswalk: 4 codes → 6 SOC occupations, 4 ESCO occupations (run " in status.stdout
    )
    assert "isco.csv, esco.csv)" in status.stdout or "esco.csv, isco.csv)" in status.stdout
    import json

    stored = json.loads(cli("status", "--db", db, "--json").stdout)["crosswalk"]
    assert (stored["isco_codes"], stored["esco_occupations"], len(stored["files"])) == (4, 4, 2)


def test_a_coder_reads_each_esco_occupation_once_per_process():
    """An ingest reads its ESCO occupations once, not once per batch of 20,000 ads."""
    from skilltide.ingest.occupation_esco import esco_occupations

    class CountingCoder(WordCoder):
        scored = 0

        def predict_proba(self, titles):
            self.scored += len(titles)
            return super().predict_proba(titles)

    import polars as pl

    table = {TESTER: ("2512", ["software tester", "qa tester"])}
    xwalk = {"2512": ["15-1252", "15-1253"]}
    coder, keys = CountingCoder(), pl.Series([TESTER, TESTER])
    first = esco_occupations(keys, table, xwalk, coder)
    assert esco_occupations(keys, table, xwalk, coder).equals(first)
    assert coder.scored == 2  # the two labels, once
    table[TESTER] = ("2512", ["software developer"])  # other labels: chosen again
    assert esco_occupations(keys, table, xwalk, coder)["occupation"][0] == "15-1252.00"
    assert coder.scored == 3


def test_skilltide_run_loads_the_crosswalk_stage_once_before_ingesting(cli, tmp_path):
    import json

    _files(tmp_path)  # isco.csv, esco.csv, ads.csv
    (tmp_path / "skills.csv").write_text("name,kind\nSQL,technology\n")
    config = tmp_path / "skilltide.toml"
    config.write_text(
        '[warehouse]\ndb = "w.duckdb"\n[taxonomy]\nfiles = ["skills.csv"]\n'
        '[[sources]]\nname = "eu"\npaths = ["ads.csv"]\nmap = {occupation = "esco"}\n'
        '[crosswalk]\nfiles = ["isco.csv"]\nesco = "esco.csv"\n'
    )
    first = cli("run", "--config", config, "--json")
    assert first.exit_code == 0, first.output
    stages = {s["stage"]: s["status"] for s in json.loads(first.stdout)["stages"]}
    assert list(stages)[:2] == ["crosswalk", "taxonomy"] and stages["crosswalk"] == "done"
    with Warehouse(tmp_path / "w.duckdb") as wh:  # no O*NET, no coder: groups of one only
        assert [r[1] for r in _ads(wh)] == [None, None, "29-1215.00", "29-1215.00", None, None]
    again = cli("run", "--config", config, "--json")
    assert {s["status"] for s in json.loads(again.stdout)["stages"]} == {"skipped"}
    config.write_text(config.read_text().replace('esco = "esco.csv"\n', 'esco = "none.csv"\n'))
    missing = cli("run", "--config", config)
    assert missing.exit_code != 0 and "[crosswalk] esco" in missing.output
    assert "none.csv: no such file" in missing.output


def test_a_preferred_label_is_read_as_its_esco_occupation(wh, tmp_path):
    """A column of ESCO's preferred labels: coded as titles by the coder alone before (the
    preferred labels of benchmarks/esco_occupations.py: 60.7% right, against 91.1%)."""
    isco, esco, _ = _files(tmp_path)
    ads = tmp_path / "labels.csv"
    ads.write_text(
        "id,posted_at,title,text,esco\n"
        "1,2024-01-05,Tester,Uses SQL daily,Software  Developer\n"  # any case and spacing
        "2,2024-01-06,Tester,Uses SQL weekly,qa tester\n"  # an alternative label: a name
    )
    load_crosswalk(wh, isco)
    ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=WordCoder(), now=NOW)
    assert _ads(wh) == [  # names, coded as titles
        ("1", "15-1252.00", 0.545, "mapped_title"),
        ("2", "15-1253.00", 0.545, "mapped_title"),
    ]
    assert load_crosswalk(wh, isco, esco_file=esco)["ads_read_again"] == 1
    with wh.run("test: recode") as run:
        recode_stored_ads(run, WordCoder())
    assert _ads(wh) == [
        ("1", "15-1252.00", 0.857, "mapped_esco"),  # by its three labels
        ("2", "15-1253.00", 0.545, "mapped_title"),
    ]


def test_a_label_with_a_no_break_space_is_read_the_same_loaded_before_or_after(wh, tmp_path):
    """ESCO's own file writes two preferred labels with U+00A0 ('pipeline\\xa0superintendent'):
    read as an ad's 'pipeline superintendent' at ingest, so also when ESCO is loaded after."""
    isco, esco, _ = _files(tmp_path)
    esco.write_text(ESCO.replace("software developer,", "software\u00a0developer,"))
    ads = tmp_path / "labels.csv"
    ads.write_text(
        "id,posted_at,title,text,esco\n"
        "1,2024-01-05,Tester,Uses SQL daily,software developer\n"
        "2,2024-01-06,Tester,Uses SQL weekly,software\u00a0\u00a0Developer\n"
    )
    load_crosswalk(wh, isco)
    ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=WordCoder(), now=NOW)
    assert load_crosswalk(wh, isco, esco_file=esco)["ads_read_again"] == 2
    with wh.run("test: recode") as run:  # no coder stored: the labels choose now
        recode_stored_ads(run, WordCoder())
    after = _ads(wh)
    assert {r[3] for r in after} == {"mapped_esco"}
    with Warehouse(tmp_path / "first.duckdb") as first:  # ESCO loaded first
        load_crosswalk(first, isco, esco_file=esco)
        ingest_ads(first, [ads], mapping=["occupation=esco"], coder=WordCoder(), now=NOW)
        assert _ads(first) == after


def test_an_esco_file_saved_with_semicolons_is_read_as_with_commas(tmp_path):
    """A spreadsheet where the decimal mark is a comma saves CSV with semicolons, as the
    crosswalk's own file may be (textfile.csv_delimiter)."""
    commas, semicolons = tmp_path / "commas.csv", tmp_path / "semicolons.csv"
    commas.write_text(ESCO)
    semicolons.write_text(ESCO.replace(",", ";"))
    assert read_esco(semicolons).equals(read_esco(commas))


def test_a_uuid_with_a_slash_after_it_is_no_soc_code(wh, tmp_path):
    """ESCO reads a UUID with a URI's trailing slash (onet.esco.URI); its eight digits first
    were read before it as the SOC code 37-4427.65, and another UUID as a name to code."""
    isco, esco, _ = _files(tmp_path)
    ads = tmp_path / "uuids.csv"
    ads.write_text(
        "id,posted_at,title,text,esco\n"
        f"1,2024-01-05,Nurse,Uses SQL daily,{DOCTOR}/\n"
        "2,2024-01-06,Nurse,Uses SQL weekly,urn:uuid:a1b2c3d4-0000-4000-8000-00000000beef\n"
    )
    load_crosswalk(wh, isco, esco_file=esco)
    ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=WordCoder(), now=NOW)
    assert _ads(wh) == [
        ("1", "29-1215.00", None, "mapped_esco"),
        ("2", None, None, "mapped_title"),  # no ESCO occupation, and no name: unknown
    ]


def test_a_uri_of_no_stored_esco_occupation_is_named_as_such(cli, db, tmp_path):
    """ESCO versions add occupations (v1.2: 3,039, v1.0: 2,942): ads coded with a newer
    version's URI are unknown, and the warning says so rather than 'map SOC codes'."""
    isco, esco, ads = _files(tmp_path)
    assert cli("onet", "crosswalk", isco, "--esco", esco, "--db", db).exit_code == 0
    ads.write_text(ADS.replace(f"{URI}{CLERK}", f"{URI}{DOCTOR}"))  # only ad 6's is unknown
    result = cli("ingest", "ads", ads, "--map", "occupation=esco", "--db", db)
    assert result.exit_code == 0, result.output
    assert (
        f"'{URI}a1b2c3d4-0000-4000-8000-00000000beef' is no ESCO occupation of the 4 stored"
        in " ".join(result.stderr.split())
    )


def test_a_label_column_without_esco_again_is_coded_as_titles_as_if_never_stored(wh, tmp_path):
    """ESCO removed (the crosswalk loaded without --esco, or another ESCO file): ads of a
    preferred label are names again, coded as titles as an ingest without ESCO codes them
    (before: mapped_title with no occupation, unknown, until the next coder)."""
    from skilltide.ingest.occupation_stored import read_stored

    isco, esco, _ = _files(tmp_path)
    ads = tmp_path / "labels.csv"
    ads.write_text(
        "id,posted_at,title,text,esco\n"
        "1,2024-01-05,Tester,Uses SQL daily,Software Developer\n"
        f"2,2024-01-06,Tester,Uses SQL weekly,{URI}{DEVELOPER}\n"  # no name: unknown
    )
    load_crosswalk(wh, isco, esco_file=esco)
    ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=WordCoder(), now=NOW)
    wh.con.execute("DELETE FROM esco_occupations")  # as load_crosswalk(wh, isco) does
    with wh.run("test: ESCO removed") as run:
        assert read_stored(run, WordCoder()) == 2
    assert _ads(wh) == [
        ("1", "15-1252.00", 0.545, "mapped_title"),  # as ingested without ESCO
        ("2", None, None, "mapped_title"),
    ]


def test_a_preferred_label_two_esco_occupations_share_is_none_of_them():
    """The docs read a preferred label 'unique in ESCO': one two occupations share (in
    another version or language, say) was read as whichever came last."""
    import polars as pl

    from skilltide.ingest.occupation_esco import esco_key

    table = {
        TESTER: ("2512", ["software tester"]),
        DEVELOPER: ("2512", ["Software  Developer"]),
        CLERK: ("4110", ["software developer"]),
    }
    keys = esco_key(pl.Series(["software developer", "Software Tester"]), table)
    assert keys.to_list() == [None, TESTER]


def test_a_greek_label_in_capitals_is_read_the_same_loaded_before_or_after(wh, tmp_path):
    """Greek capitals lower-case to a final sigma (ΛΟΓΙΣΤΉΣ → λογιστής) in polars, where
    DuckDB's lower() gives σ: ESCO's Greek file loaded after the ads missed them."""
    isco, esco, _ = _files(tmp_path)
    esco.write_text(ESCO.replace("general practitioner", "γενικός ιατρός"))
    ads = tmp_path / "labels.csv"
    ads.write_text("id,posted_at,title,text,esco\n1,2024-01-05,Ιατρός,Uses SQL,ΓΕΝΙΚΌΣ ΙΑΤΡΌΣ\n")
    load_crosswalk(wh, isco)
    ingest_ads(wh, [ads], mapping=["occupation=esco"], coder=None, now=NOW)
    assert load_crosswalk(wh, isco, esco_file=esco)["ads_read_again"] == 1
    assert _ads(wh) == [("1", "29-1215.00", None, "mapped_esco")]  # as when loaded first
