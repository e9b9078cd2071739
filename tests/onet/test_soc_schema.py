"""SOC hierarchy and the generated migration."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import polars as pl
import pytest

from skilltide.errors import UserError
from skilltide.onet import registry
from skilltide.onet.schema import migration_sql
from skilltide.onet.soc import MAJOR_GROUPS, soc_levels, with_soc_levels
from skilltide.store import Warehouse
from tests.conftest import shared_path


def test_soc_levels_of_an_onet_code():
    assert soc_levels("15-1252.00") == {
        "onetsoc": "15-1252.00",
        "detailed": "15-1252",
        "broad": "15-1250",
        "minor": "15-1200",
        "major": "15-0000",
        "major_title": "Computer and Mathematical Occupations",
    }
    assert soc_levels("29-1141.04")["detailed"] == "29-1141"
    assert soc_levels("51-5111")["onetsoc"] == "51-5111.00"


@pytest.mark.parametrize("bad", ["15-1252.0", "151252", "99-1111.00", "", "15-12a2.00"])
def test_soc_levels_refuses_bad_codes(bad):
    with pytest.raises(UserError):
        soc_levels(bad)


def test_with_soc_levels_is_vectorised_and_nulls_bad_codes():
    out = with_soc_levels(pl.DataFrame({"onetsoc_code": ["11-1011.03", "junk"]}))
    assert out.row(0) == ("11-1011.03", "11-1011", "11-1010", "11-1000", "11-0000")
    assert with_soc_levels(pl.DataFrame({"c": ["11-3111.00", "15-1252.00"]}), "c")[
        "minor"
    ].to_list() == ["11-3000", "15-1200"]
    assert out.row(1)[1:] == (None, None, None, None)


def test_major_groups_match_the_bls_structure_and_every_detailed_code_resolves():
    path = shared_path("soc", "bls", "soc_2018_definitions.xlsx")
    soc = pl.read_excel(path, read_options={"header_row": 7}, infer_schema_length=0)
    groups = dict(
        soc.filter(pl.col("SOC Group") == "Major").select("SOC Code", "SOC Title").iter_rows()
    )
    assert groups == MAJOR_GROUPS and len(MAJOR_GROUPS) == 23
    known = set(soc["SOC Code"])
    for code in soc.filter(pl.col("SOC Group") == "Detailed")["SOC Code"]:
        levels = soc_levels(code)
        assert {levels["broad"], levels["minor"], levels["major"]} <= known, code


def test_every_occupation_of_onet_30_1_has_a_major_group():
    path = shared_path("onet", "30.1", "Occupation Data.txt")
    codes = pl.read_csv(path, separator="\t", quote_char=None, infer_schema=False)
    majors = {soc_levels(c)["major"] for c in codes["O*NET-SOC Code"]}
    assert majors <= set(MAJOR_GROUPS) and len(majors) == 23


def test_migration_file_is_the_generated_sql():
    shipped = resources.files("skilltide.migrations").joinpath("0003_onet.sql").read_text()
    assert shipped == migration_sql(), "run: python -m skilltide.onet.schema > ...0003_onet.sql"


def test_the_schema_script_prints_the_migration_and_has_help():
    run = [sys.executable, "-m", "skilltide.onet.schema"]
    printed = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert printed == migration_sql()
    helped = subprocess.run([*run, "--help"], capture_output=True, text=True, check=True).stdout
    assert "usage:" in helped and "PRIMARY KEY" not in helped  # was the SQL


def test_tables_follow_the_registry(db):
    with Warehouse(db) as wh:
        assert dict(wh.con.execute("SELECT * FROM soc_major_groups").fetchall()) == MAJOR_GROUPS
        for spec in registry.FILES:
            cols = [r[0] for r in wh.con.execute(f"DESCRIBE {spec.table}").fetchall()]
            assert cols == ["release", *(c.name for c in spec.columns), "run_id"]
        for view, columns in {
            "occupations": ["onetsoc_code", "title", "description", "release"],
            "reported_titles": [
                "onetsoc_code",
                "reported_title",
                "shown_in_my_next_move",
                "release",
            ],
            "onet_ratings": [
                "onetsoc_code",
                "element_id",
                "element_name",
                "domain",
                "scale_id",
                "data_value",
                "n",
                "standard_error",
                "recommend_suppress",
                "not_relevant",
                "release",
            ],
        }.items():
            assert [r[0] for r in wh.con.execute(f"DESCRIBE {view}").fetchall()] == columns
