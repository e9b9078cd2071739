"""``skilltide onet code-titles`` and ``build-coder`` on the real O*NET 30.1 coder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

pytestmark = pytest.mark.shared_data


# -- CLI --------------------------------------------------------------------------------
def test_cli_json_shape(cli, built_db):
    result = cli(
        "onet",
        "code-titles",
        "RN - ICU Nights",
        "Sr. Java Developer - Remote",
        "--top",
        "3",
        "--json",
        "--db",
        built_db,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["title"] for d in data] == ["RN - ICU Nights", "Sr. Java Developer - Remote"]
    for item in data:
        assert len(item["candidates"]) == 3
        assert set(item["candidates"][0]) == {"code", "title", "score"}
        scores = [c["score"] for c in item["candidates"]]
        assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1
    # ICU nurses: Registered Nurses or its specialty Critical Care Nurses (29-1141.03).
    assert data[0]["candidates"][0]["code"].startswith("29-1141")
    assert "Nurses" in data[0]["candidates"][0]["title"]


def test_cli_text_output(cli, built_db):
    result = cli("onet", "code-titles", "Software Developers", "--top", "1", "--db", built_db)
    assert result.exit_code == 0
    assert "15-1252.00" in result.output and "Software Developers" in result.output


def test_cli_text_output_keeps_columns_aligned_for_wide_characters(cli, built_db):
    from rich.cells import cell_len

    titles = ["Senior Java Developer（北京）", "Software Developers"]
    result = cli("onet", "code-titles", *titles, "--top", "1", "--db", built_db)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # the code column starts at the same terminal cell (a CJK character is two cells wide)
    starts = [cell_len(line[: re.search(r" \d\d-\d{4}\.\d\d", line).start()]) for line in lines]
    assert starts[0] == starts[1] == 41, lines


def test_cli_titles_mostly_in_another_script_get_no_code(cli, built_db, tmp_path):
    """ ".Net软件工程师" was Fishing and Hunting Workers (0.56), read as "net": the coder reads
    English, and a title under half Latin words gets no candidates, no code in --out."""
    titles = [".Net软件工程师", "Software Developers"]
    result = cli("onet", "code-titles", *titles, "--top", "2", "--json", "--db", built_db)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [len(d["candidates"]) for d in data] == [0, 2]
    ads = tmp_path / "ads.csv"
    ads.write_text("job_title\n.Net软件工程师\nSoftware Developers\n", encoding="utf-8")
    out = tmp_path / "codes.csv"
    args = ("--file", ads, "--column", "job_title", "--top", "1", "--out", out)
    assert cli("onet", "code-titles", *args, "--db", built_db, "--quiet").exit_code == 0
    codes = pl.read_csv(out, infer_schema=False)
    assert codes["onetsoc_code"].to_list() == [None, "15-1252.00"]


def test_cli_text_output_of_an_empty_row_has_no_title(cli, built_db, tmp_path):
    titles = tmp_path / "titles.txt"
    titles.write_text("Staff RN\n\n")
    result = cli("onet", "code-titles", "--file", titles, "--top", "1", "--db", built_db)
    assert result.exit_code == 0
    assert result.output.splitlines()[1].split() == ["-"]  # was "None  -"


def test_cli_file_column_out(cli, built_db, tmp_path):
    ads = tmp_path / "ads.csv"
    ads.write_text("id,job_title\n1,CDL-A Truck Driver\n2,\n3,Staff RN\n", encoding="utf-8")
    out = tmp_path / "codes.csv"
    result = cli(
        "onet",
        "code-titles",
        "--file",
        ads,
        "--column",
        "job_title",
        "--top",
        "2",
        "--out",
        out,
        "--db",
        built_db,
        "--quiet",
    )
    assert result.exit_code == 0 and result.output == ""  # the file is the result: no table
    codes = pl.read_csv(out, infer_schema=False)
    assert codes.columns == [
        "row_number",
        "input_title",
        "rank",
        "onetsoc_code",
        "occupation_title",
        "score",
    ]
    # Every input row is there: two candidates each, one empty row for the blank title.
    assert codes["row_number"].to_list() == ["1", "1", "2", "3", "3"]
    assert codes["rank"].to_list() == ["1", "2", None, "1", "2"]  # no rank without a code
    assert codes.filter(pl.col("row_number") == "2")["onetsoc_code"].to_list() == [None]
    assert codes["onetsoc_code"][0] == "53-3032.00"
    assert codes["onetsoc_code"][3] == "29-1141.00"

    as_json = tmp_path / "codes.json"
    result = cli(
        "onet",
        "code-titles",
        "--file",
        ads,
        "--column",
        "job_title",
        "--out",
        as_json,
        "--db",
        built_db,
        "--quiet",
    )
    assert result.exit_code == 0
    assert [d["title"] for d in json.loads(as_json.read_text())] == [
        "CDL-A Truck Driver",
        None,
        "Staff RN",
    ]


def test_cli_out_is_written_in_chunks_as_the_json_list_says(cli, built_db, tmp_path, monkeypatch):
    # --out CSV/Parquet is coded and written CHUNK titles at a time (memory flat in the file's
    # size); the rows are those of the whole list coded at once, numbered across chunks.
    import skilltide.onet.coder_io as coder_io

    monkeypatch.setattr(coder_io, "CHUNK", 2)
    titles = ["CDL-A Truck Driver", "", "Staff RN", "Sr. Java Developer - Remote", "Nurse"]
    path = tmp_path / "titles.csv"
    pl.DataFrame({"title": titles}).write_csv(path)
    as_json = tmp_path / "codes.json"
    args = ("onet", "code-titles", "--file", path, "--top", "2", "--db", built_db)
    assert cli(*args, "--out", as_json, "--quiet").exit_code == 0
    expected = [
        (number, item["title"], rank if c["code"] else None, c["code"], c["title"], c["score"])
        for number, item in enumerate(json.loads(as_json.read_text()), start=1)
        for rank, c in enumerate(item["candidates"] or [dict.fromkeys(("code", "title"))], 1)
        for c in [{"score": None, **c}]
    ]
    assert len(expected) == 9  # two candidates per title, one empty row for the blank one
    for suffix, read in ((".csv", pl.read_csv), (".parquet", pl.read_parquet)):
        out = tmp_path / f"codes{suffix}"
        result = cli(*args, "--out", out)
        assert result.exit_code == 0, result.output
        assert read(out).rows() == expected, suffix
        assert "... and 0 more" not in result.output  # five titles: all shown


def test_cli_bad_column_names_file_and_columns(cli, built_db, tmp_path):
    ads = tmp_path / "ads.csv"
    ads.write_text("id,job_title\n1,Nurse\n", encoding="utf-8")
    result = cli("onet", "code-titles", "--file", ads, "--column", "title", "--db", built_db)
    assert result.exit_code == 1
    assert "ads.csv" in result.output and "'title'" in result.output
    assert "job_title" in result.output


def test_cli_column_without_file_is_refused(cli, db):
    result = cli("onet", "code-titles", "Nurse", "--column", "job_title", "--db", db)
    assert result.exit_code == 1
    assert "--column needs --file" in result.output


def test_cli_without_onet_tells_to_load(cli, db):
    result = cli("onet", "code-titles", "Nurse", "--db", db)
    assert result.exit_code == 1
    assert "skilltide onet load" in result.output


def test_cli_build_coder_json(cli, built_db):
    result = cli("onet", "build-coder", "--json", "--db", built_db)
    assert result.exit_code == 0
    summary = json.loads(result.output)
    # which coder is up to date: lexical, embed and static are stored side by side
    assert summary["reused"] is True and summary["model"] == "lexical"
    text = cli("onet", "build-coder", "--db", built_db)
    assert "lexical title coder for O*NET 30.1 is up to date" in text.output


def test_cli_is_deterministic(cli, built_db):
    args = (
        "onet",
        "code-titles",
        "Mgr, Accounting",
        "Pharmacy Tech II",
        "--json",
        "--db",
        built_db,
    )
    first, again = cli(*args), cli(*args)
    assert first.exit_code == 0, first.output
    assert [len(item["candidates"]) for item in json.loads(first.output)] == [5, 5]
    assert again.output == first.output


def test_cli_out_refuses_an_unknown_format_before_coding(cli, db, tmp_path):
    # 'codes.xlsx' was written as CSV, which Excel then refuses to open; the check comes
    # before the coder is read, so a warehouse without O*NET says the same.
    for name in ("codes.xlsx", "codes"):
        out = tmp_path / name
        result = cli("onet", "code-titles", "Nurse", "--out", out, "--db", db)
        assert result.exit_code == 1, result.output
        assert f"{out}: output must end in .csv, .parquet, .json" in result.output
        assert not out.exists()


def test_cli_out_writes_a_provenance_sidecar(cli, built_db, tmp_path):
    from skilltide.provenance import sha256_file
    from skilltide.store import Warehouse

    titles = tmp_path / "titles.txt"
    titles.write_text("Staff RN\nBarista\n", encoding="utf-8")
    out = tmp_path / "codes.parquet"
    args = ("onet", "code-titles", "--file", titles, "--top", "2", "--out", out, "--db", built_db)
    assert cli(*args, "--quiet").exit_code == 0
    record = json.loads((tmp_path / "codes.parquet.provenance.json").read_text())
    assert record["command"] == "skilltide onet code-titles"
    assert record["output"]["sha256"] == sha256_file(out)
    assert [Path(i["path"]).name for i in record["inputs"]] == ["titles.txt"]
    assert record["inputs"][0]["sha256"] == sha256_file(titles)
    assert record["options"]["top"] == 2 and record["options"]["onet_release"] == "30.1"
    assert record["options"]["db"] == str(built_db) and record["options"]["titles"] == 2
    # which build of the coder coded them (found missing in the traceability QA pass)
    with Warehouse(built_db) as wh:
        built = wh.query("SELECT run_id FROM title_coders")["run_id"].to_list()
    assert record["options"]["coder_run"] == built[0] and len(built) == 1


def test_cli_out_previews_the_first_titles_only(cli, built_db, tmp_path):
    """With --out the file is the result: the table shows its first titles and says how many
    more the file holds (the Census index's 34,544 titles printed about 103,000 lines)."""
    from skilltide.onet.cli import PREVIEW

    titles = tmp_path / "titles.txt"
    titles.write_text("\n".join(["Staff RN", "Barista"] * PREVIEW) + "\n", encoding="utf-8")
    out = tmp_path / "codes.csv"
    args = ("onet", "code-titles", "--file", titles, "--top", "1", "--out", out, "--db", built_db)
    result = cli(*args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == PREVIEW + 2
    assert lines[-2] == f"... and {PREVIEW} more titles in {out}" and lines[-1] == f"wrote {out}"
    assert pl.read_csv(out)["row_number"].n_unique() == 2 * PREVIEW


def test_cli_out_on_a_full_disk_keeps_the_earlier_codes(cli, built_db, tmp_path, monkeypatch):
    # Found on a 4 KB tmpfs: an empty or cut codes.csv stayed, with an OSError traceback.
    import errno

    out = tmp_path / "codes.csv"
    out.write_text("earlier\n")

    def full(self, file, *args, **kwargs):  # the codes are written to an open file
        file.write(b"row_number,in") if hasattr(file, "write") else Path(file).write_text("ro")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_csv", full)
    result = cli("onet", "code-titles", "Staff RN", "--out", out, "--db", built_db)
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"error: {out}: cannot write it (No space left on device)"
    )
    assert out.read_text() == "earlier\n"
    assert not (tmp_path / "codes.csv.provenance.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cli_says_when_it_builds_the_coder_first(cli, db, tmp_path):
    """A first use builds the coder (minutes for the embedding kinds): said on stderr, once."""
    from skilltide.store import Warehouse
    from tests.onet.test_coder_embed import _warehouse_with_titles

    with Warehouse(db) as wh:
        _warehouse_with_titles(wh, tmp_path / "onet")
    first = cli("onet", "code-titles", "Attorney", "--json", "--db", db)
    assert first.exit_code == 0
    assert "no lexical title coder stored for O*NET 30.1 yet: building it first" in first.stderr
    assert json.loads(first.stdout)[0]["candidates"]  # stdout stays the JSON
    again = cli("onet", "code-titles", "Attorney", "--db", db)
    assert again.exit_code == 0 and "building it first" not in again.stderr
