"""O*NET loading: formats, types, releases, views, idempotence and bad files."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from skilltide.errors import UserError
from skilltide.onet.load import load_onet
from skilltide.store import Warehouse, relations
from tests.conftest import shared_path
from tests.onet._helpers import FIXTURE_RELEASE, copy_fixture, table_snapshot


@pytest.fixture(scope="module")
def shared_warehouse(tmp_path_factory):
    """Both shared O*NET folders loaded with the CLI into one fresh warehouse."""
    onet30, onet29 = shared_path("onet", "30.1"), shared_path("onet", "29.3")
    from typer.testing import CliRunner

    from skilltide.cli import app

    db = tmp_path_factory.mktemp("onet") / "w.duckdb"
    result = CliRunner().invoke(app, ["onet", "load", str(onet30), str(onet29), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def test_status_shows_the_issue_figures(shared_warehouse, cli):
    tables = json.loads(cli("status", "--json", "--db", shared_warehouse).output)["tables"]
    assert tables["occupations"] == 1016
    assert tables["technology_skills"] == 32773
    assert tables["alternate_titles"] == 56505
    assert tables["onet_skills"] == 61530
    assert tables["reported_titles"] == 7955
    assert tables["task_statements"] == 18796
    assert tables["onet_knowledge"] == 58014


def test_columns_are_typed(shared_warehouse):
    with Warehouse(shared_warehouse) as wh:
        row = wh.con.execute(
            "SELECT onetsoc_code, commodity_code, hot_technology, in_demand, release "
            "FROM technology_skills WHERE example = 'Adobe Acrobat' "
            "AND onetsoc_code = '11-1011.00'"
        ).fetchone()
        assert row == ("11-1011.00", "43232202", True, False, "30.1")
        # 'n/a' is null, not the text 'n/a'
        assert (
            wh.con.execute(
                "SELECT count(*) FROM alternate_titles WHERE short_title = 'n/a'"
            ).fetchone()[0]
            == 0
        )
        assert (
            wh.con.execute(
                "SELECT count(*) FROM alternate_titles WHERE short_title IS NULL"
            ).fetchone()[0]
            == 52639
        )
        date, n, not_relevant = wh.con.execute(
            "SELECT date, n, not_relevant FROM onet_skills WHERE onetsoc_code = '11-1011.00' "
            "AND element_id = '2.A.1.a' AND scale_id = 'LV'"
        ).fetchone()
        assert date == dt.date(2023, 8, 1) and isinstance(n, int) and not_relevant is False
        types = dict(
            wh.con.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = 'onet_ratings'"
            ).fetchall()
        )
        assert types["data_value"] == "DOUBLE" and types["onetsoc_code"] == "VARCHAR"


def test_ratings_view_combines_domains_with_newest_release(shared_warehouse):
    with Warehouse(shared_warehouse) as wh:
        counts = dict(
            wh.con.execute(
                "SELECT domain || ' ' || release, count(*) FROM onet_ratings GROUP BY ALL"
            ).fetchall()
        )
    assert counts == {"skills 29.3": 61530, "knowledge 29.3": 58014, "work_styles 30.1": 37422}


def test_loading_the_same_release_twice_changes_nothing(shared_warehouse, cli):
    onet30 = shared_path("onet", "30.1")
    with Warehouse(shared_warehouse) as wh:
        # every table and view except the run log, run ids included
        names = sorted(relations(wh.con) - {"runs"})
        before = table_snapshot(wh, names, with_run_id=True)
        summary = load_onet(wh, [onet30])
        after = table_snapshot(wh, names, with_run_id=True)
    assert summary["loaded"] == 0 and summary["unchanged"] == 34
    assert summary["skipped"] == [f"{onet30 / 'SOURCE.md'}: not an O*NET file skilltide knows"]
    assert before == after


def test_fixture_release_loads_files_missing_from_shared_data(db):
    with Warehouse(db) as wh:
        summary = load_onet(wh, [FIXTURE_RELEASE])
        assert summary["releases"] == ["28.0"]
        assert any("Unknown Extra File.txt" in s for s in summary["skipped"])
        domains = dict(
            wh.con.execute("SELECT domain, count(*) FROM onet_ratings GROUP BY ALL").fetchall()
        )
        assert domains == {"skills": 4, "knowledge": 2, "abilities": 2, "activities": 2}
        task = wh.con.execute(
            "SELECT task_id, category, data_value, lower_ci_bound FROM "
            "onet_task_ratings WHERE scale_id = 'RT'"
        ).fetchone()
        assert task == (16987, None, 100.0, None)
        context = wh.con.execute(
            "SELECT category FROM onet_work_context ORDER BY scale_id"
        ).fetchall()
        assert context == [(None,), (1,)]


def test_views_take_the_newest_release_per_file(db):
    onet30 = shared_path("onet", "30.1")
    with Warehouse(db) as wh:
        load_onet(wh, [FIXTURE_RELEASE, onet30])
        # Occupation Data: 30.1 is newer than the fixture's 28.0
        assert wh.con.execute("SELECT DISTINCT release FROM occupations").fetchall() == [("30.1",)]
        # Skills: only the fixture release has it, so the view shows 28.0
        assert wh.con.execute(
            "SELECT count(*), min(release) FROM onet_ratings WHERE domain = 'skills'"
        ).fetchone() == (4, "28.0")
        # both releases stay in the table
        assert dict(
            wh.con.execute(
                "SELECT release, count(*) FROM onet_occupation_data GROUP BY ALL"
            ).fetchall()
        ) == {"28.0": 2, "30.1": 1016}


def test_the_newest_release_is_the_highest_number_not_the_last_string(tmp_path, db):
    """28.10 is newer than 28.9 (a string comparison says the opposite)."""
    older, newer = copy_fixture(tmp_path / "a"), copy_fixture(tmp_path / "b")
    with Warehouse(db) as wh:
        load_onet(wh, [newer], release="28.10")
        load_onet(wh, [older], release="28.9")
        found = wh.con.execute("SELECT DISTINCT release FROM occupations").fetchall()
    assert found == [("28.10",)]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (
            lambda p: p.write_text(p.read_text().replace("Data Value", "Data Valu", 1)),
            "Skills.txt: column 'Data Valu'",
        ),
        (
            lambda p: p.write_text(p.read_text().replace("Standard Error\t", "", 1)),
            "Skills.txt: line 2: 13 fields where the header has 12",
        ),
        (
            lambda p: p.write_text(p.read_text().rsplit("\t", 3)[0] + "\r\n"),
            "Skills.txt: line 5: 10 fields",
        ),
        (
            lambda p: p.write_bytes(p.read_bytes().replace(b"Programming", b"Programm\xe9ng", 1)),
            "Skills.txt: line 2: not UTF-8 text",
        ),
        (
            lambda p: p.write_text(p.read_text().replace("\t4.38\t", "\tfour\t", 1)),
            # the file's line 2 (record 1): it said 'row 2', which elsewhere is record 2
            "Skills.txt: line 2, column 'Data Value': 'four' is not a number",
        ),
        (
            lambda p: p.write_text(
                p.read_text().replace("\tN\tn/a\t08/2023", "\tX\tn/a\t08/2023", 1)
            ),
            "Skills.txt: line 2, column 'Recommend Suppress': 'X' is not Y or N",
        ),
    ],
    ids=["wrong-header", "missing-header-column", "truncated-row", "encoding", "number", "bool"],
)
def test_a_bad_file_fails_and_leaves_the_warehouse_unchanged(tmp_path, db, damage, expected):
    folder = copy_fixture(tmp_path)
    with Warehouse(db) as wh:
        load_onet(wh, [FIXTURE_RELEASE])
        names = ["onet_skills", "onet_occupation_data", "onet_files", "skills", "skill_aliases"]
        before = table_snapshot(wh, names)
        # a changed file under a new release label, so that every file is read again
        damage(folder / "Skills.txt")
        with pytest.raises(UserError, match=expected.replace("(", r"\(")) as info:
            load_onet(wh, [folder], release="28.1")
        assert str(folder / "Skills.txt") in str(info.value)
        assert table_snapshot(wh, names) == before
        assert (
            wh.con.execute("SELECT status FROM runs ORDER BY started DESC LIMIT 1").fetchone()[0]
            == "failed"
        )


def test_a_folder_named_twice_is_loaded_once(tmp_path, db, monkeypatch):
    # 'onet load 30.1 ./30.1/' failed with '... of release 30.1 is also in' the same file.
    folder = copy_fixture(tmp_path)
    monkeypatch.chdir(tmp_path)
    with Warehouse(db) as wh:
        summary = load_onet(wh, [folder, f"./{folder.name}/"])
    assert summary["loaded"] == len(summary["files"]) == 8


def test_release_from_folder_name_with_notice_or_error(tmp_path, db):
    named = copy_fixture(tmp_path, "onet_28_0")
    (named / "Read Me.txt").unlink()
    renamed = named.rename(tmp_path / "db_28_1_text")
    plain = tmp_path / "plain"
    copy_fixture(tmp_path / "x").rename(plain)
    (plain / "Read Me.txt").unlink()
    with Warehouse(db) as wh:
        summary = load_onet(wh, [renamed])
        assert summary["releases"] == ["28.1"]
        assert "taken from the folder name" in summary["notices"][0]
        # the error said only "give it with --release", which a config's [onet] dirs has not
        with pytest.raises(UserError, match=r"cannot tell which O\*NET release.*name the folder"):
            load_onet(wh, [plain])
        assert load_onet(wh, [plain], release="27.2")["releases"] == ["27.2"]


def test_cli_reports_a_bad_folder_on_one_line(tmp_path, cli, db):
    result = cli("onet", "load", tmp_path / "nope", "--db", db)
    assert result.exit_code == 1
    assert "not a folder" in result.output


def test_a_folder_without_onet_files_is_named_as_such_not_as_an_unknown_release(tmp_path, db):
    # the WORKBank folder given to `onet load` was "cannot tell which O*NET release this is
    # … give it with --release", which, followed, only led to the real error
    other = tmp_path / "workbank"
    other.mkdir()
    (other / "domain_worker_desires.csv").write_text("a,b\n1,2\n")
    with Warehouse(db) as wh, pytest.raises(UserError, match="no O\\*NET data files found"):
        load_onet(wh, [other])


def test_reloading_a_changed_file_replaces_that_release_rows(tmp_path, db):
    folder = copy_fixture(tmp_path)
    with Warehouse(db) as wh:
        load_onet(wh, [folder])
        path = folder / "Occupation Data.txt"
        path.write_text(path.read_text().replace("Registered Nurses", "Nurses, Registered"))
        summary = load_onet(wh, [folder])
        assert summary["loaded"] == 1 and summary["unchanged"] == 7
        rows = wh.con.execute("SELECT title FROM occupations ORDER BY 1").fetchall()
    assert rows == [("Nurses, Registered",), ("Software Developers",)]


def test_subprocess_bad_header_exits_1_with_one_line(tmp_path):
    from tests.conftest import run_skilltide

    folder = copy_fixture(tmp_path)
    path = folder / "Job Zones.txt"
    path.write_text("O*NET-SOC Code\tZone\tDate\tDomain Source\r\n15-1252.00\t4\t08/2023\tA\r\n")
    result = run_skilltide("onet", "load", folder, "--db", tmp_path / "w.duckdb")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {path}: column 'Zone' is not a column of the O*NET 'Job Zones' file (expected "
        "O*NET-SOC Code, Job Zone, Date, Domain Source)"
    ]


def test_excel_format_is_read_with_its_extra_columns_ignored(tmp_path, db):
    from openpyxl import Workbook

    folder = tmp_path / "excel"
    folder.mkdir()
    (folder / "Read Me.txt").write_text("O*NET 29.1 Database\nNovember 2024 Release\n")
    book = Workbook()
    sheet = book.active
    sheet.title = "Job Zones"
    sheet.append(["O*NET-SOC Code", "Title", "Job Zone", "Date", "Domain Source"])
    sheet.append(["15-1252.00", "Software Developers", 4, "08/2023", "Analyst"])
    sheet.append(["29-1141.00", "Registered Nurses", 3, "07/2022", "Analyst"])
    book.save(folder / "Job Zones.xlsx")
    with Warehouse(db) as wh:
        summary = load_onet(wh, [folder])
        assert summary["files"][0]["format"] == "excel"
        rows = wh.con.execute("SELECT * FROM job_zones ORDER BY 1").fetchall()
    assert rows == [("15-1252.00", 4, "29.1"), ("29-1141.00", 3, "29.1")]


def test_older_release_without_optional_columns(tmp_path, db):
    folder = tmp_path / "db_25_0_text"
    folder.mkdir()
    (folder / "Read Me.txt").write_text("O*NET 25.0 Database\r\nAugust 2020 Release\r\n")
    (folder / "Technology Skills.txt").write_text(
        "O*NET-SOC Code\tExample\tCommodity Code\tCommodity Title\tHot Technology\r\n"
        "15-1252.00\tPython\t43232405\tObject or component oriented development software\tY\r\n"
    )
    (folder / "Work Styles.txt").write_text(
        "O*NET-SOC Code\tElement ID\tElement Name\tScale ID\tData Value\tN\tStandard Error\t"
        "Lower CI Bound\tUpper CI Bound\tRecommend Suppress\tDate\tDomain Source\r\n"
        "15-1252.00\t1.C.1.a\tAchievement/Effort\tIM\t3.85\t8\t0.1200\t3.60\t4.10\tN\t07/2014\t"
        "Analyst\r\n"
    )
    with Warehouse(db) as wh:
        load_onet(wh, [folder])
        assert wh.con.execute(
            "SELECT hot_technology, in_demand FROM technology_skills"
        ).fetchone() == (True, None)
        assert wh.con.execute("SELECT n, standard_error, domain FROM onet_ratings").fetchone() == (
            8,
            0.12,
            "work_styles",
        )


def test_release_option_wins_over_read_me_with_a_notice(tmp_path, db):
    folder = copy_fixture(tmp_path)
    with Warehouse(db) as wh:
        summary = load_onet(wh, [folder], release="28.3")
    assert summary["releases"] == ["28.3"]
    assert "Read Me.txt says release 28.0, loading it as 28.3" in summary["notices"][0]


def test_taxonomy_is_rebuilt_only_when_its_inputs_change(tmp_path, db):
    folder = copy_fixture(tmp_path)
    with Warehouse(db) as wh:
        assert load_onet(wh, [folder])["taxonomy"]["skills"] == 2
        path = folder / "Skills.txt"
        path.write_text(path.read_text().replace("4.38", "4.39"))
        summary = load_onet(wh, [folder])
        assert summary["loaded"] == 1 and summary["taxonomy"] is None
        path = folder / "Technology Skills.txt"
        path.write_text(path.read_text() + "15-1252.00\tGo\t43232405\tDev software\tN\tN\r\n")
        assert load_onet(wh, [folder])["taxonomy"]["skills"] == 3
