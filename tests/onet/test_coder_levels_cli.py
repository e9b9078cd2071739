"""``skilltide onet code-titles --level soc|major`` on the real O*NET 30.1 coder."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest

pytestmark = pytest.mark.shared_data


def _coded(cli, built_db, *args):
    result = cli("onet", "code-titles", "Staff RN", "ICU Nurse", *args, "--json", "--db", built_db)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_level_soc_gives_distinct_six_digit_codes_with_summed_scores(cli, built_db):
    soc = _coded(cli, built_db, "--level", "soc", "--top", "5")
    onet = _coded(cli, built_db, "--top", "30")  # the candidates the levels are summed from
    for item, full in zip(soc, onet, strict=True):
        codes = [c["code"] for c in item["candidates"]]
        assert len(codes) == 5 and len(set(codes)) == 5
        assert all(re.fullmatch(r"\d\d-\d{4}", c) for c in codes)
        scores = [c["score"] for c in item["candidates"]]
        assert scores == sorted(scores, reverse=True)
        for cand in item["candidates"]:
            summed = sum(c["score"] for c in full["candidates"] if c["code"][:7] == cand["code"])
            assert cand["score"] == pytest.approx(summed, abs=1e-5)
    best = soc[1]["candidates"][0]  # ICU nurses: RN and its specialties in one slot
    assert (best["code"], best["title"]) == ("29-1141", "Registered Nurses")


def test_level_major_out_csv_names_its_columns(cli, built_db, tmp_path):
    titles = tmp_path / "titles.txt"
    titles.write_text("Staff RN\n\nBarista\n", encoding="utf-8")
    out = tmp_path / "codes.csv"
    args = ("--file", titles, "--level", "major", "--top", "2", "--out", out, "--quiet")
    assert cli("onet", "code-titles", *args, "--db", built_db).exit_code == 0
    codes = pl.read_csv(out, infer_schema=False)
    assert codes.columns == [
        "row_number",
        "input_title",
        "rank",
        "major_group",
        "major_group_title",
        "score",
    ]
    assert codes["row_number"].to_list() == ["1", "1", "2", "3", "3"]
    first = codes.row(0, named=True)
    assert first["major_group"] == "29-0000"
    assert first["major_group_title"] == "Healthcare Practitioners and Technical Occupations"
    assert codes.filter(pl.col("row_number") == "3")["major_group"][0] == "35-0000"
    record = json.loads((tmp_path / "codes.csv.provenance.json").read_text())
    assert record["options"]["level"] == "major"


def test_level_soc_out_json_is_the_json_list(cli, built_db, tmp_path):
    out = tmp_path / "codes.json"
    args = ("onet", "code-titles", "Staff RN", "--level", "soc", "--out", out, "--quiet")
    assert cli(*args, "--db", built_db).exit_code == 0
    written = json.loads(out.read_text())
    assert written[0]["candidates"][0]["code"] == "29-1141"


def test_an_unknown_level_is_refused_before_the_warehouse(cli, db):
    result = cli("onet", "code-titles", "Nurse", "--level", "broad", "--db", db)
    assert result.exit_code == 1
    assert "--level must be one of onet, soc, major, got 'broad'" in result.output
